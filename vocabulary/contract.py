"""The telemetry contract: every event name, attribute key and enumerated value in one place.

The engine's domain values (sync modes, triggers, error codes, conflict winners …) are the
contract's values too, so the engine, the emitter, the loaders and the SQL views all read them
from here. This module imports no OpenTelemetry package.
Attribute keys follow OpenTelemetry semantic conventions where one exists (``device.id``,
``os.name``, ``network.connection.type`` …) and the ``sync.`` namespace otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

INSTRUMENTATION_SCOPE: Final = "synctel.syncengine"
"""The instrumentation scope name of the engine's tracer, logger and meter."""

CUSTOM_EVENT_NAME: Final = "microsoft.custom_event.name"
"""Azure Monitor files a log record carrying this attribute under customEvents."""


class Event(StrEnum):
    """Event names (the log record's ``event_name``)."""

    STARTED = "sync.started"
    COMPLETED = "sync.completed"
    FAILED = "sync.failed"
    TABLE = "sync.table"
    CONFLICT = "sync.conflict"
    SKIPPED = "sync.skipped"
    NOTIFICATION = "sync.notification"
    RECORD_NOT_FOUND = "record.not_found"


class Span(StrEnum):
    """Span names: one ``sync`` span per pass, one ``sync.table`` child per table."""

    SYNC = "sync"
    TABLE = "sync.table"


class Metric(StrEnum):
    """Instrument names."""

    DURATION = "sync.duration"  # histogram, ms, per pass
    RECORDS = "sync.records"  # counter, by direction (down, up, removed)
    BYTES = "sync.bytes"  # counter, by direction (down, up)
    CONFLICTS = "sync.conflicts"  # counter
    FAILURES = "sync.failures"  # counter, by failure type
    ONLINE_READS = "sync.online_reads"  # counter, by table and result (S4 online mode)


class Attr(StrEnum):
    """Attribute keys."""

    # common to every event
    DEVICE_ID = "device.id"
    USER_ID = "user.id"
    OS_NAME = "os.name"
    OS_VERSION = "os.version"
    DEVICE_MODEL = "device.model.name"
    APP_VERSION = "service.version"
    NETWORK_TYPE = "network.connection.type"
    PROFILE = "sync.profile"
    # a pass
    SYNC_ID = "sync.id"
    MODE = "sync.mode"
    TRIGGER = "sync.trigger"
    TABLES_DUE = "sync.tables_due"
    DURATION_MS = "sync.duration_ms"
    ACTIVE_DURATION_MS = "sync.active_duration_ms"
    RECORDS_DOWN = "sync.records.down"
    RECORDS_UP = "sync.records.up"
    RECORDS_REMOVED = "sync.records.removed"
    BYTES_DOWN = "sync.bytes.down"
    BYTES_UP = "sync.bytes.up"
    CONFLICTS = "sync.conflicts"
    PENDING_UPLOADS = "sync.pending_uploads"
    # failures
    ERROR_CODE = "sync.error.code"
    FAILURE_TYPE = "sync.failure_type"
    ERROR_MESSAGE = "sync.error.message"
    # one table
    TABLE = "sync.table"
    RESULT = "sync.result"
    DUE_REASON = "sync.due_reason"
    INTERVAL_MINUTES = "sync.interval_minutes"
    # one record
    RECORD_ID = "sync.record.id"
    CONFLICT_DETECTION = "sync.conflict.detection"
    CONFLICT_WINNER = "sync.conflict.winner"
    # skips and notifications
    SKIP_REASON = "sync.skip_reason"
    NOTIFICATION_KIND = "sync.notification.kind"
    # metrics only
    DIRECTION = "sync.direction"


COMMON_ATTRIBUTES: Final = (
    Attr.DEVICE_ID,
    Attr.USER_ID,
    Attr.OS_NAME,
    Attr.OS_VERSION,
    Attr.DEVICE_MODEL,
    Attr.APP_VERSION,
    Attr.NETWORK_TYPE,
    Attr.PROFILE,
)
"""Carried by every event."""


class SyncMode(StrEnum):
    """Kinds of sync pass (S5), named as Field Service's DataSyncMode."""

    FIRST_SYNC = "FIRST_SYNC"
    DELTA_SYNC = "DELTA_SYNC"
    GRID_SYNC = "GRID_SYNC"
    FORCED_SYNC = "FORCED_SYNC"
    SINGLE_RECORD_SYNC = "SINGLE_RECORD_SYNC"


class Trigger(StrEnum):
    """What started a pass."""

    SIGN_IN = "sign_in"
    SCHEDULE = "schedule"
    USER = "user"
    REFRESH = "refresh"
    PUSH = "push"


class Result(StrEnum):
    """Outcome of a pass or a table's part of it."""

    SUCCESS = "success"
    FAILURE = "failure"


class DueReason(StrEnum):
    """Why a table was part of a pass (S3)."""

    INTERVAL = "interval"
    RELATED = "related"
    FORCED = "forced"
    REFRESH = "refresh"
    FIRST = "first"
    REJECTED = "rejected"
    """The pass's upload lost a record (a conflict the server won, or a record gone): the table
    is pulled in the same pass so the device shows the server's version (S7)."""


class SkipReason(StrEnum):
    """Why a due sync did not run (S2, S4, S6)."""

    OFFLINE = "offline"
    WIFI_ONLY = "wifi_only"
    ON_DEMAND = "on_demand"
    INACTIVE = "inactive"
    NETWORK_CHECK_TIMEOUT = "network_check_timeout"


class NotificationKind(StrEnum):
    """In-app notifications (S5)."""

    INITIAL = "initial"
    REFRESH = "refresh"
    LARGE_INCREMENTAL = "large_incremental"


class Winner(StrEnum):
    """Whose change survives a conflict (S7)."""

    DEVICE = "device"
    SERVER = "server"


class NetworkType(StrEnum):
    """``network.connection.type`` values."""

    WIFI = "wifi"
    CELL = "cell"
    UNAVAILABLE = "unavailable"


class FailureType(StrEnum):
    """Field Service's failure types (DESIGN, error taxonomy)."""

    NETWORK_ERROR = "NETWORK_ERROR"
    SERVER_ERROR = "SERVER_ERROR"
    AUTH_ERROR = "AUTH_ERROR"
    DEVICE_ERROR = "DEVICE_ERROR"
    DATABASE_ERROR = "DATABASE_ERROR"
    ERROR = "ERROR"
    CONFIG_ERROR = "CONFIG_ERROR"
    ACCESS_ERROR = "ACCESS_ERROR"
    EXPECTED_ERROR = "EXPECTED_ERROR"


class ErrorCode:
    """Field Service's error codes, by meaning."""

    UNKNOWN: Final = 0
    SERVER_TIMEOUT: Final = 2002
    DATABASE: Final = 2003
    NETWORK: Final = 2004
    SERVER: Final = 2005
    AUTH: Final = 2006
    AUTH_EXPIRED: Final = 2009
    DISK_FULL: Final = 2007
    PROFILE: Final = 2016
    CONFIGURATION: Final = 2017
    EXPECTED: Final = 3000


class SyncErrorType(StrEnum):
    """Rows of the admin's Sync Errors list (S7)."""

    CONFLICT = "Conflict"
    RECORD_NOT_FOUND = "Record Not Found"
    OTHER = "Other"


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

    def attributes(self) -> dict[str, int]:
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
