"""Usage rules: records that left devices too eagerly (S9), cellular data (S4) and the
conflict-detection trade-off (S7)."""

from __future__ import annotations

from itertools import groupby

from insights.advisor.context import Context, pct, per_day, size, step_at_least
from insights.advisor.evidence import Row
from insights.advisor.model import Change, Effect, Evidence, Kind, Recommendation
from insights.advisor.rules_interval import INTERVAL_MODEL
from insights.advisor.thresholds import (
    CELL_BYTES_MIN,
    CELL_TOP_TABLES,
    CONFLICTS_MIN,
    CONFLICTS_PER_DEVICE_DAY_MIN,
    MIN_DEVICE_DAYS,
    NOT_FOUND_MIN,
    NOT_FOUND_PER_DEVICE_DAY_MIN,
)
from syncengine.profile.limits import MAX_INTERVAL_MINUTES
from syncengine.profile.render import render_filter


def filters_too_restrictive(rows: list[Row], ctx: Context) -> list[Recommendation]:
    """Tables whose removed records users keep opening (``filters_too_restrictive.sql``)."""
    out: list[Recommendation] = []
    for r in rows:
        days, count = r["device_days"], r["not_found"]
        rate = per_day(count, days)
        if days < MIN_DEVICE_DAYS or count < NOT_FOUND_MIN or rate < NOT_FOUND_PER_DEVICE_DAY_MIN:
            continue
        table, profile = r["table_name"], r["profile"]
        where = ctx.table_line(profile, table)
        text = ctx.text(profile)
        current = (
            f" (now `filter = {render_filter(text.profile.table(table).filter)}`, {where})"
            if text is not None and where
            else ""
        )
        out.append(
            Recommendation(
                kind=Kind.FILTERS_TOO_RESTRICTIVE,
                severity="warning",
                profile=profile,
                table=table,
                summary=(
                    f"users opened a {table} record that had left their device {rate:.1f} times "
                    f"per device per day (Record Not Found): check its filters"
                ),
                evidence=(
                    Evidence("not_found", count, f"{count:,} Record Not Found"),
                    Evidence(
                        "not_found_per_device_day",
                        round(rate, 2),
                        f"{rate:.2f} per device per day over {days:,} device-days",
                    ),
                    Evidence(
                        "reach",
                        f"{r['devices']} devices, {r['users']} users, {r['records']} records",
                        f"{r['devices']:,} devices, {r['users']:,} users, "
                        f"{r['records']:,} distinct records",
                    ),
                    Evidence(
                        "records_removed",
                        r["records_removed"],
                        f"{r['records_removed']:,} {table} records left devices (S9)",
                    ),
                ),
                window=ctx.window,
                change=None,
                effect=None,
                action=(
                    f"check the filter of {table}{current}: a record leaves the device once it "
                    "no longer matches (S9), yet users still open it; widen the filter (a longer "
                    "date window, or keep recently completed records) so the records they open "
                    "stay"
                ),
                link=ctx.link("errors", profile, table),
            )
        )
    return out


def cellular_data_heavy(rows: list[Row], ctx: Context) -> list[Recommendation]:
    """The tables moving the most bytes on cellular (``cellular_data_heavy.sql``)."""
    out: list[Recommendation] = []
    for profile, group in groupby(rows, key=lambda r: r["profile"]):
        heavy = [
            r
            for r in group
            if r["device_days"] >= MIN_DEVICE_DAYS
            and per_day(r["cell_bytes"], r["device_days"]) >= CELL_BYTES_MIN
        ]
        heavy.sort(key=lambda r: (-float(r["cell_bytes"]), r["table_name"]))
        for r in heavy[:CELL_TOP_TABLES]:
            rec = _cellular(r, profile, ctx)
            if rec is not None:
                out.append(rec)
    return out


