"""The store sink through the real OpenTelemetry SDK: logs, spans and metrics land typed."""

from __future__ import annotations

import json
import logging
import time

import pytest
from opentelemetry.sdk._logs import LoggerProvider
from opentelemetry.sdk._logs.export import (
    InMemoryLogRecordExporter,
    LogRecordExportResult,
    SimpleLogRecordProcessor,
)
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor

from ingest.convert import log_records_to_events
from ingest.sink import StoreLogExporter, StoreMetricExporter, StoreSpanExporter
from ingest.store import Store
from vocabulary.contract import CUSTOM_EVENT_NAME, Attr, Event, FailureType, Metric, Span

RESOURCE = Resource.create({"service.name": "fieldapp", "device.id": "dev-res"})


def rows(store: Store, sql: str) -> list[tuple]:
    con = store.connect()
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def emit(store: Store, *events: tuple[Event, dict]) -> StoreLogExporter:
    exporter = StoreLogExporter(store)
    provider = LoggerProvider(resource=RESOURCE)
    provider.add_log_record_processor(SimpleLogRecordProcessor(exporter))
    logger = provider.get_logger("synctel.test")
    for name, attributes in events:
        logger.emit(event_name=name, attributes={CUSTOM_EVENT_NAME: name, **attributes})
    provider.shutdown()
    return exporter


def test_log_records_become_typed_sync_events(store: Store) -> None:
    exporter = emit(
        store,
        (
            Event.FAILED,
            {
                Attr.SYNC_ID: "s1",
                Attr.PROFILE: "Field Service",
                Attr.ERROR_CODE: 2004,
                Attr.FAILURE_TYPE: FailureType.NETWORK_ERROR.value,
                Attr.DURATION_MS: 1234.5,
                Attr.RECORDS_DOWN: 7,
                Attr.OS_NAME: "Android",
                Attr.TABLES_DUE: ("account", "contact"),
            },
        ),
        (Event.TABLE, {Attr.SYNC_ID: "s1", Attr.TABLE: "account", Attr.RESULT: "success"}),
        (Event.COMPLETED, {Attr.SYNC_ID: "s2", Attr.DEVICE_ID: "dev-attr"}),
    )
    assert exporter.exported == 3
    assert exporter.dropped == 0
    got = rows(
        store,
        "SELECT event, result, error_code, duration_ms, records_down, os_name, device_id, "
        "service_name, source, attributes, table_name FROM sync_events ORDER BY ts",
    )
    failed, table, completed = got
    assert failed[:9] == (
        "sync.failed",
        "failure",
        2004,
        1234.5,
        7,
        "Android",
        "dev-res",  # from the resource when the record has none
        "fieldapp",
        "otel",
    )
    assert json.loads(failed[9]) == {"sync.tables_due": ["account", "contact"]}
    assert table[1] == "success"
    assert table[10] == "account"
    assert completed[1] == "success"
    assert completed[6] == "dev-attr"
    ids = rows(store, "SELECT count(DISTINCT event_id) FROM sync_events")
    assert ids == [(3,)]


def test_same_record_gets_the_same_event_id(tmp_path) -> None:

    memory = InMemoryLogRecordExporter()
    provider = LoggerProvider(resource=RESOURCE)
    provider.add_log_record_processor(SimpleLogRecordProcessor(memory))
    provider.get_logger("t").emit(event_name=Event.STARTED, timestamp=1, attributes={"a": 1})
    records = memory.get_finished_logs()
    first = log_records_to_events(records).column("event_id").to_pylist()
    assert first == log_records_to_events(records).column("event_id").to_pylist()


