"""The official Python OTLP/HTTP exporters against the real receiver: rows land typed."""

from __future__ import annotations

import json

import pytest
from opentelemetry.exporter.otlp.proto.http import Compression
from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter
from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk._logs import LoggerProvider
from opentelemetry.sdk._logs.export import SimpleLogRecordProcessor
from opentelemetry.sdk.metrics import Counter, Histogram, MeterProvider
from opentelemetry.sdk.metrics.export import AggregationTemporality, PeriodicExportingMetricReader
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.trace import SpanKind, StatusCode

from ingest.convert import log_records_to_events
from tests.ingest.otlp.helpers import query
from vocabulary.contract import CUSTOM_EVENT_NAME, Attr, Event, FailureType, SyncMode
from vocabulary.identity import IDS_ATTRIBUTE, IDS_PSEUDONYMOUS, pseudonymize

RESOURCE = Resource.create(
    {"service.name": "fieldapp", "service.version": "4.2.0", "device.id": "dev-res"}
)
FAILED = {
    Attr.SYNC_ID: "s1",
    Attr.MODE: SyncMode.DELTA_SYNC.value,
    Attr.ERROR_CODE: 2004,
    Attr.FAILURE_TYPE: FailureType.NETWORK_ERROR.value,
    Attr.ERROR_MESSAGE: "no route to host",
    Attr.DURATION_MS: 812.5,
    Attr.RECORDS_DOWN: 7,
    Attr.TABLE: "account",
    Attr.TABLES_DUE: ("account", "contact"),
}


def emit_events(endpoint: str, compression: Compression) -> None:
    provider = LoggerProvider(resource=RESOURCE)
    exporter = OTLPLogExporter(endpoint=endpoint, compression=compression, timeout=5)
    provider.add_log_record_processor(SimpleLogRecordProcessor(exporter))
    logger = provider.get_logger("synctel.syncengine")
    logger.emit(event_name=Event.FAILED, attributes={CUSTOM_EVENT_NAME: Event.FAILED, **FAILED})
    logger.emit(
        event_name=Event.TABLE,
        attributes={Attr.SYNC_ID: "s1", Attr.TABLE: "contact", Attr.RESULT: "success"},
    )
    logger.emit(event_name=Event.SKIPPED, attributes={Attr.SKIP_REASON: "wifi_only"})
    provider.shutdown()


@pytest.mark.parametrize("compression", [Compression.NoCompression, Compression.Gzip])
def test_python_log_exporter_events_land_in_sync_events(receiver, store, compression) -> None:
    emit_events(f"{receiver.url}/v1/logs", compression)

    got = query(
        store,
        "SELECT event, sync_id, mode, result, error_code, failure_type, error_message, "
        "duration_ms, records_down, table_name, device_id, app_version, service_name, source, "
        "skip_reason, attributes FROM sync_events ORDER BY event",
    )
    failed, skipped, table = got
    assert failed[:15] == (
        "sync.failed",
        "s1",
        "DELTA_SYNC",
        "failure",
        2004,
        "NETWORK_ERROR",
        "no route to host",
        812.5,
        7,
        "account",
        pseudonymize("dev-res", receiver.ids.salt),  # a foreign resource: its raw id is hashed
        "4.2.0",
        "fieldapp",
        "otel",
        None,
    )
    assert json.loads(failed[15]) == {"sync.tables_due": ["account", "contact"]}
    assert table[:4] == ("sync.table", "s1", None, "success")
    assert table[9] == "contact"
    assert skipped[0] == "sync.skipped"
    assert skipped[14] == "wifi_only"
    assert receiver.accepted == 3


def test_events_get_the_same_columns_as_through_the_store_sink(receiver, store) -> None:
    """One mapping: the SDK record converted in-process equals the row the receiver wrote
    (ids marked pseudonymous, as ``setup_telemetry`` marks them, are stored as sent by both)."""
    from opentelemetry.sdk._logs.export import InMemoryLogRecordExporter

    memory = InMemoryLogRecordExporter()
    provider = LoggerProvider(resource=RESOURCE.merge(Resource({IDS_ATTRIBUTE: IDS_PSEUDONYMOUS})))
    provider.add_log_record_processor(SimpleLogRecordProcessor(memory))
    exporter = OTLPLogExporter(endpoint=f"{receiver.url}/v1/logs", timeout=5)
    provider.add_log_record_processor(SimpleLogRecordProcessor(exporter))
    provider.get_logger("t").emit(event_name=Event.FAILED, attributes=dict(FAILED))
    provider.shutdown()

    direct = log_records_to_events(memory.get_finished_logs()).to_pylist()
    con = store.connect()
    try:
        received = con.sql("SELECT * FROM sync_events").arrow().read_all().to_pylist()
    finally:
        con.close()
    assert len(direct) == len(received) == 1
    assert {**received[0], "attributes": json.loads(received[0]["attributes"])} == {
        **direct[0],
        "attributes": json.loads(direct[0]["attributes"]),
    }


def test_python_span_exporter_spans_land_with_parents(receiver, store) -> None:
    provider = TracerProvider(resource=RESOURCE)
    provider.add_span_processor(
        SimpleSpanProcessor(OTLPSpanExporter(endpoint=f"{receiver.url}/v1/traces", timeout=5))
    )
    tracer = provider.get_tracer("synctel.syncengine")
    with tracer.start_as_current_span("sync", kind=SpanKind.CLIENT) as root:
        root.set_attribute(Attr.SYNC_ID, "s1")
        with tracer.start_as_current_span("sync.table") as child:
            child.set_status(StatusCode.ERROR, "timeout")
    provider.shutdown()

    got = query(
        store,
        "SELECT name, kind, status_code, status_message, parent_span_id IS NULL, "
        "length(trace_id), length(span_id), service_name, attributes, duration_ms >= 0 "
        "FROM spans ORDER BY name",
    )
    assert got == [
        ("sync", "CLIENT", "UNSET", None, True, 32, 16, "fieldapp", '{"sync.id": "s1"}', True),
        ("sync.table", "INTERNAL", "ERROR", "timeout", False, 32, 16, "fieldapp", None, True),
    ]
    parents = query(
        store,
        "SELECT c.parent_span_id = p.span_id, c.trace_id = p.trace_id FROM spans c "
        "JOIN spans p ON p.name = 'sync' WHERE c.name = 'sync.table'",
    )
    assert parents == [(True, True)]


def test_python_metric_exporter_points_land(receiver, store) -> None:
    exporter = OTLPMetricExporter(
        endpoint=f"{receiver.url}/v1/metrics",
        timeout=5,
        preferred_temporality={
            Counter: AggregationTemporality.DELTA,
            Histogram: AggregationTemporality.DELTA,
        },
    )
    reader = PeriodicExportingMetricReader(exporter, export_interval_millis=3_600_000)
    provider = MeterProvider(resource=RESOURCE, metric_readers=[reader])
    meter = provider.get_meter("synctel.syncengine")
    meter.create_counter("sync.records").add(120, {"direction": "down"})
    meter.create_histogram("sync.duration", unit="ms").record(3000.0)
    provider.shutdown()

    got = query(
        store,
        "SELECT name, kind, temporality, value, count, sum, bucket_counts IS NOT NULL, "
        "attributes, service_name FROM metric_points ORDER BY name",
    )
    assert got == [
        ("sync.duration", "histogram", "delta", None, 1, 3000.0, True, None, "fieldapp"),
        (
            "sync.records",
            "sum",
            "delta",
            120.0,
            None,
            None,
            False,
            '{"direction": "down"}',
            "fieldapp",
        ),
    ]
