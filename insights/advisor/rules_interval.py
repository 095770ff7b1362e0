"""Interval rules: a table synced more often than its data changes, and a table whose own
interval the engine overrides because a related table is due sooner (S3)."""

from __future__ import annotations

from insights.advisor.context import Context, pct, per_day, size, step_at_most
from insights.advisor.evidence import Row
from insights.advisor.model import Effect, Evidence, Kind, Recommendation
from insights.advisor.thresholds import (
    EMPTY_SHARE_MIN,
    MIN_DEVICE_DAYS,
    MIN_PASSES,
    MIN_PASSES_SAVED,
    RELATED_BYTES_MIN,
    RELATED_SHARE_MIN,
)
from syncengine.profile.limits import MAX_INTERVAL_MINUTES

INTERVAL_MODEL = (
    "the table's own passes scale with 1/interval; every change still arrives, later, so "
    "records stay the same (a record edited twice between passes comes once: not counted); "
    "each pass saved saves the median bytes of an empty one"
)
"""How interval changes are estimated."""


def supported_interval(changes_per_device_day: float) -> int:
    """The interval the observed change rate supports: one pass per change, on a round step.

    A table that changes once a device-day (or less) supports a day (the seed's example:
    accounts that change once a day); four times a day, 360 minutes, rounded down to 240.
    """
    if changes_per_device_day <= 1:
        return MAX_INTERVAL_MINUTES
    return step_at_most(MAX_INTERVAL_MINUTES / changes_per_device_day)


def interval_longer_than_needed(rows: list[Row], ctx: Context) -> list[Recommendation]:
    """Tables whose own passes almost always bring nothing (``interval_longer_than_needed.sql``)."""
    out: list[Recommendation] = []
    for r in rows:
        own, days, current = r["own_passes"], r["device_days"], r["interval_minutes"]
        if current is None or own < MIN_PASSES or days < MIN_DEVICE_DAYS:
            continue
        empty_share = r["own_empty"] / own
        changes = per_day(r["changed_passes"], days)
        suggested = supported_interval(changes)
        own_per_day = per_day(own, days)
        saved = own_per_day * (1 - current / suggested) if suggested > current else 0.0
        if empty_share < EMPTY_SHARE_MIN or saved < MIN_PASSES_SAVED:
            continue
        empty_bytes = float(r["empty_pass_bytes"] or 0)
        table, profile = r["table_name"], r["profile"]
        out.append(
            Recommendation(
                kind=Kind.INTERVAL_LONGER_THAN_NEEDED,
                severity="warning",
                profile=profile,
                table=table,
                summary=(
                    f"{table} syncs every {current} min but {pct(empty_share)} of its own passes "
                    f"downloaded nothing; its data changed {changes:.2f} times per device per "
                    f"day, which an interval of {suggested} min supports"
                ),
                evidence=(
                    Evidence("own_passes", own, f"{own:,} passes due by its own interval"),
                    Evidence(
                        "empty_share", round(empty_share, 4), f"{pct(empty_share)} brought nothing"
                    ),
                    Evidence(
                        "changes_per_device_day",
                        round(changes, 3),
                        f"{r['changed_passes']:,} passes brought changes over {days:,} device-days",
                    ),
                    Evidence("interval_minutes", current, f"configured every {current} min"),
                ),
                window=ctx.window,
                change=ctx.interval_change(profile, table, suggested),
                effect=Effect(-saved, -saved * empty_bytes, 0.0, INTERVAL_MODEL),
                action=(
                    f"set {table}'s interval to {suggested} min; changes then reach devices up "
                    f"to {suggested} min after they happen"
                ),
                link=ctx.link("profiles-tables", profile, table),
            )
        )
    return out


def interval_not_respected(rows: list[Row], ctx: Context) -> list[Recommendation]:
    """Tables mostly pulled as ``related`` (``interval_not_respected.sql``)."""
    out: list[Recommendation] = []
    for r in rows:
        passes, days, current = r["passes"], r["device_days"], r["interval_minutes"]
        source, source_minutes = r["source_table"], r["source_interval"]
        if current is None or source is None or passes < MIN_PASSES or days < MIN_DEVICE_DAYS:
            continue
        share = r["related_passes"] / passes
        bytes_per_day = per_day(r["related_bytes"], days)
        if share < RELATED_SHARE_MIN or bytes_per_day < RELATED_BYTES_MIN:
            continue
        table, profile = r["table_name"], r["profile"]
        related_per_day = per_day(r["related_passes"], days)
        out.append(
            Recommendation(
                kind=Kind.INTERVAL_NOT_RESPECTED,
                severity="info",
                profile=profile,
                table=table,
                summary=(
                    f"{table} is set to every {current} min but {pct(share)} of its passes pulled "
                    f"it along with {source} (every {source_minutes} min), moving "
                    f"{size(bytes_per_day)} per device per day"
                ),
                evidence=(
                    Evidence("passes", passes, f"{passes:,} scheduled passes of {table}"),
                    Evidence(
                        "related_share",
                        round(share, 4),
                        f"{pct(share)} due as related ({r['related_passes']:,} passes)",
                    ),
                    Evidence(
                        "source_table",
                        source,
                        f"{source} (every {source_minutes} min) was due in "
                        f"{r['source_passes']:,} of them",
                    ),
                    Evidence(
                        "related_passes_per_device_day",
                        round(related_per_day, 2),
                        f"{related_per_day:.1f} related pulls per device per day",
                    ),
                    Evidence(
                        "related_bytes_per_device_day",
                        round(bytes_per_day),
                        f"{size(bytes_per_day)} per device per day in related pulls",
                    ),
                ),
                window=ctx.window,
                change=ctx.interval_change(profile, table, int(source_minutes)),
                effect=Effect(
                    0.0,
                    0.0,
                    0.0,
                    f"none: {table} already syncs whenever {source} does; the change makes the "
                    "profile say so",
                ),
                action=(
                    f"{table}'s own interval has no effect while {source} is due every "
                    f"{source_minutes} min (S3). Align it (the change below) so the profile says "
                    f"what devices do; to sync {table} less often, lengthen {source}'s interval "
                    "instead, at the cost of its freshness"
                ),
                link=ctx.link("profiles-tables", profile, table),
            )
        )
    return out
