"""The rules file: each bad rule gets an error naming the file, the line, the alert, the rule."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from insights.alerts.durations import format_duration, parse_duration
from insights.alerts.errors import RulesError
from insights.alerts.rules import Kind, Op, Threshold, load_rules, parse_rules
from insights.alerts.views import grain_columns, view_columns
from tests.insights.alerts.helpers import rules_text

EXAMPLE = Path(__file__).parents[3] / "examples" / "alerts.toml"


def problems(text: str) -> list[str]:
    with pytest.raises(RulesError) as caught:
        parse_rules(text, source="rules.toml")
    return [str(p) for p in caught.value.problems]


def test_the_issue_rule_reads_with_every_field() -> None:
    [rule] = parse_rules(rules_text("http://127.0.0.1:9000/hook"))
    assert rule.kind == Kind.THRESHOLD
    assert isinstance(rule.spec, Threshold)
    assert (rule.view, rule.spec.metric, rule.spec.op, rule.spec.threshold) == (
        "health_by_profile_table",
        "success_rate",
        Op.LT,
        0.95,
    )
    assert (rule.window, rule.hold) == (timedelta(hours=1), timedelta(minutes=10))
    assert rule.where == (("profile", "Technicians"),)
    assert rule.by == ("profile", "table_name")  # the view's grain
    assert rule.webhook == "http://127.0.0.1:9000/hook"
    assert rule.line == 1


def test_the_example_rules_file_loads() -> None:
    rules = load_rules(EXAMPLE)
    assert len(rules) >= 3
    assert len({r.name for r in rules}) == len(rules)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ('view = "health_by_profile_table"', 'view = "health_by_profile"'),
            "rules.toml line 3: alert 'technicians: success rate': unknown view "
            "'health_by_profile'; did you mean 'health_by_profile_table'? [unknown-view]",
        ),
        (
            ('metric = "success_rate"', 'metric = "succes_rate"'),
            "rules.toml line 4: alert 'technicians: success rate': view "
            "'health_by_profile_table' has no metric 'succes_rate'; did you mean "
            "'success_rate'? [unknown-metric]",
        ),
        (
            ('metric = "success_rate"', 'metric = "table_name"'),
            "rules.toml line 4: alert 'technicians: success rate': 'table_name' of view "
            "'health_by_profile_table' is VARCHAR, not a number",
        ),
        (
            ('window = "1h"', 'window = "1 hour"'),
            "rules.toml line 8: alert 'technicians: success rate': window '1 hour' is not a "
            "duration: write a number and a unit (s, m, h or d)",
        ),
        (
            ('for = "10m"', 'for = "10"'),
            "rules.toml line 9: alert 'technicians: success rate': for '10' is not a duration",
        ),
        (
            ('window = "1h"', 'window = "0m"'),
            "rules.toml line 8: alert 'technicians: success rate': window '0m' must be at "
            "least 1s [duration]",
        ),
        (
            ('op = "<"', 'op = "=<"'),
            "rules.toml line 6: alert 'technicians: success rate': unknown op '=<'",
        ),
        (
            ("threshold = 0.95", 'threshold = "0.95"'),
            "rules.toml line 7: alert 'technicians: success rate': threshold must be a number",
        ),
        (
            ('where = { profile = "Technicians" }', 'where = { profil = "Technicians" }'),
            "rules.toml line 5: alert 'technicians: success rate': view "
            "'health_by_profile_table' has no column 'profil'; did you mean 'profile'?",
        ),
        (
            ('where = { profile = "Technicians" }', "where = { syncs = true }"),
            "rules.toml line 5: alert 'technicians: success rate': where syncs = True does not "
            "fit the column's type BIGINT [type]",
        ),
        (
            ('op = "<"', 'op = "<"\ncolour = "red"'),
            "rules.toml line 7: alert 'technicians: success rate': unknown key 'colour'",
        ),
        (
            ('op = "<"\n', ""),
            "rules.toml line 1: alert 'technicians: success rate': missing required key 'op' "
            "[required]",
        ),
        (
            ('name = "technicians: success rate"\n', ""),
            "rules.toml line 1: alert #1: missing required key 'name' [required]",
        ),
        (
            ('for = "10m"', 'for = "10m"\nwebhook = "ftp://x"'),
            "rules.toml line 10: alert 'technicians: success rate': webhook 'ftp://x' must be "
            "an http:// or https:// URL",
        ),
        (
            ('for = "10m"', 'for = "10m"\nby = ["profile", "tabel"]'),
            "rules.toml line 10: alert 'technicians: success rate': view "
            "'health_by_profile_table' has no column 'tabel'",
        ),
    ],
)
def test_a_bad_rule_is_named_with_its_line(change: tuple[str, str], expected: str) -> None:
    old, new = change
    text = rules_text(None)
    assert old in text
    found = problems(text.replace(old, new))
    assert any(p.startswith(expected) for p in found), found


def test_every_problem_of_a_file_is_reported_in_line_order() -> None:
    text = rules_text(None) + "\n" + rules_text(None).replace('"1h"', '"1x"')
    found = problems(text)
    assert found == [
        "rules.toml line 12: alert 'technicians: success rate': another alert has this name; "
        "names must be unique [value]",
        "rules.toml line 18: alert 'technicians: success rate': window '1x' is not a duration: "
        "write a number and a unit (s, m, h or d), e.g. '30s', '10m', '1h', '1h30m' [duration]",
    ]


def test_toml_syntax_errors_name_their_line() -> None:
    assert problems('[[alert]]\nname = "x"\nview = \n') == [
        "rules.toml line 3: invalid TOML: Invalid value (column 8) [toml-syntax]"
    ]


def test_a_file_without_alerts_or_with_other_tables_is_refused() -> None:
    assert problems("") == [
        "rules.toml: no [[alert]] table: a rules file holds at least one [required]"
    ]
    assert "rules.toml line 1: unknown key 'alerts'; did you mean 'alert'? [unknown-key]" in (
        problems("[alerts]\nname = 1\n")
    )


def test_a_missing_file_is_one_clear_problem(tmp_path: Path) -> None:
    with pytest.raises(RulesError, match=r"nope\.toml: cannot be read: No such file"):
        load_rules(tmp_path / "nope.toml")


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("30s", 30), ("10m", 600), ("1h", 3600), ("1d", 86400), ("1h30m", 5400), ("0s", 0)],
)
def test_durations_read_and_write_back(text: str, seconds: int) -> None:
    span = parse_duration(text)
    assert span == timedelta(seconds=seconds)
    assert parse_duration(format_duration(span)) == span


@pytest.mark.parametrize("text", ["", "10", "m", "1x", "-5m", "1.5h", "1 h", "h1"])
def test_not_durations(text: str) -> None:
    assert parse_duration(text) is None


def test_every_view_has_a_grain_naming_its_rows() -> None:
    """The default instance key of each view comes from its header's Grain line."""
    grains = {view: grain_columns(view) for view in view_columns()}
    assert grains["health_by_profile_table"] == ("profile", "table_name")
    assert grains["errors_summary"] == ("failure_type", "error_code", "error_message")
    assert grains["daily_health"] == ("day",)
    assert all(grains.values()), grains
