"""Fixtures for the emitter: loopback ingestion servers that speak the real wire formats.

- ``ingestion``: Azure Monitor's Track API (``POST /v2.1/track``, JSON or gzip JSON bodies,
  ``{"itemsReceived", "itemsAccepted", "errors"}`` answers), with scripted failure statuses.
- ``collector``: an OTLP/HTTP collector recording ``/v1/logs``, ``/v1/traces``, ``/v1/metrics``
  requests, decoded with the ``opentelemetry.proto`` types.
Both bind 127.0.0.1 on a free port, serve from daemon threads and stop at teardown.
"""

from __future__ import annotations

import gzip
import json
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from opentelemetry.metrics import Meter
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import (
    ExportLogsServiceRequest,
    ExportLogsServiceResponse,
)
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (
    ExportMetricsServiceRequest,
    ExportMetricsServiceResponse,
)
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.sdk.metrics.export import MetricExporter, MetricExportResult, MetricsData

from emitter.config import TelemetryConfig
from emitter.setup import Telemetry
from vocabulary.contract import CUSTOM_EVENT_NAME, INSTRUMENTATION_SCOPE, Attr, Event, Span

ZERO_IKEY = "00000000-0000-0000-0000-000000000000"
TRACK_PATHS = ("/v2.1/track", "/v2/track")
WAIT_S = 10.0


def wait_until(condition: Callable[[], bool], timeout_s: float = WAIT_S) -> bool:
    """Poll ``condition`` every 20 ms until it holds or ``timeout_s`` passes."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def _read_body(handler: BaseHTTPRequestHandler) -> bytes:
    length = int(handler.headers.get("Content-Length") or 0)
    body = handler.rfile.read(length)
    if (handler.headers.get("Content-Encoding") or "").lower() == "gzip":
        body = gzip.decompress(body)
    return body


class _Server:
    """A ThreadingHTTPServer on a free loopback port, stopped by ``close``."""

    def __init__(self, handler: type[BaseHTTPRequestHandler]) -> None:
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._httpd.daemon_threads = True
        self._httpd.owner = self  # type: ignore[attr-defined]
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)


@dataclass
class TrackRequest:
    """One POST the fake ingestion received, with the status it answered."""

    path: str
    status: int
    envelopes: list[dict[str, Any]]


class _TrackHandler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # the Track API only takes POST
        server: FakeIngestion = self.server.owner  # type: ignore[attr-defined]
        if self.path not in TRACK_PATHS:
            self._reply(404, {"itemsReceived": 0, "itemsAccepted": 0, "errors": []})
            return
        envelopes = json.loads(_read_body(self).decode("utf-8"))
        status = server.answer(self.path, envelopes)
        count = len(envelopes)
        if status == 200:
            self._reply(200, {"itemsReceived": count, "itemsAccepted": count, "errors": []})
        else:
            errors = [
                {"index": i, "statusCode": status, "message": "Service unavailable"}
                for i in range(count)
            ]
            self._reply(status, {"itemsReceived": count, "itemsAccepted": 0, "errors": errors})

    def _reply(self, status: int, payload: dict[str, Any]) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output quiet."""


class FakeIngestion(_Server):
    """Application Insights' ingestion endpoint on loopback: records what it accepts.

    ``fail_next(503, 2)`` answers the next two requests with 503 (nothing accepted).
    """

    def __init__(self) -> None:
        self.requests: list[TrackRequest] = []
        self._failures: list[int] = []
        self._lock = threading.Lock()
        super().__init__(_TrackHandler)

    @property
    def connection_string(self) -> str:
        return f"InstrumentationKey={ZERO_IKEY};IngestionEndpoint=http://127.0.0.1:{self.port}/"

    def fail_next(self, status: int, times: int = 1) -> None:
        with self._lock:
            self._failures.extend([status] * times)

    def answer(self, path: str, envelopes: list[dict[str, Any]]) -> int:
        with self._lock:
            status = self._failures.pop(0) if self._failures else 200
            self.requests.append(TrackRequest(path, status, envelopes))
            return status

    def accepted(self) -> list[dict[str, Any]]:
        """Every envelope answered with 200, in arrival order."""
        with self._lock:
            return [e for r in self.requests if r.status == 200 for e in r.envelopes]

    def events(self) -> list[dict[str, Any]]:
        """Accepted customEvents envelopes."""
        return [e for e in self.accepted() if e["name"] == "Microsoft.ApplicationInsights.Event"]

    def dependencies(self) -> list[dict[str, Any]]:
        """Accepted RemoteDependency envelopes."""
        return [
            e
            for e in self.accepted()
            if e["name"] == "Microsoft.ApplicationInsights.RemoteDependency"
        ]


