"""Reading one ``[[alert]]`` table's values: typed getters that report each problem at its key's
line, and the fields every kind shares (``for``, ``min_count``, ``labels``, ``annotations``…).

A bad value is one problem naming the line, never a traceback: a threshold of 400 digits, a
duration of ``"99999999999999999999d"``, ``nan``, ``inf`` or ``true`` where a number belongs.
"""

from __future__ import annotations

import math
import re
from datetime import timedelta
from enum import StrEnum
from typing import Any, Final

from insights.alerts.durations import DurationTooLong, format_duration, parse_duration
from insights.alerts.rules import AlertFileRule
from vocabulary.problems import Collector, TomlRule
from vocabulary.toml_lines import KeyPath

LARGEST: Final = 1e15
"""The largest magnitude a number in a rule may have (beyond it floats stop being exact)."""
LABEL_NAME: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
"""Alertmanager's label name syntax (names starting ``__`` are reserved)."""
RESERVED_LABELS: Final = ("alertname", "slo_window")
"""Labels synctel sets itself."""


class RuleReader:
    """Reads the values of one ``[[alert]]`` table, reporting each problem at its key's line."""

    def __init__(self, out: Collector, index: int, raw: dict[str, Any]) -> None:
        """The ``index``-th ``[[alert]]`` table, ``raw``; problems go to ``out``."""
        self.out = out
        """Where problems are collected."""
        self.path: KeyPath = ("alert", index)
        """The table's key path."""
        self.raw = raw
        """The table as parsed."""
        name = raw.get("name")
        self.label = f"alert {name!r}" if isinstance(name, str) else f"alert #{index + 1}"
        """How messages name the alert."""

    def error(self, key: str | KeyPath, rule: StrEnum, message: str) -> None:
        """Report ``message`` at the line of ``key`` (a key of the table, or a path under it)."""
        sub = (key,) if isinstance(key, str) else key
        self.out.error((*self.path, *sub), rule, f"{self.label}: {message}")

    def text(self, key: str, *, required: bool = True) -> str | None:
        """A non-empty string (stripped)."""
        value = self.raw.get(key)
        if value is None:
            if required:
                self.error((), TomlRule.REQUIRED, f"missing required key {key!r}")
            return None
        if not isinstance(value, str) or not value.strip():
            self.error(key, TomlRule.TYPE, f"{key!r} must be a non-empty string")
            return None
        return value.strip()

    def duration(
        self,
        key: str | KeyPath,
        value: object,
        *,
        low: timedelta,
        name: str | None = None,
    ) -> timedelta | None:
        """``value`` (the text at ``key``) as a duration of at least ``low``."""
        name = name or (key if isinstance(key, str) else str(key[-1]))
        if not isinstance(value, str) or not value.strip():
            self.error(key, TomlRule.TYPE, f"{name} must be a duration such as '10m'")
            return None
        text = value.strip()
        try:
            found = parse_duration(text)
        except DurationTooLong as exc:
            self.error(
                key,
                AlertFileRule.DURATION,
                f"{name} {exc}: alerts look at recent events; write at most '366d'",
            )
            return None
        if found is None:
            self.error(
                key,
                AlertFileRule.DURATION,
                f"{name} {text!r} is not a duration: write a number and a unit "
                "(s, m, h or d), e.g. '30s', '10m', '1h', '1h30m'",
            )
            return None
        if found < low:
            self.error(
                key,
                AlertFileRule.DURATION,
                f"{name} {text!r} must be at least {format_duration(low)}",
            )
            return None
        return found

    def optional_duration(self, key: str, *, low: timedelta) -> timedelta | None:
        """The duration at ``key``, or None when the key is absent."""
        value = self.raw.get(key)
        return None if value is None else self.duration(key, value, low=low)

    def number(
        self,
        key: str | KeyPath,
        value: object,
        *,
        name: str,
        low: float = -LARGEST,
        high: float = LARGEST,
        open_range: bool = False,
    ) -> float | None:
        """``value`` as a finite float in ``[low, high]`` (``(low, high)`` with ``open_range``)."""
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.error(key, TomlRule.TYPE, f"{name} must be a number, not {value!r}")
            return None
        if isinstance(value, int) and abs(value) > LARGEST:
            self.error(
                key,
                AlertFileRule.NUMBER,
                f"{name} has {len(str(abs(value)))} digits: it must be between {low:g} and "
                f"{high:g}",
            )
            return None
        number = float(value)
        if not math.isfinite(number):
            self.error(key, AlertFileRule.NUMBER, f"{name} must be a finite number, not {value}")
            return None
        outside = number <= low or number >= high if open_range else not low <= number <= high
        if outside:
            ends = (
                f"strictly between {low:g} and {high:g}"
                if open_range
                else (f"between {low:g} and {high:g}")
            )
            self.error(key, AlertFileRule.NUMBER, f"{name} {value} must be {ends}")
            return None
        return number

    def min_count(self) -> int:
        """``min_count``: a whole number of events, 0 (the default) or more."""
        value = self.raw.get("min_count")
        if value is None:
            return 0
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(
                "min_count", TomlRule.TYPE, f"min_count must be a whole number, not {value!r}"
            )
            return 0
        if not 0 <= value <= 1_000_000_000:
            self.error(
                "min_count", AlertFileRule.NUMBER, f"min_count {value} must be between 0 and 1e9"
            )
            return 0
        return value

    def string_table(self, key: str) -> tuple[tuple[str, str], ...]:
        """``labels`` or ``annotations``: a table of names (label syntax) to strings."""
        raw = self.raw.get(key)
        if raw is None:
            return ()
        if not isinstance(raw, dict):
            self.error(key, TomlRule.TYPE, f'{key} must be a table, e.g. {{ severity = "page" }}')
            return ()
        found: list[tuple[str, str]] = []
        for name, value in raw.items():
            if not LABEL_NAME.fullmatch(name) or name.startswith("__"):
                self.error(
                    (key, name),
                    AlertFileRule.LABEL,
                    f"{key} name {name!r} must be letters, digits and '_', not starting with a "
                    "digit or '__'",
                )
            elif key == "labels" and name in RESERVED_LABELS:
                self.error(
                    (key, name), AlertFileRule.LABEL, f"label {name!r} is set by synctel itself"
                )
            elif not isinstance(value, str) or not value.strip():
                self.error((key, name), TomlRule.TYPE, f"{key}.{name} must be a non-empty string")
            elif name == "runbook_url" and not value.startswith(("http://", "https://")):
                self.error(
                    (key, name), TomlRule.VALUE, f"runbook_url {value!r} must be an http(s) URL"
                )
            else:
                found.append((name, value.strip()))
        return tuple(found)

    def webhook(self) -> str | None:
        """``webhook``: an http:// or https:// URL, or None."""
        url = self.text("webhook", required=False)
        if url is not None and not url.startswith(("http://", "https://")):
            self.error(
                "webhook", TomlRule.VALUE, f"webhook {url!r} must be an http:// or https:// URL"
            )
            return None
        return url

    def clashing_labels(self, labels: tuple[tuple[str, str], ...], by: tuple[str, ...]) -> None:
        """Report labels named like one of the instance's own columns (``by``)."""
        for name, _ in labels:
            if name in by:
                self.error(
                    ("labels", name),
                    AlertFileRule.LABEL,
                    f"label {name!r} clashes with the instance's own {name!r}; rename the label",
                )
