"""What the device status page shows (S6), and what a pass reports back to its caller."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Final

from syncengine.errors import SyncFailure
from syncengine.protocol import ChangeResult
from syncengine.scheduler import Due
from vocabulary.contract import Counts, NotificationKind, SkipReason, SyncMode, Trigger

NETWORK_UNAVAILABLE: Final = "Network or Service Unavailable"
"""Shown when there is no network or the network check gets no answer in time (S6)."""


class DeviceState(StrEnum):
    """The device status (S6)."""

    CONNECTED = "connected"
    NOT_CONNECTED = "not connected"
    SYNCING = "syncing"
    PENDING_UPLOADS = "pending uploads"
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class DeviceStatus:
    """The device status page."""

    state: DeviceState
    """The overall state."""
    message: str
    """What the page says, e.g. "Network or Service Unavailable"."""
    pending_uploads: int
    """Local changes not uploaded yet."""
    last_success: dict[str, datetime | None]
    """Per table: when its last successful sync ended."""

    @property
    def network_unavailable(self) -> bool:
        """No network, or the network check got no answer: network-only features are off."""
        return self.message == NETWORK_UNAVAILABLE


@dataclass
class PassResult:
    """What one call to sync did."""

    trigger: Trigger
    """What asked for the pass."""
    mode: SyncMode | None = None
    """The pass's kind (None when nothing was due)."""
    due: list[Due] = field(default_factory=list)
    """The tables due, with their reasons."""
    sync_id: str | None = None
    """The pass's ``sync.id`` (None when it did not run)."""
    skipped: SkipReason | None = None
    """Why it did not run, if it was skipped."""
    failure: SyncFailure | None = None
    """Why it failed, if it did."""
    counts: Counts = field(default_factory=Counts)
    """Records and bytes moved."""
    conflicts: list[ChangeResult] = field(default_factory=list)
    """Changes that met a server change (S7)."""
    rejected: list[ChangeResult] = field(default_factory=list)
    """Changes the server did not apply (conflict lost, or record gone): see sync errors."""
    notifications: list[NotificationKind] = field(default_factory=list)
    """In-app notifications raised (S5)."""

    @property
    def ran(self) -> bool:
        """The pass started (it was due and not skipped)."""
        return self.sync_id is not None

    @property
    def ok(self) -> bool:
        """The pass ran and succeeded."""
        return self.ran and self.failure is None
