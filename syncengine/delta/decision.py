"""Choosing how to answer a download: skip, incremental or full (cheapest first).

- **skip**: nothing changed in the table, its sources or the related tables its filter reads
  since the device's token, the sources' holdings are as they were, and the filter is not a
  relative date window on a new day;
- **incremental**: only the table itself changed: re-evaluate just the changed ids;
- **full**: recompute the whole target set (first sync, lost token, sources, filter tables or
  day changed); a lost or unknown token also resets the device's copy.

A change to a row of a table the filter reads through a relationship (a booking status
renamed to Completed) can move any row pointing at it, whether or not that row changed: it is
treated like a change to a source table, so the next pass recomputes the target set and the
rows that left it are removed (S9).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from syncengine.delta.estimates import RowEstimates
from syncengine.delta.scope import Changes, DeltaScope
from syncengine.delta.sql import changed_since, count_changed, list_changed, owner_indexed


@dataclass(frozen=True)
class Skip:
    """Nothing to send: the device's copy is current."""

    token: str
    """The device's token, handed back unchanged."""


@dataclass(frozen=True)
class Incremental:
    """Re-evaluate only the rows of the table that changed since the device's token."""

    changes: Changes
    """Which rows those are, and where the computation finds them."""


@dataclass(frozen=True, kw_only=True)
class Full:
    """Recompute the whole target set of the table."""

    reset: bool
    """The device's copy is unknown (first sync, lost token): replace it wholesale."""


Decision = Skip | Incremental | Full
"""The path a download takes."""


def choose(
    conn: sqlite3.Connection,
    estimates: RowEstimates,
    scope: DeltaScope,
    *,
    token: str | None,
    day_relative: bool,
) -> Decision:
    """The cheapest path that gives the device the right delta for ``scope``.

    ``token`` is what the device sent; ``day_relative``: the table's filter is a relative
    date window. Choosing an incremental path lists the changed ids when it will walk them.
    """
    state = scope.state
    if state is None or token is None or token != state.token:
        return Full(reset=True)
    day_ok = not day_relative or state.day == scope.today.isoformat()
    sources_ok = scope.source_gens == state.source_gens and not changed_since(
        conn, (*scope.source_tables, *scope.filter_tables), state.seq
    )
    if not (day_ok and sources_ok):
        return Full(reset=False)
    if not changed_since(conn, [scope.table], state.seq):
        return Skip(state.token)
    return Incremental(_changes(conn, estimates, scope, since=state.seq))


def _changes(
    conn: sqlite3.Connection, estimates: RowEstimates, scope: DeltaScope, *, since: int
) -> Changes:
    """The rows of the table changed after ``since``.

    A set of changes larger than anything the device holds is never walked (nor written
    out): every part is computed from the device's side and checked against the changelog.
    """
    table = scope.table
    bound = 1 + max(estimates.held(scope.device_id, t) for t in [table, *scope.source_tables])
    rows = count_changed(conn, table, since, limit=bound)
    if rows < bound or not owner_indexed(scope.profile.table(table).filter):
        return Changes(since=since, rows=list_changed(conn, table, since), listed=True)
    return Changes(since=since, rows=rows, listed=False)
