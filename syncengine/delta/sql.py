"""The SQL of a delta: the target set, its diff with the holdings, and the indexes they use.

The *target set* of a table for a device is the rows matching the table's filter plus the rows
pulled in by relationships from the rows the device holds of the source tables (S1, S3). It is
built in the ``_target`` temp table and diffed with the device's holdings, all in SQL (S9: rows
that left the target set are removals). Where two query shapes give the same rows, the cost
model (``estimates``) picks one.

Many-to-one pulls compare a reference with an id exactly, with no type conversion (as the
test oracle does). "ref IN (r.id)" is that comparison in the form SQLite's planner matches
to the expression index; "ref = r.id" would give the reference r.id's text affinity, and
the planner would then scan every row of the source table instead of seeking.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Sequence

from syncengine.delta.estimates import RowEstimates
from syncengine.delta.scope import Changes, DeltaScope
from syncengine.profile.filters import compile_filter, json_column
from syncengine.profile.model import Direction, Filter, Group, OwnedByUser, Profile
from syncengine.protocol import WireRecord
from syncengine.relations import sources

TEMP_SCHEMA = """
CREATE TEMP TABLE IF NOT EXISTS _target(id TEXT PRIMARY KEY, version INTEGER) WITHOUT ROWID;
CREATE TEMP TABLE IF NOT EXISTS _scope(id TEXT PRIMARY KEY) WITHOUT ROWID;
"""
"""Per-connection scratch tables: the target set, and the ids changed since a token."""

_NON_WORD = re.compile(r"\W")
_WALK_SCOPE = "_scope s CROSS JOIN records r ON r.id=s.id"


def relation_index_sql(profile: Profile) -> list[str]:
    """Expression indexes that make relationship lookups index seeks: the raw reference for
    many-to-one pulls (compared exactly), its text form for one-to-many pulls (compared with
    the held id's text affinity, as ``CAST(ref AS TEXT)`` does)."""
    rels = {(rel.column, rel.direction) for t in profile.tables for rel in t.relationships}
    return [
        f'CREATE INDEX IF NOT EXISTS "records_rel_{_NON_WORD.sub("_", c)}" '
        f"ON records(tbl, {json_column(c)})"
        for c in sorted(c for c, d in rels if d is Direction.MANY_TO_ONE)
    ] + [
        f'CREATE INDEX IF NOT EXISTS "records_ref_{_NON_WORD.sub("_", c)}" '
        f"ON records(tbl, {_text_ref('records', c)})"
        for c in sorted(c for c, d in rels if d is Direction.ONE_TO_MANY)
    ]


def _lookup(alias: str, column: str) -> str:
    return json_column(column).replace("fields", f"{alias}.fields", 1)


def _text_ref(alias: str, column: str) -> str:
    # "held.id = ref" applies the id column's text affinity to the reference; CAST(ref AS TEXT)
    # converts the same way and, having text affinity itself, can be matched to an index.
    lookup = json_column(column) if alias == "records" else _lookup(alias, column)
    return f"CAST({lookup} AS TEXT)"


def owner_indexed(flt: Filter) -> bool:
    """The filter keeps only the user's own rows, so the (tbl, owner) index finds them."""
    return isinstance(flt, OwnedByUser) or (
        isinstance(flt, Group)
        and flt.kind == "all"
        and any(isinstance(i, OwnedByUser) for i in flt.items)
    )


# --- the changelog ----------------------------------------------------------------------------


def latest_seq(conn: sqlite3.Connection) -> int:
    """The changelog's latest position (0 when empty)."""
    seq: int = conn.execute("SELECT COALESCE(MAX(seq), 0) FROM changelog").fetchone()[0]
    return seq


def changed_since(conn: sqlite3.Connection, tables: Sequence[str], since: int) -> bool:
    """Whether any of ``tables`` changed after changelog position ``since``."""
    return any(
        conn.execute("SELECT 1 FROM changelog WHERE tbl=? AND seq>? LIMIT 1", (t, since)).fetchone()
        for t in tables
    )


def count_changed(conn: sqlite3.Connection, table: str, since: int, *, limit: int) -> int:
    """Changelog entries of ``table`` after ``since``, counted up to ``limit``."""
    count: int = conn.execute(
        "SELECT COUNT(*) FROM (SELECT 1 FROM changelog WHERE tbl=? AND seq>? LIMIT ?)",
        (table, since, limit),
    ).fetchone()[0]
    return count


def list_changed(conn: sqlite3.Connection, table: str, since: int) -> int:
    """List the ids of ``table`` changed after ``since`` in ``_scope``; how many there are."""
    conn.execute("DELETE FROM _scope")
    return conn.execute(
        # not DISTINCT: SQLite would walk the table's whole history in id order
        "INSERT OR IGNORE INTO _scope SELECT id FROM changelog WHERE tbl=? AND seq>?",
        (table, since),
    ).rowcount


def _in_scope(alias: str, changes: Changes, slot: str = "?") -> tuple[str, tuple[int, ...]]:
    """SQL and its parameter (bound at ``slot``): the row ``alias`` is one of ``changes``."""
    if changes.listed:
        return f"+{alias}.id IN (SELECT id FROM _scope)", ()
    return (
        f"EXISTS (SELECT 1 FROM changelog c WHERE c.tbl={alias}.tbl AND c.id={alias}.id "
        f"AND c.seq>{slot})"
    ), (changes.since,)


# --- the target set ---------------------------------------------------------------------------


def fill_target(conn: sqlite3.Connection, scope: DeltaScope, estimates: RowEstimates) -> None:
    """The target set of the scope's table (only its changed rows, for an incremental
    computation) into ``_target``.

    An incremental computation either walks the changed ids (fleet-wide) or, when there are
    more of them than the device holds, computes from the device's side (its own rows by the
    owner index, what its held source rows point at) and keeps what changed: the same rows,
    at a cost that does not grow with the fleet.
    """
    table, device_id, changes = scope.table, scope.device_id, scope.changes
    conn.execute("DELETE FROM _target")
    flt = scope.profile.table(table).filter
    where, params = compile_filter(flt, user_id=scope.user_id, today=scope.today, row="r")
    rows, keep, since = "records r", "", tuple[int, ...]()
    if changes is not None:
        if not owner_indexed(flt) or estimates.walk_changes(
            changes, device_id=device_id, table=table
        ):
            rows = _WALK_SCOPE
        else:
            keep, since = _in_scope("r", changes)
            keep = f" AND {keep}"
    conn.execute(
        f"INSERT OR IGNORE INTO _target SELECT r.id, r.version FROM {rows} "
        f"WHERE r.tbl=? AND ({where}){keep}",
        (table, *params, *since),
    )
    for src, rel in sources(scope.profile, table):
        _pull(conn, scope, estimates, src=src, column=rel.column, direction=rel.direction)


def _pull(
    conn: sqlite3.Connection,
    scope: DeltaScope,
    estimates: RowEstimates,
    *,
    src: str,
    column: str,
    direction: Direction,
) -> None:
    """Add to ``_target`` the rows the device's held ``src`` rows pull in through ``column``."""
    table, device_id, changes = scope.table, scope.device_id, scope.changes
    in_scope, since = "", tuple[int, ...]()
    by_held: bool | None = None
    if changes is not None:
        in_scope, since = _in_scope("r", changes, "?4")
        in_scope = f" AND {in_scope}"
        by_held = not estimates.walk_changes(changes, device_id=device_id, table=src)
    rows, keep = _WALK_SCOPE, ""
    if direction is Direction.ONE_TO_MANY:
        # the rows of ``table`` hold the id of the source row they belong to
        if by_held is None:
            by_held = estimates.pull_by_held(scope, src)
        if by_held:
            pull = (
                f"{_text_ref('r', column)} IN "
                "(SELECT h.id FROM holdings h WHERE h.device_id=?1 AND h.tbl=?2)"
            )
            rows, keep = "records r", in_scope
        else:
            pull = (
                "EXISTS (SELECT 1 FROM holdings h WHERE h.device_id=?1 AND h.tbl=?2 "
                f"AND h.id={_lookup('r', column)})"
            )
    elif by_held is False or (by_held is None and estimates.probe_rows(scope, src)):
        # few candidates, or few rows with most of the source held: seek the source
        # rows pointing at each (expression index)
        pull = (
            "EXISTS (SELECT 1 FROM records x CROSS JOIN holdings h "
            f"WHERE x.tbl=?2 AND {_lookup('x', column)} IN (r.id) "
            "AND h.device_id=?1 AND h.tbl=x.tbl AND h.id=x.id)"
        )
    else:
        # collect what the held source rows point at, once; only text equals an id
        # exactly ("+r.id IN" would compare exactly too, but scan the whole table)
        ref = _lookup("x", column)
        pull = (
            f"r.id IN (SELECT {ref} FROM holdings h JOIN records x ON x.tbl=h.tbl "
            f"AND x.id=h.id WHERE h.device_id=?1 AND h.tbl=?2 AND typeof({ref})='text')"
        )
        rows, keep = "records r", in_scope
    if changes is None:
        rows = "records r"
    conn.execute(
        f"INSERT OR IGNORE INTO _target SELECT r.id, r.version FROM {rows} "
        f"WHERE r.tbl=?3 AND {pull}{keep}",
        (device_id, src, table, *(since if keep else ())),
    )


# --- the diff ---------------------------------------------------------------------------------


def clear_holdings(conn: sqlite3.Connection, device_id: str, table: str) -> None:
    """Forget every row of ``table`` the device holds (a reset)."""
    conn.execute("DELETE FROM holdings WHERE device_id=? AND tbl=?", (device_id, table))


def apply_diff(
    conn: sqlite3.Connection, scope: DeltaScope, estimates: RowEstimates
) -> tuple[list[WireRecord], list[str]]:
    """Diff ``_target`` with the device's holdings and move the holdings to match: the
    records to send (new or newer) and the ids to drop (held, in scope, not in the target)."""
    table, device_id, changes = scope.table, scope.device_id, scope.changes
    upserts: list[WireRecord] = conn.execute(
        "SELECT r.id, r.version, r.owner, r.fields FROM _target t "
        "CROSS JOIN records r ON r.tbl=? AND r.id=t.id "
        "LEFT JOIN holdings h ON h.device_id=? AND h.tbl=? AND h.id=t.id "
        "WHERE h.id IS NULL OR h.version<>t.version",
        (table, device_id, table),
    ).fetchall()
    held, keep, since = "holdings h", "", tuple[int, ...]()
    if changes is not None:
        if estimates.walk_changes(changes, device_id=device_id, table=table):
            held = "_scope s CROSS JOIN holdings h ON h.id=s.id"
        else:
            keep, since = _in_scope("h", changes)
            keep = f"AND {keep} "
    removals: list[str] = [
        r[0]
        for r in conn.execute(
            f"SELECT h.id FROM {held} WHERE h.device_id=? AND h.tbl=? {keep}"
            "AND NOT EXISTS (SELECT 1 FROM _target t WHERE t.id=h.id)",
            (device_id, table, *since),
        )
    ]
    if removals:
        conn.executemany(
            "DELETE FROM holdings WHERE device_id=? AND tbl=? AND id=?",
            ((device_id, table, i) for i in removals),
        )
    if upserts:
        # the rows just selected, written in SQL: no round trip through Python per row
        conn.execute(
            "INSERT OR REPLACE INTO holdings(device_id, tbl, id, version) "
            "SELECT ?1, ?2, t.id, t.version FROM _target t "
            "LEFT JOIN holdings h ON h.device_id=?1 AND h.tbl=?2 AND h.id=t.id "
            "WHERE h.id IS NULL OR h.version<>t.version",
            (device_id, table),
        )
    return upserts, removals
