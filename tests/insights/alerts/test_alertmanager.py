"""A real Prometheus Alertmanager (Debian's) on loopback: a ``server-incident`` simulation through
``synctel alerts check --alertmanager``; grouping by profile, inhibition of table alerts while a
server-wide alert fires, a silence honoured; an unreachable Alertmanager never blocks
evaluation and gets its alerts later."""

from __future__ import annotations

import datetime as dt
import shutil
import signal
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from insights.alerts.rules import parse_rules
from insights.alerts.runner import Runner, Settings
from insights.alerts.state import read_state
from insights.alerts.webhook import DeliveryPolicy
from synctel.cli import main
from tests.insights.alerts.helpers import INCIDENT_AS_OF, Clock, rules_text
from tests.promstack import alertmanager, free_port, get_json, poll, post_json

pytestmark = pytest.mark.slow

CONFIG = """
route:
  receiver: "null"
  group_by: ["profile"]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: "null"
inhibit_rules:
  - source_matchers: ['scope="server"']
    target_matchers: ['scope="table"']
"""
RULES = """
[[alert]]
name = "server-wide pass failures"
kind = "slo"
of = "passes"
by = []
objective = 0.99
labels = { scope = "server", severity = "page" }
annotations = { summary = "passes fail fleet-wide", runbook_url = "https://rb.example/srv" }

[[alert]]
name = "table sync slo"
kind = "slo"
objective = 0.99
labels = { scope = "table" }
annotations = { summary = "{profile}/{table_name} burns {burn_rate_long}x",\
  runbook_url = "https://rb.example/tbl" }
"""
SERVER = "server-wide pass failures"


def check(store: Path, rules: Path, *extra: str) -> int:
    argv = ["alerts", "check", "--store", str(store), "--rules", str(rules)]
    return main([*argv, "--as-of", INCIDENT_AS_OF, *extra])


