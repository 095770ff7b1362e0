"""Azure Monitor: the real exporters against a loopback Track API endpoint."""

from __future__ import annotations

import sys
import time

import pytest
from opentelemetry.trace import SpanKind

from emitter.config import AZURE, TelemetryConfig
from emitter.errors import ConfigError, MissingDependencyError
from emitter.setup import setup_telemetry
from tests.emitter.helpers import (
    ALL_EVENTS,
    SAMPLE_ATTRIBUTES,
    emit_events,
    run_sync_span,
    sync_meter,
    wait_until,
)
from vocabulary.contract import INSTRUMENTATION_SCOPE, Attr, Event, Metric, Span


def test_events_arrive_as_custom_events_with_our_attributes(ingestion, azure_config):
    with setup_telemetry(azure_config()) as telemetry:
        emit_events(telemetry, ALL_EVENTS)
        assert telemetry.force_flush(5000)

    events = ingestion.events()
    assert [e["data"]["baseData"]["name"] for e in events] == list(ALL_EVENTS)
    assert {e["data"]["baseType"] for e in events} == {"EventData"}
    properties = events[0]["data"]["baseData"]["properties"]
    for key, value in SAMPLE_ATTRIBUTES.items():
        assert properties[key] == str(value)
    # the marker attribute steers the envelope type and is not repeated as a dimension
    assert "microsoft.custom_event.name" not in properties
    assert all(r.path == "/v2.1/track" for r in ingestion.requests)
    assert telemetry.status()[AZURE].exported >= len(ALL_EVENTS)


def test_event_name_alone_is_filed_as_a_trace_message(ingestion, azure_config):
    # Why the catalog sets microsoft.custom_event.name on every event: without it, Azure's
    # exporter files a record with only event_name under traces (MessageData), not customEvents.
    with setup_telemetry(azure_config()) as telemetry:
        logger = telemetry.logger_provider.get_logger(INSTRUMENTATION_SCOPE)
        logger.emit(event_name=Event.STARTED, attributes={Attr.SYNC_ID: "s"}, body="started")
        assert telemetry.force_flush(5000)

    names = [e["name"] for e in ingestion.accepted()]
    assert "Microsoft.ApplicationInsights.Message" in names
    assert set(names) <= {
        "Microsoft.ApplicationInsights.Message",
        "Microsoft.ApplicationInsights.Metric",  # force_flush also exports metrics
    }
    assert ingestion.events() == []


def test_sync_span_arrives_as_a_dependency(ingestion, azure_config):
    with setup_telemetry(azure_config()) as telemetry:
        run_sync_span(telemetry)
        tracer = telemetry.tracer_provider.get_tracer(INSTRUMENTATION_SCOPE)
        with tracer.start_as_current_span("served", kind=SpanKind.SERVER):
            pass
        assert telemetry.force_flush(5000)

    dependencies = {d["data"]["baseData"]["name"]: d for d in ingestion.dependencies()}
    assert set(dependencies) == {Span.SYNC, Span.TABLE}
    sync = dependencies[Span.SYNC]["data"]["baseData"]
    assert sync["type"] == "InProc"  # INTERNAL spans map to in-process dependencies
    assert sync["properties"][Attr.SYNC_ID] == "sync-1"
    child_tags = dependencies[Span.TABLE]["tags"]
    assert child_tags["ai.operation.parentId"] == sync["id"]
    requests = [
        e for e in ingestion.accepted() if e["name"] == "Microsoft.ApplicationInsights.Request"
    ]
    assert [r["data"]["baseData"]["name"] for r in requests] == ["served"]


def test_503_then_200_loses_nothing(ingestion, azure_config, tmp_path):
    config = azure_config(azure_storage_retry_interval_s=0.5)
    ingestion.fail_next(503)
    with setup_telemetry(config) as telemetry:
        emit_events(telemetry, [Event.STARTED, Event.TABLE])
        telemetry.force_flush(5000)
        assert ingestion.requests[0].status == 503
        assert len(ingestion.requests[0].envelopes) == 2
        assert list((tmp_path / "azure-offline").glob("*.blob*")), "batch kept on disk"
        assert ingestion.events() == []

        time.sleep(0.6)  # the stored batch's lease runs out
        emit_events(telemetry, [Event.COMPLETED])
        telemetry.force_flush(5000)

    names = sorted(e["data"]["baseData"]["name"] for e in ingestion.events())
    assert names == sorted([Event.STARTED, Event.TABLE, Event.COMPLETED])
    assert len(ingestion.events()) == 3, "each event delivered exactly once"
    assert not list((tmp_path / "azure-offline").glob("*.blob*"))


