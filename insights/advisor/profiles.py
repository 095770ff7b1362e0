"""Which profile text each profile seen in the data came from, so changes can be given as diffs.

``--profile FILE`` names the text of one profile (matched by its ``name`` to ``sync.profile``).
The others are matched by name against the built-in profiles (the default and
``syncengine/data/profiles/*.toml``); when several built-ins share a name, the one whose
tables and intervals agree with the data's is taken. A profile matched by nothing is unknown:
its changes are given as TOML snippets without a diff.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from syncengine.profile import ProfileError, default_profile_text, validate_profile
from syncengine.profile.model import Profile
from syncengine.profile.validate import validate_text
from vocabulary.problems import Problem

BUILT_IN_FOLDER = ("data", "profiles")
"""Where the built-in simulation profiles live inside the ``syncengine`` package."""


@dataclass(frozen=True)
class ProfileText:
    """A profile and the exact text it was read from."""

    profile: Profile
    """The parsed profile (with each table's line)."""
    text: str
    """The TOML text, as read."""
    source: str
    """A path, or ``built-in:<file>`` for a packaged profile."""


def read_profile_file(path: Path) -> ProfileText:
    """The profile in ``path``; ProfileError (one line: the first problem, and a count of the
    rest) when it cannot be read or is not valid."""
    report = validate_profile(path)
    if report.profile is None:
        first = report.errors[0]
        more = len(report.errors) - 1
        suffix = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
        raise ProfileError([Problem(first.source, first.line, first.rule, first.message + suffix)])
    return ProfileText(report.profile, path.read_text(encoding="utf-8-sig"), str(path))


def built_in_profiles() -> list[ProfileText]:
    """The default profile, then every ``syncengine/data/profiles/*.toml`` by file name."""
    found = [_built_in(default_profile_text(), "default_profile.toml")]
    folder = resources.files("syncengine").joinpath(*BUILT_IN_FOLDER)
    for item in sorted(folder.iterdir(), key=lambda i: i.name):
        if item.name.endswith(".toml"):
            found.append(_built_in(item.read_text(encoding="utf-8"), item.name))
    return found


def _built_in(text: str, name: str) -> ProfileText:
    source = f"built-in:{name}"
    return ProfileText(validate_text(text, source=source).profile_or_raise(), text, source)


def resolve(
    names: dict[str, dict[str, int | None]], given: ProfileText | None = None
) -> dict[str, ProfileText | None]:
    """For each profile name seen (mapped to its tables' observed intervals), its text or None.

    ``given`` wins for its own name; built-ins are matched by name, and among several of the
    same name by the observed tables and intervals (all must agree; the fewest tables beyond
    the data wins; a tie is unknown).
    """
    candidates = built_in_profiles()
    out: dict[str, ProfileText | None] = {}
    for name, observed in names.items():
        if given is not None and given.profile.name == name:
            out[name] = given
            continue
        same = [c for c in candidates if c.profile.name == name]
        if len(same) > 1:  # the one that agrees with the data, with the fewest tables beyond it
            agree = [c for c in same if _agrees(c.profile, observed)]
            fewest = min((len(c.profile.tables) for c in agree), default=0)
            same = [c for c in agree if len(c.profile.tables) == fewest]
        out[name] = same[0] if len(same) == 1 else None
    return out


def _agrees(profile: Profile, observed: dict[str, int | None]) -> bool:
    intervals = {t.name: t.interval_minutes for t in profile.tables}
    return all(
        table in intervals and (minutes is None or intervals[table] == minutes)
        for table, minutes in observed.items()
    )


__all__ = ["ProfileText", "built_in_profiles", "read_profile_file", "resolve"]