def received(url: str) -> float:
    """Alertmanager's own count of firing alerts posted to it."""
    with urllib.request.urlopen(f"{url}/metrics", timeout=5) as answer:
        text = answer.read().decode()
    for line in text.splitlines():
        if line.startswith('alertmanager_alerts_received_total{status="firing",version="v2"}'):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_the_burn_rate_rule_fires_on_the_incident_and_not_on_a_healthy_week(
    incident_store: Path, healthy_store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text(RULES, encoding="utf-8")
    incident = Path(shutil.copytree(incident_store, tmp_path / "incident"))
    healthy = Path(shutil.copytree(healthy_store, tmp_path / "healthy"))
    assert check(incident, rules) == 3
    out = capsys.readouterr().out
    assert "FIRING    server-wide pass failures  slo_window=1h/5m  burn rate 100x over 1h" in out
    assert "table_name=bookableresourcebooking slo_window=1h/5m  burn rate" in out
    assert check(healthy, rules) == 0
    assert (
        capsys.readouterr()
        .out.rstrip()
        .endswith("0 firing, 0 pending (windows end 2026-01-07T11:55:00Z)")
    )


def test_alertmanager_groups_by_profile_inhibits_table_alerts_and_honours_a_silence(
    incident_store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = Path(shutil.copytree(incident_store, tmp_path / "store"))
    rules = tmp_path / "rules.toml"
    rules.write_text(RULES, encoding="utf-8")
    with alertmanager(tmp_path / "am", CONFIG) as am:
        assert check(store, rules, "--alertmanager", am.url) == 3
        fired = capsys.readouterr().out.count("\nfiring    ")
        assert fired >= 6

        def all_posted() -> list[dict[str, Any]] | None:
            found: list[dict[str, Any]] = get_json(f"{am.url}/api/v2/alerts")
            return found if len(found) == fired else None

        alerts = poll(all_posted, f"{fired} alerts in Alertmanager")
        server = [a for a in alerts if a["labels"]["alertname"] == SERVER]
        tables = [a for a in alerts if a["labels"]["alertname"] == "table sync slo"]
        assert len(server) == 3  # one per burn window
        assert len(server) + len(tables) == fired
        page = next(a for a in server if a["labels"]["slo_window"] == "1h/5m")
        assert page["labels"] == {
            "alertname": SERVER,
            "scope": "server",
            "severity": "page",
            "slo_window": "1h/5m",
        }
        assert page["annotations"] == {
            "summary": "passes fail fleet-wide",
            "runbook_url": "https://rb.example/srv",
        }
        assert page["generatorURL"].startswith("http://127.0.0.1:8501/overview?range=custom")
        assert all(
            a["status"] == {"inhibitedBy": [], "silencedBy": [], "state": "active"} for a in server
        )
        sources = {a["fingerprint"] for a in server}
        for alert in tables:  # muted while the server-wide alert fires
            assert alert["status"]["state"] == "suppressed"
            assert set(alert["status"]["inhibitedBy"]) <= sources
            assert alert["status"]["inhibitedBy"]
            labels = alert["labels"]
            assert {"profile", "table_name", "slo_window", "severity"} <= set(labels)
            assert alert["annotations"]["summary"].startswith(
                f"{labels['profile']}/{labels['table_name']} burns "
            )
            assert alert["annotations"]["runbook_url"] == "https://rb.example/tbl"

        groups = get_json(f"{am.url}/api/v2/alerts/groups")
        by_group = {
            tuple(sorted(g["labels"].items())): {a["fingerprint"] for a in g["alerts"]}
            for g in groups
        }
        profiles = {a["labels"]["profile"] for a in tables}
        assert set(by_group) == {(), *((("profile", p),) for p in profiles)}
        assert by_group[()] == sources
        for profile in profiles:
            mine = {a["fingerprint"] for a in tables if a["labels"]["profile"] == profile}
            assert by_group[(("profile", profile),)] == mine

        now = dt.datetime.now(dt.UTC)
        silence = post_json(
            f"{am.url}/api/v2/silences",
            {
                "matchers": [
                    {"name": "alertname", "value": SERVER, "isRegex": False, "isEqual": True}
                ],
                "startsAt": now.isoformat(),
                "endsAt": (now + dt.timedelta(hours=1)).isoformat(),
                "createdBy": "synctel tests",
                "comment": "maintenance window",
            },
        )["silenceID"]
        before = received(am.url)
        assert check(store, rules, "--alertmanager", am.url) == 3  # re-posted, as Prometheus does
        assert received(am.url) == before + fired

        def silenced() -> list[dict[str, Any]] | None:
            found = [
                a for a in get_json(f"{am.url}/api/v2/alerts") if a["labels"]["alertname"] == SERVER
            ]
            done = all(a["status"]["silencedBy"] == [silence] for a in found)
            return found if found and done else None

        for alert in poll(silenced, "the silence to apply"):
            assert alert["status"]["state"] == "suppressed"


def test_an_unreachable_alertmanager_never_blocks_evaluation_and_gets_its_alerts_later(
    store: Path, clock: Clock, tmp_path: Path
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    policy = DeliveryPolicy(attempts=2, backoff=0.05, timeout=3.0)
    settings = Settings(
        store, parse_rules(rules_text(None, hold="0s")), alertmanagers=(url,), policy=policy
    )
    reports: list[str] = []

    def run(at: str, wait: float = 5.0) -> float:
        clock.set(at)
        runner = Runner(settings, clock=clock, report=reports.append)
        started = time.monotonic()
        runner.round()
        spent = time.monotonic() - started
        runner.close(wait)
        return spent

    assert run("12:00") < 2.5  # nobody listens: the firing alert waits for the next round
    assert any("not delivered" in m and "re-sent at the next round" in m for m in reports)
    with alertmanager(tmp_path / "am", CONFIG, port) as am:
        run("12:05")  # re-posted at every round: now it arrives

        def active() -> list[dict[str, Any]] | None:
            return get_json(f"{am.url}/api/v2/alerts") or None

        [alert] = poll(active, "the firing alert")
        assert alert["labels"]["alertname"] == "technicians: success rate"
        assert alert["startsAt"].startswith("2024-05-09T12:00:00")
        am.proc.send_signal(signal.SIGSTOP)  # accepts connections, answers nothing
        try:
            assert run("14:00", wait=0.5) < 2.5  # resolved; evaluation did not wait 3 s
        finally:
            am.proc.send_signal(signal.SIGCONT)
        state = read_state(store)
        assert state is not None
        [kept] = state.alertmanager_outbox[url]
        assert kept["alert"]["endsAt"] == "2024-05-09T14:00:00Z"
        run("14:05")  # the kept resolution is re-sent
        state = read_state(store)
        assert state is not None
        assert state.alertmanager_outbox == {}
        poll(lambda: get_json(f"{am.url}/api/v2/alerts") == [] or None, "the resolution")
