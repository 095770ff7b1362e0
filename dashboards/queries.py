"""The dashboard's reads: a read-only connection per query, parameterised SQL, polars frames.

Every function takes the store folder and the sidebar :class:`~ingest.scope.Filters`, reads
the ``sql/views`` metric views under those filters (:func:`~ingest.scope.scoped_sql`), and
returns a polars frame or a small dict. Nothing here imports Streamlit: the pages cache these
calls, and the tests call them directly. Each query gets its own in-memory connection over the
store's visible Parquet files (:mod:`ingest.reader`), closed before the function returns,
so a writer is never held up.

This module holds the store-wide reads and the Overview and Profiles x tables pages';
:mod:`dashboards.queries_detail` holds the other pages'.
"""

from __future__ import annotations

import contextlib
import enum
import math
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Final

import duckdb
import polars as pl

from ingest import reader
from ingest.catalog import CATALOG_FILE
from ingest.scope import PASS_SLACK, Filters, scoped_sql, view_query

STALE_DEVICE_HOURS: Final = 24
"""A device is stale when it has had no successful pass for this long before the period ends."""
CHOICE_COLUMNS: Final = {
    "profiles": "profile",
    "tables": "table_name",
    "modes": "mode",
    "app_versions": "app_version",
    "os_names": "os_name",
    "networks": "network_type",
}
"""Filter field -> the ``sync_events`` column whose distinct values it offers."""


class StoreState(enum.Enum):
    """What a store folder holds, for the dashboard's empty states."""

    MISSING = "missing"
    """No ``catalog.duckdb``: not a store (yet)."""
    BROKEN = "broken"
    """A catalog that cannot be opened or queried."""
    EMPTY = "empty"
    """A store with no events."""
    READY = "ready"
    """A store with events."""


def catalog(store: Path) -> Path:
    """The store's ``catalog.duckdb``."""
    return Path(store) / CATALOG_FILE


def run(
    store: Path, sql: str, params: list[Any] | None = None, f: Filters | None = None
) -> pl.DataFrame:
    """Run ``sql`` with bound ``params`` on a fresh read-only connection (:mod:`ingest.reader`)
    and return the rows as a frame; with the filters ``f``, only the day folders their time
    range can touch are read."""
    first = f.start.date() if f is not None and f.start is not None else None
    last = (f.end + PASS_SLACK).date() if f is not None and f.end is not None else None
    con = reader.connect(store, first, last)
    try:
        frame: pl.DataFrame = con.sql(sql, params=params or None).pl()
        return frame
    finally:
        con.close()


def view(store: Path, name: str, f: Filters) -> pl.DataFrame:
    """Every row of the metric view ``name`` under the filters ``f``."""
    sql, params = view_query(name, f)
    return run(store, sql, params, f)


def state(store: Path) -> StoreState:
    """Whether ``store`` is missing, broken, empty or ready (never raises)."""
    if not catalog(store).is_file():
        return StoreState.MISSING
    try:
        con = duckdb.connect(str(catalog(store)), read_only=True)
        con.close()
        found = run(store, "SELECT EXISTS (FROM sync_events) AS any_events")
    except duckdb.Error:
        return StoreState.BROKEN
    return StoreState.READY if found.item() else StoreState.EMPTY


def data_stamp(store: Path) -> float:
    """A number that changes whenever the store's data or catalog changes (for caches).

    The newest modification time of ``catalog.duckdb`` and of each events day folder: an
    append or a compaction publishes files into a day folder, which updates its time.
    """
    times = [0.0]
    for path in (catalog(store), Path(store) / "events"):
        try:
            times.append(path.stat().st_mtime)
        except OSError:
            continue
    with contextlib.suppress(OSError):
        times.extend(p.stat().st_mtime for p in (Path(store) / "events").iterdir())
    return max(times)


def clock(store: Path) -> tuple[datetime, datetime] | None:
    """First and last event ``ts`` in the store (naive UTC), or None when it has none."""
    row = run(store, "SELECT min(ts) AS first, max(ts) AS last FROM sync_events").row(0)
    return None if row[0] is None else (row[0], row[1])


