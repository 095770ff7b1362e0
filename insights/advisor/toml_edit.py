"""A profile change as a minimal edit of the profile's own text, shown as a unified diff.

Only the value on the key's own line changes (its comment and layout stay), found through the
profile loader's line index (:func:`vocabulary.toml_lines.key_lines`). A key that is
absent (a top-level or ``[settings]`` key left at its default) is added on its own line. The
after-text is validated; an edit that would not validate, or would not set the value, is
refused with ``ValueError`` rather than shown.
"""

from __future__ import annotations

import difflib
import re
from typing import Any

from insights.advisor.model import Change
from insights.advisor.profiles import ProfileText
from syncengine.profile.model import Profile
from syncengine.profile.validate import validate_text
from vocabulary.toml_lines import KeyPath, key_lines

_VALUE = re.compile(
    r"^(?P<head>\s*(?P<key>[A-Za-z0-9_\"'.-]+)\s*=\s*)(?P<value>true|false|[+-]?\d+)(?P<tail>.*)$"
)


def literal(value: bool | int) -> str:
    """``value`` as a TOML literal."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def table_change(profile: ProfileText | None, table: str, key: str, after: int) -> Change:
    """Set ``key`` (``interval_minutes``) of ``table``'s ``[[tables]]`` block to ``after``."""
    snippet = f'[[tables]]\nname = "{table}"\n{key} = {literal(after)}\n'
    dotted = f"tables[{table}].{key}"
    if profile is None:
        return Change(dotted, None, after, snippet)
    index = profile.profile.table_names.index(table)
    before = getattr(profile.profile.tables[index], key)
    diff = _edit(profile, ("tables", index, key), key, after, lambda p: _table_value(p, table, key))
    return Change(dotted, before, after, snippet, diff, profile.source)


def setting_change(
    profile: ProfileText | None, section: str | None, key: str, after: bool
) -> Change:
    """Set top-level ``key`` (``section`` None) or ``[section].key`` to ``after``."""
    head = f"[{section}]\n" if section else ""
    snippet = f"{head}{key} = {literal(after)}\n"
    dotted = f"{section}.{key}" if section else key
    if profile is None:
        return Change(dotted, None, after, snippet)
    holder: Any = getattr(profile.profile, section) if section else profile.profile
    before = getattr(holder, key)
    path: KeyPath = (section, key) if section else (key,)

    def read(p: Profile) -> Any:
        return getattr(getattr(p, section) if section else p, key)

    diff = _edit(profile, path, key, after, read)
    return Change(dotted, before, after, snippet, diff, profile.source)


def _table_value(profile: Profile, table: str, key: str) -> Any:
    return getattr(profile.table(table), key)


def _edit(profile: ProfileText, path: KeyPath, key: str, after: bool | int, read: Any) -> str:
    lines = profile.text.splitlines(keepends=True)
    found = key_lines(profile.text).get(path)
    if found:
        match = _VALUE.match(lines[found - 1].rstrip("\r\n"))
        if match is None or match.group("key").strip("\"'") != key:
            raise ValueError(f"{profile.source} line {found}: cannot edit {key} in place")
        ending = lines[found - 1][len(lines[found - 1].rstrip("\r\n")) :] or "\n"
        lines[found - 1] = f"{match['head']}{literal(after)}{match['tail']}{ending}"
    elif len(path) == 1:  # a top-level key at its default: add it after the name
        name_line = key_lines(profile.text).get(("name",), 0)
        lines.insert(name_line, f"{key} = {literal(after)}\n")
    else:
        raise ValueError(f"{profile.source}: no line for {'.'.join(map(str, path))}")
    text = "".join(lines)
    report = validate_text(text, source=profile.source)
    if report.profile is None or read(report.profile) != after:
        raise ValueError(f"{profile.source}: setting {key} = {literal(after)} does not validate")
    return "".join(
        difflib.unified_diff(
            profile.text.splitlines(keepends=True),
            text.splitlines(keepends=True),
            fromfile=profile.source,
            tofile=f"{profile.source} (advised)",
        )
    )