def _cellular(r: Row, profile: str, ctx: Context) -> Recommendation | None:
    table, days, current = r["table_name"], r["device_days"], r["interval_minutes"]
    cell_per_day = per_day(r["cell_bytes"], days)
    text = ctx.text(profile)
    change: Change
    if text is not None and not text.profile.settings.allow_wifi_only:
        change = ctx.setting(profile, "settings", "allow_wifi_only", True)
        effect = Effect(
            0.0,
            -cell_per_day,
            0.0,
            "bytes on cellular, at most (if every user turns Wi-Fi only on): they move to Wi-Fi, "
            "and sync waits for it",
        )
        action = (
            "allow users to sync on Wi-Fi only (S4); those who choose it stop syncing on "
            "cellular, and their data waits for Wi-Fi"
        )
    elif current is not None and current < MAX_INTERVAL_MINUTES:
        longer = step_at_least(current * 2)
        saved = per_day(r["own_passes"], days) * (1 - current / longer)
        change = ctx.interval_change(profile, table, longer)
        effect = Effect(-saved, -saved * float(r["empty_pass_bytes"] or 0), 0.0, INTERVAL_MODEL)
        action = f"lengthen {table}'s interval to {longer} min" + (
            "" if text is None else "; users may already choose Wi-Fi only (it is allowed)"
        )
    else:
        return None
    share = float(r["cell_bytes"]) / float(r["all_bytes"]) if r["all_bytes"] else 0.0
    return Recommendation(
        kind=Kind.CELLULAR_DATA_HEAVY,
        severity="warning",
        profile=profile,
        table=table,
        summary=(
            f"{table} moves {size(cell_per_day)} per device per day on cellular "
            f"({pct(share)} of its bytes)"
        ),
        evidence=(
            Evidence(
                "cell_bytes_per_device_day",
                round(cell_per_day),
                f"{size(cell_per_day)} per device per day on cellular over {days:,} device-days",
            ),
            Evidence("cell_share", round(share, 4), f"{pct(share)} of the table's bytes"),
            Evidence("cell_passes", r["cell_passes"], f"{r['cell_passes']:,} syncs on cellular"),
            Evidence(
                "cell_records",
                r["cell_records"],
                f"{r['cell_records']:,} records down and up on cellular",
            ),
        ),
        window=ctx.window,
        change=change,
        effect=effect,
        action=action,
        link=ctx.link("performance", profile, table) + "&net=cell",
    )


def conflict_policy(rows: list[Row], ctx: Context) -> list[Recommendation]:
    """Profiles with many conflicts, detection on or off (``conflict_policy.sql``)."""
    out: list[Recommendation] = []
    for r in rows:
        days, count, detection = r["device_days"], r["conflicts"], r["detection"]
        rate = per_day(count, days)
        if detection is None or days < MIN_DEVICE_DAYS:
            continue
        if count < CONFLICTS_MIN or rate < CONFLICTS_PER_DEVICE_DAY_MIN:
            continue
        profile = r["profile"]
        on = detection == "on"
        lost = per_day(r["device_wins"], days)
        shown = per_day(r["server_wins"], days)
        if on:
            seen = f"technicians saw {shown:.1f} sync conflict errors per device per day"
            trade = (
                f"turning detection off stops those errors, but then the device's change wins: "
                f"about {rate:.1f} office edits per device per day would be overwritten"
            )
        else:
            seen = f"device changes overwrote {lost:.1f} office edits per device per day"
            trade = (
                f"turning detection on keeps the office's edits, but then technicians see about "
                f"{rate:.1f} sync conflict errors per device per day and redo their change"
            )
        out.append(
            Recommendation(
                kind=Kind.CONFLICT_POLICY,
                severity="warning",
                profile=profile,
                table=None,
                summary=f"conflict detection is {detection}: {seen}",
                evidence=(
                    Evidence(
                        "conflicts", count, f"{count:,} conflicts on {r['records']:,} records"
                    ),
                    Evidence(
                        "conflicts_per_device_day",
                        round(rate, 2),
                        f"{rate:.2f} per device per day over {days:,} device-days",
                    ),
                    Evidence(
                        "device_wins", r["device_wins"], f"{r['device_wins']:,} won by the device"
                    ),
                    Evidence(
                        "server_wins",
                        r["server_wins"],
                        f"{r['server_wins']:,} won by the server (shown as errors)",
                    ),
                    Evidence(
                        "top_table",
                        r["top_table"],
                        f"most on {r['top_table']} ({r['top_table_conflicts']:,})",
                    ),
                ),
                window=ctx.window,
                change=ctx.setting(profile, None, "conflict_detection", not on),
                effect=Effect(0.0, 0.0, 0.0, f"no traffic change; {trade}"),
                action=(
                    f"{trade}. Choose by which hurts more; fewer conflicts come from syncing "
                    f"{r['top_table']} more often or splitting who edits which fields"
                ),
                link=ctx.link("conflicts", profile),
            )
        )
    return out
