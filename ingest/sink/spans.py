"""``StoreSpanExporter``: finished OpenTelemetry spans → the store's ``spans``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Unpack

from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult

from ingest.convert import spans_to_rows
from ingest.sink._buffer import SinkCounters, SinkOptions
from ingest.store import Store


class StoreSpanExporter(SinkCounters, SpanExporter):
    """Writes each batch of spans to ``spans``; never raises into the SDK."""

    def __init__(self, store: Store, **options: Unpack[SinkOptions]) -> None:
        """Write into ``store``; ``options``: ``max_buffered_rows``, ``flush_rows`` and
        ``max_delay_s`` (the durability contract of :mod:`ingest.sink._buffer`)."""
        self._buffer_into("spans", store.append_spans, **options)

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
