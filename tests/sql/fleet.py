"""Hand-written telemetry for the SQL tests: a recorder of sync_events rows, one device at a time.

Rows use the store's column names (DESIGN "Store contract"); attributes that have no column
land in the ``attributes`` JSON under their OpenTelemetry key, as the sink writes them.
Event ids are ``ev1``, ``ev2`` … in the order events are recorded, so goldens can name them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import duckdb

from vocabulary.contract import (
    Attr,
    DueReason,
    Event,
    NetworkType,
    Result,
    SyncMode,
    Trigger,
    Winner,
)

FS_PROFILE = "Field Service Mobile - Offline Profile"
LITE_PROFILE = "Technician Lite"
BOOKING = "bookableresourcebooking"
WORK_ORDER = "msdyn_workorder"
INTERVALS = {BOOKING: 15, WORK_ORDER: 60}


def at(hhmmss: str, day: int = 6) -> datetime:
    """A UTC time on May ``day`` 2024, e.g. ``at("08:00:30")``."""
    return datetime.fromisoformat(f"2024-05-{day:02d}T{hhmmss}")


@dataclass
class Fleet:
    """Collects events from its devices and loads them into a DuckDB ``sync_events`` table."""

    events: list[dict[str, Any]] = field(default_factory=list)

    def device(self, device_id: str, user_id: str, **overrides: Any) -> Device:
        """A device of this fleet; keyword arguments override the defaults of :class:`Device`."""
        return Device(self, device_id, user_id, **overrides)

    def record(self, row: dict[str, Any]) -> dict[str, Any]:
        """Append one row, giving it the next event id unless it has one."""
        row.setdefault("event_id", f"ev{len(self.events) + 1}")
        self.events.append(row)
        return row

    def load(self, con: duckdb.DuckDBPyConnection) -> None:
        """Insert every recorded event into ``sync_events``."""
        for row in self.events:
            values = dict(row)
            if values.get("attributes") is not None:
                values["attributes"] = json.dumps(values["attributes"])
            columns = ", ".join(f'"{name}"' for name in values)
            marks = ", ".join("?" for _ in values)
            con.execute(
                f"INSERT INTO sync_events ({columns}) VALUES ({marks})", list(values.values())
            )


@dataclass
class Device:
    """One device: every event it records carries its common attributes."""

    fleet: Fleet
    device_id: str
    user_id: str
    profile: str = FS_PROFILE
    os_name: str = "Android"
    os_version: str = "14"
    device_model: str = "Pixel 8"
    app_version: str = "1.4.0"
    network_type: str = NetworkType.WIFI

    def event(
        self,
        event: str,
        ts: datetime,
        *,
        attributes: dict[str, Any] | None = None,
        pending_uploads: int | None = None,
        **columns: Any,
    ) -> dict[str, Any]:
        """Record any event; ``columns`` override or add store columns."""
        attrs = dict(attributes or {})
        if pending_uploads is not None:
            attrs[Attr.PENDING_UPLOADS] = pending_uploads
        row: dict[str, Any] = {
            "ts": ts,
            "event": str(event),
            "profile": self.profile,
            "device_id": self.device_id,
            "user_id": self.user_id,
            "os_name": self.os_name,
            "os_version": self.os_version,
            "device_model": self.device_model,
            "app_version": self.app_version,
            "network_type": str(self.network_type),
            "service_name": "fieldservice-mobile",
            "source": "otel",
            "attributes": attrs or None,
        }
        row.update(columns)
        return self.fleet.record(row)

    def started(
        self,
        sync_id: str,
        ts: datetime,
        *,
        mode: SyncMode = SyncMode.DELTA_SYNC,
        trigger: Trigger = Trigger.SCHEDULE,
        tables_due: object = (BOOKING, WORK_ORDER),
        **columns: Any,
    ) -> dict[str, Any]:
        """``sync.started``; ``tables_due`` goes to attributes as recorded (list, str or int)."""
        due = list(tables_due) if isinstance(tables_due, tuple) else tables_due
        return self.event(
            Event.STARTED,
            ts,
            sync_id=sync_id,
            mode=str(mode),
            trigger=str(trigger),
            attributes={Attr.TABLES_DUE: due},
            **columns,
        )

    def table(
        self,
        sync_id: str,
        ts: datetime,
        table: str,
        *,
        duration_ms: float,
        result: Result = Result.SUCCESS,
        due_reason: DueReason = DueReason.INTERVAL,
        down: int = 0,
        up: int = 0,
        removed: int = 0,
        bytes_down: int = 0,
        bytes_up: int = 0,
    ) -> dict[str, Any]:
        """``sync.table``: one table's part of pass ``sync_id``."""
        return self.event(
            Event.TABLE,
            ts,
            sync_id=sync_id,
            table_name=table,
            result=str(result),
            interval_minutes=INTERVALS[table],
            duration_ms=duration_ms,
            records_down=down,
            records_up=up,
            records_removed=removed,
            bytes_down=bytes_down,
            bytes_up=bytes_up,
            attributes={Attr.DUE_REASON: str(due_reason)},
        )

    def completed(
        self,
        sync_id: str,
        ts: datetime,
        *,
        duration_ms: float,
        active_duration_ms: float,
        down: int = 0,
        up: int = 0,
        removed: int = 0,
        bytes_down: int = 0,
        bytes_up: int = 0,
        conflicts: int = 0,
        pending_uploads: int | None = 0,
    ) -> dict[str, Any]:
        """``sync.completed`` with the pass totals."""
        return self.event(
            Event.COMPLETED,
            ts,
            sync_id=sync_id,
            result=str(Result.SUCCESS),
            duration_ms=duration_ms,
            active_duration_ms=active_duration_ms,
            records_down=down,
            records_up=up,
            records_removed=removed,
            bytes_down=bytes_down,
            bytes_up=bytes_up,
            conflicts=conflicts,
            pending_uploads=pending_uploads,
        )

    def failed(
        self,
        sync_id: str,
        ts: datetime,
        *,
        failure_type: str,
        error_code: int,
        message: str,
        duration_ms: float,
        active_duration_ms: float,
        table: str | None = None,
    ) -> dict[str, Any]:
        """``sync.failed``; ``table`` names the table that caused it, if one did."""
        return self.event(
            Event.FAILED,
            ts,
            sync_id=sync_id,
            result=str(Result.FAILURE),
            failure_type=str(failure_type),
            error_code=error_code,
            error_message=message,
            duration_ms=duration_ms,
            active_duration_ms=active_duration_ms,
            table_name=table,
        )

    def conflict(
        self,
        sync_id: str,
        ts: datetime,
        table: str,
        record_id: str,
        *,
        detection: object,
        winner: str | None = None,
    ) -> dict[str, Any]:
        """``sync.conflict``; the winner follows S7 (on: server, off: device) unless given."""
        if winner is None:
            winner = Winner.SERVER if detection in ("on", True) else Winner.DEVICE
        return self.event(
            Event.CONFLICT,
            ts,
            sync_id=sync_id,
            table_name=table,
            record_id=record_id,
            conflict_winner=str(winner),
            attributes={Attr.CONFLICT_DETECTION: detection},
        )

    def skipped(self, ts: datetime, reason: str, **columns: Any) -> dict[str, Any]:
        """``sync.skipped`` for ``reason``."""
        return self.event(Event.SKIPPED, ts, skip_reason=str(reason), **columns)


def fetch(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict[str, Any]]:
    """Run ``sql`` and return its rows as dicts keyed by column name, for whole-row goldens."""
    result = con.execute(sql)
    names = [column[0] for column in result.description or []]
    return [dict(zip(names, row, strict=True)) for row in result.fetchall()]
