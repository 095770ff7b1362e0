"""A failing, slow or unreachable destination never raises into the engine nor blocks a sync."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator, Sequence

import pytest
from opentelemetry.sdk._logs import ReadableLogRecord
from opentelemetry.sdk._logs.export import (
    InMemoryLogRecordExporter,
    LogRecordExporter,
    LogRecordExportResult,
)
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult

from emitter.config import OTLP, TelemetryConfig
from emitter.destinations import Destination
from emitter.setup import DESTINATION_ATTR, DROPPED_METRIC, REASON_ATTR, setup_telemetry
from tests.emitter.helpers import CollectingMetricExporter, emit_events, run_sync_span, wait_until
from vocabulary.contract import Event


class RaisingExporter(LogRecordExporter, SpanExporter):
    """Raises on every call, as a broken exporter would."""

    def export(self, batch: Sequence[object]) -> LogRecordExportResult:  # type: ignore[override]
        raise RuntimeError("exporter is broken")

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        raise RuntimeError("flush is broken")

    def shutdown(self) -> None:
        raise RuntimeError("shutdown is broken")


class SlowLogExporter(LogRecordExporter):
    """Sleeps ``delay_s`` in every export (cut short by ``release`` so tests end quickly)."""

    def __init__(self, delay_s: float) -> None:
        self.delay_s = delay_s
        self.released = threading.Event()
        self.entered = threading.Event()
        self.exported = 0

    def export(self, batch: Sequence[ReadableLogRecord]) -> LogRecordExportResult:
        self.entered.set()
        self.released.wait(self.delay_s)
        self.exported += len(batch)
        return LogRecordExportResult.SUCCESS

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return True

    def shutdown(self) -> None:
        self.released.set()


class FailingSpanExporter(SpanExporter):
    """Reports FAILURE without raising."""

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        return SpanExportResult.FAILURE


def _config(**overrides: object) -> TelemetryConfig:
    values: dict[str, object] = {
        "set_global": False,
        "schedule_delay_ms": 50.0,
        "max_queue_size": 100,
        "max_export_batch_size": 10,
        "export_timeout_s": 0.5,
        "metric_export_interval_ms": 600_000.0,
    }
    values.update(overrides)
    return TelemetryConfig(**values)  # type: ignore[arg-type]


@pytest.fixture
def slow() -> Iterator[SlowLogExporter]:
    exporter = SlowLogExporter(delay_s=5.0)
    yield exporter
    exporter.released.set()


def test_raising_exporter_is_counted_and_never_raises(caplog):
    broken = RaisingExporter()
    healthy = InMemoryLogRecordExporter()
    destinations = [
        Destination("broken", logs=broken, spans=broken),
        Destination("healthy", logs=healthy),
    ]
    with setup_telemetry(_config(), destinations=destinations) as telemetry:
        emit_events(telemetry, [Event.STARTED, Event.TABLE, Event.COMPLETED])
        run_sync_span(telemetry)
        assert telemetry.force_flush(5000)
        status = telemetry.status()

    assert len(healthy.get_finished_logs()) == 3, "one broken destination spoils no other"
    assert status["broken"].dropped_by_reason["export_failed"] == 5  # 3 events + 2 spans
    assert status["broken"].exported == 0
    assert "exporter is broken" in (status["broken"].last_error or "")
    assert status["healthy"].dropped == 0
    assert caplog.text.count("export failed") == 1, "logged once, then counted"


def test_failure_result_is_counted():
    with setup_telemetry(
        _config(), destinations=[Destination("f", spans=FailingSpanExporter())]
    ) as t:
        run_sync_span(t)
        t.force_flush(5000)
        status = t.status()["f"]
    assert status.dropped_by_reason["export_failed"] == 2
    assert status.last_error == "span exporter reported FAILURE"


def test_slow_exporter_never_blocks_the_engine_and_drops_are_counted(slow):
    metrics = CollectingMetricExporter()
    destinations = [Destination("slow", logs=slow), Destination("meter", metrics=metrics)]
    with setup_telemetry(_config(), destinations=destinations) as telemetry:
        started = time.monotonic()
        emit_events(telemetry, [Event.TABLE] * 10_000)
        elapsed = time.monotonic() - started
        flushed = telemetry.force_flush(300)
        status = telemetry.status()["slow"]
        telemetry.meter_provider.force_flush(5000)
        slow.released.set()

    assert elapsed < 5.0, f"10k emits took {elapsed:.1f} s behind a 5 s exporter"
    assert flushed is False, "a flush that cannot finish reports it, within its timeout"
    queue_full = status.dropped_by_reason["queue_full"]
    assert 10_000 - 2 * 100 <= queue_full < 10_000
    dropped = {
        (p.attributes[DESTINATION_ATTR], p.attributes[REASON_ATTR]): p.value
        for p in metrics.points(DROPPED_METRIC)
    }
    assert dropped[("slow", "queue_full")] >= queue_full
    assert dropped[("meter", "queue_full")] == 0


def test_shutdown_is_bounded_even_when_an_exporter_hangs(slow):
    telemetry = setup_telemetry(_config(), destinations=[Destination("slow", logs=slow)])
    emit_events(telemetry, [Event.STARTED] * 20)
    assert slow.entered.wait(2), "the worker is now inside the 5 s export"
    started = time.monotonic()
    telemetry.shutdown()
    assert time.monotonic() - started < 4.0


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_unreachable_otlp_endpoint_never_raises():
    config = _config(otlp=True, otlp_endpoint=f"http://127.0.0.1:{_closed_port()}")
    started = time.monotonic()
    with setup_telemetry(config) as telemetry:
        emit_events(telemetry, [Event.STARTED, Event.FAILED])
        run_sync_span(telemetry)
        telemetry.force_flush(3000)
        assert wait_until(lambda: telemetry.status()[OTLP].last_error is not None, 5)
        status = telemetry.status()[OTLP]
    assert status.exported == 0
    assert status.dropped_by_reason["export_failed"] >= 2
    assert time.monotonic() - started < 15
