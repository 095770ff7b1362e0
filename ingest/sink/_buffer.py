"""What the three store exporters share: a bounded buffer, counters and log-once errors.

Telemetry never breaks its host (STYLE §2): a failed write is caught, logged once, reported as
FAILURE and retried on the next export; rows beyond the buffer are counted as dropped.

Durability contract (``flush_rows``):

- ``flush_rows=0`` (the default), *write-through*: ``export()`` returns SUCCESS only once every
  row it was given (and every row held from earlier failures) is in a committed Delta version
  (one commit per export). Committed means it survives the process being killed; delta-rs does
  not fsync, so a power cut may lose the newest commits (see BENCHMARKS.md, "Store on Delta
  Lake").
- ``flush_rows=N``, *coalescing*: ``export()`` converts the batch and holds it in memory, and
  returns SUCCESS once the rows are accepted; held rows are written as ONE commit when
  N rows are held, when the oldest held row is ``max_delay_s`` old (a background timer checks,
  so this holds even if no further export comes), on ``force_flush()`` and on ``shutdown()``.
  Rows are durable within ``max_delay_s`` of being exported (plus the write itself); a process
  killed before that loses the rows it held, exactly as the SDK's own batch processor loses its
  queue. Nothing is lost silently otherwise: a failed write keeps the rows for retry (FAILURE
  is returned until a write succeeds again), and rows that do not fit ``max_rows`` are counted
  in ``dropped``.

In both modes the store's own guarantees are unchanged: every file is published atomically and
a reader never sees a row twice.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final, TypedDict

import pyarrow as pa

from ingest.errors import LakeWriteError

log = logging.getLogger("ingest.sink")

DEFAULT_MAX_BUFFERED_ROWS: Final = 100_000
"""Rows a sink holds (for coalescing or retry) while they are not written; more are dropped."""
DEFAULT_MAX_DELAY_S: Final = 1.0
"""In coalescing mode, the longest a row is held before it is written."""


@dataclass(frozen=True)
class SinkStats:
    """A snapshot of one sink's counters."""

    exported: int
    """Rows written to the store."""
    dropped: int
    """Rows lost: beyond the buffer, unconvertible, or sent after shutdown."""
    buffered: int
    """Rows held and not yet written: for retry after a failed write, or (coalescing) until
    the next flush."""
    last_error: str | None
    """The last write or conversion error, cleared by the next successful write."""