def choices(store: Path) -> dict[str, list[str]]:
    """The values each filter offers: distinct non-null values of its column, sorted."""
    selects = [
        f"(SELECT list(DISTINCT {col} ORDER BY {col}) FILTER (WHERE {col} IS NOT NULL) "
        f"FROM sync_events) AS {name}"
        for name, col in CHOICE_COLUMNS.items()
    ]
    row = run(store, "SELECT " + ", ".join(selects)).row(0, named=True)
    return {name: list(row[name] or []) for name in CHOICE_COLUMNS}


# -- Overview -------------------------------------------------------------------------------

HEADLINE_SQL: Final = """
SELECT
    r.successes / nullif(r.successes + r.failures, 0) AS success_rate,
    r.passes,
    r.active_devices,
    r.p95_duration_ms,
    r.failures,
    coalesce(c.conflicts, 0) AS conflicts,
    coalesce(s.skips, 0) AS skips,
    d.stale_devices
FROM (
    SELECT
        count(*) AS passes,
        count(*) FILTER (WHERE result = 'success') AS successes,
        count(*) FILTER (WHERE result = 'failure') AS failures,
        count(DISTINCT device_id) AS active_devices,
        quantile_cont(duration_ms, 0.95) FILTER (WHERE result = 'success') AS p95_duration_ms
    FROM sync_runs
) AS r,
(SELECT sum(conflicts) AS conflicts FROM conflicts_by_table) AS c,
(SELECT sum(skips) AS skips FROM skips_by_reason) AS s,
(
    SELECT count(*) FILTER (
        WHERE last_success_at IS NULL
            OR last_success_at < CAST(? AS TIMESTAMP) - to_hours(CAST(? AS BIGINT))
    ) AS stale_devices
    FROM device_status
) AS d
"""

HEADLINE_FIELDS: Final = (
    "success_rate",
    "passes",
    "active_devices",
    "p95_duration_ms",
    "failures",
    "conflicts",
    "skips",
    "stale_devices",
)
"""The Overview's headline figures, in display order."""
HEADLINE_HELP: Final = {
    "success_rate": "Successful passes / finished passes (sync_runs), as daily_health.",
    "passes": "Passes started in the period (sync_runs); skipped syncs are not passes.",
    "active_devices": "Distinct devices that started a pass.",
    "p95_duration_ms": "95th percentile wall duration of successful passes.",
    "failures": "Passes that ended with sync.failed.",
    "conflicts": "sync.conflict events (records changed on both sides).",
    "skips": "Due syncs that did not run (skips_by_reason).",
    "stale_devices": (
        f"Devices seen in the period with no successful pass in the {STALE_DEVICE_HOURS} h "
        "before its end (device_status)."
    ),
}
"""What each headline figure counts (shown as the figure's help)."""


def headline(store: Path, f: Filters, as_of: datetime) -> dict[str, float | None]:
    """The Overview's headline figures over the filtered period.

    - success_rate: successes / (successes + failures) over the passes of ``sync_runs``
      (as ``daily_health``, over the whole period); None when no pass finished.
    - passes, failures, active_devices: passes started, failed passes, distinct devices.
    - p95_duration_ms: 95th percentile of successful passes' wall duration.
    - conflicts: ``sync.conflict`` events (the sum of ``conflicts_by_table``).
    - skips: skipped due syncs (the sum of ``skips_by_reason``).
    - stale_devices: devices of ``device_status`` with no successful pass in the
      :data:`STALE_DEVICE_HOURS` before ``as_of`` (the period's end).
    """
    views = ("sync_runs", "conflicts_by_table", "skips_by_reason", "device_status")
    sql, params = scoped_sql(HEADLINE_SQL, views, f)
    row = run(store, sql, [*params, as_of, STALE_DEVICE_HOURS], f).row(0, named=True)
    return {k: None if row[k] is None else float(row[k]) for k in HEADLINE_FIELDS}


def daily(store: Path, f: Filters) -> pl.DataFrame:
    """``daily_health`` under the filters, oldest day first."""
    return view(store, "daily_health", f).sort("day")


