"""A pass in flight, as the instrumentation tracks it between its start and its end, and the
attributes of a failure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from opentelemetry import trace
from opentelemetry.util.types import AttributeValue

from vocabulary.contract import Attr, FailureInfo, SyncMode, Trigger


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


def failure_attributes(failure: FailureInfo) -> dict[str, AttributeValue]:
    """The attributes a failure adds to ``sync.failed`` and ``sync.table``."""
    attrs: dict[str, AttributeValue] = {
        Attr.ERROR_CODE: failure.error_code,
        Attr.FAILURE_TYPE: failure.failure_type,
        Attr.ERROR_MESSAGE: failure.message,
    }
    if failure.table:
        attrs[Attr.TABLE] = failure.table
    return attrs
