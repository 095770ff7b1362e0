"""S8: every destination, and telemetry as a whole, switch on and off at run time."""

from __future__ import annotations

import logging

import pytest
from opentelemetry.sdk._logs.export import InMemoryLogRecordExporter
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from emitter.config import TelemetryConfig
from emitter.destinations import Destination
from emitter.errors import ConfigError, EmitterError
from emitter.setup import setup_telemetry
from tests.emitter.helpers import CollectingMetricExporter, emit_events, run_sync_span, sync_meter
from vocabulary.contract import INSTRUMENTATION_SCOPE, Event, Metric, Span


def _memory(name: str) -> tuple[Destination, InMemoryLogRecordExporter, InMemorySpanExporter]:
    logs, spans = InMemoryLogRecordExporter(), InMemorySpanExporter()
    return Destination(name, logs=logs, spans=spans), logs, spans


def _config(**overrides: object) -> TelemetryConfig:
    return TelemetryConfig(set_global=False, schedule_delay_ms=50.0, **overrides)  # type: ignore[arg-type]


def _event_names(exporter: InMemoryLogRecordExporter) -> list[str | None]:
    return [r.log_record.event_name for r in exporter.get_finished_logs()]


def test_a_destination_switches_off_and_on_without_restart():
    first, first_logs, first_spans = _memory("first")
    second, second_logs, _ = _memory("second")
    with setup_telemetry(_config(), destinations=[first, second]) as telemetry:
        emit_events(telemetry, [Event.STARTED])
        telemetry.disable("first")
        emit_events(telemetry, [Event.TABLE])
        run_sync_span(telemetry)
        telemetry.enable("first")
        emit_events(telemetry, [Event.COMPLETED])
        assert telemetry.force_flush(5000)
        status = telemetry.status()

    assert _event_names(first_logs) == [Event.STARTED, Event.COMPLETED]
    assert _event_names(second_logs) == [Event.STARTED, Event.TABLE, Event.COMPLETED]
    assert first_spans.get_finished_spans() == ()
    assert status["first"].enabled
    assert status["first"].exported == 2
    assert status["first"].dropped == 0, "switched off is not dropped"


def test_a_destination_can_start_switched_off():
    only, logs, _ = _memory("only")
    config = _config(start_disabled=frozenset({"only"}))
    with setup_telemetry(config, destinations=[only]) as telemetry:
        assert telemetry.status()["only"].enabled is False
        emit_events(telemetry, [Event.STARTED])
        telemetry.enable("only")
        emit_events(telemetry, [Event.COMPLETED])
        telemetry.force_flush(5000)
    assert _event_names(logs) == [Event.COMPLETED]


def test_metrics_follow_the_destination_switch():
    metrics = CollectingMetricExporter()
    config = _config(metric_export_interval_ms=600_000.0)
    with setup_telemetry(config, destinations=[Destination("m", metrics=metrics)]) as telemetry:
        counter = sync_meter(telemetry).create_counter(Metric.CONFLICTS)
        counter.add(2)
        telemetry.disable("m")
        telemetry.force_flush(5000)
        assert metrics.points(Metric.CONFLICTS) == []
        telemetry.enable("m")
        counter.add(3)
        telemetry.force_flush(5000)
        assert [p.value for p in metrics.points(Metric.CONFLICTS)] == [5]


def test_master_switch_stops_everything_at_the_source():
    only, logs, spans = _memory("only")
    with setup_telemetry(_config(), destinations=[only]) as telemetry:
        logger = telemetry.logger_provider.get_logger(INSTRUMENTATION_SCOPE)
        tracer = telemetry.tracer_provider.get_tracer(INSTRUMENTATION_SCOPE)
        telemetry.turn_off()
        assert not telemetry.is_on
        assert logger.enabled(event_name=Event.STARTED) is False
        with tracer.start_as_current_span(Span.SYNC) as span:
            assert not span.is_recording(), "the sampler drops spans before any work"
        emit_events(telemetry, [Event.STARTED])
        telemetry.turn_on()
        assert logger.enabled(event_name=Event.STARTED) is True
        emit_events(telemetry, [Event.COMPLETED])
        run_sync_span(telemetry)
        telemetry.force_flush(5000)

    assert _event_names(logs) == [Event.COMPLETED]
    assert [s.name for s in spans.get_finished_spans()] == [Span.TABLE, Span.SYNC]


def test_telemetry_can_start_off():
    only, logs, _ = _memory("only")
    with setup_telemetry(_config(enabled=False), destinations=[only]) as telemetry:
        emit_events(telemetry, [Event.STARTED])
        telemetry.force_flush(5000)
        assert not telemetry.is_on
    assert logs.get_finished_logs() == ()


def test_unknown_destination_names_the_configured_ones():
    only, _, _ = _memory("only")
    with (
        setup_telemetry(_config(), destinations=[only]) as telemetry,
        pytest.raises(EmitterError, match=r"no telemetry destination named 'azure'.*only"),
    ):
        telemetry.enable("azure")


def test_destination_names_must_be_unique():
    with pytest.raises(ConfigError, match="used twice: twin"):
        setup_telemetry(_config(), destinations=[Destination("twin"), Destination("twin")])


def test_start_disabled_must_name_a_configured_destination():
    with pytest.raises(ConfigError, match="not configured: otlp"):
        setup_telemetry(_config(start_disabled=frozenset({"otlp"})))


def test_second_shutdown_is_a_warning_not_an_error(caplog):
    only, logs, _ = _memory("only")
    telemetry = setup_telemetry(_config(), destinations=[only])
    emit_events(telemetry, [Event.STARTED])
    telemetry.shutdown()
    assert _event_names(logs) == [Event.STARTED], "shutdown flushes what was queued"
    with caplog.at_level(logging.WARNING, logger="emitter.setup"):
        telemetry.shutdown()
    assert "already shut down" in caplog.text
    assert telemetry.force_flush(1000) is False
    emit_events(telemetry, [Event.COMPLETED])  # after shutdown: ignored, never raises
    assert _event_names(logs) == [Event.STARTED]
