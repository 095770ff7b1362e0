"""The advisor over real store folders and through ``synctel advise``: healthy data gets no
advice, bad input gets one line and exit 1."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from insights.advisor import Kind, advise_store
from synctel.cli import main
from tests.insights.advisor.helpers import advise_fleet
from tests.sql import scenarios
from tests.sql.fleet import Fleet
from tests.stores import build


def test_the_sql_healthy_scenario_gets_no_advice() -> None:
    fleet = Fleet()
    scenarios.healthy(fleet)
    report = advise_fleet(fleet)
    assert report.window is not None
    assert report.recommendations == ()


def test_the_dashboard_healthy_store_gets_no_advice(tmp_path: Path) -> None:
    assert advise_store(build(tmp_path / "healthy", "healthy")).recommendations == ()


def test_the_incident_store_flags_the_device_that_never_synced(tmp_path: Path) -> None:
    # dev-e tries all day on 05-09 and never completes a sync; the other incidents are too
    # short for any rule's evidence floor (3 device-days, 50 passes).
    (rec,) = advise_store(build(tmp_path / "incident", "incident")).recommendations
    assert (rec.kind, rec.profile, rec.table) == (
        Kind.STALE,
        "Technician Lite",
        "bookableresourcebooking",
    )
    assert {e.name: e.value for e in rec.evidence}["device_ids"] == "dev-e"


def test_an_empty_store_has_nothing_to_advise(tmp_path: Path, capsys) -> None:
    store = build(tmp_path / "empty", "empty")
    assert main(["advise", "--store", str(store)]) == 0
    assert capsys.readouterr().out == "No events in the store: nothing to advise on.\n"
    assert main(["advise", "--store", str(store), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == {
        "window": None,
        "profiles": {},
        "recommendations": [],
    }


def test_missing_store_is_one_line_exit_1(tmp_path: Path, capsys) -> None:
    assert main(["advise", "--store", str(tmp_path / "nope")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "no store at" in err


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "no such file"),
        ("name = 3\n", "(and 1 more problem)"),
        ("name = [\n", "invalid TOML"),
    ],
)
def test_bad_profile_file_is_one_line_exit_1(
    tmp_path: Path, capsys, content: str | None, expected: str
) -> None:
    store = build(tmp_path / "healthy", "healthy")
    profile = tmp_path / "profile.toml"
    if content is not None:
        profile.write_text(content, encoding="utf-8")
    assert main(["advise", "--store", str(store), "--profile", str(profile)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert expected in err


@pytest.mark.slow
def test_a_simulated_healthy_week_gets_no_advice(tmp_path: Path, capsys) -> None:
    store = tmp_path / "sim"
    args = ["--devices", "20", "--days", "3", "--quiet", "--store", str(store)]
    assert main(["simulate", "--scenario", "healthy-week", *args]) == 0
    capsys.readouterr()
    assert main(["advise", "--store", str(store), "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["recommendations"] == []
    assert out["profiles"] == {
        "Contractors": "built-in:contractors.toml",
        "Inspectors": "built-in:inspectors.toml",
        "Technicians": "built-in:technicians.toml",
    }
