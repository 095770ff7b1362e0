"""``StoreLogExporter``: OpenTelemetry log records (events) → the store's ``sync_events``."""

from __future__ import annotations

from collections.abc import Sequence

from opentelemetry.sdk._logs import ReadableLogRecord
from opentelemetry.sdk._logs.export import LogRecordExporter, LogRecordExportResult

from ingest.sink._buffer import (
    DEFAULT_MAX_BUFFERED_ROWS,
    DEFAULT_MAX_DELAY_S,
    SinkBuffer,
    SinkCounters,
)
from ingest.sink._columnar import log_records_table
from ingest.store import Store


class StoreLogExporter(SinkCounters, LogRecordExporter):
    """Writes each batch of log records to ``sync_events``; never raises into the SDK."""

    def __init__(
        self,
        store: Store,
        *,
        max_buffered_rows: int = DEFAULT_MAX_BUFFERED_ROWS,
        flush_rows: int = 0,
        max_delay_s: float = DEFAULT_MAX_DELAY_S,
    ) -> None:
        """Write into ``store``; ``flush_rows``/``max_delay_s``: see the durability contract
        in :mod:`ingest.sink._buffer` (0: every export is durable before it returns)."""
        self._buffer = SinkBuffer(
            "logs",
            store.append_events,
            max_buffered_rows,
            flush_rows=flush_rows,
            max_delay_s=max_delay_s,
        )

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
