"""``DeltaComputer``: what one device must receive and drop for one table.

A thin facade: it builds the computation's ``DeltaScope``, lets ``decision`` choose the path,
has ``sql`` build the target set and diff it (``estimates`` picking query shapes) and saves
the device's new ``TableState`` (``tokens``).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, replace
from datetime import date

from syncengine.delta.decision import Incremental, Skip, choose
from syncengine.delta.estimates import RowEstimates
from syncengine.delta.scope import DeltaScope
from syncengine.delta.sql import TEMP_SCHEMA, apply_diff, clear_holdings, fill_target, latest_seq
from syncengine.delta.tokens import TableState, load_gens, load_state, next_state, save_state
from syncengine.profile.filters import is_time_relative, related_tables
from syncengine.profile.model import Profile
from syncengine.protocol import DownloadResponse
from syncengine.relations import sources


@dataclass(frozen=True)
class _Shape:
    """What a table's delta depends on, besides its own rows."""

    source_tables: tuple[str, ...]
    """Tables whose held rows pull rows into it through relationships."""
    filter_tables: tuple[str, ...]
    """Related tables its filter reads."""
    day_relative: bool
    """Its filter is a relative date window."""


class DeltaComputer:
    """Computes deltas on one open server connection (the caller holds the transaction)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        """Use ``conn``; creates the temp tables the computation needs."""
        self._conn = conn
        conn.executescript(TEMP_SCHEMA)
        self._estimates = RowEstimates(conn)
        self._shapes: dict[tuple[int, str], tuple[Profile, _Shape]] = {}

    def state(self, device_id: str, table: str) -> TableState | None:
        """The server's memory of ``device_id``'s copy of ``table``."""
        return load_state(self._conn, device_id, table)

    def delta(
        self,
        profile: Profile,
        table: str,
        device_id: str,
        user_id: str,
        token: str | None,
        today: date,
    ) -> DownloadResponse:
        """The delta for ``device_id``'s copy of ``table``, updating holdings to match."""
        conn = self._conn
        seq = latest_seq(conn)
        shape = self._shape(profile, table)
        src_tables = shape.source_tables
        scope = DeltaScope(
            profile=profile,
            table=table,
            device_id=device_id,
            user_id=user_id,
            today=today,
            max_seq=seq,
            source_tables=src_tables,
            source_gens=load_gens(conn, device_id, src_tables),
            filter_tables=shape.filter_tables,
            state=load_state(conn, device_id, table),
        )
        decision = choose(
            conn, self._estimates, scope, token=token, day_relative=shape.day_relative
        )
        if isinstance(decision, Skip):
            return DownloadResponse(table, decision.token)
        if isinstance(decision, Incremental):
            return self._compute(replace(scope, changes=decision.changes), reset=False)
        return self._compute(scope, reset=decision.reset)

    def _shape(self, profile: Profile, table: str) -> _Shape:
        """What the table's delta depends on (per profile)."""
        key = (id(profile), table)
        known = self._shapes.get(key)
        if known is None or known[0] is not profile:
            flt = profile.table(table).filter
            shape = _Shape(
                source_tables=tuple(sorted({s for s, _ in sources(profile, table)})),
                filter_tables=tuple(sorted(related_tables(flt))),
                day_relative=is_time_relative(flt),
            )
            known = (profile, shape)
            self._shapes[key] = known
        return known[1]

    def _compute(self, scope: DeltaScope, *, reset: bool) -> DownloadResponse:
        """Compute the target set of ``scope``, diff it with the holdings and save the new
        state; a ``reset`` replaces the device's copy wholesale."""
        conn, table, device_id = self._conn, scope.table, scope.device_id
        fill_target(conn, scope, self._estimates)
        if reset:
            clear_holdings(conn, device_id, table)
        upserts, removals = apply_diff(conn, scope, self._estimates)
        # only a reset moves the holdings unconditionally, and a reset cleared them first
        self._estimates.held_moved(
            device_id, table, upserts=len(upserts), removals=len(removals), cleared=reset
        )
        new = next_state(
            scope.state,
            seq=scope.max_seq,
            today=scope.today,
            source_gens=scope.source_gens,
            moved=bool(upserts or removals) or reset,
        )
        save_state(conn, device_id, table, new)
        if reset:
            return DownloadResponse(table, new.token, tuple(upserts), (), reset=True)
        return DownloadResponse(table, new.token, tuple(upserts), tuple(removals))