def test_spans_land_with_parent_links(store: Store) -> None:
    exporter = StoreSpanExporter(store)
    provider = TracerProvider(resource=RESOURCE)
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracer = provider.get_tracer("synctel.test")
    with (
        tracer.start_as_current_span(Span.SYNC, attributes={Attr.SYNC_ID: "s1"}) as root,
        tracer.start_as_current_span(Span.TABLE, attributes={Attr.TABLE: "account"}),
    ):
        time.sleep(0.002)
    provider.shutdown()
    assert exporter.exported == 2
    got = dict(
        (r[0], r[1:])
        for r in rows(
            store,
            "SELECT name, parent_span_id, kind, status_code, duration_ms, service_name, "
            "attributes, length(trace_id) FROM spans",
        )
    )
    root_id = format(root.get_span_context().span_id, "016x")
    assert got["sync"][0] is None
    assert got["sync.table"][0] == root_id
    assert got["sync.table"][1:3] == ("INTERNAL", "UNSET")
    assert got["sync.table"][3] >= 2.0
    assert got["sync"][4] == "fieldapp"
    assert json.loads(got["sync.table"][5]) == {"sync.table": "account"}
    assert got["sync"][6] == 32


def test_metric_points_land_as_delta_sums_and_histograms(store: Store) -> None:
    exporter = StoreMetricExporter(store)
    reader = PeriodicExportingMetricReader(exporter, export_interval_millis=3_600_000)
    provider = MeterProvider(resource=RESOURCE, metric_readers=[reader])
    meter = provider.get_meter("synctel.test")
    records = meter.create_counter(Metric.RECORDS)
    duration = meter.create_histogram(Metric.DURATION, unit="ms")
    records.add(5, {Attr.DIRECTION: "down"})
    duration.record(120.0)
    duration.record(80.0)
    reader.collect()
    records.add(2, {Attr.DIRECTION: "down"})
    provider.shutdown()  # collects and exports once more
    sums = rows(
        store,
        "SELECT value, temporality, attributes->>'sync.direction' FROM metric_points "
        f"WHERE name = '{Metric.RECORDS}' ORDER BY ts",
    )
    assert sums == [(5.0, "delta", "down"), (2.0, "delta", "down")]
    hist = rows(
        store,
        "SELECT count, sum, min, max, len(bucket_counts) = len(bucket_bounds) + 1, unit "
        f"FROM metric_points WHERE name = '{Metric.DURATION}' AND count > 0",
    )
    assert hist == [(2, 200.0, 80.0, 120.0, True, "ms")]


def test_shutdown_twice_warns_and_later_exports_are_dropped(store: Store, caplog) -> None:
    exporter = StoreLogExporter(store)
    exporter.shutdown()
    with caplog.at_level(logging.WARNING, logger="ingest.sink"):
        exporter.shutdown()
    assert "shut down twice" in caplog.text
    assert exporter.export([]) == LogRecordExportResult.FAILURE
    assert exporter.dropped == 0


def test_unconvertible_batch_is_counted_not_raised(store: Store) -> None:
    exporter = StoreLogExporter(store)
    assert exporter.export([object()]) == LogRecordExportResult.FAILURE  # type: ignore[list-item]
    assert exporter.dropped == 1
    assert "cannot convert" in (exporter.last_error or "")


@pytest.mark.slow
def test_sink_throughput_is_reported(store: Store, capsys) -> None:

    memory = InMemoryLogRecordExporter()
    provider = LoggerProvider(resource=RESOURCE)
    provider.add_log_record_processor(SimpleLogRecordProcessor(memory))
    logger = provider.get_logger("t")
    for i in range(20_000):
        logger.emit(event_name=Event.TABLE, attributes={Attr.SYNC_ID: f"s{i}", Attr.TABLE: "x"})
    batch = memory.get_finished_logs()
    exporter = StoreLogExporter(store)
    start = time.perf_counter()
    for i in range(0, len(batch), 512):
        exporter.export(batch[i : i + 512])
    elapsed = time.perf_counter() - start
    assert exporter.exported == 20_000
    assert len(log_records_to_events(batch[:10])) == 10
    with capsys.disabled():
        print(f"\nstore sink: {20_000 / elapsed:,.0f} events/s in 512-record batches")
