"""Rule kinds (slo, absent) and the fields every kind takes, read from TOML; bad input is one
error line naming the file and the line, never a traceback."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from insights.alerts.errors import RulesError
from insights.alerts.rules import (
    DEFAULT_WINDOWS,
    Absent,
    BurnWindow,
    Kind,
    Slo,
    Threshold,
    parse_rules,
)
from synctel.cli import main
from tests.insights.alerts.helpers import rules_text

SLO = """[[alert]]
name = "table slo"
kind = "slo"
objective = 0.99
labels = { team = "mobile", severity = "page" }
annotations = { summary = "{profile}/{table_name} burns {value}x",\
  runbook_url = "https://wiki.example/slo" }
"""
ABSENT = """[[alert]]
name = "silent profile"
kind = "absent"
window = "1h"
"""


def problems(text: str) -> list[str]:
    with pytest.raises(RulesError) as caught:
        parse_rules(text, source="rules.toml")
    return [str(p) for p in caught.value.problems]


def test_an_slo_rule_takes_the_workbook_windows_by_default() -> None:
    [rule] = parse_rules(SLO)
    assert rule.kind == Kind.SLO
    assert isinstance(rule.spec, Slo)
    assert rule.spec.objective == 0.99
    assert rule.spec.of == "table_syncs"
    assert rule.spec.windows == DEFAULT_WINDOWS
    assert [(w.name, w.burn_rate, w.severity) for w in rule.spec.windows] == [
        ("1h/5m", 14.4, "page"),
        ("6h/30m", 6.0, "page"),
        ("3d/6h", 1.0, "ticket"),
    ]
    assert rule.by == ("profile", "table_name")
    assert rule.window == timedelta(days=3)  # the longest window
    assert rule.severity == "page"
    assert dict(rule.annotations)["runbook_url"] == "https://wiki.example/slo"
    assert rule.view == "health_by_profile_table"


def test_slo_windows_can_be_overridden() -> None:
    text = SLO + (
        'windows = [{ long = "30m", short = "2m", burn_rate = 20, severity = "critical" },\n'
        '           { long = "2h", short = "10m", burn_rate = 5 }]\n'
        'of = "passes"\nby = ["profile"]\nwhere = { app_version = "2.1.0" }\nperiod = "7d"\n'
    )
    [rule] = parse_rules(text)
    assert isinstance(rule.spec, Slo)
    assert rule.spec.windows == (
        BurnWindow(timedelta(minutes=30), timedelta(minutes=2), 20.0, "critical"),
        BurnWindow(timedelta(hours=2), timedelta(minutes=10), 5.0, "page"),  # the rule's severity
    )
    assert (rule.spec.of, rule.spec.period, rule.by) == ("passes", timedelta(days=7), ("profile",))
    assert rule.where == (("app_version", "2.1.0"),)


def test_an_absent_rule_and_the_common_fields() -> None:
    text = ABSENT + (
        'of = "events"\nby = ["device_model"]\nlookback = "2d"\nmin_count = 5\n'
        'keep_firing_for = "15m"\nfor = "5m"\nlabels = { severity = "ticket" }\n'
    )
    [rule] = parse_rules(text)
    assert rule.kind == Kind.ABSENT
    assert rule.spec == Absent("events", timedelta(days=2))
    assert (rule.window, rule.hold, rule.keep_firing_for) == (
        timedelta(hours=1),
        timedelta(minutes=5),
        timedelta(minutes=15),
    )
    assert (rule.by, rule.min_count, rule.severity) == (("device_model",), 5, "ticket")
    [default] = parse_rules(ABSENT)
    assert default.spec == Absent("passes", timedelta(days=7))
    assert default.by == ("profile",)


def test_a_threshold_rule_counts_events_with_the_views_volume_column() -> None:
    [rule] = parse_rules(rules_text(None, extra="min_count = 3\n"))
    assert isinstance(rule.spec, Threshold)
    assert (rule.min_count, rule.spec.count) == (3, "syncs")
    assert problems(
        rules_text(None, extra="min_count = 3\n")
        .replace('view = "health_by_profile_table"', 'view = "device_status"')
        .replace("success_rate", "pending_uploads")
        .replace('where = { profile = "Technicians" }\n', "")
    ) == [
        "rules.toml line 9: alert 'technicians: success rate': view 'device_status' has no "
        "column counting events (syncs, passes, failures, conflicts, skips): name one with "
        'count = "column" [required]'
    ]


BASE = rules_text(None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            BASE.replace('name = "technicians: success rate"', 'name = "t"\nkind = "sli"'),
            "rules.toml line 3: alert 't': unknown kind 'sli'; did you mean 'slo'? [kind]",
        ),
        (
            BASE.replace('name = "technicians: success rate"', 'name = "t"\nkind = "rate"'),
            "rules.toml line 3: alert 't': unknown kind 'rate'; use one of 'threshold', 'slo', "
            "'absent' [kind]",
        ),
        (
            SLO.replace("0.99", "1.5"),
            "rules.toml line 4: alert 'table slo': objective 1.5 must be strictly between 0 and "
            "1 [number]",
        ),
        (
            SLO.replace("0.99", "1"),
            "rules.toml line 4: alert 'table slo': objective 1 must be strictly between 0 and 1",
        ),
        (
            SLO.replace("0.99", "0"),
            "rules.toml line 4: alert 'table slo': objective 0 must be strictly between 0 and 1",
        ),
        (
            SLO.replace("objective = 0.99\n", ""),
            "rules.toml line 1: alert 'table slo': missing required key 'objective' (e.g. 0.99) "
            "[required]",
        ),
        (
            SLO + 'windows = [{ long = "5m", short = "1h", burn_rate = 14.4 }]\n',
            "rules.toml line 7: alert 'table slo': windows are in the wrong order: window 1's "
            "short '1h' must be shorter than its long '5m' [windows]",
        ),
        (
            SLO
            + 'windows = [{ long = "6h", short = "30m", burn_rate = 6 },\n'
            + '  { long = "1h", short = "5m", burn_rate = 14.4 }]\n',
            "rules.toml line 8: alert 'table slo': windows are in the wrong order: window 2's "
            "long '1h' must be longer than window 1's '6h' (shortest long window first) [windows]",
        ),
        (
            SLO + 'windows = [{ long = "1h", short = "5m", burn_rate = 200 }]\n',
            "rules.toml line 7: alert 'table slo': window 1's burn_rate 200 can never fire: with "
            "objective 0.99 the error rate would have to exceed 200% [windows]",
        ),
        (
            SLO + 'windows = [{ long = "1h", short = "5m" }]\n',
            "rules.toml line 7: alert 'table slo': window 1: missing required key 'burn_rate'",
        ),
        (
            SLO + 'of = "passes"\nby = ["profile", "table_name"]\n',
            "rules.toml line 8: alert 'table slo': a pass has no table: use of = \"table_syncs\" "
            "to watch tables [value]",
        ),
        (
            SLO + "threshold = 3\n",
            "rules.toml line 7: alert 'table slo': key 'threshold' belongs to kind 'threshold' "
            "rules, not 'slo'; set kind = 'threshold' or remove it [kind]",
        ),
        (
            ABSENT + 'by = ["profiles"]\n',
            "rules.toml line 5: alert 'silent profile': the events have no column 'profiles'; "
            "did you mean 'profile'? [unknown-column]",
        ),
        (
            ABSENT + 'lookback = "30m"\n',
            "rules.toml line 5: alert 'silent profile': lookback '30m' must be longer than "
            "window '1h'",
        ),
        (
            ABSENT + 'of = "syncs"\n',
            "rules.toml line 5: alert 'silent profile': of 'syncs': use one of 'passes', 'events'",
        ),
        (
            ABSENT + "min_count = -1\n",
            "rules.toml line 5: alert 'silent profile': min_count -1 must be between 0 and 1e9",
        ),
        (
            ABSENT + "min_count = 2.5\n",
            "rules.toml line 5: alert 'silent profile': min_count must be a whole number",
        ),
        (
            ABSENT + 'labels = { "bad-name" = "x" }\n',
            "rules.toml line 5: alert 'silent profile': labels name 'bad-name' must be letters, "
            "digits and '_'",
        ),
        (
            ABSENT + 'labels = { profile = "x" }\n',
            "rules.toml line 5: alert 'silent profile': label 'profile' clashes with the "
            "instance's own 'profile'",
        ),
        (
            ABSENT + 'labels = { alertname = "x" }\n',
            "rules.toml line 5: alert 'silent profile': label 'alertname' is set by synctel",
        ),
        (
            ABSENT + 'annotations = { runbook_url = "wiki/slo" }\n',
            "rules.toml line 5: alert 'silent profile': runbook_url 'wiki/slo' must be an "
            "http(s) URL",
        ),
        (
            ABSENT + 'keep_firing_for = "soon"\n',
            "rules.toml line 5: alert 'silent profile': keep_firing_for 'soon' is not a duration",
        ),
    ],
)
def test_a_bad_rule_is_one_line_naming_the_file_and_line(text: str, expected: str) -> None:
    found = problems(text)
    assert len(found) == 1, found
    assert found[0].startswith(expected), found


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1" * 400, "threshold has 400 digits: it must be between -1e+15 and 1e+15 [number]"),
        ("nan", "threshold must be a finite number, not nan [number]"),
        ("inf", "threshold must be a finite number, not inf [number]"),
        ("-inf", "threshold must be a finite number, not -inf [number]"),
        ("true", "threshold must be a number, not True [type]"),
    ],
)
def test_thresholds_that_crashed_or_passed_silently_are_one_error(
    value: str, expected: str
) -> None:
    found = problems(BASE.replace("threshold = 0.95", f"threshold = {value}"))
    assert found == [f"rules.toml line 7: alert 'technicians: success rate': {expected}"]


@pytest.mark.parametrize("duration", ["3000000d", "999999999d", "99999999999999999999d", "400d"])
@pytest.mark.parametrize("key", ["window", "for"])
def test_durations_past_a_year_are_one_error(key: str, duration: str) -> None:
    text = BASE.replace(
        'window = "1h"', f'window = "{duration}"' if key == "window" else 'window = "1h"'
    )
    text = text.replace('for = "10m"', f'for = "{duration}"' if key == "for" else 'for = "10m"')
    [found] = problems(text)
    line = 8 if key == "window" else 9
    assert found.startswith(f"rules.toml line {line}: alert 'technicians: success rate': {key} ")
    assert found.endswith(
        "is longer than 366d: alerts look at recent events; write at most '366d' [duration]"
    )


def test_burn_window_durations_past_a_year_are_one_error() -> None:
    text = SLO + 'windows = [{ long = "99999999999999999999d", short = "5m", burn_rate = 2 }]\n'
    [found] = problems(text)
    assert found.startswith("rules.toml line 7: alert 'table slo': window 1's long ")
    assert "is longer than 366d" in found


def test_the_command_reports_a_crashing_rule_as_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text(BASE.replace("threshold = 0.95", "threshold = " + "9" * 400))
    argv = ["alerts", "check", "--store", str(tmp_path / "store"), "--rules", str(rules)]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert err == (
        f"synctel alerts: {rules} line 7: alert 'technicians: success rate': threshold has 400 "
        "digits: it must be between -1e+15 and 1e+15 [number]\n"
    )
