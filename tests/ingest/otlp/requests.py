"""OTLP request bodies for the raw-HTTP tests, built from the real protobuf messages."""

from __future__ import annotations

import json
import zlib
from typing import Any

from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
from opentelemetry.proto.logs.v1.logs_pb2 import LogRecord, ResourceLogs, ScopeLogs
from opentelemetry.proto.resource.v1.resource_pb2 import Resource
from opentelemetry.proto.trace.v1.trace_pb2 import ResourceSpans, ScopeSpans, Span

TS = 1_779_703_200_000_000_000
"""2026-05-25 10:00:00 UTC in nanoseconds."""
PROTOBUF = {"Content-Type": "application/x-protobuf"}
JSON = {"Content-Type": "application/json"}


def kv(key: str, value: str | int | float) -> KeyValue:
    if isinstance(value, str):
        return KeyValue(key=key, value=AnyValue(string_value=value))
    if isinstance(value, int):
        return KeyValue(key=key, value=AnyValue(int_value=value))
    return KeyValue(key=key, value=AnyValue(double_value=value))


def record(event: str, ts: int = TS, **attributes: str | int | float) -> LogRecord:
    """A log record of ``event``; attribute keys use ``_`` for ``.``."""
    return LogRecord(
        time_unix_nano=ts,
        event_name=event,
        attributes=[kv(k.replace("_", "."), v) for k, v in attributes.items()],
    )


def logs_request(*records: LogRecord, service: str = "fieldapp") -> ExportLogsServiceRequest:
    return ExportLogsServiceRequest(
        resource_logs=[
            ResourceLogs(
                resource=Resource(attributes=[kv("service.name", service)]),
                scope_logs=[ScopeLogs(log_records=list(records))],
            )
        ]
    )


def spans_request(*spans: Span) -> ExportTraceServiceRequest:
    return ExportTraceServiceRequest(
        resource_spans=[
            ResourceSpans(
                resource=Resource(attributes=[kv("service.name", "fieldapp")]),
                scope_spans=[ScopeSpans(spans=list(spans))],
            )
        ]
    )


def logs_json(*records: dict[str, Any]) -> bytes:
    """An OTLP JSON logs request (lowerCamelCase, int64 as strings, hex ids)."""
    body = {
        "resourceLogs": [
            {
                "resource": {
                    "attributes": [{"key": "service.name", "value": {"stringValue": "fieldapp"}}]
                },
                "scopeLogs": [{"logRecords": list(records)}],
            }
        ]
    }
    return json.dumps(body).encode()


def json_record(event: str, sync_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "timeUnixNano": str(TS),
        "eventName": event,
        "attributes": [{"key": "sync.id", "value": {"stringValue": sync_id}}],
        **extra,
    }


def gzip_bomb(inflated_bytes: int) -> bytes:
    """A gzip body of ``inflated_bytes`` zeros, compressed in 1 MiB steps (never held whole)."""
    deflate = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = b"\0" * (1 << 20)
    parts = [deflate.compress(chunk) for _ in range(inflated_bytes >> 20)]
    return b"".join([*parts, deflate.flush()])