class OtlpCollector(_Server):
    """An OTLP/HTTP collector on loopback recording decoded export requests."""

    def __init__(self) -> None:
        self.logs: list[ExportLogsServiceRequest] = []
        self.traces: list[ExportTraceServiceRequest] = []
        self.metrics: list[ExportMetricsServiceRequest] = []
        self._lock = threading.Lock()
        super().__init__(_OtlpHandler)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def record(self, path: str, body: bytes) -> bytes | None:
        kinds: dict[str, tuple[Any, list[Any], Any]] = {
            "/v1/logs": (ExportLogsServiceRequest, self.logs, ExportLogsServiceResponse),
            "/v1/traces": (ExportTraceServiceRequest, self.traces, ExportTraceServiceResponse),
            "/v1/metrics": (
                ExportMetricsServiceRequest,
                self.metrics,
                ExportMetricsServiceResponse,
            ),
        }
        if path not in kinds:
            return None
        request_type, sink, response_type = kinds[path]
        with self._lock:
            sink.append(request_type.FromString(body))
        return bytes(response_type().SerializeToString())

    def log_records(self) -> list[Any]:
        with self._lock:
            return [
                record
                for request in self.logs
                for resource_logs in request.resource_logs
                for scope_logs in resource_logs.scope_logs
                for record in scope_logs.log_records
            ]

    def spans(self) -> list[Any]:
        with self._lock:
            return [
                span
                for request in self.traces
                for resource_spans in request.resource_spans
                for scope_spans in resource_spans.scope_spans
                for span in scope_spans.spans
            ]


class _OtlpHandler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # OTLP/HTTP only takes POST
        server: OtlpCollector = self.server.owner  # type: ignore[attr-defined]
        answer = server.record(self.path, _read_body(self))
        status, body = (200, answer) if answer is not None else (404, b"")
        self.send_response(status)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output quiet."""


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


@pytest.fixture
def ingestion() -> Iterator[FakeIngestion]:
    """A fake Application Insights ingestion endpoint on loopback."""
    server = FakeIngestion()
    yield server
    server.close()


@pytest.fixture
def collector() -> Iterator[OtlpCollector]:
    """A fake OTLP/HTTP collector on loopback."""
    server = OtlpCollector()
    yield server
    server.close()


@pytest.fixture
def azure_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep the Azure exporter on loopback: no statsbeat, SDK stats or OneSettings calls out."""
    for variable in (
        "APPLICATIONINSIGHTS_STATSBEAT_DISABLED_ALL",
        "APPLICATIONINSIGHTS_SDKSTATS_DISABLED",
        "APPLICATIONINSIGHTS_CONTROLPLANE_DISABLED",
    ):
        monkeypatch.setenv(variable, "true")
    monkeypatch.delenv("APPLICATIONINSIGHTS_CONNECTION_STRING", raising=False)


@pytest.fixture
def azure_config(
    ingestion: FakeIngestion, azure_env: None, tmp_path: Path
) -> Callable[..., TelemetryConfig]:
    """A config factory exporting to ``ingestion``, with offline storage under ``tmp_path``."""

    def make(**overrides: Any) -> TelemetryConfig:
        values: dict[str, Any] = {
            "azure": True,
            "azure_connection_string": ingestion.connection_string,
            "azure_storage_directory": tmp_path / "azure-offline",
            "set_global": False,
            "export_timeout_s": 3.0,
            "schedule_delay_ms": 50.0,
            "metric_export_interval_ms": 600_000.0,
        }
        values.update(overrides)
        return TelemetryConfig(**values)

    return make


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
