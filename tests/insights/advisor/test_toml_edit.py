"""Profile changes as minimal, valid edits of the profile's own text."""

from __future__ import annotations

import pytest

from insights.advisor.profiles import ProfileText, built_in_profiles, resolve
from insights.advisor.toml_edit import setting_change, table_change
from syncengine.profile import validate_text
from tests.insights.advisor.helpers import patched


def text_of(source: str) -> ProfileText:
    return next(p for p in built_in_profiles() if p.source == source)


def test_interval_change_touches_one_line_and_keeps_its_neighbours() -> None:
    fs = text_of("built-in:default_profile.toml")
    change = table_change(fs, "account", "interval_minutes", 1440)
    assert change.diff is not None
    removed = [ln for ln in change.diff.splitlines() if ln.startswith("-") and ln[1:2] != "-"]
    added = [ln for ln in change.diff.splitlines() if ln.startswith("+") and ln[1:2] != "+"]
    assert (removed, added) == (["-interval_minutes = 60"], ["+interval_minutes = 1440"])
    after = validate_text(patched(fs.text, change.diff)).profile_or_raise()
    assert after.table("account").interval_minutes == 1440
    assert after.table("contact").interval_minutes == 60  # the next table's same key untouched


def test_a_setting_keeps_its_comment() -> None:
    fs = text_of("built-in:default_profile.toml")
    change = setting_change(fs, None, "conflict_detection", True)
    assert change.diff is not None
    assert "+conflict_detection = true    # S7: false = the device's change wins" in change.diff
    assert validate_text(patched(fs.text, change.diff)).profile_or_raise().conflict_detection


def test_an_absent_top_level_key_is_added_after_the_name() -> None:
    text = 'name = "P"\n\n[[tables]]\nname = "account"\ninterval_minutes = 60\n'
    given = ProfileText(validate_text(text).profile_or_raise(), text, "p.toml")
    change = setting_change(given, None, "conflict_detection", True)
    assert change.diff is not None
    assert change.before is False
    after = patched(text, change.diff)
    assert after.splitlines()[1] == "conflict_detection = true"
    assert validate_text(after).profile_or_raise().conflict_detection is True


def test_an_interval_the_validator_refuses_is_never_shown() -> None:
    fs = text_of("built-in:default_profile.toml")
    with pytest.raises(ValueError, match="does not validate"):
        table_change(fs, "account", "interval_minutes", 2880)


def test_unknown_profile_gets_a_snippet_only() -> None:
    change = table_change(None, "account", "interval_minutes", 1440)
    assert (change.diff, change.before, change.source) == (None, None, None)
    assert validate_text('name = "P"\n' + change.snippet).ok


def test_built_ins_of_the_same_name_are_told_apart_by_the_data() -> None:
    v1 = {"bookableresourcebooking": 30, "account": 60}
    assert resolve({"Technicians": v1})["Technicians"].source == "built-in:technicians.toml"  # type: ignore[union-attr]
    v2 = {**v1, "msdyn_timeentry": 30}
    assert resolve({"Technicians": v2})["Technicians"].source == "built-in:technicians_v2.toml"  # type: ignore[union-attr]
    assert resolve({"Technicians": {"account": 999}}) == {"Technicians": None}
    assert resolve({"Someone Else": {}}) == {"Someone Else": None}
