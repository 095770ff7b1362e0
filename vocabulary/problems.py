"""Problems in a TOML file that name the file, the line and the rule: one machinery, every format.

Each file format (offline profiles, simulator scenarios, alert rules) has its own rule enum for
the checks only it makes; :class:`TomlRule` holds the rules every format shares. A problem shows
as ``file line N: what is wrong and how to correct it [rule]``.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

from vocabulary.toml_lines import KeyPath, line_of


class TomlRule(StrEnum):
    """Rules every TOML format checks; shown in brackets at the end of each message."""

    FILE = "file"
    """The file cannot be read."""
    TOML_SYNTAX = "toml-syntax"
    """The text is not TOML."""
    REQUIRED = "required"
    """A required key is missing."""
    UNKNOWN_KEY = "unknown-key"
    """A key the format does not have (often a typo)."""
    TYPE = "type"
    """A value of the wrong TOML type."""
    VALUE = "value"
    """A value that does not fit the key."""


Severity = Literal["error", "warning"]

_SYNTAX_AT = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file."""

    source: str
    """The file (or ``<string>``) the text came from."""
    line: int
    """1-based line in that file; 0 when the problem concerns the whole file."""
    rule: StrEnum
    """The rule broken: a :class:`TomlRule` or a member of the format's own rule enum."""
    message: str
    """What is wrong and how to correct it."""
    severity: Severity = "error"
    """Errors make a file unusable; warnings do not."""

    def __str__(self) -> str:
        where = f"{self.source} line {self.line}" if self.line else self.source
        return f"{where}: {self.message} [{self.rule}]"


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """``"; did you mean 'x'?"`` for the closest of ``choices``, or ``""``."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


@dataclass
class Collector:
    """Gathers problems while a file is read, placing each at the line of its key path."""

    source: str
    """Named in every problem."""
    lines: dict[KeyPath, int]
    """Key path → line, from ``toml_lines.key_lines``."""
    problems: list[Problem] = field(default_factory=list)
    """Everything found so far."""

    def line(self, path: KeyPath) -> int:
        """The line of ``path`` (or of its nearest parent)."""
        return line_of(self.lines, path)

    def error(self, path: KeyPath, rule: StrEnum, message: str) -> None:
        """Record an error at ``path``."""
        self.problems.append(Problem(self.source, self.line(path), rule, message))

    def warning(self, path: KeyPath, rule: StrEnum, message: str) -> None:
        """Record a warning at ``path``."""
        self.problems.append(Problem(self.source, self.line(path), rule, message, "warning"))

    def error_count(self) -> int:
        """How many errors so far (to tell whether a part read cleanly)."""
        return sum(p.severity == "error" for p in self.problems)

    def unknown_keys(self, raw: dict[str, object], path: KeyPath, allowed: Iterable[str]) -> None:
        """Report each key of ``raw`` not in ``allowed``, suggesting the closest valid key."""
        valid = list(allowed)
        for key in raw:
            if key not in valid:
                hint = did_you_mean(key, valid) or f"; valid keys: {', '.join(valid)}"
                self.error((*path, key), TomlRule.UNKNOWN_KEY, f"unknown key {key!r}{hint}")

    def errors(self) -> tuple[Problem, ...]:
        """Every error, in line order."""
        return tuple(
            p for p in sorted(self.problems, key=lambda p: p.line) if p.severity == "error"
        )

    def warnings(self) -> tuple[Problem, ...]:
        """Every warning, in line order."""
        ordered = sorted(self.problems, key=lambda p: p.line)
        return tuple(p for p in ordered if p.severity == "warning")


def syntax_problem(message: str, source: str) -> Problem:
    """A tomllib error message as a Problem on its line (every format)."""
    found = _SYNTAX_AT.search(message)
    if found is None:
        return Problem(source, 0, TomlRule.TOML_SYNTAX, f"invalid TOML: {message}")
    detail = message[: found.start()]
    return Problem(
        source,
        int(found.group(1)),
        TomlRule.TOML_SYNTAX,
        f"invalid TOML: {detail} (column {found.group(2)})",
    )
