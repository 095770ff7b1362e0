"""Audits return zero rows on every scenario, and the offending row on data built to break them."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any

import duckdb
import pytest

from ingest.sql import audit_names, audit_sql, run_audits
from tests.sql.fleet import BOOKING, WORK_ORDER, Fleet, at, fetch
from tests.sql.scenarios import SCENARIOS
from vocabulary.contract import ErrorCode, FailureType

Store = Callable[..., duckdb.DuckDBPyConnection]


def audit(con: duckdb.DuckDBPyConnection, name: str) -> list[dict[str, Any]]:
    return fetch(con, audit_sql(name))


def test_every_audit_has_a_header_saying_what_it_checks() -> None:
    for name in audit_names():
        first = audit_sql(name).splitlines()[0]
        assert first.startswith("-- No ") or first.startswith("-- Every "), name


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_audits_pass_on_every_scenario(store: Store, scenario: str) -> None:
    assert run_audits(store(scenario)) == {name: [] for name in audit_names()}


def test_audits_pass_on_all_scenarios_together(store: Store) -> None:
    assert run_audits(store(*SCENARIOS)) == {name: [] for name in audit_names()}


def test_pass_end_without_start(store: Store, fleet: Fleet) -> None:
    dev = fleet.device("dev-x", "user-x")
    dev.completed("s-orphan", at("09:00:10"), duration_ms=10000, active_duration_ms=10000)
    dev.event("sync.failed", at("09:00:11"), sync_id=None, result="failure")
    con = store("healthy")
    assert audit(con, "pass_end_without_start") == [
        {"event_id": "ev1", "ts": at("09:00:10"), "event": "sync.completed",
         "sync_id": "s-orphan", "device_id": "dev-x"},
        {"event_id": "ev2", "ts": at("09:00:11"), "event": "sync.failed", "sync_id": None,
         "device_id": "dev-x"},
    ]  # fmt: skip


def test_pass_ended_twice(store: Store, fleet: Fleet) -> None:
    dev = fleet.device("dev-x", "user-x")
    dev.started("s-1", at("09:00:00"))
    dev.completed("s-1", at("09:00:10"), duration_ms=10000, active_duration_ms=10000)
    dev.failed("s-1", at("09:00:12"), failure_type=FailureType.ERROR,
               error_code=ErrorCode.UNKNOWN, message="late", duration_ms=12000,
               active_duration_ms=12000)  # fmt: skip
    assert audit(store("healthy"), "pass_ended_twice") == [
        {"sync_id": "s-1", "ends": 2, "events": ["sync.completed", "sync.failed"]}
    ]


def test_impossible_durations(store: Store, fleet: Fleet) -> None:
    dev = fleet.device("dev-x", "user-x")
    dev.started("s-1", at("09:00:00"))
    dev.table("s-1", at("09:00:01"), BOOKING, duration_ms=-1)
    dev.completed("s-1", at("09:00:02"), duration_ms=2000, active_duration_ms=2500)
    dev.started("s-2", at("10:00:00"))
    dev.completed("s-2", at("09:59:59"), duration_ms=1000, active_duration_ms=1000)
    dev.started("s-3", at("11:00:00"))
    dev.completed("s-3", at("11:00:01"), duration_ms=1000, active_duration_ms=-5)
    dev.started("s-4", at("12:00:00"))
    dev.completed("s-4", at("12:00:01"), duration_ms=math.nan, active_duration_ms=0)
    rows = audit(store("healthy", "never_synced"), "impossible_durations")
    problems = [(row["event_id"], row["sync_id"], row["problem"]) for row in rows]
    assert problems == [
        ("ev2", "s-1", "negative or NaN duration"),
        ("ev3", "s-1", "active longer than wall"),
        ("ev5", "s-2", "ended before started"),
        ("ev7", "s-3", "negative or NaN active duration"),
        ("ev9", "s-4", "negative or NaN duration"),
    ]
    assert rows[0] == {"event_id": "ev2", "event": "sync.table", "sync_id": "s-1",
                       "duration_ms": -1.0, "active_duration_ms": None,
                       "problem": "negative or NaN duration"}  # fmt: skip


def test_table_sync_outside_pass(store: Store, fleet: Fleet) -> None:
    dev = fleet.device("dev-x", "user-x")
    dev.table("s-ghost", at("09:00:01"), WORK_ORDER, duration_ms=100)
    dev.event("sync.table", at("09:00:02"), table_name=BOOKING, result="success")
    assert audit(store("healthy"), "table_sync_outside_pass") == [
        {"event_id": "ev1", "ts": at("09:00:01"), "sync_id": "s-ghost",
         "table_name": WORK_ORDER, "device_id": "dev-x"},
        {"event_id": "ev2", "ts": at("09:00:02"), "sync_id": None, "table_name": BOOKING,
         "device_id": "dev-x"},
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("detection", "winner"),
    [("on", "device"), ("off", "server"), (True, "device"), (False, "server"),
     ("ON", "device"), (None, "device"), ("maybe", "server"), ("on", None)],
)  # fmt: skip
def test_conflict_winner_against_detection(
    store: Store, fleet: Fleet, detection: object, winner: str | None
) -> None:
    dev = fleet.device("dev-x", "user-x")
    dev.started("s-1", at("09:00:00"))
    row = dev.event("sync.conflict", at("09:00:01"), sync_id="s-1", table_name=WORK_ORDER,
                    record_id="wo-9", conflict_winner=winner,
                    attributes={"sync.conflict.detection": detection})  # fmt: skip
    recorded = None if detection is None else json.dumps(detection).strip('"')
    assert audit(store("conflict_storm"), "conflict_winner_matches_detection") == [
        {"event_id": row["event_id"], "sync_id": "s-1", "table_name": WORK_ORDER,
         "record_id": "wo-9", "detection": recorded, "conflict_winner": winner},
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("detection", "winner"),
    [("on", "server"), ("off", "device"), (True, "server"), (False, "device"), ("Off", "device")],
)
def test_conflict_winner_consistent_forms_pass(
    store: Store, fleet: Fleet, detection: object, winner: str
) -> None:
    dev = fleet.device("dev-x", "user-x")
    dev.started("s-1", at("09:00:00"))
    dev.conflict("s-1", at("09:00:01"), WORK_ORDER, "wo-9", detection=detection, winner=winner)
    assert audit(store(), "conflict_winner_matches_detection") == []


def test_duplicate_event_id(store: Store, fleet: Fleet) -> None:
    con = store("healthy")
    copy = dict(fleet.events[0])
    fleet.events[:] = [copy, dict(copy)]
    fleet.load(con)
    assert audit(con, "duplicate_event_id") == [{"event_id": "ev1", "copies": 3}]
