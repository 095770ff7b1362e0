"""OTLP/HTTP, the console, several destinations at once, and the global providers."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import textwrap

from emitter.config import CONSOLE, OTLP, TelemetryConfig
from emitter.setup import setup_telemetry
from tests.emitter.helpers import emit_events, run_sync_span, sync_meter
from vocabulary.contract import CUSTOM_EVENT_NAME, Attr, Event, Metric, Span


def _attributes(record: object) -> dict[str, object]:
    values = {}
    for kv in record.attributes:  # type: ignore[attr-defined]
        kind = kv.value.WhichOneof("value")
        values[kv.key] = getattr(kv.value, kind)
    return values


def _config(**overrides: object) -> TelemetryConfig:
    values: dict[str, object] = {
        "set_global": False,
        "schedule_delay_ms": 50.0,
        "export_timeout_s": 3.0,
        "metric_export_interval_ms": 600_000.0,
    }
    values.update(overrides)
    return TelemetryConfig(**values)  # type: ignore[arg-type]


def test_otlp_delivers_events_spans_and_metrics(collector):
    with setup_telemetry(_config(otlp=True, otlp_endpoint=collector.endpoint)) as telemetry:
        emit_events(telemetry, [Event.STARTED, Event.CONFLICT])
        run_sync_span(telemetry)
        sync_meter(telemetry).create_counter(Metric.FAILURES).add(1)
        assert telemetry.force_flush(5000)
        assert telemetry.status()[OTLP].last_error is None

    records = collector.log_records()
    assert [r.event_name for r in records] == [Event.STARTED, Event.CONFLICT]
    attributes = _attributes(records[0])
    assert attributes[CUSTOM_EVENT_NAME] == Event.STARTED
    assert attributes[Attr.SYNC_ID] == "sync-1"
    assert attributes[Attr.TABLES_DUE] == 3
    spans = {s.name: s for s in collector.spans()}
    assert set(spans) == {Span.SYNC, Span.TABLE}
    assert spans[Span.TABLE].parent_span_id == spans[Span.SYNC].span_id
    metric_names = {
        m.name
        for request in collector.metrics
        for rm in request.resource_metrics
        for sm in rm.scope_metrics
        for m in sm.metrics
    }
    assert Metric.FAILURES in metric_names
    resource = collector.logs[0].resource_logs[0].resource
    assert {"service.name": "synctel"}.items() <= _attributes(resource).items()


def test_otlp_endpoint_comes_from_the_standard_variable(collector, monkeypatch):
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", collector.endpoint + "/")
    with setup_telemetry(_config(otlp=True)) as telemetry:
        emit_events(telemetry, [Event.NOTIFICATION])
        telemetry.force_flush(5000)
    assert [r.event_name for r in collector.log_records()] == [Event.NOTIFICATION]


def test_console_prints_to_the_given_stream():
    stream = io.StringIO()
    with setup_telemetry(_config(console=True, console_stream=stream)) as telemetry:
        emit_events(telemetry, [Event.RECORD_NOT_FOUND])
        run_sync_span(telemetry)
        telemetry.force_flush(5000)
        assert telemetry.status()[CONSOLE].exported >= 3
    text = stream.getvalue()
    assert f'"{CUSTOM_EVENT_NAME}": "{Event.RECORD_NOT_FOUND}"' in text
    assert f'"name": "{Span.SYNC}"' in text


def test_destinations_combine_and_switch_independently(collector, ingestion, azure_config):
    stream = io.StringIO()
    config = azure_config(
        otlp=True, otlp_endpoint=collector.endpoint, console=True, console_stream=stream
    )
    with setup_telemetry(config) as telemetry:
        assert telemetry.destinations == ("azure", "otlp", "console")
        telemetry.disable("otlp")
        emit_events(telemetry, [Event.STARTED])
        telemetry.force_flush(5000)
    assert [e["data"]["baseData"]["name"] for e in ingestion.events()] == [Event.STARTED]
    assert collector.log_records() == []
    assert Event.STARTED in stream.getvalue()


def test_providers_become_the_globals_by_default():
    # The OpenTelemetry globals can be set once per process: check in a fresh interpreter.
    script = textwrap.dedent(
        """
        import json
        from opentelemetry import _logs, metrics, trace
        from emitter.config import TelemetryConfig
        from emitter.errors import EmitterError
        from emitter.setup import setup_telemetry

        first = setup_telemetry(TelemetryConfig())
        same = (
            trace.get_tracer_provider() is first.tracer_provider
            and _logs.get_logger_provider() is first.logger_provider
            and metrics.get_meter_provider() is first.meter_provider
        )
        try:
            setup_telemetry(TelemetryConfig())
            second = "no error"
        except EmitterError as exc:
            second = str(exc)
        first.shutdown()
        print(json.dumps({"same": same, "second": second}))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["same"] is True
    assert "already set" in result["second"]
