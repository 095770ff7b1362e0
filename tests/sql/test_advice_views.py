"""Goldens for table_events and profile_device_days, the base views the advice queries read."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import duckdb

from tests.sql.fleet import BOOKING, FS_PROFILE, LITE_PROFILE, WORK_ORDER, Fleet, at, fetch
from vocabulary.contract import DueReason, Event, NetworkType, Result

Store = Callable[..., duckdb.DuckDBPyConnection]

TABLE_EVENTS_COLUMNS = [
    "ts", "sync_id", "profile", "table_name", "device_id", "user_id", "network_type", "result",
    "due_reason", "interval_minutes", "records_down", "records_up", "records_removed",
    "bytes_down", "bytes_up", "payload_records", "payload_bytes", "empty",
]  # fmt: skip


def table_event(**columns: Any) -> dict[str, Any]:
    """A whole expected table_events row: a successful, empty wifi sync by default."""
    merged = {"profile": FS_PROFILE, "network_type": "wifi", "result": "success",
              "records_down": 0, "records_up": 0, "records_removed": 0, "bytes_down": 0,
              "bytes_up": 0, "payload_records": 0, "payload_bytes": 0,
              "empty": True} | columns  # fmt: skip
    return {key: merged[key] for key in TABLE_EVENTS_COLUMNS}


def _odd_device(fleet: Fleet) -> None:
    """dev-x on cellular: a related pull outside any pass just before midnight that only removed
    records, then a bare sync.table after midnight carrying no figures and no due reason."""
    x = fleet.device("dev-x", "user-x", network_type=NetworkType.CELL)
    x.table("s-none", at("23:59:59"), BOOKING, duration_ms=1000, due_reason=DueReason.RELATED,
            removed=2, bytes_up=7)  # fmt: skip
    x.event(Event.TABLE, at("00:00:01", day=7), sync_id="s-bare", table_name=WORK_ORDER,
            result=str(Result.SUCCESS))  # fmt: skip


def test_table_events_healthy_and_odd(store: Store, fleet: Fleet) -> None:
    _odd_device(fleet)
    rows = fetch(store("healthy"), "SELECT * FROM table_events ORDER BY ts")
    assert list(rows[0]) == TABLE_EVENTS_COLUMNS
    a = {"device_id": "dev-a", "user_id": "user-a"}
    b = {"device_id": "dev-b", "user_id": "user-b", "network_type": "cell"}
    x = {"device_id": "dev-x", "user_id": "user-x", "network_type": "cell"}
    assert rows == [
        table_event(ts=at("08:00:20"), sync_id="s-a1", table_name=BOOKING, due_reason="first",
                    interval_minutes=15, records_down=40, bytes_down=40000,
                    payload_records=40, payload_bytes=40000, empty=False, **a),
        table_event(ts=at("08:00:50"), sync_id="s-a1", table_name=WORK_ORDER,
                    due_reason="first", interval_minutes=60, records_down=10,
                    bytes_down=20000, payload_records=10, payload_bytes=20000, empty=False,
                    **a),
        table_event(ts=at("08:30:30"), sync_id="s-b1", table_name=BOOKING, due_reason="first",
                    interval_minutes=15, records_down=60, bytes_down=60000,
                    payload_records=60, payload_bytes=60000, empty=False, **b),
        table_event(ts=at("08:31:00"), sync_id="s-b1", table_name=WORK_ORDER,
                    due_reason="first", interval_minutes=60, records_down=20,
                    bytes_down=40000, payload_records=20, payload_bytes=40000, empty=False,
                    **b),
        table_event(ts=at("09:00:05"), sync_id="s-a2", table_name=BOOKING,
                    due_reason="interval", interval_minutes=15, records_down=2, records_up=1,
                    records_removed=1, bytes_down=2000, bytes_up=500, payload_records=3,
                    payload_bytes=2500, empty=False, **a),
        table_event(ts=at("09:00:09"), sync_id="s-a2", table_name=WORK_ORDER,
                    due_reason="interval", interval_minutes=60, records_down=1,
                    bytes_down=1000, payload_records=1, payload_bytes=1000, empty=False, **a),
        # outside any pass (table_syncs drops it); a removal alone is not empty
        table_event(ts=at("23:59:59"), sync_id="s-none", table_name=BOOKING,
                    due_reason="related", interval_minutes=15, records_removed=2, bytes_up=7,
                    payload_bytes=7, empty=False, **x),
        # no figures: the payloads count the missing sides as 0, and it brought nothing
        table_event(ts=at("00:00:01", day=7), sync_id="s-bare", table_name=WORK_ORDER,
                    due_reason=None, interval_minutes=None, records_down=None, records_up=None,
                    records_removed=None, bytes_down=None, bytes_up=None, **x),
    ]  # fmt: skip


def test_table_events_keep_failures_and_read_only_sync_table(store: Store) -> None:
    con = store("never_synced", "conflict_storm", "offline_all_day")
    assert fetch(con, "SELECT count(*) AS n FROM table_events") == fetch(
        con, "SELECT count(*) AS n FROM sync_events WHERE event = 'sync.table'"
    )
    assert fetch(con, "SELECT sync_id, profile, result, due_reason, empty FROM table_events "
                      "WHERE result = 'failure'") == [
        {"sync_id": "s-e1", "profile": LITE_PROFILE, "result": "failure", "due_reason": "first",
         "empty": True},
    ]  # fmt: skip


def test_profile_device_days(store: Store, fleet: Fleet) -> None:
    _odd_device(fleet)
    con = store("healthy", "never_synced")
    may6, may7 = date(2024, 5, 6), date(2024, 5, 7)
    assert fetch(con, "SELECT * FROM profile_device_days ORDER BY profile, device_id, day") == [
        {"profile": FS_PROFILE, "device_id": "dev-a", "day": may6, "first_ts": at("08:00:20"),
         "last_ts": at("09:00:09"), "syncs": 4},
        {"profile": FS_PROFILE, "device_id": "dev-b", "day": may6, "first_ts": at("08:30:30"),
         "last_ts": at("08:31:00"), "syncs": 2},
        # two seconds apart, two UTC days
        {"profile": FS_PROFILE, "device_id": "dev-x", "day": may6, "first_ts": at("23:59:59"),
         "last_ts": at("23:59:59"), "syncs": 1},
        {"profile": FS_PROFILE, "device_id": "dev-x", "day": may7,
         "first_ts": at("00:00:01", day=7), "last_ts": at("00:00:01", day=7), "syncs": 1},
        # a failed table sync still makes a device-day; dev-f never reached a table
        {"profile": LITE_PROFILE, "device_id": "dev-e", "day": may6, "first_ts": at("07:00:04"),
         "last_ts": at("07:00:04"), "syncs": 1},
    ]  # fmt: skip


def test_profile_device_days_is_empty_without_table_syncs(store: Store) -> None:
    assert fetch(store("offline_all_day"), "SELECT * FROM profile_device_days") == []


def test_windowed_device_days_match_counting_the_events(store: Store, fleet: Fleet) -> None:
    """The rule of the view's header (last_ts >= start AND first_ts <= end) counts the same
    device-days as the events themselves, for every window ending at the newest event (the
    advisor's window) and every window spanning two UTC days."""
    _odd_device(fleet)
    con = store("healthy", "never_synced", "conflict_storm", "offline_all_day")
    (newest,) = con.execute("SELECT max(ts) FROM sync_events").fetchone() or (None,)
    times = [row[0] for row in con.execute("SELECT DISTINCT ts FROM sync_events").fetchall()]
    windows = [(start, newest) for start in times]
    windows += [(start, end) for start in times for end in times
                if start <= end and start.date() < end.date()]  # fmt: skip
    assert len(windows) > 50
    for start, end in windows:
        by_rule = con.execute(
            "SELECT profile, count(*) FROM profile_device_days "
            "WHERE last_ts >= $start AND first_ts <= $end GROUP BY ALL ORDER BY ALL",
            {"start": start, "end": end},
        ).fetchall()
        by_events = con.execute(
            "SELECT profile, count(DISTINCT (device_id, CAST(ts AS DATE))) FROM sync_events "
            "WHERE event = 'sync.table' AND ts >= $start AND ts <= $end "
            "GROUP BY ALL ORDER BY ALL",
            {"start": start, "end": end},
        ).fetchall()
        assert by_rule == by_events, (start, end)
