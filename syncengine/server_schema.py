"""The server database's tables and the rows its admin API returns."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from vocabulary.contract import SyncErrorType

SCHEMA = """
CREATE TABLE IF NOT EXISTS records(
    tbl TEXT NOT NULL, id TEXT NOT NULL, owner TEXT, fields TEXT NOT NULL,
    version INTEGER NOT NULL, modified_at TEXT NOT NULL, PRIMARY KEY (tbl, id));
CREATE INDEX IF NOT EXISTS records_by_owner ON records(tbl, owner);
CREATE TABLE IF NOT EXISTS changelog(
    seq INTEGER PRIMARY KEY AUTOINCREMENT, tbl TEXT NOT NULL, id TEXT NOT NULL,
    op TEXT NOT NULL, version INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS changelog_by_table ON changelog(tbl, seq);
CREATE INDEX IF NOT EXISTS changelog_by_record ON changelog(tbl, id);
CREATE TABLE IF NOT EXISTS holdings(
    device_id TEXT NOT NULL, tbl TEXT NOT NULL, id TEXT NOT NULL, version INTEGER NOT NULL,
    PRIMARY KEY (device_id, tbl, id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS device_tables(
    device_id TEXT NOT NULL, tbl TEXT NOT NULL, seq INTEGER NOT NULL, gen INTEGER NOT NULL,
    day TEXT NOT NULL, source_gens TEXT NOT NULL, PRIMARY KEY (device_id, tbl));
CREATE TABLE IF NOT EXISTS applied_uploads(
    device_id TEXT NOT NULL, change_id TEXT NOT NULL, tbl TEXT NOT NULL, id TEXT NOT NULL,
    version INTEGER, status TEXT NOT NULL, PRIMARY KEY (device_id, change_id));
CREATE INDEX IF NOT EXISTS applied_by_record ON applied_uploads(tbl, id, version);
CREATE TABLE IF NOT EXISTS sync_errors(
    n INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, type TEXT NOT NULL,
    tbl TEXT NOT NULL, record_id TEXT NOT NULL, owner TEXT, action TEXT NOT NULL,
    code INTEGER NOT NULL, message TEXT NOT NULL, device_id TEXT NOT NULL,
    user_id TEXT NOT NULL, device_values TEXT NOT NULL);
"""

CONFLICT_CODE = 409
"""Sync error code of a conflict the server won (S7)."""
NOT_FOUND_CODE = 404
"""Sync error code of a change to a record that no longer exists."""


@dataclass(frozen=True)
class ServerRecord:
    """One record as the server holds it."""

    tbl: str
    """The table."""
    id: str
    """The record id."""
    owner: str | None
    """The owning user."""
    fields: dict[str, Any]
    """The field values."""
    version: int
    """The changelog sequence number of its last change."""
    modified_at: str
    """ISO-8601 time of its last change."""


@dataclass(frozen=True)
class SyncErrorRow:
    """One row of the admin's Sync Errors list (S7)."""

    at: str
    """When it happened (ISO-8601, server clock)."""
    type: SyncErrorType
    """Conflict, Record Not Found or Other."""
    tbl: str
    """The table."""
    record_id: str
    """The record."""
    owner: str | None
    """The record's owner on the server (None when it no longer exists)."""
    action: str
    """What the device tried: create, update or delete."""
    code: int
    """Error code."""
    message: str
    """What happened, in words."""
    device_id: str
    """The device whose change was not applied."""
    user_id: str
    """Its user."""
    device_values: dict[str, Any]
    """The values the device sent, so nothing the technician typed is lost."""
