"""What the advisor reports: recommendations with their evidence, change and expected effect."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

Severity = Literal["info", "warning", "critical"]
"""How urgent a recommendation is: ``critical`` only for a device approaching a hard limit."""
SEVERITY_ORDER: dict[str, int] = {"critical": 0, "warning": 1, "info": 2}
"""Sort key: the most urgent first."""


class Kind(StrEnum):
    """The rule a recommendation comes from."""

    INTERVAL_LONGER_THAN_NEEDED = "interval-longer-than-needed"
    """Passes almost always download nothing: a longer interval is all the data needs."""
    INTERVAL_NOT_RESPECTED = "interval-not-respected"
    """The table is mostly pulled along by a related table with a shorter interval (S3)."""
    FILTERS_TOO_RESTRICTIVE = "filters-too-restrictive"
    """Users often open records their filters removed (Record Not Found, S9)."""
    CELLULAR_DATA_HEAVY = "cellular-data-heavy"
    """The table moves the most bytes on cellular per device per day (S4)."""
    CONFLICT_POLICY = "conflict-policy"
    """Many conflicts, with detection off (office edits lost) or on (users see errors) (S7)."""
    SIZE = "size"
    """Devices near the recommended records or bytes, or approaching the limit (S10)."""
    STALE = "stale"
    """Devices in use whose table has not synced for several intervals (S6)."""


@dataclass(frozen=True)
class Window:
    """The span of data the evidence comes from (UTC, ``start`` inclusive, ``end`` inclusive)."""

    start: datetime
    """The first instant read."""
    end: datetime
    """The store's newest event: the end of the evidence."""

    @property
    def days(self) -> float:
        """Length in days."""
        return (self.end - self.start).total_seconds() / 86400

    def describe(self) -> str:
        """E.g. ``last 7 days of data: 2026-01-05 00:00 to 2026-01-12 00:00 UTC``."""
        span = f"{self.start:%Y-%m-%d %H:%M} to {self.end:%Y-%m-%d %H:%M} UTC"
        return f"last {self.days:.3g} days of data: {span}"


@dataclass(frozen=True)
class Evidence:
    """One number behind a recommendation."""

    name: str
    """What was measured, e.g. ``empty_share``."""
    value: float | int | str
    """The measurement."""
    label: str
    """How a person reads it, e.g. ``99.1% of its own passes downloaded nothing``."""


@dataclass(frozen=True)
class Change:
    """The profile change a recommendation proposes: one key set to one value."""

    key: str
    """Dotted path, e.g. ``tables[account].interval_minutes`` or ``settings.allow_wifi_only``."""
    before: Any
    """The value now (None when the profile is not known)."""
    after: Any
    """The proposed value."""
    snippet: str
    """The TOML lines that express the change on their own."""
    diff: str | None = None
    """Unified diff of the profile file, when its text is known; the after-text validates."""
    source: str | None = None
    """The profile file the diff applies to (a path or a built-in resource name)."""


@dataclass(frozen=True)
class Effect:
    """Expected change per device per day; negative numbers are savings."""

    passes: float
    """Table syncs (one table's part of a pass) per device per day."""
    bytes: float
    """Bytes down and up per device per day."""
    records: float
    """Records down and up per device per day."""
    note: str
    """The model behind the numbers, and what they leave out."""


@dataclass(frozen=True)
class Recommendation:
    """One piece of advice for one profile (and usually one table)."""

    kind: Kind
    """The rule that fired."""
    severity: Severity
    """How urgent."""
    profile: str
    """The offline profile (``sync.profile``)."""
    table: str | None
    """The table, or None for a profile-wide recommendation."""
    summary: str
    """One sentence: what was seen and what to do."""
    evidence: tuple[Evidence, ...]
    """The numbers, over ``window``."""
    window: Window
    """Where the evidence comes from."""
    change: Change | None
    """The profile change, or None when the fix is not a profile edit (see ``action``)."""
    effect: Effect | None
    """Expected effect of ``change``; None when it cannot be estimated from telemetry."""
    action: str = ""
    """What to do, in words (the trade-off, or the manual step when there is no change)."""
    link: str = ""
    """Dashboard path and query showing the evidence, e.g. ``profiles-tables?profile=…``."""


@dataclass(frozen=True)
class Report:
    """Everything the advisor found in one store."""

    window: Window | None
    """The evidence window; None when the store has no events."""
    profiles: dict[str, str] = field(default_factory=dict)
    """Each profile seen in the data → where its text came from (file, built-in, or unknown)."""
    recommendations: tuple[Recommendation, ...] = ()
    """Most urgent first, then by profile and table."""
