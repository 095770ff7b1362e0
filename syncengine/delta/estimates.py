"""The row-count cost model that picks a query shape for a delta.

Counts here are estimates, recounted after about a quarter of churn, and only ever choose
between query shapes that return the same rows: they never decide what a delta holds.
"""

from __future__ import annotations

import sqlite3

from syncengine.delta.scope import Changes, DeltaScope

FEW_ROWS = 4096
"""A table with at most this many rows may be probed row by row for held source rows."""


class RowEstimates:
    """Estimated row counts of tables and of device holdings, cached per connection."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        """Count on ``conn`` when an estimate is missing or stale."""
        self._conn = conn
        # table -> (changelog position when counted, rows)
        self._table_rows: dict[str, tuple[int, int]] = {}
        # (device, table) -> (rows, drift since counted)
        self._held_rows: dict[tuple[str, str], tuple[int, int]] = {}

    def rows(self, table: str, max_seq: int) -> int:
        """About how many rows ``table`` has at changelog position ``max_seq``."""
        seq, rows = self._table_rows.get(table, (-1, 0))
        if seq < 0 or max_seq - seq > rows // 4:
            rows = self._conn.execute(
                "SELECT COUNT(*) FROM records WHERE tbl=?", (table,)
            ).fetchone()[0]
            self._table_rows[table] = (max_seq, rows)
        return rows

    def held(self, device_id: str, table: str) -> int:
        """About how many rows of ``table`` the device holds."""
        held, drift = self._held_rows.get((device_id, table), (0, -1))
        if drift < 0 or drift > held // 4:
            held = self._conn.execute(
                "SELECT COUNT(*) FROM holdings WHERE device_id=? AND tbl=?", (device_id, table)
            ).fetchone()[0]
            self._held_rows[(device_id, table)] = (held, 0)
        return held

    def held_moved(
        self, device_id: str, table: str, *, upserts: int, removals: int, cleared: bool
    ) -> None:
        """Adjust the estimate of the rows held after a diff (upserts may be updates); a
        ``cleared`` table's holdings are exactly its upserts."""
        key = (device_id, table)
        if cleared:
            self._held_rows[key] = (upserts, 0)
        elif key in self._held_rows:
            held, drift = self._held_rows[key]
            self._held_rows[key] = (max(held + upserts - removals, 0), drift + upserts + removals)

    def walk_changes(self, changes: Changes, *, device_id: str, table: str) -> bool:
        """Whether an incremental computation walks its changed ids for ``table``'s rows
        rather than working from what the device holds of ``table`` (and keeping what
        changed): the changes are no more than those holdings."""
        return changes.rows <= self.held(device_id, table)

    def pull_by_held(self, scope: DeltaScope, src: str) -> bool:
        """Whether a full one-to-many pull from ``src`` seeks the rows pointing at each held
        ``src`` row rather than probing each row of the table: fewer held than rows."""
        return self.held(scope.device_id, src) < self.rows(scope.table, scope.max_seq)

    def probe_rows(self, scope: DeltaScope, src: str) -> bool:
        """Whether probing each row of the table for a held ``src`` row pointing at it beats
        collecting what every held ``src`` row points at.

        Probing costs about one seek per row plus one per unheld source row passed over;
        collecting costs two seeks per held source row. A device holding a large table whose
        rows point into a small one (200,000 work orders, 1,000 accounts) probes. Both give the
        same rows, so estimated counts (recounted after a quarter of churn) are enough.
        """
        rows = self.rows(scope.table, scope.max_seq)
        if rows > FEW_ROWS:
            return False
        if rows == 0:
            return True  # nothing to probe
        held = self.held(scope.device_id, src)
        if rows > held:
            return False
        return rows + self.rows(src, scope.max_seq) - held <= held
