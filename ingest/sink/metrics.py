"""``StoreMetricExporter``: metric data points → the store's ``metric_points``.

Use it with a ``PeriodicExportingMetricReader``. It asks for DELTA temporality on counters
and histograms, so each stored point is the change over one export interval and sums add up.
"""

from __future__ import annotations

from typing import Any, Unpack

from opentelemetry.sdk.metrics import Counter, Histogram, ObservableCounter, UpDownCounter
from opentelemetry.sdk.metrics.export import (
    AggregationTemporality,
    MetricExporter,
    MetricExportResult,
    MetricsData,
)

from ingest.convert import metrics_to_points
from ingest.sink._buffer import SinkCounters, SinkOptions
from ingest.store import Store

_DELTA: dict[type, AggregationTemporality] = {
    Counter: AggregationTemporality.DELTA,
    ObservableCounter: AggregationTemporality.DELTA,
    Histogram: AggregationTemporality.DELTA,
    UpDownCounter: AggregationTemporality.CUMULATIVE,
}


class StoreMetricExporter(SinkCounters, MetricExporter):
    """Writes each collection's data points to ``metric_points``; never raises into the SDK."""

    def __init__(self, store: Store, **options: Unpack[SinkOptions]) -> None:
        """Write into ``store``; ``options``: ``max_buffered_rows``, ``flush_rows`` and
        ``max_delay_s`` (the durability contract of :mod:`ingest.sink._buffer`)."""
        super().__init__(preferred_temporality=_DELTA)
        self._buffer_into("metrics", store.append_metrics, **options)

    def export(
        self, metrics_data: MetricsData, timeout_millis: float = 10_000, **kwargs: Any
    ) -> MetricExportResult:
        """Convert and write the points; FAILURE when rows are left buffered or were dropped."""
        points = sum(
            len(m.data.data_points)
            for rm in metrics_data.resource_metrics
            for sm in rm.scope_metrics
            for m in sm.metrics
        )
        ok = self._buffer.submit(lambda: metrics_to_points(metrics_data), points)
        return MetricExportResult.SUCCESS if ok else MetricExportResult.FAILURE

    def force_flush(self, timeout_millis: float = 10_000) -> bool:
        """Retry buffered rows now; True when none are left."""
        return self._buffer.flush()

    def shutdown(self, timeout_millis: float = 30_000, **kwargs: Any) -> None:
        """Flush and stop; a second call logs a warning."""
        self._buffer.shutdown()
