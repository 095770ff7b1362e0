"""Goldens for conflicts_by_table, skips_by_reason, payload_by_mode and device_status."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import duckdb
import pytest

from tests.sql.fleet import BOOKING, FS_PROFILE, LITE_PROFILE, WORK_ORDER, Fleet, at, fetch
from vocabulary.contract import SkipReason

Store = Callable[..., duckdb.DuckDBPyConnection]


def test_conflicts_by_table(store: Store, fleet: Fleet) -> None:
    lite = fleet.device("dev-e", "user-e", profile=LITE_PROFILE)
    lite.started("s-e9", at("11:00:00"))
    lite.conflict("s-e9", at("11:00:01"), BOOKING, "bk-1", detection=True)
    lite.conflict("s-e9", at("11:00:02"), BOOKING, "bk-1", detection=True)
    con = store("conflict_storm", "healthy")
    assert fetch(con, "SELECT * FROM conflicts_by_table ORDER BY profile, table_name") == [
        {"profile": FS_PROFILE, "table_name": WORK_ORDER, "conflicts": 5, "device_wins": 3,
         "server_wins": 2, "records": 4, "devices": 2, "first_seen": at("10:00:05"),
         "last_seen": at("10:05:02")},
        {"profile": LITE_PROFILE, "table_name": BOOKING, "conflicts": 2, "device_wins": 0,
         "server_wins": 2, "records": 1, "devices": 1, "first_seen": at("11:00:01"),
         "last_seen": at("11:00:02")},
    ]  # fmt: skip


def test_conflicts_by_table_is_empty_without_conflicts(store: Store) -> None:
    assert fetch(store("healthy", "never_synced"), "SELECT * FROM conflicts_by_table") == []


def test_skips_by_reason(store: Store, fleet: Fleet) -> None:
    fleet.device("dev-e", "user-e", profile=LITE_PROFILE).skipped(
        at("09:30:00"), SkipReason.ON_DEMAND
    )
    con = store("offline_all_day", "healthy")
    rows = fetch(con, "SELECT * FROM skips_by_reason ORDER BY day, profile, skip_reason")
    may6, may7 = date(2024, 5, 6), date(2024, 5, 7)
    assert rows == [
        {"day": may6, "profile": FS_PROFILE, "skip_reason": "network_check_timeout",
         "skips": 1, "devices": 1},
        # dev-g four times, dev-h once
        {"day": may6, "profile": FS_PROFILE, "skip_reason": "offline", "skips": 5,
         "devices": 2},
        {"day": may6, "profile": FS_PROFILE, "skip_reason": "wifi_only", "skips": 2,
         "devices": 1},
        {"day": may6, "profile": LITE_PROFILE, "skip_reason": "on_demand", "skips": 1,
         "devices": 1},
        {"day": may7, "profile": FS_PROFILE, "skip_reason": "offline", "skips": 1,
         "devices": 1},
    ]  # fmt: skip


def test_payload_by_mode(store: Store) -> None:
    con = store("healthy", "conflict_storm", "never_synced")
    assert fetch(con, "SELECT * FROM payload_by_mode ORDER BY mode") == [
        # s-a2 (3 down, 1 up; 3000 B / 500 B) and s-c1 (3 up; 3000 B up)
        {"mode": "DELTA_SYNC", "passes": 2, "records_down": 3, "records_up": 4,
         "bytes_down": 3000, "bytes_up": 3500, "avg_payload_records": 3.5,
         "p95_payload_records": pytest.approx(3.95), "avg_payload_bytes": 3250.0,
         "p95_payload_bytes": pytest.approx(3475.0)},
        # s-a1 and s-b1 only: the failed first syncs of never_synced carry no payload.
        {"mode": "FIRST_SYNC", "passes": 2, "records_down": 130, "records_up": 0,
         "bytes_down": 160000, "bytes_up": 0, "avg_payload_records": 65.0,
         "p95_payload_records": pytest.approx(78.5), "avg_payload_bytes": 80000.0,
         "p95_payload_bytes": pytest.approx(98000.0)},
        {"mode": "FORCED_SYNC", "passes": 1, "records_down": 2, "records_up": 0,
         "bytes_down": 2000, "bytes_up": 0, "avg_payload_records": 2.0,
         "p95_payload_records": 2.0, "avg_payload_bytes": 2000.0,
         "p95_payload_bytes": 2000.0},
    ]  # fmt: skip


def test_payload_counts_a_missing_side_as_zero(store: Store, fleet: Fleet) -> None:
    dev = fleet.device("dev-x", "user-x")
    dev.started("s-1", at("09:00:00"))
    dev.event("sync.completed", at("09:00:01"), sync_id="s-1", result="success",
              duration_ms=1000, records_down=5, bytes_up=700)  # fmt: skip
    assert fetch(store(), "SELECT * FROM payload_by_mode") == [
        {"mode": "DELTA_SYNC", "passes": 1, "records_down": 5, "records_up": None,
         "bytes_down": None, "bytes_up": 700, "avg_payload_records": 5.0,
         "p95_payload_records": 5.0, "avg_payload_bytes": 700.0,
         "p95_payload_bytes": 700.0},
    ]  # fmt: skip


DEVICE = {"profile": FS_PROFILE, "app_version": "1.4.0", "os_name": "Android",
          "os_version": "14", "device_model": "Pixel 8", "network_type": "wifi"}  # fmt: skip
NO_PASS = {"last_sync_at": None, "last_result": None, "last_success_at": None}
LITE = DEVICE | {"profile": LITE_PROFILE, "app_version": "1.3.2"}


def test_device_status(store: Store) -> None:
    con = store("healthy", "conflict_storm", "never_synced", "offline_all_day")
    assert fetch(con, "SELECT * FROM device_status ORDER BY device_id") == [
        {"device_id": "dev-a", **DEVICE, "user_id": "user-a", "last_seen_at": at("09:00:10"),
         "last_sync_at": at("09:00:00"), "last_result": "success",
         "last_success_at": at("09:00:10"), "pending_uploads": 0, "status": "connected"},
        {"device_id": "dev-b", **DEVICE, "user_id": "user-b", "last_seen_at": at("08:31:00"),
         "last_sync_at": at("08:30:00"), "last_result": "success",
         "last_success_at": at("08:31:00"), "os_name": "iOS", "os_version": "17.4",
         "device_model": "iPhone 15", "network_type": "cell", "pending_uploads": 0,
         "status": "connected"},
        {"device_id": "dev-c", **DEVICE, "user_id": "user-c", "last_seen_at": at("10:00:10"),
         "last_sync_at": at("10:00:00"), "last_result": "success",
         "last_success_at": at("10:00:10"), "pending_uploads": 0, "status": "connected"},
        {"device_id": "dev-d", **DEVICE, "user_id": "user-d", "last_seen_at": at("10:05:06"),
         "last_sync_at": at("10:05:00"), "last_result": "success",
         "last_success_at": at("10:05:06"), "pending_uploads": 1,
         "status": "pending_uploads"},
        {"device_id": "dev-e", **LITE, "user_id": "user-e", "last_seen_at": at("08:00:00"),
         "last_sync_at": at("08:00:00"), "last_result": "incomplete",
         "last_success_at": None, "pending_uploads": None, "status": "syncing"},
        {"device_id": "dev-f", **LITE, "user_id": "user-f", "last_seen_at": at("07:45:30"),
         "last_sync_at": at("07:45:00"), "last_result": "failure",
         "last_success_at": None, "pending_uploads": None, "status": "error"},
        {"device_id": "dev-g", **DEVICE, **NO_PASS, "user_id": "user-g",
         "last_seen_at": at("08:00:00", day=7), "network_type": "unavailable",
         "pending_uploads": None, "status": "not_connected"},
        # dev-h was offline at 10:00 but is back on cellular at 10:30 with 4 uploads queued.
        {"device_id": "dev-h", **DEVICE, **NO_PASS, "user_id": "user-h",
         "last_seen_at": at("10:30:00"), "network_type": "cell", "pending_uploads": 4,
         "status": "pending_uploads"},
    ]  # fmt: skip


def test_device_status_column_order(store: Store) -> None:
    columns = [row[0] for row in store().execute("DESCRIBE device_status").fetchall()]
    assert columns == [
        "device_id", "profile", "user_id", "last_seen_at", "last_sync_at", "last_result",
        "last_success_at", "app_version", "os_name", "os_version", "device_model",
        "network_type", "pending_uploads", "status",
    ]  # fmt: skip


def test_device_status_never_completed_is_a_warning(store: Store, fleet: Fleet) -> None:
    dev = fleet.device("dev-x", "user-x")
    dev.skipped(at("09:00:00"), SkipReason.INACTIVE)
    dev.event("sync.notification", at("09:00:01"), pending_uploads=0, app_version="1.5.0")
    rows = fetch(store(), "SELECT app_version, pending_uploads, status FROM device_status")
    assert rows == [{"app_version": "1.5.0", "pending_uploads": 0, "status": "warning"}]


def test_device_status_takes_the_latest_pending_uploads_and_the_latest_pass(
    store: Store, fleet: Fleet
) -> None:
    dev = fleet.device("dev-x", "user-x")
    dev.started("s-1", at("09:00:00"))
    dev.completed("s-1", at("09:00:05"), duration_ms=5000, active_duration_ms=5000,
                  pending_uploads=3)  # fmt: skip
    dev.started("s-2", at("10:00:00"))
    dev.completed("s-2", at("10:00:05"), duration_ms=5000, active_duration_ms=5000,
                  pending_uploads=None)  # fmt: skip
    dev.event("sync.notification", at("10:00:06"), attributes={"sync.notification.kind": "x"})
    rows = fetch(
        store(),
        "SELECT last_sync_at, last_result, last_success_at, pending_uploads, status "
        "FROM device_status",
    )
    assert rows == [
        {"last_sync_at": at("10:00:00"), "last_result": "success",
         "last_success_at": at("10:00:05"), "pending_uploads": 3,
         "status": "pending_uploads"},
    ]  # fmt: skip
