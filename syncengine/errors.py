"""The engine's exceptions: one small hierarchy whose messages say what to do next."""

from __future__ import annotations

from vocabulary.contract import ErrorCode, FailureType
from vocabulary.errors import SynctelError


class SyncengineError(SynctelError):
    """Base of every error the engine raises on purpose."""


class SyncFailure(SyncengineError):
    """A sync pass failed, classified in Field Service's taxonomy (DESIGN, error taxonomy)."""

    def __init__(
        self,
        failure_type: FailureType,
        error_code: int,
        message: str,
        *,
        table: str | None = None,
    ) -> None:
        super().__init__(message)
        self.failure_type = failure_type
        self.error_code = error_code
        self.message = message
        self.table = table

    def for_table(self, table: str) -> SyncFailure:
        """The same failure, attributed to ``table``."""
        return SyncFailure(self.failure_type, self.error_code, self.message, table=table)


class RecordNotFound(SyncengineError):
    """S9: the record is not on the device (it left the profile's filters, or never existed)."""

    def __init__(self, table: str, record_id: str) -> None:
        super().__init__(
            f"Record Not Found: {table} {record_id} is not on this device; it may have left "
            "the offline profile's filters — sync, or open it online"
        )
        self.table = table
        self.record_id = record_id


class UnknownTable(SyncengineError):
    """A request named a table the profile does not hold."""

    def __init__(self, table: str, profile: str) -> None:
        super().__init__(f"table {table!r} is not in offline profile {profile!r}; add it there")
        self.table = table


class UnknownProfile(SyncengineError):
    """The server was asked about a profile it was not given."""

    def __init__(self, profile: str) -> None:
        super().__init__(
            f"the sync server has no offline profile {profile!r}; pass it to SyncServer(profiles=…)"
        )


class InvalidSetting(SyncengineError):
    """A user setting outside what the product allows (S4); the previous setting stays."""

    def __init__(self, setting: str, message: str) -> None:
        super().__init__(message)
        self.setting = setting


def network_failure(message: str) -> SyncFailure:
    """The connection was lost or refused (NETWORK_ERROR 2004)."""
    return SyncFailure(FailureType.NETWORK_ERROR, ErrorCode.NETWORK, message)


def server_failure(message: str) -> SyncFailure:
    """The server answered with an error (SERVER_ERROR 2005)."""
    return SyncFailure(FailureType.SERVER_ERROR, ErrorCode.SERVER, message)


def auth_failure(message: str, *, expired: bool = False) -> SyncFailure:
    """The server refused the credentials (AUTH_ERROR 2006, or 2009 when the token expired)."""
    code = ErrorCode.AUTH_EXPIRED if expired else ErrorCode.AUTH
    return SyncFailure(FailureType.AUTH_ERROR, code, message)


def timeout_failure(message: str) -> SyncFailure:
    """The server did not answer in time (ERROR 2002)."""
    return SyncFailure(FailureType.ERROR, ErrorCode.SERVER_TIMEOUT, message)


def disk_full_failure(message: str) -> SyncFailure:
    """The device's storage is full (DEVICE_ERROR 2007)."""
    return SyncFailure(FailureType.DEVICE_ERROR, ErrorCode.DISK_FULL, message)


def config_failure(message: str) -> SyncFailure:
    """The server rejected the request's profile or configuration (CONFIG_ERROR 2017)."""
    return SyncFailure(FailureType.CONFIG_ERROR, ErrorCode.CONFIGURATION, message)


def database_failure(message: str) -> SyncFailure:
    """The device's offline database failed (DATABASE_ERROR 2003)."""
    return SyncFailure(FailureType.DATABASE_ERROR, ErrorCode.DATABASE, message)


__all__ = [
    "ErrorCode",
    "FailureType",
    "InvalidSetting",
    "RecordNotFound",
    "SyncFailure",
    "SyncengineError",
    "UnknownProfile",
    "UnknownTable",
]
