"""The receiver's bounded work queue and the one thread that appends its batches to the store.

Request handlers put a :class:`Job` (the Arrow tables of one request) on a bounded queue and
wait for it; the writer thread takes every job waiting (up to a row budget), appends them to
the store in one Delta commit per table, then wakes the handlers. A handler acknowledges its
request only after that, so an acknowledged batch is committed: it survives a killed process
(delta-rs does not fsync, so a power cut may lose the newest commits). A full queue refuses new
jobs at once instead of buffering without bound; the receiver answers those with 429 and
``Retry-After``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import queue
import threading
from dataclasses import dataclass, field
from typing import Final

import pyarrow as pa

from ingest.convert import events_table, points_table
from ingest.otlp.records import Mapped
from ingest.store import Store
from ingest.tables import EVENTS, METRICS, QUARANTINE, SPANS, arrow_schemas

_log = logging.getLogger(__name__)

DEFAULT_QUEUE_SIZE: Final = 64
"""Requests that may wait for the writer before new ones are refused."""
DEFAULT_ROWS_PER_WRITE: Final = 100_000
"""The writer merges waiting jobs into one store append up to about this many rows."""


@dataclass
class Job:
    """The Arrow tables of one request, waiting to be written."""

    tables: dict[str, pa.Table]
    """Table name (``sync_events``, ``spans``, ``metric_points``, ``quarantine``) → rows."""
    done: threading.Event = field(default_factory=threading.Event)
    """Set once the job is written (or failed)."""
    error: str | None = None
    """Why writing failed, or None once written."""

    @property
    def rows(self) -> int:
        """Rows in all tables."""
        return sum(t.num_rows for t in self.tables.values())


def make_job(mapped: Mapped, source: str) -> Job:
    """The job of one request's rows, its rejected records as quarantine rows from ``source``.

    Built by the request's own thread, so rows Arrow cannot take fail that request alone
    (it raises), never a write that other requests share.
    """
    schemas = arrow_schemas()
    tables: dict[str, pa.Table] = {}
    if mapped.events:
        tables[EVENTS.name] = events_table(mapped.events)
    if mapped.spans:
        tables[SPANS.name] = pa.Table.from_pylist(mapped.spans, schema=schemas[SPANS.name])
    if mapped.metrics:
        tables[METRICS.name] = points_table(mapped.metrics)
    if mapped.rejected:
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        rows = [
            {"loaded_at": now, "source_file": source, "reason": r.reason, "raw": r.raw}
            for r in mapped.rejected
        ]
        tables[QUARANTINE.name] = pa.Table.from_pylist(rows, schema=schemas[QUARANTINE.name])
    return Job(tables)


class StoreWriter:
    """A bounded queue of :class:`Job` s and the thread that writes them to a store."""

    def __init__(
        self,
        store: Store,
        *,
        queue_size: int = DEFAULT_QUEUE_SIZE,
        rows_per_write: int = DEFAULT_ROWS_PER_WRITE,
    ) -> None:
        self.store = store
        """The store written to."""
        self.capacity = queue_size
        """Most jobs that may wait."""
        self.rows_written = 0
        """Rows appended so far (all tables, quarantine included)."""
        self.failed_writes = 0
        """Store appends that raised."""
        self.last_error: str | None = None
        """The last append's error, or None when the last append succeeded."""
        self._rows_per_write = rows_per_write
        self._queue: queue.Queue[Job | None] = queue.Queue(maxsize=queue_size)
        self._accepting = True
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="otlp-store-writer", daemon=True)
        self._thread.start()

    @property
    def depth(self) -> int:
        """Jobs waiting now."""
        return self._queue.qsize()

    @property
    def running(self) -> bool:
        """True while the writer thread is alive and accepting jobs."""
        return self._accepting and self._thread.is_alive()

    def submit(self, job: Job) -> bool:
        """Queue ``job``; False at once when the queue is full or the writer is closed."""
        with self._lock:
            if not self.running:
                return False
            try:
                self._queue.put_nowait(job)
            except queue.Full:
                return False
        return True

    def close(self, timeout: float = 30.0) -> bool:
        """Stop accepting jobs, write every job already queued, stop the thread.

        Returns True when the thread finished within ``timeout`` seconds. Closing twice is
        harmless.
        """
        with self._lock:
            if self._accepting:
                self._accepting = False
                with contextlib.suppress(queue.Full):  # a stuck writer: join() times out below
                    self._queue.put(None, timeout=timeout)  # after every queued job
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def _run(self) -> None:
        stopping = False
        while not stopping:
            first = self._queue.get()
            if first is None:
                return
            jobs = [first]
            rows = first.rows
            while rows < self._rows_per_write:
                try:
                    job = self._queue.get_nowait()
                except queue.Empty:
                    break
                if job is None:
                    stopping = True
                    break
                jobs.append(job)
                rows += job.rows
            self._write(jobs)

    def _write(self, jobs: list[Job]) -> None:
        try:
            written = self._append(jobs)
        except Exception as exc:  # noqa: BLE001 - any store failure must reach the waiting handlers
            message = f"store append failed: {exc}"
            _log.warning("%s (%d request(s) not acknowledged)", message, len(jobs))
            self.failed_writes += 1
            self.last_error = message
            for job in jobs:
                job.error = message
                job.done.set()
            return
        self.rows_written += written
        self.last_error = None
        for job in jobs:
            job.done.set()

    def _append(self, jobs: list[Job]) -> int:
        written = 0
        for spec in (EVENTS, SPANS, METRICS, QUARANTINE):
            parts = [job.tables[spec.name] for job in jobs if spec.name in job.tables]
            if parts:
                written += self.store.append(spec, pa.concat_tables(parts))
        return written