def modes_over_time(store: Path, f: Filters) -> pl.DataFrame:
    """Passes per UTC day and sync mode (``sync_runs``): day, mode, passes."""
    sql, params = scoped_sql(
        "SELECT CAST(started_at AS DATE) AS day, coalesce(mode, 'unknown') AS mode, "
        "count(*) AS passes FROM sync_runs GROUP BY ALL ORDER BY day, mode",
        ("sync_runs",),
        f,
    )
    return run(store, sql, params, f)


# -- Profiles x tables ----------------------------------------------------------------------

ACTUAL_INTERVAL_SQL: Final = """
WITH per_device AS (
    SELECT
        profile,
        table_name,
        (epoch_us(max(ts)) - epoch_us(min(ts))) / 60e6 / (count(*) - 1) AS gap_minutes
    FROM table_syncs
    WHERE result = 'success'
    GROUP BY device_id, profile, table_name
    HAVING count(*) > 1
)
SELECT h.*, g.actual_interval_minutes
FROM health_by_profile_table AS h
LEFT JOIN (
    SELECT profile, table_name, median(gap_minutes) AS actual_interval_minutes
    FROM per_device
    GROUP BY profile, table_name
) AS g
    ON g.profile IS NOT DISTINCT FROM h.profile
    AND g.table_name IS NOT DISTINCT FROM h.table_name
ORDER BY h.profile, h.table_name
"""


def health_matrix(store: Path, f: Filters) -> pl.DataFrame:
    """``health_by_profile_table`` under the filters, plus ``actual_interval_minutes`` (over
    the devices that synced the table successfully more than once, the median of each one's
    mean minutes between those syncs: first to last over the gaps between them) and
    ``staleness`` (minutes since success / configured interval; None if either is unknown)."""
    sql, params = scoped_sql(ACTUAL_INTERVAL_SQL, ("health_by_profile_table", "table_syncs"), f)
    frame = run(store, sql, params, f)
    return frame.with_columns(
        (pl.col("minutes_since_success") / pl.col("interval_minutes")).alias("staleness")
    )


def table_daily(store: Path, f: Filters, profile: str, table: str) -> pl.DataFrame:
    """One table of one profile per UTC day (``table_syncs``): syncs, failures, success rate,
    p95 duration (ms), records down/up/removed, bytes, and the due reasons' counts."""
    sql, params = scoped_sql(
        """
        SELECT
            CAST(ts AS DATE) AS day,
            count(*) AS syncs,
            count(*) FILTER (WHERE result = 'failure') AS failures,
            count(*) FILTER (WHERE result = 'success')
                / nullif(count(*) FILTER (WHERE result IN ('success', 'failure')), 0)
                AS success_rate,
            quantile_cont(duration_ms, 0.95) FILTER (WHERE result = 'success')
                AS p95_duration_ms,
            sum(records_down) AS records_down,
            sum(records_up) AS records_up,
            sum(records_removed) AS records_removed,
            sum(bytes_down) AS bytes_down,
            sum(bytes_up) AS bytes_up,
            count(*) FILTER (WHERE due_reason = 'related') AS due_related
        FROM table_syncs
        WHERE profile IS NOT DISTINCT FROM ? AND table_name IS NOT DISTINCT FROM ?
        GROUP BY ALL
        ORDER BY day
        """,
        ("table_syncs",),
        f,
    )
    return run(store, sql, [*params, profile, table], f)


def period(last: datetime, preset: str) -> tuple[datetime, datetime] | None:
    """``(start, end)`` of a preset range ending at the store's clock ``last``.

    ``end`` is the first whole hour after ``last`` (exclusive, so ``last`` is inside);
    presets are ``24h``, ``7d``, ``30d``; ``all`` gives None (no bound).
    """
    hours = {"24h": 24, "7d": 24 * 7, "30d": 24 * 30}.get(preset)
    if hours is None:
        return None
    end = last.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    return end - timedelta(hours=hours), end


def change(now: float | None, before: float | None) -> float | None:
    """``now - before``, or None when either is unknown (NaN counts as unknown)."""
    if now is None or before is None or math.isnan(now) or math.isnan(before):
        return None
    return now - before
