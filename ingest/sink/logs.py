"""``StoreLogExporter``: OpenTelemetry log records (events) → the store's ``sync_events``."""

from __future__ import annotations

from collections.abc import Sequence

from opentelemetry.sdk._logs import ReadableLogRecord
from opentelemetry.sdk._logs.export import LogRecordExporter, LogRecordExportResult

from ingest.convert import log_records_to_events
from ingest.sink._buffer import DEFAULT_MAX_BUFFERED_ROWS, SinkBuffer, SinkCounters
from ingest.store import Store


class StoreLogExporter(SinkCounters, LogRecordExporter):
    """Writes each batch of log records to ``sync_events``; never raises into the SDK."""

    def __init__(self, store: Store, *, max_buffered_rows: int = DEFAULT_MAX_BUFFERED_ROWS) -> None:
        self._buffer = SinkBuffer("logs", store.append_events, max_buffered_rows)

    def export(self, batch: Sequence[ReadableLogRecord]) -> LogRecordExportResult:
        """Convert and write ``batch``; FAILURE when rows are left buffered or were dropped."""
        ok = self._buffer.submit(lambda: log_records_to_events(batch), len(batch))
        return LogRecordExportResult.SUCCESS if ok else LogRecordExportResult.FAILURE

    def force_flush(self, timeout_millis: int = 30_000) -> bool:
        """Retry buffered rows now; True when none are left."""
        return self._buffer.flush()

    def shutdown(self) -> None:
        """Flush and stop; a second call logs a warning."""
        self._buffer.shutdown()
