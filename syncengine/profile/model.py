"""The offline profile (S1, S4): which tables a device holds, how often, and which rows.

These are plain frozen values. ``syncengine.profile.load`` builds them from TOML and validates
them; ``syncengine.profile.filters`` turns a table's filter into SQL over the server's records.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal


class Op(StrEnum):
    """Comparison operators of a field predicate."""

    EQ = "eq"
    NE = "ne"
    IN = "in"
    NOT_IN = "not_in"
    GT = "gt"
    GE = "ge"
    LT = "lt"
    LE = "le"
    NULL = "null"
    NOT_NULL = "not_null"
    # relative date windows: ``days`` counts from the device's today (may be negative)
    ON_OR_AFTER = "on_or_after"
    ON_OR_BEFORE = "on_or_before"


RELATIVE_OPS = frozenset({Op.ON_OR_AFTER, Op.ON_OR_BEFORE})
VALUELESS_OPS = frozenset({Op.NULL, Op.NOT_NULL}) | RELATIVE_OPS

Scalar = str | int | float | bool


@dataclass(frozen=True)
class AllRows:
    """Every row of the table."""


@dataclass(frozen=True)
class OwnedByUser:
    """Rows whose owner is the signed-in user."""


@dataclass(frozen=True)
class Condition:
    """A predicate on one column, e.g. ``msdyn_systemstatus ne 690970004`` (not completed)."""

    column: str
    """The column the predicate reads."""
    op: Op
    """How the column compares."""
    value: Scalar | tuple[Scalar, ...] | None = None
    """The operand; a tuple for ``in``/``not_in``; None for ``null``/``not_null`` and date ops."""
    days: int = 0
    """For relative date ops: offset from today, e.g. 0 = "today or later" with ``on_or_after``."""


class Direction(StrEnum):
    """Which side of a relationship holds the lookup column."""

    MANY_TO_ONE = "many_to_one"
    """``column`` is on this table and holds the related row's id (work order → account)."""
    ONE_TO_MANY = "one_to_many"
    """``column`` is on the related table and holds this row's id (work order → its products)."""


@dataclass(frozen=True)
class Relationship:
    """Rows of ``table`` linked to rows this table holds come along with them (S1)."""

    table: str
    """The related table."""
    column: str
    """The lookup column (on this table for many-to-one, on the related one for one-to-many)."""
    direction: Direction = Direction.MANY_TO_ONE
    """Where the lookup column lives."""


@dataclass(frozen=True)
class Related:
    """A predicate on a related table's column, through a relationship the table declares
    (S1, S3), e.g. bookings whose booking status is not Completed.

    Many-to-one: the row the lookup points at matches. One-to-many: at least one related row
    pointing at this row matches. A row whose related row is missing does not match (and
    ``not`` of it does). The server evaluates it on its current rows of the related table, so
    a change there moves rows in or out of the device's copy at the next pass (S9).
    """

    relationship: Relationship
    """The declared relationship the filter goes through."""
    condition: Condition
    """The predicate, on a column of ``relationship.table``."""


@dataclass(frozen=True)
class Group:
    """``all`` (and) or ``any`` (or) of nested filters."""

    kind: Literal["all", "any"]
    """How the items combine."""
    items: tuple[Filter, ...]
    """The nested filters."""


@dataclass(frozen=True)
class Not:
    """The negation of a nested filter."""

    item: Filter
    """The filter negated."""


Filter = AllRows | OwnedByUser | Condition | Related | Group | Not


@dataclass(frozen=True)
class TableProfile:
    """One table of a profile."""

    name: str
    """Logical table name, e.g. ``msdyn_workorder``."""
    interval_minutes: int
    """Sync interval, 5 to 1440 minutes."""
    filter: Filter = field(default_factory=AllRows)
    """Which rows the device holds (beyond those pulled in by relationships)."""
    relationships: tuple[Relationship, ...] = ()
    """At most 15; none to itself; no cycles."""
    line: int = 0
    """Line in the profile's TOML file where this table is declared (0 when built in code)."""


@dataclass(frozen=True)
class AdminSettings:
    """Admin toggles (S4)."""

    allow_user_sync_frequency: bool = True
    """Users may change how often sync runs."""
    allow_wifi_only: bool = True
    """Users may restrict sync to Wi-Fi."""
    allow_online_mode: bool = True
    """Users may work online while sync keeps the offline copy current."""


@dataclass(frozen=True)
class Profile:
    """A named offline profile."""

    name: str
    """Shown to admins and carried on every event as ``sync.profile``."""
    tables: tuple[TableProfile, ...]
    """The tables a device holds."""
    conflict_detection: bool = False
    """S7: False (default) lets the device's change win; True lets the server's change win."""
    settings: AdminSettings = field(default_factory=AdminSettings)
    """Admin toggles."""
    source: str = "<built-in>"
    """Where the profile came from, for messages."""

    def table(self, name: str) -> TableProfile:
        """The table called ``name``; KeyError if the profile does not hold it."""
        for table in self.tables:
            if table.name == name:
                return table
        raise KeyError(name)

    @property
    def table_names(self) -> tuple[str, ...]:
        """Table names in declaration order."""
        return tuple(t.name for t in self.tables)
