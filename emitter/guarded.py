"""Exporter wrappers that count, never raise, and (for metrics) honour the destination's switch.

Each wraps a real exporter of one signal behind the same SDK interface: what it exported is
counted, a failure or an exception is logged once and counted as dropped, and the batch
processor's gate is told that the batch left the queue.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from opentelemetry.sdk._logs import ReadableLogRecord
from opentelemetry.sdk._logs.export import LogRecordExporter, LogRecordExportResult
from opentelemetry.sdk.metrics.export import MetricExporter, MetricExportResult, MetricsData
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult

from emitter.switch import DestinationState, Gate, call_bounded

_logger = logging.getLogger(__name__)


class GuardedLogExporter(LogRecordExporter):
    """A log record exporter that counts and never raises."""

    def __init__(self, inner: LogRecordExporter, state: DestinationState, gate: Gate) -> None:
        self._inner = inner
        self._state = state
        self._gate = gate

    def export(self, batch: Sequence[ReadableLogRecord]) -> LogRecordExportResult:
        """Export through the real exporter; a failure is counted, not raised."""
        self._gate.release(len(batch))
        try:
            result = self._inner.export(batch)
        except Exception as exc:  # noqa: BLE001 - telemetry must never raise into its host
            self._state.record_failure(len(batch), repr(exc))
            return LogRecordExportResult.FAILURE
        if result is LogRecordExportResult.SUCCESS:
            self._state.count_exported(len(batch))
        else:
            self._state.record_failure(len(batch), "log exporter reported FAILURE")
        return result

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        """Flush the real exporter; an error is logged, not raised."""
        return _quietly(
            lambda: self._inner.force_flush(timeout_millis), f"{self._state.name} log flush"
        )

    def shutdown(self) -> None:
        """Shut the real exporter down; an error is logged, not raised."""
        _quietly(self._inner.shutdown, f"{self._state.name} log exporter shutdown")


class GuardedSpanExporter(SpanExporter):
    """A span exporter that counts and never raises."""

    def __init__(self, inner: SpanExporter, state: DestinationState, gate: Gate) -> None:
        self._inner = inner
        self._state = state
        self._gate = gate

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        """Export through the real exporter; a failure is counted, not raised."""
        self._gate.release(len(spans))
        try:
            result = self._inner.export(spans)
        except Exception as exc:  # noqa: BLE001 - telemetry must never raise into its host
            self._state.record_failure(len(spans), repr(exc))
            return SpanExportResult.FAILURE
        if result is SpanExportResult.SUCCESS:
            self._state.count_exported(len(spans))
        else:
            self._state.record_failure(len(spans), "span exporter reported FAILURE")
        return result

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        """Flush the real exporter; an error is logged, not raised."""
        return _quietly(
            lambda: self._inner.force_flush(timeout_millis), f"{self._state.name} span flush"
        )

    def shutdown(self) -> None:
        """Shut the real exporter down; an error is logged, not raised."""
        _quietly(self._inner.shutdown, f"{self._state.name} span exporter shutdown")


class SwitchMetricExporter(MetricExporter):
    """A metric exporter that exports only while its destination is on, counts, never raises.

    Metric readers cannot be added to a ``MeterProvider`` after it is created, so the switch for
    metrics sits here, inside the destination's ``PeriodicExportingMetricReader``.
    """

    def __init__(self, inner: MetricExporter, state: DestinationState) -> None:
        # The reader asks its exporter for these; pass the real exporter's choice through.
        super().__init__(
            preferred_temporality=inner._preferred_temporality,
            preferred_aggregation=inner._preferred_aggregation,
        )
        self._inner = inner
        self._state = state

    def export(
        self, metrics_data: MetricsData, timeout_millis: float = 10_000, **kwargs: Any
    ) -> MetricExportResult:
        """Export while the destination is on; otherwise the data is discarded as success."""
        if not self._state.active:
            return MetricExportResult.SUCCESS
        points = _count_points(metrics_data)
        try:
            result = self._inner.export(metrics_data, timeout_millis=timeout_millis, **kwargs)
        except Exception as exc:  # noqa: BLE001 - telemetry must never raise into its host
            self._state.record_failure(points, repr(exc))
            return MetricExportResult.FAILURE
        if result is MetricExportResult.SUCCESS:
            self._state.count_exported(points)
        else:
            self._state.record_failure(points, "metric exporter reported FAILURE")
        return result

    def force_flush(self, timeout_millis: float = 10_000) -> bool:
        """Flush the real exporter."""
        return call_bounded(
            lambda: self._inner.force_flush(timeout_millis),
            timeout_millis / 1000,
            f"{self._state.name} metric exporter flush",
        )

    def shutdown(self, timeout_millis: float = 30_000, **kwargs: Any) -> None:
        """Shut the real exporter down; an error is logged, not raised."""
        call_bounded(
            lambda: self._inner.shutdown(timeout_millis=timeout_millis, **kwargs),
            timeout_millis / 1000,
            f"{self._state.name} metric exporter shutdown",
        )


def _quietly(function: Callable[[], object], what: str) -> bool:
    # Flushes and shutdowns of logs and spans are already bounded in time by the processor.
    try:
        return function() is not False
    except Exception:
        _logger.warning("%s failed", what, exc_info=True)
        return False


def _count_points(metrics_data: MetricsData) -> int:
    return sum(
        len(metric.data.data_points)
        for resource_metrics in metrics_data.resource_metrics
        for scope_metrics in resource_metrics.scope_metrics
        for metric in scope_metrics.metrics
    )
