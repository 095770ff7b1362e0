"""What profile validation reports: problems that name the file, the line and the rule."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

from syncengine.errors import SyncengineError
from syncengine.profile.model import Profile
from syncengine.profile.toml_lines import KeyPath, line_of


class Rule(StrEnum):
    """The rule a problem breaks; shown in brackets at the end of each message."""

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
    NO_TABLES = "no-tables"
    """The profile holds no table."""
    INTERVAL = "interval"
    """A sync interval outside 5–1440 minutes."""
    UNKNOWN_TABLE = "unknown-table"
    """A table the schema does not know."""
    DUPLICATE_TABLE = "duplicate-table"
    """The same table declared twice."""
    UNKNOWN_COLUMN = "unknown-column"
    """A column the table does not have."""
    FILTER = "filter"
    """A filter of no known shape."""
    FILTER_DEPTH = "filter-depth"
    """Filters nested more than 3 levels."""
    OP = "op"
    """An unknown operator, or one that does not apply to the column's type."""
    VALUE = "value"
    """A value that does not fit the operator or the column."""
    RELATIONSHIP_COUNT = "relationship-count"
    """More than 15 relationships on one table."""
    SELF_RELATIONSHIP = "self-relationship"
    """A table related to itself."""
    RELATIONSHIP_CYCLE = "relationship-cycle"
    """Relationships that lead back to where they started."""
    RELATIONSHIP_TARGET = "relationship-target"
    """A relationship to a table the profile does not hold."""
    UNKNOWN_VIEW = "unknown-view"
    """A view that ``sql/views`` does not have (alert rules)."""
    UNKNOWN_METRIC = "unknown-metric"
    """A column the view does not have, or one that is not numeric (alert rules)."""
    DURATION = "duration"
    """A duration that cannot be read, or is too short (alert rules)."""
    RELATIONSHIP_LOOKUP = "relationship-lookup"
    """A relationship's column is not a lookup between the two tables."""
    DUPLICATE_RELATIONSHIP = "duplicate-relationship"
    """The same relationship declared twice on a table."""
    TABLE_COUNT = "table-count"
    """More tables than recommended (a warning)."""


Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a profile."""

    source: str
    """The file (or ``<string>``) the profile came from."""
    line: int
    """1-based line in that file; 0 when the problem concerns the whole file."""
    rule: Rule
    """The rule broken."""
    message: str
    """What is wrong and how to correct it."""
    severity: Severity = "error"
    """Errors make a profile unusable; warnings do not."""

    def __str__(self) -> str:
        where = f"{self.source} line {self.line}" if self.line else self.source
        return f"{where}: {self.message} [{self.rule}]"


class ProfileError(SyncengineError):
    """A profile that cannot be used; ``problems`` lists every error found, one per line."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: list[Problem] = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass(frozen=True)
class ValidationReport:
    """The outcome of validating one profile."""

    profile: Profile | None
    """The profile, or None when there are errors."""
    errors: tuple[Problem, ...] = ()
    """Every error, in file order."""
    warnings: tuple[Problem, ...] = ()
    """Every warning, in file order."""

    @property
    def ok(self) -> bool:
        """True when there are no errors (warnings allowed)."""
        return not self.errors

    def profile_or_raise(self) -> Profile:
        """The profile; ProfileError carrying every error when there are any."""
        if self.profile is None:
            raise ProfileError(self.errors)
        return self.profile


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """``"; did you mean 'x'?"`` for the closest of ``choices``, or ``""``."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


@dataclass
class Collector:
    """Gathers problems while a profile is read, placing each at the line of its key path."""

    source: str
    """Named in every problem."""
    lines: dict[KeyPath, int]
    """Key path → line, from ``toml_lines.key_lines``."""
    problems: list[Problem] = field(default_factory=list)
    """Everything found so far."""

    def line(self, path: KeyPath) -> int:
        """The line of ``path`` (or of its nearest parent)."""
        return line_of(self.lines, path)

    def error(self, path: KeyPath, rule: Rule, message: str) -> None:
        """Record an error at ``path``."""
        self.problems.append(Problem(self.source, self.line(path), rule, message))

    def warning(self, path: KeyPath, rule: Rule, message: str) -> None:
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
                self.error((*path, key), Rule.UNKNOWN_KEY, f"unknown key {key!r}{hint}")

    def report(self, profile: Profile | None) -> ValidationReport:
        """The report: errors and warnings in line order; no profile when there are errors."""
        ordered = sorted(self.problems, key=lambda p: p.line)
        errors = tuple(p for p in ordered if p.severity == "error")
        warnings = tuple(p for p in ordered if p.severity == "warning")
        return ValidationReport(None if errors else profile, errors, warnings)
