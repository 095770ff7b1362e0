"""A pass in flight, as the instrumentation tracks it between its start and its end."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from opentelemetry import trace

from vocabulary.contract import SyncMode, Trigger


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
