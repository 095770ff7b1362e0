"""Delivery that one bad receiver cannot stall, and the webhook body in Alertmanager's format.
Real HTTP on loopback: a receiver that answers, one that never answers, one that trickles."""

from __future__ import annotations

import time
from pathlib import Path

from insights.alerts.posting import Attempt
from insights.alerts.rules import parse_rules
from insights.alerts.runner import Runner, Settings, delivery_budget
from insights.alerts.state import read_state
from insights.alerts.webhook import DeliveryPolicy
from tests.insights.alerts.helpers import PROFILE, Clock, Receiver, SilentServer, rules_text

QUICK = DeliveryPolicy(attempts=2, backoff=0.05, backoff_cap=0.05, timeout=1.0)
BOOKING_KEY = {"profile": PROFILE, "table_name": "bookableresourcebooking"}


def two_rules(first: str, second: str) -> str:
    return (
        rules_text(first, hold="0s")
        + "\n"
        + rules_text(second, hold="0s").replace(
            'name = "technicians: success rate"', 'name = "second"'
        )
    )


def test_the_webhook_body_is_alertmanagers_webhook_format(
    store: Path, clock: Clock, receiver: Receiver
) -> None:
    extra = (
        'labels = { severity = "ticket", team = "mobile" }\n'
        'annotations = { description = "{table_name} at {value}", '
        'runbook_url = "https://runbooks.example/sync" }\n'
    )
    r = Runner(
        Settings(store, parse_rules(rules_text(receiver.url, hold="0s", extra=extra))),
        clock=clock,
    )
    r.round()
    clock.set("14:00")
    r.round()
    assert r.close(5.0) == 0
    firing, resolved = receiver.requests
    labels = {"alertname": "technicians: success rate", "severity": "ticket", "team": "mobile"}
    labels |= BOOKING_KEY
    annotations = {
        "description": "bookableresourcebooking at 0.5",
        "runbook_url": "https://runbooks.example/sync",
        "summary": "technicians: success rate (profile=Technicians, "
        "table_name=bookableresourcebooking): success_rate=0.5 < 0.95 over 1h",
    }
    assert firing["version"] == "4"
    assert (firing["status"], firing["receiver"], firing["truncatedAlerts"]) == (
        "firing",
        "synctel",
        0,
    )
    assert firing["groupLabels"] == {"alertname": "technicians: success rate"}
    assert firing["commonLabels"] == labels
    assert firing["commonAnnotations"] == annotations
    assert firing["externalURL"] == "http://127.0.0.1:8501"
    [alert] = firing["alerts"]
    assert alert["labels"] == labels
    assert alert["annotations"] == annotations
    assert (alert["status"], alert["startsAt"], alert["endsAt"]) == (
        "firing",
        "2024-05-09T12:00:00Z",
        "0001-01-01T00:00:00Z",
    )
    assert alert["generatorURL"] == firing["dashboard_url"]
    assert alert["generatorURL"].startswith("http://127.0.0.1:8501/profiles-tables?")
    assert len(alert["fingerprint"]) == 16
    [gone] = resolved["alerts"]
    assert (resolved["status"], gone["status"]) == ("resolved", "resolved")
    assert (gone["startsAt"], gone["endsAt"]) == ("2024-05-09T12:00:00Z", "2024-05-09T14:00:00Z")
    assert gone["fingerprint"] == alert["fingerprint"]


def test_a_dead_webhook_does_not_stall_a_healthy_one(
    store: Path, clock: Clock, receiver: Receiver, hanging: SilentServer
) -> None:
    reports: list[str] = []
    settings = Settings(store, parse_rules(two_rules(hanging.url, receiver.url)), policy=QUICK)
    r = Runner(settings, clock=clock, report=reports.append)
    started = time.monotonic()
    r.round()
    receiver.wait_for(1, timeout=5.0)
    assert not r.deliverer.idle()  # delivered while the dead one still hangs on its attempts
    left = r.close(delivery_budget(QUICK))
    elapsed = time.monotonic() - started
    assert left == 1
    assert elapsed < delivery_budget(QUICK) + 3.0  # the run's stated budget bounds it
    state = read_state(store)
    assert state is not None
    [kept] = state.outbox
    assert kept.webhook == hanging.url
    assert kept.last_error is not None
    assert kept.last_error.startswith("no answer within 1 s")
    assert any("attempt 2/2 failed: no answer within 1 s" in m for m in reports)
    assert receiver.statuses() == [("firing", 200)]


def test_a_trickling_webhook_times_out_as_a_whole(trickling: SilentServer) -> None:
    attempt = Attempt(1.0)
    started = time.monotonic()
    error = attempt.post(trickling.url, {"x": 1})  # 38 bytes at 0.3 s each: 11 s to finish
    spent = time.monotonic() - started
    assert error == "no answer within 1 s"
    assert 0.9 < spent < 3.0
    assert trickling.connections == 1


def test_a_hung_attempt_is_aborted_when_the_run_closes(
    store: Path, clock: Clock, hanging: SilentServer
) -> None:
    slow = DeliveryPolicy(attempts=3, backoff=0.05, timeout=30.0)
    settings = Settings(store, parse_rules(rules_text(hanging.url, hold="0s")), policy=slow)
    r = Runner(settings, clock=clock, report=lambda _: None)
    r.round()
    started = time.monotonic()
    assert r.close(0.5) == 1  # gave it half a second, then aborted the 30 s attempt
    assert time.monotonic() - started < 3.0
