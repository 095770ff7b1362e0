"""The sync protocol: requests and responses shared by the in-process and HTTP transports.

Every message is a frozen dataclass with ``to_json``/``from_json``; the JSON text is what
travels, and its length is the byte count reported as ``sync.bytes.up``/``sync.bytes.down``.
Record fields travel as JSON text (``fields_json``) so neither side re-encodes them.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any, Generic, Self, TypeVar

from vocabulary.contract import Winner

WireRecord = tuple[str, int, str | None, str]
"""A record on the wire: ``(id, version, owner, fields_json)``."""


# one encoder: json.dumps with non-default options builds a new JSONEncoder on every call
_dumps = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


class ChangeOp(StrEnum):
    """What a device change does to its record."""

    UPSERT = "upsert"
    DELETE = "delete"


class ChangeStatus(StrEnum):
    """What the server did with one uploaded change."""

    APPLIED = "applied"
    """Applied (possibly over a conflicting server change, when the device wins)."""
    DUPLICATE = "duplicate"
    """Already applied by an earlier attempt of the same upload: acknowledged, not re-applied."""
    REJECTED = "rejected"
    """Not applied: the server won a conflict; the device's values are kept in sync errors."""
    NOT_FOUND = "not_found"
    """Not applied: the record no longer exists; the device's values are kept in sync errors."""


@dataclass(frozen=True)
class Change:
    """One local edit waiting in a device's outbox."""

    change_id: str
    """A uuid chosen by the device; the server applies each change_id once per device."""
    tbl: str
    """The table."""
    id: str
    """The record id."""
    op: ChangeOp
    """Upsert or delete."""
    fields: dict[str, Any] = field(default_factory=dict)
    """The fields the device changed: what the technician typed (kept in Sync Errors when the
    change is not applied)."""
    base_version: int | None = None
    """The record version the device edited; None for a record the device created."""
    record: dict[str, Any] | None = None
    """The device's whole copy of the record once this change was made (updates only): when
    the device wins a conflict it replaces the server's record, nothing merged field by field
    (S7). None for creates (``fields`` is the whole record) and deletes."""


@dataclass(frozen=True)
class ChangeResult:
    """The server's verdict on one change."""

    change_id: str
    """The change this answers."""
    tbl: str
    """The table."""
    id: str
    """The record id."""
    status: ChangeStatus
    """What happened."""
    conflict_winner: Winner | None = None
    """Set when the record had changed on the server since ``base_version`` (S7)."""


@dataclass(frozen=True)
class UploadRequest:
    """A device's outbox, oldest change first."""

    device_id: str
    """The device uploading."""
    user_id: str
    """The signed-in user (owner of created records)."""
    profile: str
    """The device's offline profile name."""
    changes: tuple[Change, ...]
    """The changes, in the order they were made."""

    def to_json(self) -> str:
        """The wire form."""
        return _dumps(
            {
                "device_id": self.device_id,
                "user_id": self.user_id,
                "profile": self.profile,
                "changes": [
                    {
                        "change_id": c.change_id,
                        "tbl": c.tbl,
                        "id": c.id,
                        "op": c.op,
                        "fields": c.fields,
                        "base_version": c.base_version,
                        "record": c.record,
                    }
                    for c in self.changes
                ],
            }
        )

    @classmethod
    def from_json(cls, text: str | bytes) -> UploadRequest:
        """Parse the wire form."""
        raw = json.loads(text)
        changes = tuple(
            Change(
                c["change_id"],
                c["tbl"],
                c["id"],
                ChangeOp(c["op"]),
                c["fields"],
                c["base_version"],
                c.get("record"),  # an older client sends no whole record
            )
            for c in raw["changes"]
        )
        return cls(raw["device_id"], raw["user_id"], raw["profile"], changes)


