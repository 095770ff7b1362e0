"""Raw device and user ids over OTLP: hashed with the store's salt by the receiver and the OTLP
file loader, unless the resource is marked ``synctel.ids = "pseudonymous"`` (as our emitter
marks its telemetry), so one device gets one pseudonym whichever way it arrived."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (
    ExportMetricsServiceRequest,
)
from opentelemetry.proto.logs.v1.logs_pb2 import LogRecord
from opentelemetry.proto.metrics.v1.metrics_pb2 import (
    Gauge,
    Metric,
    NumberDataPoint,
    ResourceMetrics,
    ScopeMetrics,
)
from opentelemetry.proto.resource.v1.resource_pb2 import Resource
from opentelemetry.proto.trace.v1.trace_pb2 import Span

from emitter.config import TelemetryConfig
from emitter.instrument import SyncInstrumentation
from emitter.setup import setup_telemetry
from ingest.identities import ID_SALT_FILE
from ingest.store import Store
from syncengine.clock import ManualClock
from synctel.cli import main
from synctel.telemetry import setup_with_store
from tests.ingest.otlp.helpers import post, query
from tests.ingest.otlp.requests import PROTOBUF, TS, kv, logs_request, record, spans_request
from vocabulary.contract import SyncMode, Trigger
from vocabulary.identity import DeviceIdentity, pseudonymize

SALT = "otlp-identity-test-salt"
RAW_DEVICE = "DEV-RAW-0042"
RAW_USER = "USER-RAW-0042"
DEVICE = pseudonymize(RAW_DEVICE, SALT)
USER = pseudonymize(RAW_USER, SALT)


@pytest.fixture(autouse=True)
def _salt(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SYNCTEL_ID_SALT", SALT)


def _dump(store: Store) -> str:
    """Every row of every table, as text (to search for raw ids)."""
    tables = ("sync_events", "spans", "metric_points", "quarantine")
    return json.dumps([query(store, f"SELECT * FROM {t}") for t in tables], default=str)


def _emit_pass(telemetry, sync_id: str) -> None:
    """One ``sync.started`` from the engine's own instrumentation (which hashes the ids)."""
    instrumentation = SyncInstrumentation(
        ManualClock(dt.datetime(2026, 5, 25, 10, 0, tzinfo=dt.UTC)),
        DeviceIdentity(RAW_DEVICE, RAW_USER),
        "Field Service",
        logger_provider=telemetry.logger_provider,
        tracer_provider=telemetry.tracer_provider,
        meter_provider=telemetry.meter_provider,
    )
    instrumentation.pass_started(sync_id, SyncMode.DELTA_SYNC, Trigger.SCHEDULE, ["account"])
    assert telemetry.force_flush()
    telemetry.shutdown()


def test_one_device_gets_one_pseudonym_at_every_entrance(serve, store, tmp_path) -> None:
    receiver = serve()
    # 1. the engine over OTLP: marked pseudonymous, stored as sent (not hashed twice)
    config = TelemetryConfig(otlp=True, otlp_endpoint=receiver.url, set_global=False)
    _emit_pass(setup_telemetry(config), "via-otlp")
    # 2. the engine into the store sink in-process
    _emit_pass(setup_with_store(TelemetryConfig(store=store.path, set_global=False)), "via-sink")
    # 3. another app's SDK over OTLP, raw ids, no mark
    foreign = logs_request(record("sync.started", sync_id="via-foreign", user_id=RAW_USER))
    foreign.resource_logs[0].resource.attributes.append(kv("device.id", RAW_DEVICE))
    assert post(receiver, "/v1/logs", foreign.SerializeToString(), PROTOBUF).status == 200
    # 4. Field Service's own telemetry from an Application Insights export
    export = tmp_path / "fs.csv"
    dims = json.dumps(
        {"DeviceInfo_Id": RAW_DEVICE, "DataSyncMode": "DELTA_SYNC", "ScenarioResult": "SUCCESS"}
    ).replace('"', '""')
    export.write_text(
        "timestamp,name,itemType,customDimensions,duration,id,user_Id\n"
        f'2026-05-25T11:00:00Z,Offline.SyncDatabase,dependency,"{dims}",100,fs1,{RAW_USER}\n',
        encoding="utf-8",
    )
    assert main(["load", "--store", str(store.path), str(export)]) == 0

    got = query(store, "SELECT DISTINCT source, device_id, user_id FROM sync_events ORDER BY 1")
    assert got == [("dynamics", DEVICE, USER), ("otel", DEVICE, USER)]
    passes = query(store, "SELECT DISTINCT sync_id FROM sync_events WHERE source = 'otel'")
    assert {p for (p,) in passes} == {"via-otlp", "via-sink", "via-foreign"}
    assert RAW_DEVICE not in _dump(store)
    assert RAW_USER not in _dump(store)


