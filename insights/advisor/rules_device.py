"""Device rules: devices near the size ceilings or limit (S10), and tables gone stale on
devices still in use (S6)."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from insights.advisor.context import Context, size
from insights.advisor.evidence import Row
from insights.advisor.model import Evidence, Kind, Recommendation, Severity
from insights.advisor.thresholds import (
    SIZE_NEAR_SHARE,
    STALE_ACTIVE_HOURS,
    STALE_DEVICES_LISTED,
    STALE_INTERVALS,
)
from syncengine.profile.limits import MAX_DEVICE_RECORDS, RECOMMENDED_BYTES, RECOMMENDED_RECORDS


def size_rule(rows: list[Row], ctx: Context) -> list[Recommendation]:
    """Profiles with devices near 200,000 records or 1 GiB, or nearing 3,000,000 (``size.sql``)."""
    near: dict[str, list[Row]] = defaultdict(list)
    for r in rows:
        if (
            r["records"] >= SIZE_NEAR_SHARE * RECOMMENDED_RECORDS
            or r["bytes"] >= SIZE_NEAR_SHARE * RECOMMENDED_BYTES
        ):
            near[r["profile"]].append(r)
    out: list[Recommendation] = []
    for profile, devices in sorted(near.items()):
        devices.sort(key=lambda r: (-r["records"], r["device_id"]))
        biggest = devices[0]
        at_limit = sum(r["records"] >= SIZE_NEAR_SHARE * MAX_DEVICE_RECORDS for r in devices)
        tops: dict[str, int] = defaultdict(int)
        for r in devices:
            tops[r["top_table"]] += 1
        table = max(sorted(tops), key=tops.__getitem__)
        severity: Severity = "critical" if at_limit else "warning"
        where = ctx.table_line(profile, table)
        out.append(
            Recommendation(
                kind=Kind.SIZE,
                severity=severity,
                profile=profile,
                table=table,
                summary=(
                    f"{len(devices)} device(s) hold {size_words(biggest)} after a first download"
                    + (
                        f"; {at_limit} approach the {MAX_DEVICE_RECORDS:,}-record limit"
                        if at_limit
                        else f", near the recommended {RECOMMENDED_RECORDS:,} records or 1 GiB"
                    )
                ),
                evidence=(
                    Evidence("devices_near", len(devices), f"{len(devices):,} devices near"),
                    Evidence(
                        "devices_approaching_limit",
                        at_limit,
                        f"{at_limit:,} at {SIZE_NEAR_SHARE:.0%} or more of {MAX_DEVICE_RECORDS:,}",
                    ),
                    Evidence(
                        "max_records",
                        biggest["records"],
                        f"largest: {biggest['records']:,} records on {biggest['device_id']}",
                    ),
                    Evidence(
                        "max_bytes",
                        max(r["bytes"] for r in devices),
                        f"most bytes: {size(max(r['bytes'] for r in devices))}",
                    ),
                    Evidence(
                        "top_table",
                        table,
                        f"{table} holds the most records on {tops[table]:,} of them",
                    ),
                ),
                window=ctx.window,
                change=None,
                effect=None,
                action=(
                    f"narrow the filter of {table}"
                    + (f" ({where})" if where else "")
                    + " so devices hold fewer records; a device over "
                    f"{MAX_DEVICE_RECORDS:,} records fails to sync (S10)"
                ),
                link=ctx.link("devices", profile),
            )
        )
    return out


def size_words(r: Row) -> str:
    """``250,000 records (1.2 GiB)``."""
    return f"up to {r['records']:,} records ({size(r['bytes'])})"


def stale(rows: list[Row], ctx: Context) -> list[Recommendation]:
    """Tables not synced for several intervals on devices still trying (``stale.sql``)."""
    recent = ctx.window.end - timedelta(hours=STALE_ACTIVE_HOURS)
    found: dict[tuple[str, str], list[Row]] = defaultdict(list)
    for r in rows:
        minutes = r["interval_minutes"]
        if minutes is None or r["last_attempt"] < recent:
            continue
        if r["minutes_without"] > STALE_INTERVALS * minutes:
            found[(r["profile"], r["table_name"])].append(r)
    out: list[Recommendation] = []
    for (profile, table), devices in sorted(found.items()):
        devices.sort(key=lambda r: (-r["minutes_without"], r["device_id"]))
        worst = devices[0]
        interval = worst["interval_minutes"]
        hours = worst["minutes_without"] / 60
        failures = sum(r["failures"] for r in devices)
        listed = ", ".join(r["device_id"] for r in devices[:STALE_DEVICES_LISTED])
        out.append(
            Recommendation(
                kind=Kind.STALE,
                severity="warning",
                profile=profile,
                table=table,
                summary=(
                    f"{len(devices)} device(s) in use have not synced {table} for more than "
                    f"{STALE_INTERVALS} intervals of {interval} min (up to {hours:.1f} h)"
                ),
                evidence=(
                    Evidence("devices", len(devices), f"{len(devices):,} devices"),
                    Evidence(
                        "max_hours_without",
                        round(hours, 2),
                        f"longest: {hours:.1f} h on {worst['device_id']}",
                    ),
                    Evidence("failures", failures, f"{failures:,} failed syncs of {table} since"),
                    Evidence("device_ids", listed, f"stalest: {listed}"),
                ),
                window=ctx.window,
                change=None,
                effect=None,
                action=(
                    "not a profile setting: look at these devices' errors and network on the "
                    "Devices page; a table failing on every pass points at its data or filter"
                ),
                link=ctx.link("devices", profile, table),
            )
        )
    return out
