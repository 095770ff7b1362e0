"""File loaders for ``synctel load``: a registry that picks the loader by a file's CONTENT.

A loader is a small class with a ``name``, a ``sniff(head, path)`` test on the first bytes of a
file, and ``read(path, context)`` yielding :class:`Batch` es of store rows plus quarantine rows.
:func:`detect` asks each registered loader in order; the first whose ``sniff`` answers True
reads the file. File names and extensions are never consulted.

Loaders are registered by import path in :data:`LOADER_PATHS` (imported lazily, so the CLI stays
fast); another module may also call :func:`register` with a loader instance.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Protocol

from ingest.errors import NotTelemetryError

SNIFF_BYTES: Final = 64 * 1024
"""How much of the start of a file the loaders see in ``sniff``."""

LOADER_PATHS: Final[tuple[str, ...]] = (
    "ingest.loaders.appinsights:AppInsightsLoader",
    "ingest.loaders.otlp_json:OtlpJsonLoader",
)
"""``module:Class`` of every built-in loader, asked in this order."""

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


_registered: list[Loader] = []


def register(loader: Loader) -> None:
    """Add a loader, asked after the built-in ones."""
    _registered.append(loader)


def loaders() -> list[Loader]:
    """Every loader, built-in first, in the order :func:`detect` asks them."""
    found: list[Loader] = []
    for spec in LOADER_PATHS:
        module, _, cls = spec.partition(":")
        found.append(getattr(importlib.import_module(module), cls)())
    return found + _registered


def read_head(path: Path) -> bytes:
    """The first :data:`SNIFF_BYTES` of a file, a UTF-8 byte order mark removed."""
    with open(path, "rb") as fh:
        head = fh.read(SNIFF_BYTES)
    return head.removeprefix(b"\xef\xbb\xbf")


def detect(path: Path) -> Loader:
    """The loader for ``path``, chosen by its content.

    Raises :class:`~ingest.errors.NotTelemetryError` for an empty file or one no loader knows.
    """
    head = read_head(path)
    if not head.strip():
        raise NotTelemetryError(path, "the file is empty")
    for loader in loaders():
        if loader.sniff(head, path):
            return loader
    raise NotTelemetryError(path, "no loader recognises its content")
