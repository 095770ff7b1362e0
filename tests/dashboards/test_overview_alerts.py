"""The dashboard's Overview lists firing alerts from the store's alert state (AppTest)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from insights.alerts.rules import parse_rules
from insights.alerts.runner import Runner, Settings
from insights.alerts.state import state_path
from tests.dashboards.helpers import shown
from tests.insights.alerts.helpers import Clock, fire, rules_text
from tests.promstack import alertmanager, post_json
from vocabulary.settings import ENV_STORE

APP = str(Path(__file__).parents[2] / "dashboards" / "app.py")


def overview(store: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv(ENV_STORE, str(store))
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["range"] = "all"
    at.run()
    assert not at.exception
    return at


@pytest.mark.slow
def test_overview_shows_firing_alerts_then_none(
    alert_store: Path, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    fire(alert_store, clock)
    at = overview(alert_store, monkeypatch)
    [error] = [shown(e.value) for e in at.error]
    assert error.startswith(
        "**technicians: success rate** · profile=Technicians, "
        "table_name=bookableresourcebooking: success_rate 0.5 < 0.95 over 1h, "
        "firing since 2024-05-09T12:00:00Z · [open](http://127.0.0.1:8501/profiles-tables?"
    )
    assert "Firing alerts (1)" in [s.value for s in at.subheader]

    clock.set("14:00")
    fire_then_resolve = Runner(
        Settings(alert_store, parse_rules(rules_text(None, hold="0s"))), clock=clock
    )
    fire_then_resolve.round()
    fire_then_resolve.close(0.5)
    at = overview(alert_store, monkeypatch)
    assert list(at.error) == []
    assert "Alerts: none firing (last checked 2024-05-09T14:00:00Z)." in [
        shown(c.value) for c in at.caption
    ]


@pytest.mark.slow
def test_overview_without_alerts_or_with_a_broken_state_file(
    alert_store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = overview(alert_store, monkeypatch)
    assert list(at.error) == []
    assert not any(c.value.startswith("Alerts:") for c in at.caption)

    state_path(alert_store).parent.mkdir()
    state_path(alert_store).write_text("{not json", encoding="utf-8")
    at = overview(alert_store, monkeypatch)
    [warning] = [shown(w.value) for w in at.warning]
    assert warning.startswith("Alert state cannot be read: ")
    assert "move it away to start afresh" in warning


SLO = """[[alert]]
name = "table slo"
kind = "slo"
objective = 0.99
labels = { team = "mobile" }
"""
AM_CONFIG = 'route:\n  receiver: "null"\nreceivers:\n  - name: "null"\n'


@pytest.mark.slow
def test_overview_shows_severity_error_budgets_and_alertmanagers_silences(
    alert_store: Path, clock: Clock, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with alertmanager(tmp_path / "am", AM_CONFIG) as am:
        now = dt.datetime.now(dt.UTC)
        post_json(
            f"{am.url}/api/v2/silences",
            {
                "matchers": [{"name": "team", "value": "mobile", "isRegex": False}],
                "startsAt": now.isoformat(),
                "endsAt": (now + dt.timedelta(hours=2)).isoformat(),
                "createdBy": "ops",
                "comment": "app release",
            },
        )
        clock.set("11:51")
        runner = Runner(
            Settings(alert_store, parse_rules(SLO), alertmanagers=(am.url,)), clock=clock
        )
        runner.round()
        runner.close(5.0)
        at = overview(alert_store, monkeypatch)
    texts = [shown(e.value) for e in at.error]
    assert len(texts) == 3
    assert texts[0].startswith(
        "**table slo** · page · profile=Technicians, table_name=bookableresourcebooking, "
        "slo_window=1h/5m: burn rate 54.5x over 1h and 100x over 5m (fires above 14.4x"
    )
    assert any(s.startswith("**table slo** · ticket · ") for s in texts)
    budgets = at.dataframe[0].value
    rows = {r["table_name"]: r for r in budgets.to_dict("records")}
    assert rows["msdyn_workorder"]["budget left"] == "100%"
    assert rows["bookableresourcebooking"]["budget left"] == "-5355%"  # 6 of 11 failed: overspent
    [silence] = [shown(i.value) for i in at.info]
    assert silence.startswith(f'Silenced in {am.url}: team="mobile" until ')
    assert silence.endswith("· ops: app release")
