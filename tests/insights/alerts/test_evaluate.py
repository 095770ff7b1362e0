"""Evaluation over the fixture store: windows, instances per row, NULLs and empty windows."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from insights.alerts.errors import AlertsError
from insights.alerts.evaluate import evaluate, latest_event
from insights.alerts.rules import parse_rules
from insights.alerts.runner import Runner, Settings
from tests.insights.alerts.helpers import BAD_HOUR, GOOD_HOUR, PROFILE, Clock, rules_text

NOON = BAD_HOUR + timedelta(hours=1)


def rule(
    metric: str,
    op: str,
    threshold: float,
    *,
    view: str = "health_by_profile_table",
    extra: str = "",
) -> str:
    return (
        f'[[alert]]\nname = "{metric} {op} {threshold}"\nview = "{view}"\nmetric = "{metric}"\n'
        f'op = "{op}"\nthreshold = {threshold}\nwindow = "1h"\n{extra}'
    )


def test_each_row_of_the_view_is_its_own_instance(store: Path) -> None:
    found = evaluate(store, parse_rules(rule("success_rate", "<", 2)), now=NOON)
    values = {dict(o.key)["table_name"]: o.value for o in found.observations}
    assert values == {"bookableresourcebooking": 0.5, "msdyn_workorder": 1.0}
    assert all(dict(o.key)["profile"] == PROFILE for o in found.observations)
    assert all(o.breached for o in found.observations)


def test_where_filters_rows_and_only_breaching_rows_count(store: Path) -> None:
    found = evaluate(store, parse_rules(rules_text(None)), now=NOON)
    assert sorted((dict(o.key)["table_name"], o.breached) for o in found.observations) == [
        ("bookableresourcebooking", True),
        ("msdyn_workorder", False),
    ]
    other = parse_rules(rules_text(None).replace(f'"{PROFILE}"', '"Inspectors"'))
    assert evaluate(store, other, now=NOON).observations == []


def test_an_empty_window_and_a_null_metric_never_fire(store: Path) -> None:
    empty = evaluate(store, parse_rules(rule("syncs", ">=", 0)), now=datetime(2024, 5, 9, 20))
    assert empty.observations == []
    # p95 over successful table syncs only: NULL for a table that only failed
    failing = rule("p95_duration_ms", ">=", 0, extra='where = { table_name = "msdyn_workorder" }')
    [obs] = evaluate(store, parse_rules(failing), now=NOON).observations
    assert obs.value == 500.0
    assert obs.breached
    assert not replace(obs, value=None).breached


def test_the_window_can_end_at_the_newest_event_or_an_instant(store: Path) -> None:
    newest = latest_event(store)
    assert newest is not None
    assert GOOD_HOUR < newest < GOOD_HOUR + timedelta(hours=1)
    late = datetime(2030, 1, 1)  # the wall clock, long after the data: nothing in the window
    assert evaluate(store, parse_rules(rule("syncs", ">", 0)), now=late).observations == []
    latest = evaluate(store, parse_rules(rule("syncs", ">", 0)), now=late, end="latest")
    assert latest.end == newest + timedelta(microseconds=1)
    assert {o.value for o in latest.observations} == {12.0}  # the good hour's passes
    instant = evaluate(store, parse_rules(rule("syncs", ">", 0)), now=late, end=NOON)
    assert {o.value for o in instant.observations} == {12.0}
    assert {o.start for o in instant.observations} == {BAD_HOUR}


def test_a_rule_that_cannot_run_is_reported_and_the_others_still_run(store: Path) -> None:
    # table_syncs' grain line names sync_id, but a pass has two table rows: keys collide
    clash = rule("duration_ms", ">", 0, view="table_syncs")
    fine = rule("syncs", ">", 0)
    found = evaluate(store, parse_rules(clash + "\n" + fine), now=NOON)
    assert list(found.failures) == ["duration_ms > 0"]
    assert (
        "name the columns that tell its rows apart with by = [...]"
        in found.failures["duration_ms > 0"]
    )
    assert {o.rule.name for o in found.observations} == {"syncs > 0"}
    keyed = rule("duration_ms", ">", 0, view="table_syncs", extra='by = ["event_id"]')
    assert len(evaluate(store, parse_rules(keyed), now=NOON).observations) == 24


def test_a_failing_rule_keeps_its_instances_and_a_removed_rule_resolves(
    store: Path, clock: Clock
) -> None:
    text = rules_text(None, hold="0s")
    first = Runner(Settings(store, parse_rules(text)), clock=clock, report=lambda _: None)
    assert len(first.round().firing) == 1
    first.close(0.5)
    other = rule("syncs", ">", 1000)
    second = Runner(Settings(store, parse_rules(other)), clock=clock, report=lambda _: None)
    result = second.round()
    second.close(0.5)
    [change] = result.changes
    assert change.kind == "resolved"
    assert change.payload["reason"] == "the rule is no longer in the rules file"
    assert result.firing == []


def test_a_store_that_does_not_exist_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(AlertsError, match=r"no store at .*: create one first"):
        evaluate(tmp_path / "none", parse_rules(rule("syncs", ">", 0)), now=NOON)
