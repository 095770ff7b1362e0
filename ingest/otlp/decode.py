"""OTLP request bodies → the collector services' request messages, and responses back.

Follows the OTLP/HTTP specification: ``application/x-protobuf`` or ``application/json``
bodies, ``Content-Encoding: gzip`` or none. OTLP JSON differs from protobuf's canonical JSON in
one way that matters here: trace and span ids are hex strings, not base64; field names may be
lowerCamelCase or the proto names, int64 values strings or numbers, enums names or numbers, and
unknown fields are ignored. A gzip body is inflated at most one byte past the size limit, so a
small "gzip bomb" is refused without ever being inflated. A JSON body nested deeper than
:data:`MAX_JSON_DEPTH` is refused before it is parsed, so it cannot exhaust the parser's stack.
"""

from __future__ import annotations

import base64
import json
import zlib
from dataclasses import dataclass
from enum import StrEnum
from http import HTTPStatus
from typing import Any, Final

import pyarrow as pa
import pyarrow.compute as pc
from google.protobuf import json_format
from google.protobuf.message import DecodeError, Message
from google.rpc import status_pb2
from opentelemetry.proto.collector.logs.v1 import logs_service_pb2
from opentelemetry.proto.collector.metrics.v1 import metrics_service_pb2
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2

from ingest.errors import IngestError

DEFAULT_MAX_BODY_BYTES: Final = 16 * 1024 * 1024
"""Largest request body accepted, both as sent and once inflated (16 MiB)."""
ID_FIELDS: Final = frozenset(
    {"traceId", "spanId", "parentSpanId", "trace_id", "span_id", "parent_span_id"}
)
"""OTLP JSON fields holding hex ids (protobuf ``bytes``, which canonical JSON writes base64)."""
MAX_JSON_DEPTH: Final = 100
"""Deepest nesting of JSON objects and arrays accepted (as protobuf's own parsers allow 100
nested messages); real OTLP requests stay far below it."""


class Format(StrEnum):
    """A body's encoding, from its ``Content-Type``."""

    PROTOBUF = "application/x-protobuf"
    JSON = "application/json"


MEDIA_TYPES: Final[dict[str, Format]] = {
    "application/x-protobuf": Format.PROTOBUF,
    "application/protobuf": Format.PROTOBUF,
    "application/json": Format.JSON,
}
"""Accepted ``Content-Type`` media types (parameters such as ``charset`` are ignored)."""


@dataclass(frozen=True)
class Signal:
    """One OTLP signal: its HTTP path and its collector service messages."""

    name: str
    """``logs``, ``traces`` or ``metrics``."""
    path: str
    """The OTLP/HTTP path, e.g. ``/v1/logs``."""
    request: type[Message]
    """The Export…ServiceRequest message class."""
    response: type[Message]
    """The Export…ServiceResponse message class."""
    json_keys: tuple[str, str]
    """The request's top-level field, lowerCamelCase and proto name (``resourceLogs``, …)."""


LOGS: Final = Signal(
    "logs",
    "/v1/logs",
    logs_service_pb2.ExportLogsServiceRequest,
    logs_service_pb2.ExportLogsServiceResponse,
    ("resourceLogs", "resource_logs"),
)
"""Log records (our events)."""
TRACES: Final = Signal(
    "traces",
    "/v1/traces",
    trace_service_pb2.ExportTraceServiceRequest,
    trace_service_pb2.ExportTraceServiceResponse,
    ("resourceSpans", "resource_spans"),
)
"""Spans."""
METRICS: Final = Signal(
    "metrics",
    "/v1/metrics",
    metrics_service_pb2.ExportMetricsServiceRequest,
    metrics_service_pb2.ExportMetricsServiceResponse,
    ("resourceMetrics", "resource_metrics"),
)
"""Metric data points."""
SIGNALS: Final[dict[str, Signal]] = {s.path: s for s in (LOGS, TRACES, METRICS)}
"""Every signal by its HTTP path."""


class OtlpRequestError(IngestError):
    """A request the receiver refuses; ``status`` is the HTTP status to answer with."""

    def __init__(self, status: HTTPStatus, message: str) -> None:
        super().__init__(message)
        self.status = status


