"""The device's offline database: local records, the outbox of local edits, per-table state.

An edit is written to the outbox in the same SQLite transaction that changes the local record,
before the edit is acknowledged, so pending uploads survive a crash or restart; re-opening the
file is a restart. SQLite's own errors are classified: a full disk is DEVICE_ERROR 2007.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from syncengine.errors import SyncFailure, database_failure, disk_full_failure
from syncengine.protocol import Change, ChangeOp, DownloadResponse, WireRecord
from syncengine.scheduler import TableTiming
from vocabulary.contract import ErrorCode, FailureType

_SCHEMA = """
CREATE TABLE IF NOT EXISTS records(
    tbl TEXT NOT NULL, id TEXT NOT NULL, owner TEXT, fields TEXT NOT NULL, version INTEGER,
    PRIMARY KEY (tbl, id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS outbox(
    seq INTEGER PRIMARY KEY AUTOINCREMENT, change_id TEXT NOT NULL UNIQUE, tbl TEXT NOT NULL,
    id TEXT NOT NULL, op TEXT NOT NULL, fields TEXT NOT NULL, base_version INTEGER,
    record TEXT);
CREATE TABLE IF NOT EXISTS table_state(
    tbl TEXT PRIMARY KEY, token TEXT, last_success_at TEXT, interval_override INTEGER);
CREATE TABLE IF NOT EXISTS device_info(key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
_UNLIMITED_PAGES = 1_073_741_823


@dataclass(frozen=True)
class LocalRecord:
    """A record as the device holds it."""

    tbl: str
    """The table."""
    id: str
    """The record id."""
    owner: str | None
    """The owning user."""
    fields: dict[str, Any]
    """The field values (including local edits not uploaded yet)."""
    version: int | None
    """The server version the device last received; None for a record created here."""


@dataclass(frozen=True)
class Applied:
    """What applying one download did to the device."""

    upserts: int
    """Records written."""
    removals: int
    """Records that left the device."""


class OfflineDatabase:
    """One device's SQLite offline database."""

    def __init__(self, path: str | Path) -> None:
        """Open (or create) the database at ``path``."""
        self.path = Path(path)
        self._conn = sqlite3.connect(str(path), isolation_level=None)
        # an in-memory database never reaches a disk: no durability to relax per transaction
        self._on_disk = str(path) != ":memory:"
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=FULL")
        self._conn.executescript(_SCHEMA)
        outbox_columns = {r[1] for r in self._conn.execute("PRAGMA table_info(outbox)")}
        if "record" not in outbox_columns:  # a file from before whole-record uploads (S7)
            self._conn.execute("ALTER TABLE outbox ADD COLUMN record TEXT")
        # An upper bound on the records held (None = unknown): the S10 limit check counts
        # exactly only when the bound could be over the limit, not on every download.
        self._at_most: int | None = None
        # table_state as of this connection's last look (tbl -> timing and token): read on
        # every wake-up, so kept here and re-read only when another connection has committed
        # (PRAGMA data_version moves) or before the first look.
        self._states: dict[str, tuple[TableTiming, str | None]] | None = None
        self._data_version = -1

    def close(self) -> None:
        """Close the file."""
        self._conn.close()

    @contextmanager
    def _tx(self, *, durable: bool = True) -> Iterator[sqlite3.Connection]:
        """A write transaction; ``durable=False`` commits without waiting for the disk (still
        atomic: after a power cut the file is as of an earlier commit, never half-written)."""
        relax = not durable and self._on_disk
        try:
            if relax:
                self._conn.execute("PRAGMA synchronous=NORMAL")
            try:
                self._conn.execute("BEGIN IMMEDIATE")
                try:
                    yield self._conn
                except BaseException:
                    if self._conn.in_transaction:  # SQLite rolls back by itself on a full disk
                        self._conn.execute("ROLLBACK")
                    raise
                self._conn.execute("COMMIT")
            finally:
                if relax:
                    self._conn.execute("PRAGMA synchronous=FULL")
        except sqlite3.OperationalError as exc:
            if "full" in str(exc):
                raise disk_full_failure(f"the device's storage is full: {exc}") from None
            raise database_failure(f"the offline database failed: {exc}") from None
        except sqlite3.DatabaseError as exc:
            raise database_failure(f"the offline database failed: {exc}") from None

    def limit_storage(self, full: bool) -> None:
        """Simulate a full disk: no new pages may be allocated (``full=False`` lifts it)."""
        pages = self._conn.execute("PRAGMA page_count").fetchone()[0] if full else _UNLIMITED_PAGES
        self._conn.execute(f"PRAGMA max_page_count = {int(pages)}")

    # --- records ----------------------------------------------------------------------------

    def get(self, tbl: str, id: str) -> LocalRecord | None:
        """The local record, or None."""
        row = self._conn.execute(
            "SELECT tbl, id, owner, fields, version FROM records WHERE tbl=? AND id=?", (tbl, id)
        ).fetchone()
        return (
            None if row is None else LocalRecord(row[0], row[1], row[2], json.loads(row[3]), row[4])
        )

    def rows(self, tbl: str) -> dict[str, LocalRecord]:
        """Every local record of ``tbl`` by id."""
        rows = self._conn.execute(
            "SELECT tbl, id, owner, fields, version FROM records WHERE tbl=?", (tbl,)
        ).fetchall()
        return {r[1]: LocalRecord(r[0], r[1], r[2], json.loads(r[3]), r[4]) for r in rows}

    def count(self) -> int:
        """Records on the device."""
        n: int = self._conn.execute("SELECT COUNT(*) FROM records").fetchone()[0]
        return n

    # --- the outbox -------------------------------------------------------------------------

    def record_change(self, change: Change, owner: str | None) -> None:
        """Apply a local edit and queue it for upload, atomically (write-ahead)."""
        created, whole = False, None
        with self._tx() as conn:
            if change.op is ChangeOp.DELETE:
                conn.execute("DELETE FROM records WHERE tbl=? AND id=?", (change.tbl, change.id))
            else:
                row = conn.execute(
                    "SELECT fields FROM records WHERE tbl=? AND id=?", (change.tbl, change.id)
                ).fetchone()
                merged = {**json.loads(row[0]), **change.fields} if row else change.fields
                created = row is None
                if row:
                    whole = json.dumps(merged)
                    conn.execute(
                        "UPDATE records SET fields=? WHERE tbl=? AND id=?",
                        (whole, change.tbl, change.id),
                    )
                else:
                    conn.execute(
                        "INSERT INTO records(tbl, id, owner, fields, version) "
                        "VALUES (?,?,?,?,NULL)",
                        (change.tbl, change.id, owner, json.dumps(merged)),
                    )
            conn.execute(
                "INSERT INTO outbox(change_id, tbl, id, op, fields, base_version, record) "
                "VALUES (?,?,?,?,?,?,?)",
                (
                    change.change_id,
                    change.tbl,
                    change.id,
                    change.op.value,
                    json.dumps(change.fields),
                    change.base_version,
                    whole,
                ),
            )
        if created and self._at_most is not None:
            self._at_most += 1

    def outbox(self) -> list[Change]:
        """Pending changes, oldest first (updates with the device's whole record, S7)."""
        rows = self._conn.execute(
            "SELECT change_id, tbl, id, op, fields, base_version, record FROM outbox ORDER BY seq"
        ).fetchall()
        return [
            Change(
                r[0],
                r[1],
                r[2],
                ChangeOp(r[3]),
                json.loads(r[4]),
                r[5],
                None if r[6] is None else json.loads(r[6]),
            )
            for r in rows
        ]

    def pending(self) -> int:
        """How many changes wait for upload."""
        n: int = self._conn.execute("SELECT COUNT(*) FROM outbox").fetchone()[0]
        return n

    def has_pending(self, tbl: str, id: str) -> bool:
        """Whether changes of this record wait for upload."""
        return bool(
            self._conn.execute(
                "SELECT 1 FROM outbox WHERE tbl=? AND id=? LIMIT 1", (tbl, id)
            ).fetchone()
        )

    def ack(self, change_ids: list[str]) -> None:
        """The server has answered these changes: drop them from the outbox."""
        with self._tx() as conn:
            conn.executemany("DELETE FROM outbox WHERE change_id=?", ((c,) for c in change_ids))

    # --- downloads and state ----------------------------------------------------------------

    def apply(self, response: DownloadResponse, now: datetime, max_records: int) -> Applied:
        """Apply one table's delta and its new token in one transaction.

        Fails (leaving the device as it was) when the device would hold more than
        ``max_records`` records (S10), or when the disk is full.
        """
        tbl = response.table
        # not durable: a download lost to a power cut is downloaded again, as its token goes
        # with it; waiting for the disk once per table was most of a delta sync's time
        with self._tx(durable=False) as conn:
            removed = 0
            if response.reset:
                keep = {u[0] for u in response.upserts}
                ids = [r[0] for r in conn.execute("SELECT id FROM records WHERE tbl=?", (tbl,))]
                gone = [i for i in ids if i not in keep]
            else:
                gone = list(response.removals)
            if gone:
                removed = conn.executemany(
                    "DELETE FROM records WHERE tbl=? AND id=?", ((tbl, i) for i in gone)
                ).rowcount
            conn.executemany(
                "INSERT OR REPLACE INTO records(tbl, id, owner, fields, version) "
                "VALUES (?,?,?,?,?)",
                ((tbl, u[0], u[2], u[3], u[1]) for u in response.upserts),
            )
            total = (self._at_most or 0) - removed + len(response.upserts)
            if self._at_most is None or total > max_records:
                total = conn.execute("SELECT COUNT(*) FROM records").fetchone()[0]
            if total > max_records:
                raise SyncFailure(
                    FailureType.CONFIG_ERROR,
                    ErrorCode.PROFILE,
                    f"the device would hold {total:,} records, over the limit of "
                    f"{max_records:,} (S10); narrow the offline profile's filters",
                    table=tbl,
                )
            at = now.isoformat()
            conn.execute(
                "INSERT INTO table_state(tbl, token, last_success_at) VALUES (?,?,?) "
                "ON CONFLICT(tbl) DO UPDATE SET token=excluded.token, "
                "last_success_at=excluded.last_success_at",
                (tbl, response.token, at),
            )
        self._at_most = total
        if self._states is not None:
            self._states[tbl] = (_timing(response.token, at), response.token)
        return Applied(len(response.upserts), removed)

    def refresh(self, tbl: str, record: WireRecord) -> bool:
        """Replace the local copy of one record with the server's ``(id, version, owner,
        fields_json)`` (an online read, S4); False, changing nothing, when the device does not
        hold it or holds local changes of it not uploaded yet."""
        id, version, owner, fields = record
        # not durable: the server's holdings still name the older version, so a copy lost to
        # a power cut comes again with the table's next download
        with self._tx(durable=False) as conn:
            return (
                conn.execute(
                    "UPDATE records SET owner=?, fields=?, version=? WHERE tbl=? AND id=? "
                    "AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.tbl=? AND o.id=?)",
                    (owner, fields, version, tbl, id, tbl, id),
                ).rowcount
                == 1
            )

    def forget(self, tbl: str, id: str) -> bool:
        """Drop the local copy of a record the server no longer has (an online read, S4);
        False, changing nothing, when it holds local changes not uploaded yet."""
        with self._tx() as conn:
            return (
                conn.execute(
                    "DELETE FROM records WHERE tbl=? AND id=? "
                    "AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.tbl=? AND o.id=?)",
                    (tbl, id, tbl, id),
                ).rowcount
                == 1
            )

    def token(self, tbl: str) -> str | None:
        """The table's download token (None = never synced)."""
        state = self._table_states().get(tbl)
        return None if state is None else state[1]

    def timings(self) -> dict[str, TableTiming]:
        """Per table: synced or not, and the time of its last successful sync (S6)."""
        return {t: timing for t, (timing, _) in self._table_states().items()}

    def _table_states(self) -> dict[str, tuple[TableTiming, str | None]]:
        version: int = self._conn.execute("PRAGMA data_version").fetchone()[0]
        if self._states is None or version != self._data_version:
            rows = self._conn.execute("SELECT tbl, token, last_success_at FROM table_state")
            self._states = {t: (_timing(tok, at), tok) for t, tok, at in rows}
            self._data_version = version
        return self._states

    def clear(self) -> None:
        """Reset: drop every record, pending change and token (device info stays)."""
        with self._tx() as conn:
            conn.execute("DELETE FROM records")
            conn.execute("DELETE FROM outbox")
            conn.execute("DELETE FROM table_state")
        self._at_most = 0
        if self._states is not None:
            self._states.clear()

    def info(self) -> dict[str, str]:
        """Stored device info (device id, user id, os, model, app version)."""
        return dict(self._conn.execute("SELECT key, value FROM device_info").fetchall())

    def set_info(self, info: dict[str, str]) -> None:
        """Store device info."""
        with self._tx() as conn:
            conn.executemany(
                "INSERT OR REPLACE INTO device_info(key, value) VALUES (?, ?)", info.items()
            )


def _timing(token: str | None, at: str | None) -> TableTiming:
    return TableTiming(token is not None, datetime.fromisoformat(at) if at else None)
