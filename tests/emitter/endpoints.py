"""Loopback ingestion servers for the emitter tests, speaking the real wire formats.

- :class:`FakeIngestion`: Azure Monitor's Track API (``POST /v2.1/track``, JSON or gzip JSON
  bodies, ``{"itemsReceived", "itemsAccepted", "errors"}`` answers), with scripted failure
  statuses.
- :class:`OtlpCollector`: an OTLP/HTTP collector recording ``/v1/logs``, ``/v1/traces``,
  ``/v1/metrics`` requests, decoded with the ``opentelemetry.proto`` types.
Both bind 127.0.0.1 on a free port, serve from daemon threads and stop on ``close``.
"""

from __future__ import annotations

import gzip
import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

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

ZERO_IKEY = "00000000-0000-0000-0000-000000000000"
TRACK_PATHS = ("/v2.1/track", "/v2/track")


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