def body_format(content_type: str | None) -> Format:
    """The format named by a ``Content-Type`` header; 415 for anything else."""
    media = (content_type or "").split(";", 1)[0].strip().lower()
    found = MEDIA_TYPES.get(media)
    if found is None:
        raise OtlpRequestError(
            HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
            f"unsupported Content-Type {content_type!r}: send application/x-protobuf "
            "or application/json",
        )
    return found


def inflate(body: bytes, encoding: str | None, limit: int) -> bytes:
    """``body`` decoded per its ``Content-Encoding`` (none or gzip), at most ``limit`` bytes.

    Raises 413 once the inflated size passes ``limit`` (without inflating further), 415 for
    another encoding and 400 for a corrupt or truncated gzip stream.
    """
    coding = (encoding or "identity").strip().lower()
    if coding == "identity":
        if len(body) > limit:
            raise _too_large(limit)
        return body
    if coding != "gzip":
        raise OtlpRequestError(
            HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
            f"unsupported Content-Encoding {encoding!r}: send gzip or no encoding",
        )
    out = bytearray()
    rest = body
    while rest:  # a gzip body may hold several members, one after another
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            out += inflater.decompress(rest, limit + 1 - len(out))
        except zlib.error as exc:
            raise OtlpRequestError(HTTPStatus.BAD_REQUEST, f"corrupt gzip body: {exc}") from exc
        if len(out) > limit:
            raise _too_large(limit, inflated=True)
        if not inflater.eof:
            if inflater.unconsumed_tail:  # output stopped exactly at the limit
                raise _too_large(limit, inflated=True)
            raise OtlpRequestError(HTTPStatus.BAD_REQUEST, "truncated gzip body")
        rest = inflater.unused_data
    return bytes(out)


def _too_large(limit: int, *, inflated: bool = False) -> OtlpRequestError:
    what = "inflated body" if inflated else "body"
    return OtlpRequestError(
        HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
        f"{what} is larger than the {limit}-byte limit: send smaller batches",
    )


def parse_request(signal: Signal, data: bytes, fmt: Format) -> Message:
    """The request message of ``signal`` decoded from ``data``; 400 when malformed."""
    if fmt is Format.PROTOBUF:
        message = signal.request()
        try:
            message.ParseFromString(data)
        except DecodeError as exc:
            raise OtlpRequestError(
                HTTPStatus.BAD_REQUEST, f"malformed protobuf {signal.request.__name__}: {exc}"
            ) from exc
        return message
    if json_depth(data) > MAX_JSON_DEPTH:
        raise OtlpRequestError(HTTPStatus.BAD_REQUEST, _TOO_DEEP)
    try:
        obj = json.loads(data)
    except (UnicodeDecodeError, ValueError) as exc:
        raise OtlpRequestError(HTTPStatus.BAD_REQUEST, f"malformed JSON: {exc}") from exc
    except RecursionError as exc:  # only a body in another encoding than UTF-8 gets here
        raise OtlpRequestError(HTTPStatus.BAD_REQUEST, _TOO_DEEP) from exc
    return parse_json_object(signal, obj)


_NOT_QUOTES_OR_BRACKETS: Final = bytes(b for b in range(256) if b not in b'"[]{}')
_QUOTE: Final = bytes(1 if b == ord('"') else 0 for b in range(256))
_STEP: Final = bytes(1 if b in b"[{" else 255 if b in b"]}" else 0 for b in range(256))  # int8
_WINDOW: Final = 1 << 20
_TOO_DEEP: Final = (
    f"JSON nested more than {MAX_JSON_DEPTH} levels deep (objects and arrays): "
    "send flatter attribute values"
)