def test_without_offline_storage_a_503_batch_is_lost_and_counted(ingestion, azure_config):
    ingestion.fail_next(503)
    with setup_telemetry(azure_config(azure_offline_storage=False)) as telemetry:
        emit_events(telemetry, [Event.STARTED])
        telemetry.force_flush(5000)
        emit_events(telemetry, [Event.COMPLETED])
        telemetry.force_flush(5000)
        status = telemetry.status()[AZURE]

    assert [e["data"]["baseData"]["name"] for e in ingestion.events()] == [Event.COMPLETED]
    assert status.dropped_by_reason["export_failed"] == 1
    assert status.last_error is not None


def test_unreachable_ingestion_never_raises(azure_env, tmp_path):
    import socket

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = TelemetryConfig(
        azure=True,
        azure_connection_string=(
            "InstrumentationKey=00000000-0000-0000-0000-000000000000;"
            f"IngestionEndpoint=http://127.0.0.1:{port}/"
        ),
        azure_storage_directory=tmp_path / "offline",
        set_global=False,
        export_timeout_s=1.0,
        schedule_delay_ms=50.0,
    )
    started = time.monotonic()
    with setup_telemetry(config) as telemetry:
        emit_events(telemetry, ALL_EVENTS)
        run_sync_span(telemetry)
        telemetry.force_flush(5000)
        assert wait_until(lambda: telemetry.status()[AZURE].last_error is not None)
    assert time.monotonic() - started < 15
    assert list((tmp_path / "offline").glob("*.blob*")), "kept on disk for a later retry"


def test_connection_string_comes_from_the_environment(ingestion, azure_config, monkeypatch):
    monkeypatch.setenv("APPLICATIONINSIGHTS_CONNECTION_STRING", ingestion.connection_string)
    with setup_telemetry(azure_config(azure_connection_string=None)) as telemetry:
        emit_events(telemetry, [Event.SKIPPED])
        assert telemetry.force_flush(5000)
    assert [e["data"]["baseData"]["name"] for e in ingestion.events()] == [Event.SKIPPED]


def test_missing_connection_string_is_a_clear_config_error(azure_config):
    with pytest.raises(ConfigError, match="APPLICATIONINSIGHTS_CONNECTION_STRING"):
        setup_telemetry(azure_config(azure_connection_string=None))


def test_malformed_connection_string_is_a_config_error(azure_config):
    with pytest.raises(ConfigError, match="connection string is not valid"):
        setup_telemetry(azure_config(azure_connection_string="InstrumentationKey=not-a-key"))


def test_missing_azure_package_names_the_pip_line(azure_config, monkeypatch):
    monkeypatch.setitem(sys.modules, "azure.monitor.opentelemetry.exporter", None)
    with pytest.raises(MissingDependencyError) as raised:
        setup_telemetry(azure_config())
    assert "pip install 'synctel[azure]'" in str(raised.value)
    assert raised.value.install_line == "pip install 'synctel[azure]'"


def test_sync_metrics_arrive_as_metrics(ingestion, azure_config):
    with setup_telemetry(azure_config()) as telemetry:
        sync_meter(telemetry).create_counter(Metric.RECORDS).add(7, {Attr.DIRECTION: "down"})
        assert telemetry.force_flush(5000)

    points = [
        (metric, envelope["data"]["baseData"].get("properties", {}))
        for envelope in ingestion.accepted()
        if envelope["name"] == "Microsoft.ApplicationInsights.Metric"
        for metric in envelope["data"]["baseData"]["metrics"]
    ]
    records = [(m["value"], p) for m, p in points if m["name"] == Metric.RECORDS]
    assert records == [(7, {Attr.DIRECTION: "down"})]
