"""Golden exports in, exact ``sync_events`` rows out: every shape (CSV, JSON) of every schema
(classic, workspace) of both kinds (our customEvents, Field Service dependencies)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from tests.ingest.loading.support import DATA, SALT, events, full, query
from vocabulary.identity import pseudonymize


def _hash(raw: str) -> str:
    return pseudonymize(raw, SALT)


DEVICE = _hash("A1B2C3D4-E5F6-4789-ABCD-0123456789EF")
USER = _hash("5c1f2a9e-7d44-4b1e-9a43-1f6c2b7e8d10")
PROFILE_ID = "7e2d9c14-3b1a-4f6e-8d25-9c0b1a2e3f40"
PASS_1 = "b3c2a1d0-1111-4a2b-8c3d-000000000001"
PASS_2 = "b3c2a1d0-2222-4a2b-8c3d-000000000002"
FS_DEVICE = {
    "profile": PROFILE_ID,
    "device_id": DEVICE,
    "user_id": USER,
    "os_name": "iOS",
    "os_version": "17.4",
    "device_model": "iPhone 13",
    "app_version": "9.2.24031.00216",
    "source": "dynamics",
}
FS_ATTRIBUTES = {
    "device.manufacturer": "Apple",
    "dynamics.AppFlavor": "FieldService",
    "dynamics.AppInfo_Version": "13.24031.29",
    "dynamics.EventName": "ScenarioEnd",
    "dynamics.Loc_country": "DE",
    "dynamics.LogLevel": "info",
    "dynamics.current_sync_id": "c4d3e2f1-aaaa-4b3c-9d4e-000000000001",
}
SYNTHESIZED = {"dynamics.name": "Offline.SyncDatabase", "dynamics.synthesized": True}

DYNAMICS = [
    full(
        event_id="c48df7a917bcf278c622ad6190bcd885",
        ts=dt.datetime(2026, 5, 1, 8, 0, 0),
        event="sync.started",
        sync_id=PASS_1,
        mode="DELTA_SYNC",
        trigger="schedule",
        attributes=SYNTHESIZED,
        **FS_DEVICE,
    ),
    full(
        event_id="8b206f9024892cb880f5eeb31a38070d",
        ts=dt.datetime(2026, 5, 1, 8, 0, 3, 560000),  # 08:00:01.250 + 2310 ms
        event="sync.table",
        sync_id=PASS_1,
        table_name="bookableresourcebooking",
        mode="DELTA_SYNC",
        trigger="schedule",
        result="success",
        duration_ms=2310.0,
        records_down=120,
        bytes_down=48213,
        attributes={
            **FS_ATTRIBUTES,
            "dynamics.eventContext.ContentLength": 48213,
            "dynamics.name": "Offline.DdsClient.GetRecords",
        },
        **FS_DEVICE,
    ),
    full(  # eventContext keys in other casings; result from the success column
        event_id="55453d3d10c4c430eb7dccbda09e2e50",
        ts=dt.datetime(2026, 5, 1, 8, 0, 4, 412250),
        event="sync.table",
        sync_id=PASS_1,
        table_name="msdyn_workorder",
        mode="DELTA_SYNC",
        trigger="schedule",
        result="success",
        duration_ms=812.25,
        records_down=37,
        bytes_down=10422,
        attributes={**FS_ATTRIBUTES, "dynamics.name": "Offline.DdsClient.GetRecords"},
        **FS_DEVICE,
    ),
    full(
        event_id="5f2ed3490166f5ed9237cd6fb620b6e2",
        ts=dt.datetime(2026, 5, 1, 8, 0, 15, 234500),  # start + duration
        event="sync.completed",
        sync_id=PASS_1,
        mode="DELTA_SYNC",
        trigger="schedule",
        result="success",
        duration_ms=15234.5,
        active_duration_ms=9120.0,
        attributes={**FS_ATTRIBUTES, "dynamics.name": "Offline.SyncDatabase"},
        **FS_DEVICE,
    ),
    full(
        event_id="c858611f71857c35a050988de00277d8",
        ts=dt.datetime(2026, 5, 1, 9, 30, 0, 500000),
        event="sync.started",
        sync_id=PASS_2,
        mode="FORCED_SYNC",
        trigger="user",
        attributes=SYNTHESIZED,
        **FS_DEVICE,
    ),
    full(
        event_id="a1289a4fb0b1ab020080f1199315b987",
        ts=dt.datetime(2026, 5, 1, 9, 30, 4, 600000),
        event="sync.failed",
        sync_id=PASS_2,
        mode="FORCED_SYNC",
        trigger="user",
        result="failure",
        error_code=2004,
        failure_type="NETWORK_ERROR",
        error_message="The network connection was lost.",
        duration_ms=4100.0,
        active_duration_ms=4100.0,
        attributes={**FS_ATTRIBUTES, "dynamics.name": "Offline.SyncDatabase"},
        **FS_DEVICE,
    ),
]

SYNC_ID = "0b6c1f0e-9a51-4e0c-8f7e-5d2b3c4a1e01"
OUR_DEVICE = {
    "sync_id": SYNC_ID,
    "profile": "Field Service Mobile - Offline Profile",
    "device_id": "d-7f3a9c",
    "user_id": "u-41b2",
    "os_name": "Android",
    "os_version": "14",
    "device_model": "Pixel 8",
    "app_version": "1.4.0",
    "network_type": "wifi",
    "service_name": "synctel-engine",
    "source": "appinsights",
}
OURS = [
    full(
        event_id="2a175509e672e70d5ae164717514b0e7",
        ts=dt.datetime(2026, 5, 1, 10, 0, 0),
        event="sync.started",
        mode="DELTA_SYNC",
        trigger="schedule",
        attributes={"sync.tables_due": "('account', 'msdyn_workorder')"},
        **OUR_DEVICE,
    ),
    full(
        event_id="ba894bbe2b7f56ae111869320a1fb6bb",
        ts=dt.datetime(2026, 5, 1, 10, 0, 2, 500000),
        event="sync.table",
        table_name="account",
        result="success",
        duration_ms=2500.0,
        records_down=12,
        records_up=0,
        records_removed=1,
        bytes_down=5120,
        bytes_up=0,
        interval_minutes=60,
        attributes={"sync.due_reason": "interval"},
        **OUR_DEVICE,
    ),
    full(
        event_id="2edfaddff13daa52aa83660db5fd9a95",
        ts=dt.datetime(2026, 5, 1, 10, 0, 3),
        event="sync.conflict",
        table_name="msdyn_workorder",
        conflict_winner="device",
        record_id="wo-0042",
        attributes={"sync.conflict.detection": "off"},
        **OUR_DEVICE,
    ),
    full(
        event_id="4593c7c71d1eca64ef26e2b292d5821f",
        ts=dt.datetime(2026, 5, 1, 10, 0, 4, 125000),
        event="sync.completed",
        mode="DELTA_SYNC",
        result="success",
        duration_ms=4125.0,
        active_duration_ms=4000.0,
        records_down=12,
        records_up=3,
        records_removed=1,
        bytes_down=5120,
        bytes_up=900,
        conflicts=1,
        **OUR_DEVICE,
    ),
]


def _parsed(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {**r, "attributes": json.loads(r["attributes"]) if r["attributes"] else None} for r in rows
    ]


@pytest.mark.parametrize(
    ("fixture", "expected", "ignored"),
    [
        ("dynamics_classic.csv", DYNAMICS, "GET /api/data/v9.2/WhoAmI: 1"),
        ("dynamics_workspace.json", DYNAMICS, "GET /api/data/v9.2/WhoAmI: 1"),
        ("events_classic.json", OURS, "app.opened: 1"),
        ("events_workspace.csv", OURS, "app.opened: 1"),
    ],
)
def test_golden_export_gives_exact_rows(load, store_dir, fixture, expected, ignored) -> None:
    run = load(DATA / fixture)
    assert run.code == 0, run.err
    assert run.err == ""
    assert _parsed(events(store_dir)) == expected
    assert f"{len(expected)} events loaded" in run.out
    assert f"1 ignored as not sync telemetry ({ignored})" in run.out
    assert query(store_dir, "SELECT count(*) AS n FROM quarantine") == [{"n": 0}]


@pytest.mark.parametrize(
    ("first", "second", "n"),
    [
        ("dynamics_classic.csv", "dynamics_workspace.json", len(DYNAMICS)),
        ("events_classic.json", "events_workspace.csv", len(OURS)),
    ],
)
def test_loading_twice_adds_nothing_even_across_shapes(load, store_dir, first, second, n) -> None:
    assert load(DATA / first).code == 0
    again = load(DATA / first)
    assert again.code == 0
    assert f"0 events loaded, {n} skipped as duplicates" in again.out
    other_shape = load(DATA / second)  # the same telemetry exported the other way
    assert f"0 events loaded, {n} skipped as duplicates" in other_shape.out
    assert len(events(store_dir)) == n


def test_loaded_dynamics_passes_are_sync_runs(load, store_dir) -> None:
    """The synthesized starts make Field Service passes visible to the views."""
    assert load(DATA / "dynamics_workspace.json").code == 0
    runs = query(
        store_dir,
        "SELECT sync_id, result, mode, duration_ms, error_code FROM sync_runs ORDER BY sync_id",
    )
    assert runs == [
        {
            "sync_id": PASS_1,
            "result": "success",
            "mode": "DELTA_SYNC",
            "duration_ms": 15234.5,
            "error_code": None,
        },
        {
            "sync_id": PASS_2,
            "result": "failure",
            "mode": "FORCED_SYNC",
            "duration_ms": 4100.0,
            "error_code": 2004,
        },
    ]
    tables = query(store_dir, "SELECT table_name, records_down FROM table_syncs ORDER BY 1")
    assert tables == [
        {"table_name": "bookableresourcebooking", "records_down": 120},
        {"table_name": "msdyn_workorder", "records_down": 37},
    ]


def test_raw_ids_never_reach_the_store(load, store_dir) -> None:
    assert load(DATA / "dynamics_classic.csv").code == 0
    dump = json.dumps(query(store_dir, "SELECT * FROM sync_events"), default=str)
    assert "A1B2C3D4-E5F6-4789-ABCD-0123456789EF" not in dump
    assert "5c1f2a9e-7d44-4b1e-9a43-1f6c2b7e8d10" not in dump
