"""Goldens for health_by_profile_table, daily_health and errors_summary."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import duckdb
import pytest

from tests.sql.fleet import BOOKING, FS_PROFILE, LITE_PROFILE, WORK_ORDER, Fleet, at, fetch
from vocabulary.contract import SkipReason

Store = Callable[..., duckdb.DuckDBPyConnection]


def test_health_by_profile_table(store: Store, fleet: Fleet) -> None:
    # A late event sets the store's clock (as_of) to 10:45.
    fleet.device("dev-a", "user-a").skipped(at("10:45:00"), SkipReason.INACTIVE)
    con = store("healthy", "conflict_storm", "never_synced")
    rows = fetch(con, "SELECT * FROM health_by_profile_table ORDER BY profile, table_name")
    as_of = at("10:45:00")
    assert rows == [
        {"profile": FS_PROFILE, "table_name": BOOKING, "syncs": 3, "successes": 3,
         "failures": 0, "success_rate": 1.0, "p50_duration_ms": 20000.0,
         # quantile_cont over [5000, 20000, 30000] at 0.95: 20000 + 0.9 * 10000
         "p95_duration_ms": pytest.approx(29000.0), "records_down": 102, "records_up": 1,
         "records_removed": 1, "bytes_down": 102000, "bytes_up": 500, "conflicts": 0,
         "last_success": at("09:00:05"), "interval_minutes": 15, "as_of": as_of,
         "minutes_since_success": pytest.approx(104 + 55 / 60), "stale": True},
        {"profile": FS_PROFILE, "table_name": WORK_ORDER, "syncs": 5, "successes": 5,
         "failures": 0, "success_rate": 1.0, "p50_duration_ms": 10000.0,
         "p95_duration_ms": 30000.0, "records_down": 33, "records_up": 3,
         "records_removed": 0, "bytes_down": 63000, "bytes_up": 3000, "conflicts": 5,
         "last_success": at("10:05:06"), "interval_minutes": 60, "as_of": as_of,
         "minutes_since_success": pytest.approx(39.9), "stale": False},
        {"profile": LITE_PROFILE, "table_name": BOOKING, "syncs": 1, "successes": 0,
         "failures": 1, "success_rate": 0.0, "p50_duration_ms": None,
         "p95_duration_ms": None, "records_down": 0, "records_up": 0,
         "records_removed": 0, "bytes_down": 0, "bytes_up": 0, "conflicts": 0,
         "last_success": None, "interval_minutes": 15, "as_of": as_of,
         "minutes_since_success": None, "stale": True},
    ]  # fmt: skip


def test_health_stale_is_unknown_without_an_interval(store: Store, fleet: Fleet) -> None:
    dev = fleet.device("dev-x", "user-x")
    dev.started("s-1", at("09:00:00"))
    dev.event("sync.table", at("09:00:01"), sync_id="s-1", table_name="account",
              result="success", duration_ms=1000)  # fmt: skip
    dev.event("sync.table", at("09:00:02"), sync_id="s-1", table_name="contact",
              result="failure", duration_ms=1000, interval_minutes=30)  # fmt: skip
    rows = fetch(
        store(),
        "SELECT table_name, syncs, success_rate, interval_minutes, minutes_since_success, "
        "stale FROM health_by_profile_table ORDER BY table_name",
    )
    assert rows == [
        {"table_name": "account", "syncs": 1, "success_rate": 1.0, "interval_minutes": None,
         "minutes_since_success": pytest.approx(1 / 60), "stale": None},
        {"table_name": "contact", "syncs": 1, "success_rate": 0.0, "interval_minutes": 30,
         "minutes_since_success": None, "stale": True},
    ]  # fmt: skip


def test_health_uses_the_latest_configured_interval(store: Store, fleet: Fleet) -> None:
    dev = fleet.device("dev-x", "user-x")
    dev.started("s-1", at("09:00:00"))
    for second, interval in ((1, 240), (3, 30), (2, 60)):
        dev.event("sync.table", at(f"09:00:0{second}"), sync_id="s-1", table_name="account",
                  result="success", duration_ms=1000, interval_minutes=interval)  # fmt: skip
    rows = fetch(store(), "SELECT interval_minutes FROM health_by_profile_table")
    assert rows == [{"interval_minutes": 30}]


def test_health_is_empty_when_nothing_synced(store: Store) -> None:
    assert fetch(store("offline_all_day"), "SELECT * FROM health_by_profile_table") == []


def test_daily_health(store: Store, fleet: Fleet) -> None:
    dev = fleet.device("dev-a", "user-a")
    dev.started("s-a3", at("08:00:00", day=7))
    dev.completed("s-a3", at("08:00:08", day=7), duration_ms=8000, active_duration_ms=8000)
    con = store("healthy", "never_synced", "offline_all_day")
    assert fetch(con, "SELECT * FROM daily_health ORDER BY day") == [
        # a1, a2, b1 succeed (60 s, 10 s, 60 s); e1, e2, f1 fail; e3 never ends.
        {"day": date(2024, 5, 6), "syncs": 7, "successes": 3, "failures": 3,
         "incomplete": 1, "success_rate": 0.5, "active_devices": 4,
         "p95_duration_ms": 60000.0},
        # dev-g's skips that morning are not passes.
        {"day": date(2024, 5, 7), "syncs": 1, "successes": 1, "failures": 0,
         "incomplete": 0, "success_rate": 1.0, "active_devices": 1,
         "p95_duration_ms": 8000.0},
    ]  # fmt: skip


def test_daily_health_success_rate_is_null_when_nothing_finished(store: Store) -> None:
    fleet_store = store()
    fleet_store.execute(
        "INSERT INTO sync_events (event_id, ts, event, sync_id, device_id) "
        "VALUES ('x1', '2024-05-06 09:00', 'sync.started', 's-1', 'dev-x')"
    )
    assert fetch(fleet_store, "SELECT * FROM daily_health") == [
        {"day": date(2024, 5, 6), "syncs": 1, "successes": 0, "failures": 0,
         "incomplete": 1, "success_rate": None, "active_devices": 1,
         "p95_duration_ms": None},
    ]  # fmt: skip


def test_errors_summary(store: Store) -> None:
    con = store("never_synced", "healthy", "conflict_storm")
    assert fetch(con, "SELECT * FROM errors_summary ORDER BY failure_type") == [
        {"failure_type": "AUTH_ERROR", "error_code": 2006, "error_message": "token expired",
         "failures": 2, "devices_impacted": 2, "users_impacted": 2, "tables": [BOOKING],
         "first_seen": at("07:00:05"), "last_seen": at("07:45:30")},
        {"failure_type": "NETWORK_ERROR", "error_code": 2004,
         "error_message": "connection reset", "failures": 1, "devices_impacted": 1,
         "users_impacted": 1, "tables": [], "first_seen": at("07:30:02"),
         "last_seen": at("07:30:02")},
    ]  # fmt: skip


def test_errors_summary_is_empty_on_a_healthy_fleet(store: Store) -> None:
    assert fetch(store("healthy", "conflict_storm"), "SELECT * FROM errors_summary") == []
