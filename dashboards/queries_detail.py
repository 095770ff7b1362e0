"""Reads for the Errors, Conflicts, Performance, Devices and Sync details pages.

Same rules as :mod:`dashboards.queries`: the ``sql/views`` under the sidebar filters, bound
parameters only, a read-only connection per query, polars frames out.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

import polars as pl

from dashboards.queries import run, view
from ingest.scope import Filters, scoped_sql

RECENT_ROWS: Final = 200
"""Rows in the "newest" lists (errors, passes)."""
BREAKDOWNS: Final = {
    "mode": "Sync mode",
    "device_model": "Device model",
    "os_name": "OS",
    "network_type": "Network",
    "app_version": "App version",
}
"""Columns of ``sync_runs`` the Performance page breaks durations down by, with their labels."""

# -- Errors ---------------------------------------------------------------------------------


def errors(store: Path, f: Filters) -> pl.DataFrame:
    """``errors_summary`` under the filters, most failures first."""
    return view(store, "errors_summary", f).sort(
        ["failures", "last_seen"], descending=True, nulls_last=True
    )


def error_timeline(store: Path, f: Filters) -> pl.DataFrame:
    """Failed passes per hour (UTC) and failure type: hour, failure_type, failures, devices."""
    sql, params = scoped_sql(
        "SELECT date_trunc('hour', ended_at) AS hour, "
        "coalesce(failure_type, 'unknown') AS failure_type, count(*) AS failures, "
        "count(DISTINCT device_id) AS devices "
        "FROM sync_runs WHERE result = 'failure' GROUP BY ALL ORDER BY hour, failure_type",
        ("sync_runs",),
        f,
    )
    return run(store, sql, params, f)


def recent_errors(store: Path, f: Filters, limit: int = RECENT_ROWS) -> pl.DataFrame:
    """The newest failed passes, as the admin's Sync Errors list: time, type, code, message,
    table, device, user, mode, app version, OS, network and the pass id."""
    sql, params = scoped_sql(
        "SELECT ended_at AS time, failure_type, error_code, error_message, failed_table, "
        "device_id, user_id, profile, mode, app_version, os_name, network_type, sync_id "
        "FROM sync_runs WHERE result = 'failure' ORDER BY ended_at DESC, sync_id LIMIT ?",
        ("sync_runs",),
        f,
    )
    return run(store, sql, [*params, limit], f)


# -- Conflicts ------------------------------------------------------------------------------


def conflicts(store: Path, f: Filters) -> pl.DataFrame:
    """``conflicts_by_table`` under the filters, most conflicts first."""
    return view(store, "conflicts_by_table", f).sort("conflicts", descending=True)


def conflicts_over_time(store: Path, f: Filters) -> pl.DataFrame:
    """``sync.conflict`` events per UTC day and winner: day, winner, conflicts."""
    sql, params = scoped_sql(
        "SELECT CAST(ts AS DATE) AS day, coalesce(conflict_winner, 'unknown') AS winner, "
        "count(*) AS conflicts FROM sync_events WHERE event = 'sync.conflict' "
        "GROUP BY ALL ORDER BY day, winner",
        (),
        f,
    )
    return run(store, sql, params, f)


def top_conflict_records(store: Path, f: Filters, limit: int = 20) -> pl.DataFrame:
    """The records that conflict most: profile, table, record, conflicts, devices, winners
    (device and server wins), last seen."""
    sql, params = scoped_sql(
        "SELECT profile, table_name, record_id, count(*) AS conflicts, "
        "count(DISTINCT device_id) AS devices, "
        "count(*) FILTER (WHERE conflict_winner = 'device') AS device_wins, "
        "count(*) FILTER (WHERE conflict_winner = 'server') AS server_wins, "
        "max(ts) AS last_seen FROM sync_events WHERE event = 'sync.conflict' "
        "GROUP BY ALL ORDER BY conflicts DESC, last_seen DESC LIMIT ?",
        (),
        f,
    )
    return run(store, sql, [*params, limit], f)


# -- Performance ----------------------------------------------------------------------------


def duration_percentiles(store: Path, f: Filters, by: str) -> pl.DataFrame:
    """Wall duration of successful passes broken down by ``by`` (a key of :data:`BREAKDOWNS`):
    group, passes, p50/p95/p99 and mean duration (ms), mean active duration (ms)."""
    if by not in BREAKDOWNS:
        raise ValueError(f"cannot break durations down by {by!r}; choose one of {list(BREAKDOWNS)}")
    sql, params = scoped_sql(
        f"SELECT coalesce(CAST({by} AS VARCHAR), 'unknown') AS group_value, count(*) AS passes, "
        "quantile_cont(duration_ms, 0.5) AS p50_duration_ms, "
        "quantile_cont(duration_ms, 0.95) AS p95_duration_ms, "
        "quantile_cont(duration_ms, 0.99) AS p99_duration_ms, "
        "avg(duration_ms) AS avg_duration_ms, avg(active_duration_ms) AS avg_active_ms "
        "FROM sync_runs WHERE result = 'success' GROUP BY ALL ORDER BY p95_duration_ms DESC",
        ("sync_runs",),
        f,
    )
    return run(store, sql, params, f)


def active_vs_wall(store: Path, f: Filters) -> pl.DataFrame:
    """Active (foreground) against wall time per OS and mode over successful passes: passes,
    wall and active seconds in total, and the background share (1 - active / wall)."""
    sql, params = scoped_sql(
        "SELECT coalesce(os_name, 'unknown') AS os_name, coalesce(mode, 'unknown') AS mode, "
        "count(*) AS passes, sum(duration_ms) / 1000 AS wall_s, "
        "sum(active_duration_ms) / 1000 AS active_s, "
        "1 - sum(active_duration_ms) / nullif(sum(duration_ms), 0) AS background_share "
        "FROM sync_runs WHERE result = 'success' GROUP BY ALL ORDER BY os_name, mode",
        ("sync_runs",),
        f,
    )
    return run(store, sql, params, f)


def payload(store: Path, f: Filters) -> pl.DataFrame:
    """``payload_by_mode`` under the filters, most passes first."""
    return view(store, "payload_by_mode", f).sort("passes", descending=True)


def records_over_time(store: Path, f: Filters) -> pl.DataFrame:
    """Records and bytes moved per UTC day by successful passes: day, records_down,
    records_up, records_removed, bytes_down, bytes_up."""
    sql, params = scoped_sql(
        "SELECT CAST(started_at AS DATE) AS day, sum(records_down) AS records_down, "
        "sum(records_up) AS records_up, sum(records_removed) AS records_removed, "
        "sum(bytes_down) AS bytes_down, sum(bytes_up) AS bytes_up "
        "FROM sync_runs WHERE result = 'success' GROUP BY ALL ORDER BY day",
        ("sync_runs",),
        f,
    )
    return run(store, sql, params, f)


# -- Devices --------------------------------------------------------------------------------


def devices(
    store: Path, f: Filters, search: str = "", status: tuple[str, ...] = ()
) -> pl.DataFrame:
    """``device_status`` under the filters, newest sync first; ``search`` keeps the devices
    whose id, user, model, OS or app version contains it (case-insensitive, matched as text);
    ``status`` keeps those statuses."""
    sql, params = scoped_sql(
        "SELECT * FROM device_status WHERE (? = '' OR concat_ws(' ', device_id, user_id, "
        "device_model, os_name, os_version, app_version, profile) ILIKE '%' || ? || '%' "
        "ESCAPE '\\') AND (len(?) = 0 OR list_contains(?, status)) "
        "ORDER BY last_sync_at DESC NULLS LAST, device_id",
        ("device_status",),
        f,
    )
    needle = search.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    wanted = list(status)
    return run(store, sql, [*params, needle, needle, wanted, wanted], f)


def device_passes(store: Path, f: Filters, device_id: str) -> pl.DataFrame:
    """One device's passes (``sync_runs``), newest first: the device's timeline."""
    sql, params = scoped_sql(
        "SELECT started_at, ended_at, result, mode, trigger, duration_ms, active_duration_ms, "
        "records_down, records_up, conflicts, failure_type, error_code, error_message, "
        "network_type, app_version, sync_id FROM sync_runs WHERE device_id = ? "
        "ORDER BY started_at DESC, sync_id",
        ("sync_runs",),
        f,
    )
    return run(store, sql, [*params, device_id], f)


# -- Sync details (one pass; not narrowed by the sidebar) -----------------------------------


def recent_passes(store: Path, f: Filters, limit: int = RECENT_ROWS) -> pl.DataFrame:
    """The newest passes under the filters: started_at, result, mode, device, profile, sync_id."""
    sql, params = scoped_sql(
        "SELECT started_at, result, mode, device_id, profile, duration_ms, sync_id "
        "FROM sync_runs ORDER BY started_at DESC, sync_id LIMIT ?",
        ("sync_runs",),
        f,
    )
    return run(store, sql, [*params, limit], f)


def sync_pass(store: Path, sync_id: str) -> pl.DataFrame:
    """The ``sync_runs`` row of one pass (empty when there is no such pass)."""
    sql, params = scoped_sql("SELECT * FROM sync_runs WHERE sync_id = ?", ("sync_runs",), Filters())
    return run(store, sql, [*params, sync_id])


def pass_tables(store: Path, sync_id: str) -> pl.DataFrame:
    """The ``table_syncs`` rows of one pass, in the order they ended."""
    sql, params = scoped_sql(
        "SELECT ts, table_name, result, due_reason, interval_minutes, duration_ms, records_down, "
        "records_up, records_removed, bytes_down, bytes_up FROM table_syncs WHERE sync_id = ? "
        "ORDER BY ts, table_name",
        ("table_syncs",),
        Filters(),
    )
    return run(store, sql, [*params, sync_id])


def pass_events(store: Path, sync_id: str) -> pl.DataFrame:
    """Every event of one pass from start to end (conflicts and errors included), in order."""
    return run(
        store,
        "SELECT ts, event, table_name, result, record_id, conflict_winner, failure_type, "
        "error_code, error_message, duration_ms, event_id FROM sync_events WHERE sync_id = ? "
        "ORDER BY ts, event_id",
        [sync_id],
    )