def json_depth(data: bytes) -> int:
    """How deeply the objects and arrays of the JSON text ``data`` nest (brackets inside
    strings do not count), without parsing it: linear time, vectorised, bounded memory. Stops
    counting once past :data:`MAX_JSON_DEPTH`."""
    # Without escaped backslashes and then escaped quotes, the quotes left open and close
    # strings; after that only quotes and brackets matter.
    reduced = data.replace(b"\\\\", b"").replace(b'\\"', b"")
    reduced = reduced.translate(None, _NOT_QUOTES_OR_BRACKETS)
    depth = deepest = quotes = 0
    for start in range(0, len(reduced), _WINDOW):
        window = reduced[start : start + _WINDOW]
        quote = _int32s(window.translate(_QUOTE))
        inside = pc.bit_wise_and(pc.add(pc.cumulative_sum(quote), quotes), 1)
        steps = pc.if_else(pc.equal(inside, 0), _int32s(window.translate(_STEP)), 0)
        running = pc.add(pc.cumulative_sum(steps), depth)
        deepest = max(deepest, pc.max(running).as_py())
        depth = running[-1].as_py()
        quotes += window.count(b'"')
        if deepest > MAX_JSON_DEPTH:
            break
    return deepest


def _int32s(int8s: bytes) -> pa.Array:
    return pa.Array.from_buffers(pa.int8(), len(int8s), [None, pa.py_buffer(int8s)]).cast(
        pa.int32()
    )


def parse_json_object(signal: Signal, obj: Any) -> Message:
    """The request message of ``signal`` from a parsed OTLP JSON object; 400 when invalid."""
    if not isinstance(obj, dict):
        raise OtlpRequestError(
            HTTPStatus.BAD_REQUEST,
            f"OTLP JSON must be an object, not {type(obj).__name__}",
        )
    message = signal.request()
    try:
        json_format.ParseDict(_ids_to_base64(obj), message, ignore_unknown_fields=True)
    except json_format.ParseError as exc:
        raise OtlpRequestError(
            HTTPStatus.BAD_REQUEST, f"invalid OTLP JSON {signal.request.__name__}: {exc}"
        ) from exc
    except RecursionError as exc:  # an object parsed elsewhere without a depth bound
        raise OtlpRequestError(HTTPStatus.BAD_REQUEST, _TOO_DEEP) from exc
    return message


def signal_of_json(obj: Any) -> Signal | None:
    """The signal whose request ``obj`` (a parsed JSON object) is, by its top-level field."""
    if isinstance(obj, dict):
        for signal in SIGNALS.values():
            if any(key in obj for key in signal.json_keys):
                return signal
    return None


def _ids_to_base64(value: Any) -> Any:
    if isinstance(value, list):
        return [_ids_to_base64(v) for v in value]
    if not isinstance(value, dict):
        return value
    out: dict[str, Any] = {}
    for key, item in value.items():
        if key in ID_FIELDS and isinstance(item, str):
            try:
                item = base64.b64encode(bytes.fromhex(item)).decode("ascii")
            except ValueError as exc:
                raise OtlpRequestError(
                    HTTPStatus.BAD_REQUEST, f"{key} {item!r} is not a hex id"
                ) from exc
        else:
            item = _ids_to_base64(item)
        out[key] = item
    return out


def _ids_to_hex(value: Any) -> Any:
    if isinstance(value, list):
        return [_ids_to_hex(v) for v in value]
    if not isinstance(value, dict):
        return value
    return {
        k: base64.b64decode(v).hex() if k in ID_FIELDS and isinstance(v, str) else _ids_to_hex(v)
        for k, v in value.items()
    }


def to_otlp_json(message: Message) -> str:
    """``message`` as compact OTLP JSON (hex ids), e.g. the raw text of a quarantined record."""
    as_dict = _ids_to_hex(json_format.MessageToDict(message))
    return json.dumps(as_dict, separators=(",", ":"), sort_keys=True)


def encode(message: Message, fmt: Format) -> bytes:
    """``message`` in the body format of the request it answers."""
    if fmt is Format.PROTOBUF:
        return bytes(message.SerializeToString())
    return json.dumps(json_format.MessageToDict(message), separators=(",", ":")).encode()


def status_body(message: str, fmt: Format) -> bytes:
    """The body of a 4xx/5xx answer: a ``google.rpc.Status`` with ``message`` (code unset,
    as the OTLP specification asks)."""
    return encode(status_pb2.Status(message=message), fmt)
