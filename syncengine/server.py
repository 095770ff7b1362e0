"""The sync server: the records of every table, their changelog, and each device's copy.

One SQLite file (WAL). Admins, dispatchers and tests change records through ``upsert`` and
``delete``; devices call ``check``, ``upload``, ``download`` and (online mode) ``read`` through
a transport. Every change gets a changelog sequence number, which is also the record's version,
so "what changed since" is an index range scan. Deletes leave tombstones in the changelog.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from syncengine.clock import Clock
from syncengine.delta import DeltaComputer, relation_index_sql
from syncengine.errors import UnknownProfile, UnknownTable
from syncengine.profile.model import Profile
from syncengine.protocol import (
    Change,
    ChangeOp,
    ChangeResult,
    ChangeStatus,
    CheckResponse,
    DownloadRequest,
    DownloadResponse,
    ReadRequest,
    ReadResponse,
    UploadRequest,
    UploadResponse,
)
from syncengine.server_schema import (
    CONFLICT_CODE,
    NOT_FOUND_CODE,
    SCHEMA,
    ServerRecord,
    SyncErrorRow,
)
from vocabulary.contract import SyncErrorType, Winner


class SyncServer:
    """The server side of sync, over one SQLite file; safe to share between threads."""

    def __init__(self, path: str | Path, clock: Clock, profiles: Iterable[Profile] = ()) -> None:
        """Open (or create) the server database at ``path``; serve the given ``profiles``."""
        self.clock = clock
        self._lock = threading.RLock()
        # every profile and table has its own delta statements: keep them all prepared
        self._conn = sqlite3.connect(
            str(path), isolation_level=None, check_same_thread=False, cached_statements=1024
        )
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.executescript(SCHEMA)
        self._delta = DeltaComputer(self._conn)
        self._profiles: dict[str, Profile] = {}
        self._tables: dict[str, frozenset[str]] = {}
        for profile in profiles:
            self.add_profile(profile)

    def add_profile(self, profile: Profile) -> None:
        """Serve ``profile`` (replacing one of the same name)."""
        with self._lock:
            for sql in relation_index_sql(profile):
                self._conn.execute(sql)
            self._profiles[profile.name] = profile
            self._tables[profile.name] = frozenset(profile.table_names)

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._conn.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    # --- admin / dispatcher API -------------------------------------------------------------

    def upsert(self, tbl: str, id: str, fields: dict[str, Any], owner: str | None = None) -> int:
        """Create or change a record (fields are merged; owner kept unless given); its version."""
        with self._tx() as conn:
            return self._write(conn, tbl, id, fields, owner)

    def delete(self, tbl: str, id: str) -> bool:
        """Delete a record, leaving a tombstone; False if it did not exist."""
        with self._tx() as conn:
            return self._remove(conn, tbl, id)

    def load(self, tbl: str, rows: Iterable[tuple[str, dict[str, Any], str | None]]) -> int:
        """Bulk-insert new records ``(id, fields, owner)`` in one transaction; how many."""
        with self._tx() as conn:
            seq = conn.execute("SELECT COALESCE(MAX(seq), 0) FROM changelog").fetchone()[0]
            now = self.clock.now().isoformat()
            batch = [(seq + n, id, json.dumps(f), o) for n, (id, f, o) in enumerate(rows, 1)]
            conn.executemany(
                "INSERT INTO changelog(seq, tbl, id, op, version) VALUES (?, ?, ?, 'upsert', ?)",
                ((v, tbl, id, v) for v, id, _, _ in batch),
            )
            conn.executemany(
                "INSERT INTO records(tbl, id, owner, fields, version, modified_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                ((tbl, id, o, f, v, now) for v, id, f, o in batch),
            )
            return len(batch)

    def get(self, tbl: str, id: str) -> ServerRecord | None:
        """The record, or None if it does not exist."""
        with self._lock:
            row = self._conn.execute(
                "SELECT tbl, id, owner, fields, version, modified_at FROM records "
                "WHERE tbl=? AND id=?",
                (tbl, id),
            ).fetchone()
        return None if row is None else _record(row)

    def records(self, tbl: str) -> dict[str, ServerRecord]:
        """Every record of ``tbl`` by id."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT tbl, id, owner, fields, version, modified_at FROM records WHERE tbl=?",
                (tbl,),
            ).fetchall()
        return {r[1]: _record(r) for r in rows}

    def sync_errors(self) -> list[SyncErrorRow]:
        """The admin's Sync Errors list, oldest first."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT at, type, tbl, record_id, owner, action, code, message, device_id, "
                "user_id, device_values FROM sync_errors ORDER BY n"
            ).fetchall()
        return [
            SyncErrorRow(
                at=r[0],
                type=SyncErrorType(r[1]),
                tbl=r[2],
                record_id=r[3],
                owner=r[4],
                action=r[5],
                code=r[6],
                message=r[7],
                device_id=r[8],
                user_id=r[9],
                device_values=json.loads(r[10]),
            )
            for r in rows
        ]

    def execute(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """Run a read-only query on the server database (for tests and admin tools)."""
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    # --- sync API ---------------------------------------------------------------------------

    def check(self) -> CheckResponse:
        """The network check endpoint: answers with the server time."""
        return CheckResponse(self.clock.now().isoformat())

    def download(self, request: DownloadRequest) -> DownloadResponse:
        """One table's delta for the requesting device; its holdings move to match."""
        profile = self._profile(request.profile)
        if request.table not in self._tables[profile.name]:
            raise UnknownTable(request.table, profile.name)
        today = self.clock.now().date()
        with self._tx():
            return self._delta.delta(
                profile, request.table, request.device_id, request.user_id, request.token, today
            )

    def read(self, request: ReadRequest) -> ReadResponse:
        """Online mode (S4): the record as it is now (its record None when it does not exist).

        The device's holdings do not move: its next download of the table sends this version
        again, so a copy the device failed to keep is never taken for current."""
        profile = self._profile(request.profile)
        if request.table not in self._tables[profile.name]:
            raise UnknownTable(request.table, profile.name)
        with self._lock:
            row = self._conn.execute(
                "SELECT id, version, owner, fields FROM records WHERE tbl=? AND id=?",
                (request.table, request.id),
            ).fetchone()
        return ReadResponse(
            request.table, None if row is None else (row[0], row[1], row[2], row[3])
        )

    def upload(self, request: UploadRequest) -> UploadResponse:
        """Apply a device's changes, each once, in order, in one transaction."""
        profile = self._profile(request.profile)
        with self._tx() as conn:
            results = tuple(
                self._apply(conn, profile, request, change) for change in request.changes
            )
        return UploadResponse(results)

    def _profile(self, name: str) -> Profile:
        try:
            return self._profiles[name]
        except KeyError:
            raise UnknownProfile(name) from None

    def _apply(
        self, conn: sqlite3.Connection, profile: Profile, req: UploadRequest, change: Change
    ) -> ChangeResult:
        def result(status: ChangeStatus, winner: Winner | None = None) -> ChangeResult:
            return ChangeResult(change.change_id, change.tbl, change.id, status, winner)

        if conn.execute(
            "SELECT 1 FROM applied_uploads WHERE device_id=? AND change_id=?",
            (req.device_id, change.change_id),
        ).fetchone():
            return result(ChangeStatus.DUPLICATE)
        row = conn.execute(
            "SELECT version, owner FROM records WHERE tbl=? AND id=?", (change.tbl, change.id)
        ).fetchone()
        action = _action(change)
        status, winner = ChangeStatus.APPLIED, None
        if row is None:
            tombstone = conn.execute(
                "SELECT 1 FROM changelog WHERE tbl=? AND id=? AND op='delete' LIMIT 1",
                (change.tbl, change.id),
            ).fetchone()
            if tombstone or change.base_version is not None:
                if change.op is ChangeOp.UPSERT:
                    self._error(conn, req, change, SyncErrorType.RECORD_NOT_FOUND, None, action)
                    status = ChangeStatus.NOT_FOUND
                version = None
            else:
                version = self._write(conn, change.tbl, change.id, change.fields, req.user_id)
        else:
            version, owner = row
            if version != change.base_version and not self._own_write(conn, req, change, version):
                if profile.conflict_detection:
                    self._error(conn, req, change, SyncErrorType.CONFLICT, owner, action)
                    status, winner, version = ChangeStatus.REJECTED, Winner.SERVER, None
                else:
                    winner = Winner.DEVICE
            if status is ChangeStatus.APPLIED:
                if change.op is ChangeOp.DELETE:
                    self._remove(conn, change.tbl, change.id)
                    version = None
                elif winner is Winner.DEVICE and change.record is not None:
                    # S7: the device's whole record wins; the dispatcher's fields are not kept
                    version = self._write(
                        conn, change.tbl, change.id, change.record, None, whole=True
                    )
                else:
                    version = self._write(conn, change.tbl, change.id, change.fields, None)
        conn.execute(
            "INSERT INTO applied_uploads(device_id, change_id, tbl, id, version, status) "
            "VALUES (?,?,?,?,?,?)",
            (req.device_id, change.change_id, change.tbl, change.id, version, status.value),
        )
        return result(status, winner)

    @staticmethod
    def _own_write(
        conn: sqlite3.Connection, req: UploadRequest, change: Change, version: int
    ) -> bool:
        """The server's version was written by this device's own earlier upload: no conflict."""
        return bool(
            conn.execute(
                "SELECT 1 FROM applied_uploads WHERE tbl=? AND id=? AND version=? AND device_id=?",
                (change.tbl, change.id, version, req.device_id),
            ).fetchone()
        )

    def _error(
        self,
        conn: sqlite3.Connection,
        req: UploadRequest,
        change: Change,
        kind: SyncErrorType,
        owner: str | None,
        action: str,
    ) -> None:
        if kind is SyncErrorType.CONFLICT:
            code, message = (
                CONFLICT_CODE,
                (
                    f"the record changed on the server since this device's copy; the server's "
                    f"version was kept and the device's {action} was not applied"
                ),
            )
        else:
            code, message = (
                NOT_FOUND_CODE,
                (
                    "the record no longer exists on the server; "
                    f"the device's {action} was not applied"
                ),
            )
        conn.execute(
            "INSERT INTO sync_errors(at, type, tbl, record_id, owner, action, code, message, "
            "device_id, user_id, device_values) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (
                self.clock.now().isoformat(),
                kind.value,
                change.tbl,
                change.id,
                owner,
                action,
                code,
                message,
                req.device_id,
                req.user_id,
                json.dumps(change.fields),
            ),
        )

    def _write(
        self,
        conn: sqlite3.Connection,
        tbl: str,
        id: str,
        fields: dict[str, Any],
        owner: str | None,
        whole: bool = False,
    ) -> int:
        """Write a record: ``fields`` merged into it, or replacing it when ``whole``."""
        row = conn.execute(
            "SELECT fields, owner FROM records WHERE tbl=? AND id=?", (tbl, id)
        ).fetchone()
        merged = {**json.loads(row[0]), **fields} if row and not whole else dict(fields)
        if row and owner is None:
            owner = row[1]
        version: int = conn.execute(
            "INSERT INTO changelog(tbl, id, op, version) VALUES (?, ?, 'upsert', 0)", (tbl, id)
        ).lastrowid  # type: ignore[assignment]
        conn.execute("UPDATE changelog SET version=seq WHERE seq=?", (version,))
        conn.execute(
            "INSERT OR REPLACE INTO records(tbl, id, owner, fields, version, modified_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (tbl, id, owner, json.dumps(merged), version, self.clock.now().isoformat()),
        )
        return version

    def _remove(self, conn: sqlite3.Connection, tbl: str, id: str) -> bool:
        if conn.execute("DELETE FROM records WHERE tbl=? AND id=?", (tbl, id)).rowcount == 0:
            return False
        seq = conn.execute(
            "INSERT INTO changelog(tbl, id, op, version) VALUES (?, ?, 'delete', 0)", (tbl, id)
        ).lastrowid
        conn.execute("UPDATE changelog SET version=seq WHERE seq=?", (seq,))
        return True


def _action(change: Change) -> str:
    if change.op is ChangeOp.DELETE:
        return "delete"
    return "create" if change.base_version is None else "update"


def _record(row: tuple[Any, ...]) -> ServerRecord:
    return ServerRecord(row[0], row[1], row[2], json.loads(row[3]), row[4], row[5])


__all__ = ["CONFLICT_CODE", "NOT_FOUND_CODE", "ServerRecord", "SyncErrorRow", "SyncServer"]