def test_receiver_hashes_raw_ids_in_every_table(receiver, store) -> None:
    logs = logs_request(
        record("sync.started", sync_id="s1", user_id=RAW_USER, enduser_id=RAW_USER),
        LogRecord(attributes=[kv("device.id", RAW_DEVICE)]),  # no time: quarantined
    )
    logs.resource_logs[0].resource.attributes.append(kv("device.id", RAW_DEVICE))
    span = Span(
        trace_id=b"\x01" * 16,
        span_id=b"\x02" * 8,
        name="sync",
        start_time_unix_nano=TS,
        end_time_unix_nano=TS + 1,
        attributes=[kv("device.id", RAW_DEVICE)],
    )
    point = NumberDataPoint(time_unix_nano=TS, as_double=1.0, attributes=[kv("user.id", 42)])
    metrics = ExportMetricsServiceRequest(
        resource_metrics=[
            ResourceMetrics(
                resource=Resource(attributes=[kv("device.id", RAW_DEVICE)]),
                scope_metrics=[
                    ScopeMetrics(metrics=[Metric(name="m", gauge=Gauge(data_points=[point]))])
                ],
            )
        ]
    )
    traces = spans_request(span)
    traces.resource_spans[0].resource.attributes.append(kv("device.id", RAW_DEVICE))
    for path, message in (("/v1/logs", logs), ("/v1/traces", traces), ("/v1/metrics", metrics)):
        assert post(receiver, path, message.SerializeToString(), PROTOBUF).status == 200

    assert query(store, "SELECT device_id, user_id, attributes FROM sync_events") == [
        (DEVICE, USER, json.dumps({"enduser.id": USER}))
    ]
    [(attributes, resource)] = query(store, "SELECT attributes, resource FROM spans")
    assert json.loads(attributes) == {"device.id": DEVICE}
    assert json.loads(resource) == {"device.id": DEVICE, "service.name": "fieldapp"}
    [(attributes,)] = query(store, "SELECT attributes FROM metric_points")
    assert json.loads(attributes) == {"user.id": pseudonymize("42", SALT)}
    [(raw,)] = query(store, "SELECT raw FROM quarantine")
    assert json.loads(raw)["attributes"] == [{"key": "device.id", "value": {"stringValue": DEVICE}}]
    assert RAW_DEVICE not in _dump(store)
    assert RAW_USER not in _dump(store)


def test_a_resource_marked_pseudonymous_is_stored_as_sent(receiver, store) -> None:
    logs = logs_request(record("sync.started", sync_id="s1", user_id="already-a-pseudonym"))
    logs.resource_logs[0].resource.attributes.extend(
        [kv("synctel.ids", "pseudonymous"), kv("device.id", "also-a-pseudonym")]
    )
    assert post(receiver, "/v1/logs", logs.SerializeToString(), PROTOBUF).status == 200
    assert query(store, "SELECT device_id, user_id FROM sync_events") == [
        ("also-a-pseudonym", "already-a-pseudonym")
    ]


def test_otlp_file_load_hashes_rows_and_quarantined_lines(tmp_path: Path, store) -> None:
    resource = {"attributes": [{"key": "device.id", "value": {"stringValue": RAW_DEVICE}}]}
    good = {
        "resourceLogs": [
            {
                "resource": resource,
                "scopeLogs": [{"logRecords": [{"timeUnixNano": str(TS), "eventName": "x"}]}],
            }
        ]
    }
    not_otlp = {"device.id": RAW_DEVICE, "user.id": RAW_USER}
    invalid = {
        "resourceSpans": [
            {"resource": resource, "scopeSpans": [{"spans": [{"traceId": "not-hex"}]}]}
        ]
    }
    lines = [
        json.dumps(good),
        '{"resourceLogs": [{"key": "device.id", "value": {"stringValue": "' + RAW_DEVICE,
        json.dumps(not_otlp),
        json.dumps(invalid),
    ]
    path = tmp_path / "collector.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    assert main(["load", "--store", str(store.path), str(path)]) == 0
    assert query(store, "SELECT device_id FROM sync_events") == [(DEVICE,)]
    got = query(store, "SELECT line_number, reason, raw FROM quarantine ORDER BY 1")
    assert [(n, reason.split(":")[0]) for n, reason, _ in got] == [
        (2, "malformed JSON"),
        (3, "not an OTLP export request"),
        (4, "invalid OTLP JSON"),
    ]
    assert got[0][2] == '{"resourceLogs": [{"key": "device.id", "value": {"stringValue": "' + (
        DEVICE
    )
    assert json.loads(got[1][2]) == {"device.id": DEVICE, "user.id": USER}
    assert json.loads(got[2][2])["resourceSpans"][0]["resource"]["attributes"][0]["value"] == {
        "stringValue": DEVICE
    }
    assert RAW_DEVICE not in _dump(store)
    assert RAW_USER not in _dump(store)


def test_a_short_salt_file_stops_the_receiver_with_one_line(
    tmp_path: Path, monkeypatch, capsys
) -> None:
    monkeypatch.delenv("SYNCTEL_ID_SALT")
    store = tmp_path / "store"
    store.mkdir()
    (store / ID_SALT_FILE).write_text("", encoding="utf-8")
    assert main(["serve", "--store", str(store), "--port", "0"]) == 1
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith(f"synctel serve: {store / ID_SALT_FILE}: the id salt is empty")
