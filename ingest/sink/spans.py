"""``StoreSpanExporter``: finished OpenTelemetry spans → the store's ``spans``."""

from __future__ import annotations

from collections.abc import Sequence

from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult

from ingest.convert import spans_to_rows
from ingest.sink._buffer import (
    DEFAULT_MAX_BUFFERED_ROWS,
    DEFAULT_MAX_DELAY_S,
    SinkBuffer,
    SinkCounters,
)
from ingest.store import Store


class StoreSpanExporter(SinkCounters, SpanExporter):
    """Writes each batch of spans to ``spans``; never raises into the SDK."""

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
            "spans",
            store.append_spans,
            max_buffered_rows,
            flush_rows=flush_rows,
            max_delay_s=max_delay_s,
        )

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        """Convert and write ``spans``; FAILURE when rows are left buffered or were dropped."""
        ok = self._buffer.submit(lambda: spans_to_rows(spans), len(spans))
        return SpanExportResult.SUCCESS if ok else SpanExportResult.FAILURE

    def force_flush(self, timeout_millis: int = 30_000) -> bool:
        """Retry buffered rows now; True when none are left."""
        return self._buffer.flush()

    def shutdown(self) -> None:
        """Flush and stop; a second call logs a warning."""
        self._buffer.shutdown()
