"""The values the engine hands to its instrumentation: who emits, what moved, what failed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from opentelemetry import trace
from opentelemetry.util.types import AttributeValue

from emitter.catalog import Attr, SyncMode, Trigger


@dataclass(frozen=True)
class DeviceIdentity:
    """Who emits: raw ids are hashed before they reach any attribute."""

    device_id: str
    """The device's id (hashed into ``device.id``)."""
    user_id: str
    """The signed-in user's id (hashed into ``user.id``)."""
    os_name: str = "Android"
    """``os.name``."""
    os_version: str = "14"
    """``os.version``."""
    model: str = "Pixel 8"
    """``device.model.name``."""
    app_version: str = "1.0.0"
    """``service.version``: the app's version."""


@dataclass
class Counts:
    """Records and bytes moved by a pass or one table's part of it."""

    records_down: int = 0
    """Records received (upserts)."""
    records_up: int = 0
    """Changes uploaded."""
    records_removed: int = 0
    """Records that left the device (S9)."""
    bytes_down: int = 0
    """Response payload bytes."""
    bytes_up: int = 0
    """Request payload bytes."""

    def add(self, other: Counts) -> None:
        """Accumulate ``other``."""
        self.records_down += other.records_down
        self.records_up += other.records_up
        self.records_removed += other.records_removed
        self.bytes_down += other.bytes_down
        self.bytes_up += other.bytes_up

    def attributes(self) -> dict[str, AttributeValue]:
        """As event attributes."""
        return {
            Attr.RECORDS_DOWN: self.records_down,
            Attr.RECORDS_UP: self.records_up,
            Attr.RECORDS_REMOVED: self.records_removed,
            Attr.BYTES_DOWN: self.bytes_down,
            Attr.BYTES_UP: self.bytes_up,
        }


@dataclass(frozen=True)
class FailureInfo:
    """A failure as telemetry shows it."""

    failure_type: str
    """``sync.failure_type``."""
    error_code: int
    """``sync.error.code``."""
    message: str
    """``sync.error.message``."""
    table: str | None = None
    """The table that caused it, if one did."""


@dataclass
class PassTrace:
    """One pass in flight: its identity and its span (None while no SDK is configured)."""

    sync_id: str
    """``sync.id``."""
    mode: SyncMode
    """``sync.mode``."""
    trigger: Trigger
    """``sync.trigger``."""
    started_at: datetime
    """Start time (engine clock)."""
    span: trace.Span | None = None
    """The ``sync`` span."""
    conflicts: int = 0
    """Conflicts so far."""
