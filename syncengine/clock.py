"""Time as a dependency: every time-dependent part of the engine takes a :class:`Clock`.

``ManualClock`` lets tests and the fleet simulator run simulated days in seconds; the same
timestamps land in telemetry, so simulated time is what the store and dashboards see.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """A source of the current time."""

    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""
        ...


class SystemClock:
    """The machine's wall clock."""

    def now(self) -> datetime:
        """The current UTC time."""
        return datetime.now(UTC)


class ManualClock:
    """A clock that moves only when told to."""

    def __init__(self, start: datetime | None = None) -> None:
        """Start at ``start`` (must be timezone-aware), by default 2026-01-05 08:00 UTC."""
        start = start or datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
        self._now = _utc(start)

    def now(self) -> datetime:
        """The current simulated time."""
        return self._now

    def advance(self, delta: timedelta) -> datetime:
        """Move forward by ``delta`` (never backwards) and return the new time."""
        if delta < timedelta(0):
            raise ValueError(f"a clock cannot move backwards (advance by {delta})")
        self._now += delta
        return self._now

    def set(self, when: datetime) -> None:
        """Jump to ``when`` (timezone-aware; may not be earlier than now)."""
        when = _utc(when)
        if when < self._now:
            raise ValueError(f"a clock cannot move backwards ({when} < {self._now})")
        self._now = when


def _utc(when: datetime) -> datetime:
    if when.tzinfo is None:
        raise ValueError(f"{when} has no timezone; pass an aware datetime (e.g. tzinfo=UTC)")
    return when.astimezone(UTC)


def to_ns(when: datetime) -> int:
    """Nanoseconds since the epoch, as OpenTelemetry timestamps are."""
    delta = when - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000_000 + delta.microseconds * 1_000


def duration_ms(start: datetime, end: datetime) -> float:
    """Milliseconds from ``start`` to ``end``."""
    return (end - start) / timedelta(milliseconds=1)
