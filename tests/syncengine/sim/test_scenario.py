"""Scenario files: every problem is named with its file, line and rule; unknown names list the
known ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from syncengine.sim.scenario import ScenarioError, builtin_names, load_scenario, parse_scenario
from syncengine.sim.scenario_model import IncidentKind
from tests.syncengine.sim.scenarios import scenario_text


@pytest.mark.parametrize("name", builtin_names())
def test_every_built_in_scenario_loads(name: str) -> None:
    scenario = load_scenario(name)
    assert scenario.name == name
    assert scenario.profiles
    assert scenario.regions


def test_a_valid_text_gives_the_model() -> None:
    text = scenario_text(
        extra='\n[[incidents]]\nkind = "server_error"\nday = 1\nfrom = "10:00"\nto = "11:30"\n'
        "rate = 0.5\n"
    )
    scenario = parse_scenario(text)
    (incident,) = scenario.incidents
    assert incident.kind is IncidentKind.SERVER_ERROR
    assert (incident.start.hour, incident.end.minute, incident.rate) == (10, 30, 0.5)
    assert [p.profile.name for p in scenario.profiles] == [
        "Technicians",
        "Inspectors",
        "Contractors",
    ]


def _problems(text: str) -> list[str]:
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(text, source="s.toml")
    return [str(p) for p in caught.value.problems]


def test_problems_name_their_line_and_rule() -> None:
    text = scenario_text().replace("utc_offset = 0", "utc_ofset = 0")
    text += '\n[[incidents]]\nkind = "meteor"\nday = 0\nfrom = "25:00"\n'
    lines = text.splitlines()
    problems = _problems(text)
    typo = lines.index("utc_ofset = 0") + 1
    kind = lines.index('kind = "meteor"') + 1
    assert (
        f"s.toml line {typo}: unknown key 'utc_ofset'; did you mean 'utc_offset'? [unknown-key]"
        in problems
    )
    assert any(p.startswith(f"s.toml line {kind}: unknown kind 'meteor'") for p in problems)
    assert any(f"line {kind + 1}: day must be at least 1" in p for p in problems)
    assert any(f"line {kind + 2}: from must be a time" in p for p in problems)


def test_shares_and_types_are_checked() -> None:
    text = scenario_text(wifi=1.5).replace("devices = 6", 'devices = "many"')
    problems = _problems(text)
    assert any("devices must be a whole number" in p and "[type]" in p for p in problems)
    assert any("wifi must be between 0 and 1, got 1.5" in p and "[value]" in p for p in problems)


def test_missing_sections_and_unknown_profile_files() -> None:
    problems = _problems('name = "x"\n')
    assert any("missing required key 'profiles'" in p for p in problems)
    assert any("missing required key 'regions'" in p for p in problems)
    text = scenario_text().replace("inspectors.toml", "nope.toml")
    line = text.splitlines().index('file = "nope.toml"') + 1
    (problem,) = _problems(text)
    assert problem.startswith(f"s.toml line {line}: no profile file 'nope.toml'; built in:")


def test_an_invalid_profile_file_is_reported_at_its_reference(tmp_path: Path) -> None:
    (tmp_path / "broken.toml").write_text(
        'name = "B"\n[[tables]]\nname = "account"\ninterval_minutes = 2\n'
    )
    text = scenario_text().replace("contractors.toml", "broken.toml")
    path = tmp_path / "s.toml"
    path.write_text(text)
    with pytest.raises(
        ScenarioError, match=r"profile 'broken.toml' is not valid: .*line 4.*\[interval\]"
    ):
        load_scenario(str(path))


def test_toml_syntax_errors_name_the_line() -> None:
    (problem,) = _problems('name = "x"\ndevices = = 3\n')
    assert problem.startswith("s.toml line 2: invalid TOML")
    assert problem.endswith("[toml-syntax]")


def test_unknown_names_list_the_built_in_scenarios() -> None:
    with pytest.raises(ScenarioError) as caught:
        load_scenario("healthy-weak")
    message = str(caught.value)
    assert "no scenario 'healthy-weak'" in message
    for name in builtin_names():
        assert name in message
