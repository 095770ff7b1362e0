"""Scenario files: a fleet, its regions and networks, its users' choices and its incidents, in TOML.

A scenario is validated like a profile: every problem names the file, the line and the rule
(``toml_lines`` and ``profile.problems`` are reused). Built-in scenarios live in
``syncengine/data/scenarios``; profiles are found in ``syncengine/data/profiles`` or beside the
scenario file.
"""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path
from typing import Any, Final

from syncengine.errors import SyncengineError
from syncengine.sim.scenario_model import (
    Incident,
    IncidentKind,
    ProfileShare,
    Region,
    Scenario,
    UserChoices,
    Work,
)
from syncengine.sim.scenario_read import Reader
from vocabulary.problems import Collector, Problem, syntax_problem
from vocabulary.toml_lines import KeyPath, key_lines

DATA_DIR: Final = Path(__file__).resolve().parent.parent / "data"
SCENARIO_DIR: Final = DATA_DIR / "scenarios"
"""Built-in scenarios (``<name>.toml``)."""
PROFILE_DIR: Final = DATA_DIR / "profiles"
"""Built-in offline profiles a scenario may name."""


class ScenarioError(SyncengineError):
    """A scenario that cannot be used: an unknown name, or a file with errors (one per line)."""

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        self.problems = problems or []
        super().__init__(message)


def builtin_names() -> list[str]:
    """Names of the built-in scenarios."""
    return sorted(p.stem for p in SCENARIO_DIR.glob("*.toml"))


def load_scenario(name_or_path: str) -> Scenario:
    """A built-in scenario by name, or the scenario file at a path; ScenarioError otherwise."""
    path = Path(name_or_path)
    if name_or_path in builtin_names():
        path = SCENARIO_DIR / f"{name_or_path}.toml"
    elif path.suffix != ".toml" or not path.exists():
        known = ", ".join(builtin_names())
        raise ScenarioError(
            f"no scenario {name_or_path!r}: name a built-in one ({known}) or a .toml file"
        )
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ScenarioError(f"{path}: cannot be read: {exc.strerror or exc}") from None
    return parse_scenario(text, source=str(path), base=path.parent)


def parse_scenario(text: str, *, source: str = "<string>", base: Path | None = None) -> Scenario:
    """The scenario in ``text``; ScenarioError listing every problem with its line."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        problem = syntax_problem(str(exc), source)
        raise ScenarioError(str(problem), [problem]) from None
    collector = Collector(source, key_lines(text))
    reader = Reader(collector, base or Path.cwd(), PROFILE_DIR)
    scenario = _scenario(reader, data)
    errors = list(collector.errors())
    if errors or scenario is None:
        raise ScenarioError("\n".join(str(p) for p in errors), errors)
    return scenario


_TOP = ("name", "description", "devices", "days", "start", "profiles", "regions", "users")
_TOP_ALL = (*_TOP, "work", "incidents")


def _scenario(r: Reader, data: dict[str, Any]) -> Scenario | None:
    root: KeyPath = ()
    r.c.unknown_keys(data, root, _TOP_ALL)
    name = r.text(data, root, "name", required=True)
    description = r.text(data, root, "description") or ""
    devices = r.integer(data, root, "devices", default=20, low=1)
    days = r.number(data, root, "days", default=1.0, low=0.01, high=366)
    start = r.day(data, root, "start", default=date(2026, 1, 5))
    profiles = tuple(
        ProfileShare(p, s)
        for p, s in r.each(data, root, "profiles", required=True, read=r.profile_share)
    )
    regions = tuple(r.each(data, root, "regions", required=True, read=r.region))
    users = r.section(data, root, "users", UserChoices, r.user_choices)
    work = r.section(data, root, "work", Work, r.work)
    incidents = tuple(r.each(data, root, "incidents", read=r.incident))
    if r.c.error_count() or name is None:
        return None
    return Scenario(
        name, description, devices, days, start, profiles, regions, users, work, incidents
    )


__all__ = [
    "Incident",
    "IncidentKind",
    "ProfileShare",
    "Region",
    "Scenario",
    "ScenarioError",
    "UserChoices",
    "Work",
    "builtin_names",
    "load_scenario",
    "parse_scenario",
]
