"""The explicit scope of one delta computation: whose copy of which table, as of when.

Every step of a computation (the choice of path, the cost model, the SQL) reads what it needs
from a ``DeltaScope`` passed to it, never from state left behind by an earlier step.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from syncengine.delta.tokens import TableState
from syncengine.profile.model import Profile


@dataclass(frozen=True, kw_only=True)
class Changes:
    """The rows an incremental computation re-evaluates: those changed after ``since``."""

    since: int
    """Changelog position the device's holdings account for."""
    rows: int
    """How many ids changed: exact when ``listed``, otherwise a bound larger than anything the
    device holds of the table or its sources."""
    listed: bool
    """The changed ids are listed in the ``_scope`` temp table; otherwise they are read from the
    changelog (its covering index) where needed."""


@dataclass(frozen=True, kw_only=True)
class DeltaScope:
    """One device's copy of one table, as of one changelog position and day."""

    profile: Profile
    """The device's profile."""
    table: str
    """The table computed."""
    device_id: str
    """The device whose holdings are diffed."""
    user_id: str
    """The device's user (for owner filters)."""
    today: date
    """The day relative date filters are evaluated for."""
    max_seq: int
    """The changelog position the computation accounts for."""
    source_tables: tuple[str, ...]
    """Tables whose held rows pull rows into ``table`` through relationships."""
    source_gens: dict[str, int]
    """The current ``gen`` of each source table's holdings."""
    filter_tables: tuple[str, ...] = ()
    """Related tables the table's filter reads (``Related`` predicates): a change to one of
    their rows can move rows of ``table`` in or out."""
    state: TableState | None
    """What the server remembered of this copy before the computation."""
    changes: Changes | None = None
    """``None``: recompute the whole target set; otherwise only these changed rows."""
