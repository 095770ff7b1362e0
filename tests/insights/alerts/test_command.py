"""``synctel alerts check|watch`` through the real CLI entry point, and the dashboard links."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ingest import scope
from insights.alerts import links
from insights.alerts.state import read_state
from synctel.cli import main
from tests.insights.alerts.helpers import Receiver, rules_text

APP = (Path(__file__).parents[3] / "dashboards" / "app.py").read_text(encoding="utf-8")


def write_rules(tmp_path: Path, text: str) -> str:
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_check_exits_3_while_firing_and_0_when_none_fires(
    store: Path, tmp_path: Path, receiver: Receiver, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = write_rules(tmp_path, rules_text(receiver.url, hold="0s"))
    args = ["alerts", "check", "--store", str(store), "--rules", rules]
    assert main([*args, "--as-of", "2024-05-09T12:00"]) == 3
    out = capsys.readouterr().out
    assert "FIRING    technicians: success rate  profile=Technicians " in out
    assert "table_name=bookableresourcebooking  success_rate=0.5 < 0.95 over 1h" in out
    assert "http://127.0.0.1:8501/profiles-tables?range=custom" in out
    assert out.rstrip().endswith("1 firing, 0 pending (windows end 2024-05-09T12:00:00Z)")
    assert [r["status"] for r in receiver.requests] == ["firing"]

    assert main([*args, "--as-of", "2024-05-09T14:00:00+00:00"]) == 0
    out = capsys.readouterr().out
    assert "RESOLVED  technicians: success rate" in out
    assert "0 firing, 0 pending" in out
    assert [r["status"] for r in receiver.requests] == ["firing", "resolved"]


def test_check_with_as_of_latest_reads_the_newest_events(
    store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = rules_text(None, hold="0s").replace('op = "<"', 'op = ">"').replace("0.95", "0.99")
    rules = write_rules(tmp_path, text)
    code = main(["alerts", "check", "--store", str(store), "--rules", rules, "--as-of", "latest"])
    assert code == 3
    assert "2 firing" in capsys.readouterr().out  # the good hour: both tables at 1.0 > 0.99
    assert main(["alerts", "check", "--store", str(store), "--rules", rules]) == 0  # wall clock


def test_watch_runs_count_rounds_and_prints_transitions(
    store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = write_rules(tmp_path, rules_text(None, hold="0s"))
    args = ["alerts", "watch", "--store", str(store), "--rules", rules]
    assert main([*args, "--as-of", "2024-05-09T12:00", "--interval", "0.05", "--count", "2"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == ("watching 1 rule(s) every 0.05 s; windows end at 2024-05-09 12:00:00")
    assert len([line for line in out if "FIRING" in line]) == 1  # once, not per round
    state = read_state(store)
    assert state is not None
    assert [i.status for i in state.instances.values()] == ["firing"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["--as-of", "yesterday"],
            "--as-of 'yesterday': use 'now', 'latest' or an ISO time such as 2026-01-05T12:00",
        ),
        (["--interval", "0"], "--interval must be more than 0 seconds"),
        (
            ["--alertmanager", "127.0.0.1:9093"],
            "--alertmanager '127.0.0.1:9093': use the Alertmanager's http:// or https:// "
            "address, e.g. http://127.0.0.1:9093",
        ),
    ],
)
def test_bad_options_are_one_line(
    store: Path, tmp_path: Path, argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = write_rules(tmp_path, rules_text(None))
    code = main(["alerts", "watch", "--store", str(store), "--rules", rules, *argv])
    assert code == 1
    assert capsys.readouterr().err == f"synctel alerts: {message}\n"


def test_bad_rules_and_missing_stores_are_errors_not_tracebacks(
    store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = write_rules(tmp_path, rules_text(None).replace("success_rate", "sucess_rate"))
    assert main(["alerts", "check", "--store", str(store), "--rules", rules]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"synctel alerts: {rules} line 4: alert 'technicians: success rate': ")
    assert "did you mean 'success_rate'? [unknown-metric]" in err
    good = write_rules(tmp_path, rules_text(None))
    assert main(["alerts", "check", "--store", str(tmp_path / "none"), "--rules", good]) == 1
    assert "no store at" in capsys.readouterr().err


def test_link_parameters_are_the_dashboards_own() -> None:
    # The dashboard's names are ingest.scope's (tests/dashboards/test_url_params.py checks that
    # dashboards.filters uses them), so this runs without Streamlit.
    assert links.RANGE_PARAM == scope.RANGE_PARAM
    assert links.FROM_PARAM == scope.FROM_PARAM
    assert links.TO_PARAM == scope.TO_PARAM
    dashboard = {
        scope.QUERY_PARAMS[field] for field in ("profiles", "tables", "modes", "app_versions")
    } | {scope.QUERY_PARAMS["os_names"], scope.QUERY_PARAMS["networks"]}
    assert set(links.FILTER_PARAMS.values()) == dashboard
    pages = set(re.findall(r'url_path="([^"]+)"', APP))
    assert set(links.PAGES.values()) <= pages