class SinkBuffer:
    """Converted batches waiting for the store, written in order, bounded by row count."""

    def __init__(
        self,
        signal: str,
        write: Callable[[pa.Table], int],
        max_rows: int,
        *,
        flush_rows: int = 0,
        max_delay_s: float = DEFAULT_MAX_DELAY_S,
    ) -> None:
        if flush_rows < 0 or max_delay_s <= 0:
            raise ValueError("flush_rows must be >= 0 and max_delay_s > 0")
        self._signal = signal
        self._write = write
        self._max_rows = max_rows
        self._flush_rows = min(flush_rows, max_rows)
        self._max_delay_s = max_delay_s
        self._pending: list[pa.Table] = []
        self._oldest: float | None = None  # monotonic time the oldest pending row arrived
        self._failed_at = 0.0  # monotonic time of the last failed write
        self._lock = threading.Lock()
        self._exported = 0
        self._dropped = 0
        self._last_error: str | None = None
        self._shut = False
        self._stop = threading.Event()
        self._timer: threading.Thread | None = None

    def stats(self) -> SinkStats:
        """The counters now."""
        with self._lock:
            return SinkStats(self._exported, self._dropped, self._buffered(), self._last_error)

    def _buffered(self) -> int:
        return sum(t.num_rows for t in self._pending)

    def submit(self, convert: Callable[[], pa.Table], items: int) -> bool:
        """Convert and queue a batch, then write what is due; False if rows were dropped or
        the last write failed (write-through: also if anything is left unwritten)."""
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
            if self._pending and self._last_error is not None:
                self._flush()  # make room first: the store may be writable again
            room = self._max_rows - self._buffered()
            dropped = table.num_rows > room
            if dropped:
                self._dropped += table.num_rows - max(room, 0)
                table = table.slice(0, max(room, 0))
            if table.num_rows:
                self._pending.append(table)
                if self._oldest is None:
                    self._oldest = time.monotonic()
            if not self._flush_rows:
                return self._flush() and not dropped
            if self._due():
                self._flush()
            else:
                self._start_timer()
            return not dropped and self._last_error is None

    def _due(self) -> bool:
        if not self._pending:
            return False
        if self._buffered() >= self._flush_rows:
            return True
        return self._oldest is not None and time.monotonic() - self._oldest >= self._max_delay_s

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
            self._stop.set()
            if self._pending:
                lost = self._buffered()
                self._dropped += lost
                self._pending.clear()
                log.error("store %s sink shut down with %d unwritten row(s)", self._signal, lost)
        timer = self._timer
        if timer is not None and timer is not threading.current_thread():
            timer.join(timeout=5.0)

    def _start_timer(self) -> None:
        if self._timer is None:
            self._timer = threading.Thread(
                target=self._tick, name=f"store-{self._signal}-sink-flush", daemon=True
            )
            self._timer.start()

    def _tick(self) -> None:
        """Background: write held rows once the oldest is ``max_delay_s`` old."""
        while not self._stop.wait(self._max_delay_s / 4):
            with self._lock:
                resting = time.monotonic() - self._failed_at < self._max_delay_s
                if not self._shut and self._due() and not resting:
                    self._flush()

    def _flush(self) -> bool:
        while self._pending:
            table = (
                self._pending[0]
                if len(self._pending) == 1
                else pa.concat_tables(self._pending, promote_options="permissive")
            )
            try:
                self._write(table)
            except (LakeWriteError, OSError) as exc:  # transient: keep the rows, retry later
                self._fail(str(exc))
                return False
            except Exception as exc:  # noqa: BLE001 - a bug must not wedge the buffer or the host
                if len(self._pending) > 1:
                    self._flush_one_by_one()  # find the batch the store rejects; keep the rest
                    continue
                self._pending.pop(0)
                self._dropped += table.num_rows
                self._fail(f"dropped {table.num_rows} row(s) the store rejected: {exc!r}")
                continue
            self._pending.clear()
            self._exported += table.num_rows
            if self._last_error is not None:
                log.warning("store %s sink recovered: writing again", self._signal)
                self._last_error = None
        self._oldest = None
        return True

    def _flush_one_by_one(self) -> None:
        """Write the queued batches separately, dropping (and counting) the ones rejected;
        stops at the first transient failure, keeping the rest queued."""
        while self._pending:
            table = self._pending[0]
            try:
                self._write(table)
            except (LakeWriteError, OSError) as exc:
                self._fail(str(exc))
                return
            except Exception as exc:  # noqa: BLE001 - as in _flush
                self._dropped += table.num_rows
                self._fail(f"dropped {table.num_rows} row(s) the store rejected: {exc!r}")
            else:
                self._exported += table.num_rows
            self._pending.pop(0)

    def _fail(self, error: str) -> None:
        self._failed_at = time.monotonic()
        if self._last_error is None:  # log once per failure streak
            log.error("store %s sink: %s (buffered rows are retried)", self._signal, error)
        self._last_error = error


class SinkOptions(TypedDict, total=False):
    """Keyword options of the store exporters."""

    max_buffered_rows: int
    """Rows held for retry while the store cannot be written; more are dropped and counted."""
    flush_rows: int
    """Coalesce: write once this many rows are held (0: every export is written at once)."""
    max_delay_s: float
    """Coalesce: write once the oldest held row is this old."""


class SinkCounters:
    """Mixin of the three store exporters: their :class:`SinkBuffer` and its read-only
    counters."""

    _buffer: SinkBuffer

    def _buffer_into(
        self,
        signal: str,
        write: Callable[[pa.Table], int],
        *,
        max_buffered_rows: int = DEFAULT_MAX_BUFFERED_ROWS,
        flush_rows: int = 0,
        max_delay_s: float = DEFAULT_MAX_DELAY_S,
    ) -> None:
        """Buffer rows for ``write``; ``flush_rows``/``max_delay_s``: see the durability
        contract of this module (0: every export is durable before it returns)."""
        self._buffer = SinkBuffer(
            signal, write, max_buffered_rows, flush_rows=flush_rows, max_delay_s=max_delay_s
        )

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
        """Rows not yet written (held for retry, or for coalescing)."""
        return self._buffer.stats().buffered

    @property
    def last_error(self) -> str | None:
        """The last error, or None once a write succeeds."""
        return self._buffer.stats().last_error
