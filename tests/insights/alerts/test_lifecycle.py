"""Pending, firing, held, resolved; restarts; webhooks that fail. Real store, real HTTP on loopback.

The clock is set by hand; windows end at it (``--as-of now``), so moving the clock moves the
window over the fixture store's bad hour (11:00-12:00) and good hour (13:00-14:00).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from insights.alerts.rules import parse_rules
from insights.alerts.runner import Runner, Settings
from insights.alerts.state import read_state, state_path
from insights.alerts.webhook import DeliveryPolicy
from tests.insights.alerts.helpers import PROFILE, Clock, Receiver, rules_text

FAST = DeliveryPolicy(attempts=3, backoff=0.02, backoff_cap=0.05, timeout=2.0)
BOOKING_KEY = {"profile": PROFILE, "table_name": "bookableresourcebooking"}


def runner(store: Path, text: str, clock: Clock, reports: list[str] | None = None) -> Runner:
    settings = Settings(store, parse_rules(text), "now", "http://dash.test:8501", FAST)
    sink = reports if reports is not None else []
    return Runner(settings, clock=clock, report=sink.append)


def test_fires_after_holding_for_then_resolves_once(
    store: Path, clock: Clock, receiver: Receiver
) -> None:
    r = runner(store, rules_text(receiver.url), clock)
    try:
        first = r.round()  # 12:00: the bad hour breaches; pending, nothing posted
        assert [dict(i.key) for i in first.pending] == [BOOKING_KEY]
        assert first.firing == []
        assert first.changes == []
        clock.set("12:05")  # held 5 of the 10 minutes: still pending
        assert r.round().changes == []
        clock.set("12:10")  # held 10 minutes: fires
        fired = r.round()
        assert [c.kind for c in fired.changes] == ["firing"]
        assert [dict(i.key) for i in fired.firing] == [BOOKING_KEY]
        receiver.wait_for(1)
        clock.set("12:12")  # still breaching: firing, no second post
        assert r.round().changes == []
        clock.set("14:00")  # the window is the good hour: resolved
        resolved = r.round()
        assert [c.kind for c in resolved.changes] == ["resolved"]
        assert resolved.firing == []
        assert resolved.pending == []
        receiver.wait_for(2)
        clock.set("14:05")
        r.round()
        assert r.close(2.0) == 0
    finally:
        r.deliverer.close()
    assert receiver.statuses() == [("firing", 200), ("resolved", 200)]
    firing, resolution = receiver.requests
    assert firing["alert"] == "technicians: success rate"
    assert firing["instance"] == BOOKING_KEY
    assert firing["value"] == 0.5
    assert (firing["op"], firing["threshold"], firing["window"]) == ("<", 0.95, "1h")
    assert (firing["window_start"], firing["window_end"]) == (
        "2024-05-09T11:10:00Z",
        "2024-05-09T12:10:00Z",
    )
    assert firing["rule"]["for"] == "10m"
    assert firing["rule"]["where"] == {"profile": PROFILE}
    assert firing["dashboard_url"] == (
        "http://dash.test:8501/profiles-tables?range=custom&from=2024-05-09&to=2024-05-09"
        "&profile=Technicians&table=bookableresourcebooking"
    )
    assert resolution["status"] == "resolved"
    assert resolution["value"] == 1.0
    assert resolution["since"] == firing["since"] == "2024-05-09T12:00:00Z"
    assert firing["id"] != resolution["id"]


def test_a_break_in_the_condition_restarts_the_for_clock(
    store: Path, clock: Clock, receiver: Receiver
) -> None:
    r = runner(store, rules_text(receiver.url), clock)
    try:
        r.round()  # 12:00 pending
        clock.set("13:30")  # window 12:30-13:30 holds only good passes: pending dropped
        assert r.round().pending == []
        clock.set("13:31")
        assert r.round().pending == []
        clock.set("12:10")  # breaching again: pending anew, not firing
        again = r.round()
        assert again.firing == []
        assert len(again.pending) == 1
    finally:
        r.close(1.0)
    assert receiver.requests == []


def test_restart_neither_refires_nor_forgets(store: Path, clock: Clock, receiver: Receiver) -> None:
    text = rules_text(receiver.url, hold="0s")
    first = runner(store, text, clock)
    assert [c.kind for c in first.round().changes] == ["firing"]
    assert first.close(5.0) == 0
    receiver.wait_for(1)

    clock.set("12:15")  # a new process, still breaching: firing, not re-posted
    second = runner(store, text, clock)
    again = second.round()
    assert again.changes == []
    assert len(again.firing) == 1
    assert second.close(1.0) == 0

    clock.set("14:00")  # another new process, condition gone: it remembers to resolve
    third = runner(store, text, clock)
    assert [c.kind for c in third.round().changes] == ["resolved"]
    assert third.close(5.0) == 0
    assert receiver.statuses() == [("firing", 200), ("resolved", 200)]


def test_a_webhook_answering_500_then_200_is_retried_and_reported(
    store: Path, clock: Clock, receiver: Receiver
) -> None:
    receiver.fail_next = 2
    reports: list[str] = []
    r = runner(store, rules_text(receiver.url, hold="0s"), clock, reports)
    r.round()
    assert r.close(5.0) == 0
    assert receiver.statuses() == [("firing", 500), ("firing", 500), ("firing", 200)]
    assert len({p["id"] for p in receiver.requests}) == 1  # the same transition each time
    assert [m for m in reports if "attempt" in m] == [
        f"webhook firing of 'technicians: success rate' to {receiver.url}: "
        "attempt 1/3 failed: HTTP 500; retrying in 0.02 s",
        f"webhook firing of 'technicians: success rate' to {receiver.url}: "
        "attempt 2/3 failed: HTTP 500; retrying in 0.04 s",
    ]
    state = read_state(store)
    assert state is not None
    assert state.outbox == []


def test_an_undelivered_transition_is_kept_retried_by_the_next_run_and_sent_once(
    store: Path, clock: Clock, receiver: Receiver
) -> None:
    receiver.fail_next = 3  # every attempt of the first run fails
    reports: list[str] = []
    text = rules_text(receiver.url, hold="0s")
    first = runner(store, text, clock, reports)
    first.round()
    assert first.close(5.0) == 1
    state = read_state(store)
    assert state is not None
    [kept] = state.outbox
    assert (kept.attempts, kept.last_error, kept.payload["status"]) == (3, "HTTP 500", "firing")
    assert any("not delivered (HTTP 500); kept" in m for m in reports)

    clock.set("14:00")  # the next run resolves it: the firing goes out first, then the resolution
    second = runner(store, text, clock, reports)
    second.round()
    assert second.close(5.0) == 0
    assert receiver.statuses() == [("firing", 500)] * 3 + [("firing", 200), ("resolved", 200)]
    assert receiver.requests[3]["id"] == kept.id

    clock.set("14:05")  # delivered transitions are never sent again
    third = runner(store, text, clock, reports)
    third.round()
    assert third.close(1.0) == 0
    assert len(receiver.requests) == 5


def test_a_slow_webhook_never_delays_evaluation(
    store: Path, clock: Clock, receiver: Receiver
) -> None:
    receiver.delay = 0.8
    r = runner(store, rules_text(receiver.url, hold="0s"), clock)
    try:
        started = time.monotonic()
        r.round()
        clock.set("14:00")
        r.round()
        assert time.monotonic() - started < 0.6
    finally:
        assert r.close(10.0) == 0
    assert receiver.statuses() == [("firing", 200), ("resolved", 200)]


def test_an_unreachable_webhook_is_reported_and_kept(store: Path, clock: Clock) -> None:
    reports: list[str] = []
    r = runner(store, rules_text("http://127.0.0.1:9/hook", hold="0s"), clock, reports)
    r.round()
    assert r.close(5.0) == 1
    assert any("attempt 3/3 failed: no answer" in m for m in reports)


def test_a_rule_without_webhook_fires_and_keeps_no_outbox(store: Path, clock: Clock) -> None:
    r = runner(store, rules_text(None, hold="0s"), clock)
    assert [c.kind for c in r.round().changes] == ["firing"]
    assert r.close(1.0) == 0
    state = read_state(store)
    assert state is not None
    assert state.outbox == []
    assert len(state.instances) == 1


def test_state_lives_in_its_own_file_never_in_the_catalog(store: Path, clock: Clock) -> None:
    catalog = store / "catalog.duckdb"
    before = catalog.stat().st_mtime_ns, catalog.read_bytes()
    r = runner(store, rules_text(None, hold="0s"), clock)
    r.round()
    r.close(1.0)
    assert (catalog.stat().st_mtime_ns, catalog.read_bytes()) == before
    document = json.loads(state_path(store).read_text())
    assert document["version"] == 1
    assert [i["status"] for i in document["instances"].values()] == ["firing"]
    assert sorted(p.name for p in state_path(store).parent.iterdir()) == [".lock", "state.json"]