@dataclass(frozen=True)
class UploadResponse:
    """One result per uploaded change, in order."""

    results: tuple[ChangeResult, ...]
    """The verdicts."""

    @property
    def conflicts(self) -> tuple[ChangeResult, ...]:
        """Results where the record had changed on both sides."""
        return tuple(r for r in self.results if r.conflict_winner is not None)

    def to_json(self) -> str:
        """The wire form."""
        return _dumps(
            {
                "results": [
                    {
                        "change_id": r.change_id,
                        "tbl": r.tbl,
                        "id": r.id,
                        "status": r.status,
                        "conflict_winner": r.conflict_winner,
                    }
                    for r in self.results
                ]
            }
        )

    @classmethod
    def from_json(cls, text: str | bytes) -> UploadResponse:
        """Parse the wire form."""
        results = tuple(
            ChangeResult(
                r["change_id"],
                r["tbl"],
                r["id"],
                ChangeStatus(r["status"]),
                Winner(r["conflict_winner"]) if r["conflict_winner"] else None,
            )
            for r in json.loads(text)["results"]
        )
        return cls(results)


class _FlatWire:
    """A request whose wire form is a JSON object of its fields, by name."""

    def to_json(self) -> str:
        """The wire form."""
        return _dumps(asdict(self))  # type: ignore[call-overload]

    @classmethod
    def from_json(cls, text: str | bytes) -> Self:
        """Parse the wire form (a missing or unknown key raises TypeError)."""
        return cls(**json.loads(text))


@dataclass(frozen=True)
class DownloadRequest(_FlatWire):
    """Ask for one table's changes since ``token``."""

    device_id: str
    """The device asking."""
    user_id: str
    """The signed-in user (filters such as "owned by user" read it)."""
    profile: str
    """The device's offline profile name."""
    table: str
    """The table."""
    token: str | None
    """The token of the device's last applied download of this table; None = first sync."""


@dataclass(frozen=True)
class DownloadResponse:
    """One table's delta for a device."""

    table: str
    """The table."""
    token: str
    """Send this back next time."""
    upserts: tuple[WireRecord, ...] = ()
    """Records new to the device or newer than its copy."""
    removals: tuple[str, ...] = ()
    """Ids the device must drop: deleted, or no longer meeting the profile (S9)."""
    reset: bool = False
    """``upserts`` is the whole table: drop every other row of it (first sync, lost token)."""

    def to_json(self) -> str:
        """The wire form."""
        return _dumps(
            {
                "table": self.table,
                "token": self.token,
                "upserts": self.upserts,
                "removals": self.removals,
                "reset": self.reset,
            }
        )

    @classmethod
    def from_json(cls, text: str | bytes) -> DownloadResponse:
        """Parse the wire form."""
        r = json.loads(text)
        upserts = tuple((u[0], u[1], u[2], u[3]) for u in r["upserts"])
        return cls(r["table"], r["token"], upserts, tuple(r["removals"]), r["reset"])


@dataclass(frozen=True)
class ReadRequest(_FlatWire):
    """Online mode (S4): read one record's current version from the server."""

    device_id: str
    """The device asking."""
    user_id: str
    """The signed-in user."""
    profile: str
    """The device's offline profile name."""
    table: str
    """The table."""
    id: str
    """The record id."""


@dataclass(frozen=True)
class ReadResponse:
    """The record as the server holds it now."""

    table: str
    """The table."""
    record: WireRecord | None
    """``(id, version, owner, fields_json)``; None when the record does not exist."""

    def to_json(self) -> str:
        """The wire form."""
        return _dumps({"table": self.table, "record": self.record})

    @classmethod
    def from_json(cls, text: str | bytes) -> ReadResponse:
        """Parse the wire form."""
        r = json.loads(text)
        u = r["record"]
        return cls(r["table"], None if u is None else (u[0], u[1], u[2], u[3]))


@dataclass(frozen=True)
class CheckResponse:
    """The network check's answer."""

    server_time: str
    """The server's clock, ISO-8601."""

    def to_json(self) -> str:
        """The wire form."""
        return _dumps({"server_time": self.server_time})

    @classmethod
    def from_json(cls, text: str | bytes) -> CheckResponse:
        """Parse the wire form."""
        return cls(json.loads(text)["server_time"])


T = TypeVar("T")


@dataclass(frozen=True)
class Reply(Generic[T]):
    """A response with the sizes of both JSON payloads."""

    body: T
    """The decoded response."""
    bytes_up: int
    """Length of the request payload."""
    bytes_down: int
    """Length of the response payload."""
