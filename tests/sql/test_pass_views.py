"""Goldens for sync_runs and table_syncs: hand-written events in, whole rows out."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import duckdb

from tests.sql.fleet import BOOKING, FS_PROFILE, LITE_PROFILE, WORK_ORDER, Fleet, at, fetch
from vocabulary.contract import ErrorCode, FailureType, NetworkType, SkipReason, SyncMode, Trigger

Store = Callable[..., duckdb.DuckDBPyConnection]

PASS_DEFAULTS: dict[str, Any] = {
    "profile": FS_PROFILE,
    "mode": "DELTA_SYNC",
    "trigger": "schedule",
    "ended_at": None,
    "duration_ms": None,
    "active_duration_ms": None,
    "records_down": None,
    "records_up": None,
    "records_removed": None,
    "bytes_down": None,
    "bytes_up": None,
    "conflicts": None,
    "error_code": None,
    "failure_type": None,
    "error_message": None,
    "failed_table": None,
    "app_version": "1.4.0",
    "os_name": "Android",
    "os_version": "14",
    "device_model": "Pixel 8",
    "network_type": "wifi",
    "tables_due": 2,
}


SYNC_RUNS_COLUMNS = [
    "sync_id", "profile", "device_id", "user_id", "mode", "trigger", "started_at",
    "ended_at", "result", "duration_ms", "active_duration_ms", "records_down", "records_up",
    "records_removed", "bytes_down", "bytes_up", "conflicts", "error_code", "failure_type",
    "error_message", "failed_table", "app_version", "os_name", "os_version", "device_model",
    "network_type", "tables_due",
]  # fmt: skip


def run(**columns: Any) -> dict[str, Any]:
    """A whole expected sync_runs row: PASS_DEFAULTS overridden by ``columns``."""
    merged = PASS_DEFAULTS | columns
    return {key: merged[key] for key in SYNC_RUNS_COLUMNS}


def test_sync_runs_healthy(store: Store) -> None:
    rows = fetch(store("healthy"), "SELECT * FROM sync_runs ORDER BY sync_id")
    assert list(rows[0]) == SYNC_RUNS_COLUMNS
    assert rows == [
        run(sync_id="s-a1", device_id="dev-a", user_id="user-a", mode="FIRST_SYNC",
            trigger="sign_in", started_at=at("08:00:00"), ended_at=at("08:01:00"),
            result="success", duration_ms=60000.0, active_duration_ms=60000.0,
            records_down=50, records_up=0, records_removed=0, bytes_down=60000, bytes_up=0,
            conflicts=0),
        run(sync_id="s-a2", device_id="dev-a", user_id="user-a", started_at=at("09:00:00"),
            ended_at=at("09:00:10"), result="success", duration_ms=10000.0,
            active_duration_ms=8000.0, records_down=3, records_up=1, records_removed=1,
            bytes_down=3000, bytes_up=500, conflicts=0),
        run(sync_id="s-b1", device_id="dev-b", user_id="user-b", mode="FIRST_SYNC",
            trigger="sign_in", started_at=at("08:30:00"), ended_at=at("08:31:00"),
            result="success", duration_ms=60000.0, active_duration_ms=45000.0,
            records_down=80, records_up=0, records_removed=0, bytes_down=100000, bytes_up=0,
            conflicts=0, os_name="iOS", os_version="17.4", device_model="iPhone 15",
            network_type="cell"),
    ]  # fmt: skip


def test_sync_runs_never_synced_has_failures_and_an_incomplete_pass(store: Store) -> None:
    con = store("never_synced")
    lite = {"profile": LITE_PROFILE, "mode": "FIRST_SYNC", "trigger": "sign_in",
            "app_version": "1.3.2"}  # fmt: skip
    assert fetch(con, "SELECT * FROM sync_runs ORDER BY sync_id") == [
        run(sync_id="s-e1", device_id="dev-e", user_id="user-e", started_at=at("07:00:00"),
            ended_at=at("07:00:05"), result="failure", duration_ms=5000.0,
            active_duration_ms=5000.0, error_code=2006, failure_type="AUTH_ERROR",
            error_message="token expired", failed_table=BOOKING, **lite),
        run(sync_id="s-e2", device_id="dev-e", user_id="user-e", started_at=at("07:30:00"),
            ended_at=at("07:30:02"), result="failure", duration_ms=2000.0,
            active_duration_ms=2000.0, error_code=2004, failure_type="NETWORK_ERROR",
            error_message="connection reset", **lite),
        run(sync_id="s-e3", device_id="dev-e", user_id="user-e", started_at=at("08:00:00"),
            result="incomplete", **lite),
        run(sync_id="s-f1", device_id="dev-f", user_id="user-f", started_at=at("07:45:00"),
            ended_at=at("07:45:30"), result="failure", duration_ms=30000.0,
            active_duration_ms=20000.0, error_code=2006, failure_type="AUTH_ERROR",
            error_message="token expired", **lite),
    ]  # fmt: skip


def test_sync_runs_offline_all_day_has_no_pass(store: Store) -> None:
    assert fetch(store("offline_all_day"), "SELECT * FROM sync_runs") == []


def test_a_skipped_sync_is_not_a_pass_even_when_it_also_failed(store: Store, fleet: Fleet) -> None:
    dev = fleet.device("dev-x", "user-x")
    dev.started("s-x1", at("09:00:00"))
    dev.skipped(at("09:00:01"), SkipReason.NETWORK_CHECK_TIMEOUT, sync_id="s-x1")
    dev.failed("s-x1", at("09:00:02"), failure_type=FailureType.NETWORK_ERROR,
               error_code=ErrorCode.NETWORK, message="no answer", duration_ms=2000,
               active_duration_ms=2000)  # fmt: skip
    dev.started("s-x2", at("10:00:00"))
    con = store()
    assert fetch(con, "SELECT sync_id, result FROM sync_runs") == [
        {"sync_id": "s-x2", "result": "incomplete"}
    ]


def test_an_end_without_a_start_is_not_a_pass(store: Store, fleet: Fleet) -> None:
    dev = fleet.device("dev-x", "user-x")
    dev.completed("s-orphan", at("09:00:10"), duration_ms=10000, active_duration_ms=10000)
    assert fetch(store(), "SELECT * FROM sync_runs") == []


def test_end_pairing_edge_cases(store: Store, fleet: Fleet) -> None:
    dev = fleet.device("dev-x", "user-x")
    # No sync.duration_ms on the end: wall time falls back to ended_at - started_at.
    dev.started("s-1", at("09:00:00"), tables_due="a,b,c")
    dev.event("sync.completed", at("09:00:01.5"), sync_id="s-1", result="success")
    # Two ends at the same instant: the failure wins; two starts: the earliest counts.
    dev.started("s-2", at("10:00:00"), tables_due=7)
    dev.started("s-2", at("10:00:03"), tables_due=7)
    dev.completed("s-2", at("10:00:05"), duration_ms=5000, active_duration_ms=5000)
    dev.failed("s-2", at("10:00:05"), failure_type=FailureType.SERVER_ERROR,
               error_code=ErrorCode.SERVER, message="HTTP 500", duration_ms=5000,
               active_duration_ms=5000)  # fmt: skip
    # The end fills in what the start lacks.
    dev.started("s-3", at("11:00:00"), tables_due="4", mode=SyncMode.GRID_SYNC,
                trigger=Trigger.REFRESH, app_version=None, network_type=None)  # fmt: skip
    dev.event("sync.completed", at("11:00:02"), sync_id="s-3", result="success",
              duration_ms=2000, network_type=str(NetworkType.CELL))  # fmt: skip
    rows = fetch(
        store(),
        "SELECT sync_id, started_at, result, duration_ms, failure_type, tables_due, "
        "mode, trigger, app_version, network_type FROM sync_runs ORDER BY sync_id",
    )
    assert rows == [
        {"sync_id": "s-1", "started_at": at("09:00:00"), "result": "success",
         "duration_ms": 1500.0, "failure_type": None, "tables_due": 3,
         "mode": "DELTA_SYNC", "trigger": "schedule", "app_version": "1.4.0",
         "network_type": "wifi"},
        {"sync_id": "s-2", "started_at": at("10:00:00"), "result": "failure",
         "duration_ms": 5000.0, "failure_type": "SERVER_ERROR", "tables_due": 7,
         "mode": "DELTA_SYNC", "trigger": "schedule", "app_version": "1.4.0",
         "network_type": "wifi"},
        {"sync_id": "s-3", "started_at": at("11:00:00"), "result": "success",
         "duration_ms": 2000.0, "failure_type": None, "tables_due": 4,
         "mode": "GRID_SYNC", "trigger": "refresh", "app_version": "1.4.0",
         "network_type": "cell"},
    ]  # fmt: skip


def test_table_syncs_conflict_storm(store: Store) -> None:
    con = store("conflict_storm")
    common = {"profile": FS_PROFILE, "table_name": WORK_ORDER, "result": "success",
              "interval_minutes": 60, "records_removed": 0, "pass_result": "success"}  # fmt: skip
    assert fetch(con, "SELECT * FROM table_syncs ORDER BY ts") == [
        {"event_id": "ev5", "ts": at("10:00:10"), "sync_id": "s-c1", **common,
         "due_reason": "interval", "duration_ms": 10000.0, "records_down": 0,
         "records_up": 3, "bytes_down": 0, "bytes_up": 3000, "mode": "DELTA_SYNC",
         "trigger": "schedule", "device_id": "dev-c", "user_id": "user-c",
         "pass_started_at": at("10:00:00")},
        {"event_id": "ev10", "ts": at("10:05:06"), "sync_id": "s-d1", **common,
         "due_reason": "forced", "duration_ms": 6000.0, "records_down": 2,
         "records_up": 0, "bytes_down": 2000, "bytes_up": 0, "mode": "FORCED_SYNC",
         "trigger": "user", "device_id": "dev-d", "user_id": "user-d",
         "pass_started_at": at("10:05:00")},
    ]  # fmt: skip


def test_table_syncs_column_order(store: Store) -> None:
    columns = [row[0] for row in store().execute("DESCRIBE table_syncs").fetchall()]
    assert columns == [
        "event_id", "ts", "sync_id", "profile", "table_name", "result", "due_reason",
        "interval_minutes", "duration_ms", "records_down", "records_up", "records_removed",
        "bytes_down", "bytes_up", "mode", "trigger", "device_id", "user_id", "pass_result",
        "pass_started_at",
    ]  # fmt: skip


def test_table_syncs_carry_their_failed_pass_and_skip_orphans(store: Store, fleet: Fleet) -> None:
    dev = fleet.device("dev-x", "user-x")
    dev.table("s-none", at("08:59:00"), BOOKING, duration_ms=1000)
    con = store("never_synced")
    assert fetch(con, "SELECT sync_id, table_name, result, mode, pass_result FROM table_syncs") == [
        {"sync_id": "s-e1", "table_name": BOOKING, "result": "failure", "mode": "FIRST_SYNC",
         "pass_result": "failure"},
    ]  # fmt: skip
