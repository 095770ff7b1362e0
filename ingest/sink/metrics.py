"""``StoreMetricExporter``: metric data points → the store's ``metric_points``.

Use it with a ``PeriodicExportingMetricReader``. It asks for DELTA temporality on counters
and histograms, so each stored point is the change over one export interval and sums add up.
"""

from __future__ import annotations

from typing import Any

from opentelemetry.sdk.metrics import Counter, Histogram, ObservableCounter, UpDownCounter
from opentelemetry.sdk.metrics.export import (
    AggregationTemporality,
    MetricExporter,
    MetricExportResult,
    MetricsData,
)

from ingest.convert import metrics_to_points
from ingest.sink._buffer import (
    DEFAULT_MAX_BUFFERED_ROWS,
    DEFAULT_MAX_DELAY_S,
    SinkBuffer,
    SinkCounters,
)
from ingest.store import Store

_DELTA: dict[type, AggregationTemporality] = {
    Counter: AggregationTemporality.DELTA,
    ObservableCounter: AggregationTemporality.DELTA,
    Histogram: AggregationTemporality.DELTA,
    UpDownCounter: AggregationTemporality.CUMULATIVE,
}


class StoreMetricExporter(SinkCounters, MetricExporter):
    """Writes each collection's data points to ``metric_points``; never raises into the SDK."""

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
        super().__init__(preferred_temporality=_DELTA)
        self._buffer = SinkBuffer(
            "metrics",
            store.append_metrics,
            max_buffered_rows,
            flush_rows=flush_rows,
            max_delay_s=max_delay_s,
        )

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
