"""The engine's exceptions: one small hierarchy whose messages say what to do next."""

from __future__ import annotations

from emitter.catalog import ErrorCode, FailureType


class SyncengineError(Exception):
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


__all__ = ["ErrorCode", "FailureType", "SyncFailure", "SyncengineError"]
