"""What the server remembers of each device's copy of each table, and the token built from it.

A device's token for a table is ``seq.gen``: the changelog position its holdings account for
and a generation bumped whenever those holdings change. The server keeps one ``TableState``
per (device, table) in ``device_tables``, next to the generations of the table's source tables
when it was last computed (a source's holdings moving means the table must be recomputed).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class TableState:
    """What the server remembers of one device's copy of one table."""

    seq: int
    """Changelog position the holdings account for."""
    gen: int
    """Bumped each time the holdings change; part of the token."""
    day: str
    """The day (ISO) relative date filters were last evaluated for."""
    source_gens: dict[str, int]
    """``gen`` of each source table when this table was last computed."""

    @property
    def token(self) -> str:
        """The token handed to the device."""
        return f"{self.seq}.{self.gen}"


def load_state(conn: sqlite3.Connection, device_id: str, table: str) -> TableState | None:
    """The server's memory of ``device_id``'s copy of ``table`` (``None``: never computed)."""
    row = conn.execute(
        "SELECT seq, gen, day, source_gens FROM device_tables WHERE device_id=? AND tbl=?",
        (device_id, table),
    ).fetchone()
    if row is None:
        return None
    return TableState(row[0], row[1], row[2], json.loads(row[3]))


def load_gens(conn: sqlite3.Connection, device_id: str, tables: Sequence[str]) -> dict[str, int]:
    """The current ``gen`` of each of ``tables`` the device has a state for."""
    marks = ",".join("?" * len(tables))
    rows = conn.execute(
        f"SELECT tbl, gen FROM device_tables WHERE device_id=? AND tbl IN ({marks})",
        (device_id, *tables),
    ).fetchall()
    return {t: g for t, g in rows}


def next_state(
    previous: TableState | None,
    *,
    seq: int,
    today: date,
    source_gens: dict[str, int],
    moved: bool,
) -> TableState:
    """The state after a computation at changelog position ``seq`` on ``today``.

    The generation is bumped when the holdings ``moved`` (or were reset) and on the first
    computation, so the token changes exactly when the device's copy does.
    """
    gen = previous.gen if previous else 0
    if moved or previous is None:
        gen += 1
    return TableState(seq, gen, today.isoformat(), source_gens)


def save_state(conn: sqlite3.Connection, device_id: str, table: str, state: TableState) -> None:
    """Remember ``state`` as ``device_id``'s copy of ``table``."""
    conn.execute(
        "INSERT OR REPLACE INTO device_tables(device_id, tbl, seq, gen, day, source_gens) "
        "VALUES (?,?,?,?,?,?)",
        (device_id, table, state.seq, state.gen, state.day, json.dumps(state.source_gens)),
    )
