"""What the three store exporters share: a bounded retry buffer, counters and log-once errors.

Telemetry never breaks its host (STYLE §2): a failed write is caught, logged once, reported as
FAILURE and retried on the next export; rows beyond the buffer are counted as dropped.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

import pyarrow as pa

from ingest.errors import LakeWriteError

log = logging.getLogger("ingest.sink")

DEFAULT_MAX_BUFFERED_ROWS: Final = 100_000
"""Rows a sink holds for retry while the store cannot be written; more are dropped."""


@dataclass(frozen=True)
class SinkStats:
    """A snapshot of one sink's counters."""

    exported: int
    """Rows written to the store."""
    dropped: int
    """Rows lost: beyond the retry buffer, unconvertible, or sent after shutdown."""
    buffered: int
    """Rows held for retry because the last write failed."""
    last_error: str | None
    """The last write or conversion error, cleared by the next successful write."""


class SinkBuffer:
    """Converted batches waiting for the store, written in order, bounded by row count."""

    def __init__(self, signal: str, write: Callable[[pa.Table], int], max_rows: int) -> None:
        self._signal = signal
        self._write = write
        self._max_rows = max_rows
        self._pending: list[pa.Table] = []
        self._lock = threading.Lock()
        self._exported = 0
        self._dropped = 0
        self._last_error: str | None = None
        self._shut = False

    def stats(self) -> SinkStats:
        """The counters now."""
        with self._lock:
            return SinkStats(self._exported, self._dropped, self._buffered(), self._last_error)

    def _buffered(self) -> int:
        return sum(t.num_rows for t in self._pending)

    def submit(self, convert: Callable[[], pa.Table], items: int) -> bool:
        """Convert and queue a batch, then write everything queued; False if anything is left."""
        with self._lock:
            if self._shut:
                self._dropped += items
                log.warning("store %s sink is shut down: %d item(s) dropped", self._signal, items)
                return False
            try:
                table = convert()
            except Exception as exc:  # noqa: BLE001 - a bad record must never break the host
                self._dropped += items
                self._fail(f"cannot convert {items} {self._signal} item(s): {exc!r}")
                return False
            if self._pending:
                self._flush()  # make room first: the store may be writable again
            room = self._max_rows - self._buffered()
            if table.num_rows > room:
                self._dropped += table.num_rows - max(room, 0)
                table = table.slice(0, max(room, 0))
            if table.num_rows:
                self._pending.append(table)
            return self._flush()

    def flush(self) -> bool:
        """Write what is queued; True when nothing is left waiting."""
        with self._lock:
            return self._flush()

    def shutdown(self) -> None:
        """Flush once more and refuse later batches; a second call only warns."""
        with self._lock:
            if self._shut:
                log.warning("store %s sink shut down twice; ignoring", self._signal)
                return
            self._flush()
            self._shut = True
            if self._pending:
                lost = self._buffered()
                self._dropped += lost
                self._pending.clear()
                log.error("store %s sink shut down with %d unwritten row(s)", self._signal, lost)

    def _flush(self) -> bool:
        while self._pending:
            table = self._pending[0]
            try:
                self._write(table)
            except (LakeWriteError, OSError) as exc:  # transient: keep the rows, retry later
                self._fail(str(exc))
                return False
            except Exception as exc:  # noqa: BLE001 - a bug must not wedge the buffer or the host
                self._pending.pop(0)
                self._dropped += table.num_rows
                self._fail(f"dropped {table.num_rows} row(s) the store rejected: {exc!r}")
                continue
            self._pending.pop(0)
            self._exported += table.num_rows
            if self._last_error is not None:
                log.warning("store %s sink recovered: writing again", self._signal)
                self._last_error = None
        return True

    def _fail(self, error: str) -> None:
        if self._last_error is None:  # log once per failure streak
            log.error("store %s sink: %s (buffered rows are retried)", self._signal, error)
        self._last_error = error


class SinkCounters:
    """Mixin giving an exporter read-only counters from its :class:`SinkBuffer`."""

    _buffer: SinkBuffer

    def stats(self) -> SinkStats:
        """All counters at once."""
        return self._buffer.stats()

    @property
    def exported(self) -> int:
        """Rows written to the store."""
        return self._buffer.stats().exported

    @property
    def dropped(self) -> int:
        """Rows lost (beyond the buffer, unconvertible, after shutdown)."""
        return self._buffer.stats().dropped

    @property
    def buffered(self) -> int:
        """Rows waiting for retry."""
        return self._buffer.stats().buffered

    @property
    def last_error(self) -> str | None:
        """The last error, or None once a write succeeds."""
        return self._buffer.stats().last_error
