"""What profile validation reports: problems that name the file, the line and the rule."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from syncengine.errors import SyncengineError
from syncengine.profile.model import Profile
from vocabulary.problems import Collector, Problem


class ProfileRule(StrEnum):
    """Rules only offline profiles check (the shared ones are ``TomlRule``'s)."""

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
    RELATIONSHIP_COUNT = "relationship-count"
    """More than 15 relationships on one table."""
    SELF_RELATIONSHIP = "self-relationship"
    """A table related to itself."""
    RELATIONSHIP_CYCLE = "relationship-cycle"
    """Relationships that lead back to where they started."""
    RELATIONSHIP_TARGET = "relationship-target"
    """A relationship to a table the profile does not hold."""
    RELATIONSHIP_LOOKUP = "relationship-lookup"
    """A relationship's column is not a lookup between the two tables."""
    DUPLICATE_RELATIONSHIP = "duplicate-relationship"
    """The same relationship declared twice on a table."""
    RELATED_FILTER = "related-filter"
    """A filter on a related table the table declares no relationship to (or more than one,
    without ``via`` saying which)."""
    TABLE_COUNT = "table-count"
    """More tables than recommended (a warning)."""


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


def report(found: Collector, profile: Profile | None) -> ValidationReport:
    """The report of what ``found`` holds; no profile when there are errors."""
    errors = found.errors()
    return ValidationReport(None if errors else profile, errors, found.warnings())
