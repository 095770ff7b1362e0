"""``StoreLogExporter``: OpenTelemetry log records (events) → the store's ``sync_events``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Unpack

from opentelemetry.sdk._logs import ReadableLogRecord
from opentelemetry.sdk._logs.export import LogRecordExporter, LogRecordExportResult

from ingest.sink._buffer import SinkCounters, SinkOptions
from ingest.sink._columnar import log_records_table
from ingest.store import Store


class StoreLogExporter(SinkCounters, LogRecordExporter):
    """Writes each batch of log records to ``sync_events``; never raises into the SDK."""

    def __init__(self, store: Store, **options: Unpack[SinkOptions]) -> None:
        """Write into ``store``; ``options``: ``max_buffered_rows``, ``flush_rows`` and
        ``max_delay_s`` (the durability contract of :mod:`ingest.sink._buffer`)."""
        self._buffer_into("logs", store.append_events, **options)

    def export(self, batch: Sequence[ReadableLogRecord]) -> LogRecordExportResult:
        """Convert and write ``batch``; FAILURE when rows are left buffered or were dropped."""
        ok = self._buffer.submit(lambda: log_records_table(batch), len(batch))
        return LogRecordExportResult.SUCCESS if ok else LogRecordExportResult.FAILURE

    def force_flush(self, timeout_millis: int = 30_000) -> bool:
        """Retry buffered rows now; True when none are left."""
        return self._buffer.flush()

    def shutdown(self) -> None:
        """Flush and stop; a second call logs a warning."""
        self._buffer.shutdown()
