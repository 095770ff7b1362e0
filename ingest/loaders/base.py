"""What every loader shares: the :class:`Loader` protocol and the rows it yields."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Protocol

from ingest.identities import Pseudonyms

SNIFF_BYTES: Final = 64 * 1024
"""How much of the start of a file the loaders see in ``sniff``."""

Row = dict[str, Any]
"""One store row: column name → value (missing columns are NULL)."""


@dataclass(frozen=True)
class QuarantineRow:
    """A row (or whole file) that could not be read, with its reason."""

    kind: str
    """Short reason category, used to group the closing summary (e.g. ``unknown DataSyncMode``)."""
    detail: str
    """What exactly was wrong with this row, e.g. ``DataSyncMode 'TURBO_SYNC'``."""
    raw: str
    """The row as found in the file (its text, or its values as JSON)."""
    line_number: int | None = None
    """1-based row of the table (header not counted), or None for the whole file."""

    @property
    def reason(self) -> str:
        """The ``quarantine.reason`` value: ``kind: detail``."""
        return f"{self.kind}: {self.detail}" if self.detail else self.kind


@dataclass
class Batch:
    """What a loader read from one slice of a file."""

    events: list[Row] = field(default_factory=list)
    """``sync_events`` rows, each with a stable ``event_id`` (the store skips known ids)."""
    spans: list[Row] = field(default_factory=list)
    """``spans`` rows."""
    metrics: list[Row] = field(default_factory=list)
    """``metric_points`` rows."""
    quarantine: list[QuarantineRow] = field(default_factory=list)
    """Rows that could not be read."""
    ignored: dict[str, int] = field(default_factory=dict)
    """Rows that are valid telemetry but not sync telemetry, counted by a label (e.g. their
    name); reported in the summary, not stored."""
    rows_read: int = 0
    """Input rows this batch covers (for progress)."""
    total_rows: int | None = None
    """Input rows in the whole file, when known (set on the first batch, for progress)."""


@dataclass(frozen=True)
class LoadContext:
    """What a loader needs besides the file."""

    id_salt: str
    """Salt for pseudonymising raw device and user ids (same salt → same pseudonyms)."""
    loaded_at: dt.datetime
    """UTC time of this load (stamped on quarantine rows)."""
    batch_rows: int = 50_000
    """Input rows per yielded batch."""

    @property
    def ids(self) -> Pseudonyms:
        """How raw ids are hashed in this load (with :attr:`id_salt`)."""
        return Pseudonyms(self.id_salt)


class Loader(Protocol):
    """One file format."""

    name: str
    """Short format name shown in the summary, e.g. ``appinsights``."""

    def sniff(self, head: bytes, path: Path) -> bool:
        """True when the first bytes of the file (at most :data:`SNIFF_BYTES`) are this format."""
        ...

    def read(self, path: Path, context: LoadContext) -> Iterator[Batch]:
        """Read the file in batches. Raises an :class:`~ingest.errors.IngestError` (after
        yielding a quarantine row for it when anything was read) if the file as a whole
        cannot be read."""
        ...


def read_head(path: Path) -> bytes:
    """The first :data:`SNIFF_BYTES` of a file, a UTF-8 byte order mark removed."""
    with open(path, "rb") as fh:
        head = fh.read(SNIFF_BYTES)
    return head.removeprefix(b"\xef\xbb\xbf")
