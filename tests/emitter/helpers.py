"""Helpers for the emitter tests: emit what the engine emits, collect metrics, wait."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

from opentelemetry.metrics import Meter
from opentelemetry.sdk.metrics.export import MetricExporter, MetricExportResult, MetricsData

from emitter.setup import Telemetry
from vocabulary.contract import CUSTOM_EVENT_NAME, INSTRUMENTATION_SCOPE, Attr, Event, Span

WAIT_S = 10.0


def wait_until(condition: Callable[[], bool], timeout_s: float = WAIT_S) -> bool:
    """Poll ``condition`` every 20 ms until it holds or ``timeout_s`` passes."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


class CollectingMetricExporter(MetricExporter):
    """Keeps every MetricsData it is given (the SDK has no in-memory metric exporter)."""

    def __init__(self) -> None:
        super().__init__()
        self.exported: list[MetricsData] = []

    def export(
        self, metrics_data: MetricsData, timeout_millis: float = 10_000, **kwargs: Any
    ) -> MetricExportResult:
        self.exported.append(metrics_data)
        return MetricExportResult.SUCCESS

    def force_flush(self, timeout_millis: float = 10_000) -> bool:
        return True

    def shutdown(self, timeout_millis: float = 30_000, **kwargs: Any) -> None:
        return None

    def points(self, name: str) -> list[Any]:
        return [
            point
            for data in self.exported
            for resource_metrics in data.resource_metrics
            for scope_metrics in resource_metrics.scope_metrics
            for metric in scope_metrics.metrics
            if metric.name == name
            for point in metric.data.data_points
        ]


SAMPLE_ATTRIBUTES: dict[str, Any] = {
    Attr.SYNC_ID: "sync-1",
    Attr.MODE: "DELTA_SYNC",
    Attr.PROFILE: "Field Service Mobile - Offline Profile",
    Attr.DEVICE_ID: "dev-hash-1",
    Attr.TABLES_DUE: 3,
}


def emit_events(telemetry: Telemetry, names: Sequence[str], **extra: Any) -> None:
    """Emit one sync event per name, as the engine does, with the custom-event attribute."""
    logger = telemetry.logger_provider.get_logger(INSTRUMENTATION_SCOPE)
    for name in names:
        logger.emit(
            event_name=name,
            attributes={**SAMPLE_ATTRIBUTES, **extra, CUSTOM_EVENT_NAME: name},
            timestamp=time.time_ns(),
        )


def run_sync_span(telemetry: Telemetry) -> None:
    """One ``sync`` span with a ``sync.table`` child, as the engine makes them."""
    tracer = telemetry.tracer_provider.get_tracer(INSTRUMENTATION_SCOPE)
    with (
        tracer.start_as_current_span(Span.SYNC, attributes={Attr.SYNC_ID: "sync-1"}),
        tracer.start_as_current_span(Span.TABLE, attributes={Attr.TABLE: "account"}),
    ):
        pass


def sync_meter(telemetry: Telemetry) -> Meter:
    """The engine's meter on the telemetry's MeterProvider."""
    return telemetry.meter_provider.get_meter(INSTRUMENTATION_SCOPE)


ALL_EVENTS: tuple[str, ...] = tuple(event.value for event in Event)
