"""OTLP request messages → store rows, through :mod:`ingest.convert`'s one mapping.

Each OTLP record is reduced to neutral values (event name, UTC nanoseconds, attribute dicts,
hex ids) and handed to :func:`~ingest.convert.event_row`, :func:`~ingest.convert.span_row` or
:func:`~ingest.convert.point_row`, the same functions the in-process store sink uses. A record
that cannot become a row (no timestamp or one past :data:`~ingest.convert.LATEST_NS`, malformed
ids, a summary metric) is returned as :class:`Rejected`, to be quarantined and counted in the
OTLP partial-success answer.

Raw device and user ids are hashed here (:class:`~ingest.identities.Pseudonyms`): a resource not
marked ``synctel.ids = "pseudonymous"`` has every identity attribute hashed, in the resource, in
each record's attributes and in the quarantined record's JSON.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Final

from google.protobuf.message import Message
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import ExportMetricsServiceRequest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
from opentelemetry.proto.metrics.v1 import metrics_pb2

from ingest.convert import LATEST_NS, MetricInfo, event_row, point_row, service_name, span_row
from ingest.identities import Pseudonyms
from ingest.otlp.decode import LOGS, METRICS, TRACES, Signal, to_otlp_json

Row = dict[str, Any]
"""One store row: column name → value."""

SPAN_KINDS: Final = {2: "SERVER", 3: "CLIENT", 4: "PRODUCER", 5: "CONSUMER"}
"""OTLP ``Span.SpanKind`` numbers → SDK SpanKind names; anything else (unspecified,
internal, unknown) is ``INTERNAL``, as the proto allows receivers to assume."""
STATUS_CODES: Final = {1: "OK", 2: "ERROR"}
"""OTLP ``Status.StatusCode`` numbers → names; anything else is ``UNSET``."""
TEMPORALITIES: Final = {1: "delta", 2: "cumulative"}
"""OTLP ``AggregationTemporality`` numbers → ``metric_points.temporality``."""


@dataclass(frozen=True)
class Rejected:
    """An OTLP record that could not become a row, with why."""

    kind: str
    """Short reason category, e.g. ``log record without a timestamp``."""
    detail: str
    """What exactly was wrong."""
    raw: str
    """The record as OTLP JSON."""

    @property
    def reason(self) -> str:
        """``kind: detail``, the ``quarantine.reason`` value."""
        return f"{self.kind}: {self.detail}"


@dataclass
class Mapped:
    """The rows of one OTLP request."""

    signal: Signal
    """Which request it was."""
    events: list[Row] = field(default_factory=list)
    """``sync_events`` rows (one per log record)."""
    spans: list[Row] = field(default_factory=list)
    """``spans`` rows."""
    metrics: list[Row] = field(default_factory=list)
    """``metric_points`` rows."""
    rejected: list[Rejected] = field(default_factory=list)
    """Records that could not be mapped (quarantine them; count them as rejected)."""

    @property
    def accepted(self) -> int:
        """Rows produced."""
        return len(self.events) + len(self.spans) + len(self.metrics)


def any_value(value: AnyValue) -> Any:
    """An OTLP ``AnyValue`` as a Python value (arrays → lists, key-value lists → dicts)."""
    kind = value.WhichOneof("value")
    if kind is None:
        return None
    if kind == "array_value":
        return [any_value(v) for v in value.array_value.values]
    if kind == "kvlist_value":
        return attributes(value.kvlist_value.values)
    return getattr(value, kind)


def attributes(pairs: Iterable[KeyValue]) -> dict[str, Any]:
    """OTLP key-value pairs as a dict."""
    out: dict[str, Any] = {}
    for kv in pairs:  # the common scalar kinds inline: this runs for every attribute
        value = kv.value
        kind = value.WhichOneof("value")
        if kind == "string_value":
            out[kv.key] = value.string_value
        elif kind == "int_value":
            out[kv.key] = value.int_value
        elif kind == "double_value":
            out[kv.key] = value.double_value
        else:
            out[kv.key] = any_value(value)
    return out


def map_request(message: Message, ids: Pseudonyms) -> Mapped:
    """The rows of a decoded Export…ServiceRequest (logs, traces or metrics), raw ids hashed
    by ``ids``."""
    if isinstance(message, ExportLogsServiceRequest):
        return map_logs(message, ids)
    if isinstance(message, ExportTraceServiceRequest):
        return map_traces(message, ids)
    if isinstance(message, ExportMetricsServiceRequest):
        return map_metrics(message, ids)
    raise TypeError(f"not an OTLP export request: {type(message).__name__}")


class _Hasher:
    """The id hashing of one resource: nothing when it is marked pseudonymous."""

    def __init__(self, ids: Pseudonyms, resource: dict[str, Any]) -> None:
        self.on = not ids.trusted(resource)
        self.ids = ids
        self.resource = ids.attributes(resource) if self.on else resource

    def attributes(self, attributes: dict[str, Any]) -> dict[str, Any]:
        return self.ids.attributes(attributes) if self.on else attributes

    def rejected(self, kind: str, detail: str, record: Message) -> Rejected:
        raw = to_otlp_json(record)
        return Rejected(kind, detail, self.ids.scrub_otlp_text(raw) if self.on else raw)


def _out_of_range(*times: int) -> str | None:
    late = [t for t in times if t > LATEST_NS]
    if not late:
        return None
    return f"{late[0]} ns is past 2262-04-11, the latest time 64-bit nanoseconds hold"


def _id(raw: bytes, size: int) -> int | None:
    if len(raw) not in (0, size):
        raise ValueError(f"{len(raw)} bytes instead of {size}")
    return int.from_bytes(raw, "big") or None


def map_logs(request: ExportLogsServiceRequest, ids: Pseudonyms) -> Mapped:
    """``sync_events`` rows of every log record (events and plain logs alike)."""
    out = Mapped(LOGS)
    for resource_logs in request.resource_logs:
        hasher = _Hasher(ids, attributes(resource_logs.resource.attributes))
        for scope_logs in resource_logs.scope_logs:
            for record in scope_logs.log_records:
                ts = record.time_unix_nano or record.observed_time_unix_nano
                if not ts:
                    out.rejected.append(
                        hasher.rejected(
                            "log record without a timestamp",
                            "time_unix_nano and observed_time_unix_nano are both 0",
                            record,
                        )
                    )
                    continue
                late = _out_of_range(ts)
                if late is not None:
                    out.rejected.append(hasher.rejected("time out of range", late, record))
                    continue
                try:
                    trace_id, span_id = _id(record.trace_id, 16), _id(record.span_id, 8)
                except ValueError as exc:
                    out.rejected.append(
                        hasher.rejected("log record with a malformed id", str(exc), record)
                    )
                    continue
                out.events.append(
                    event_row(
                        record.event_name or None,
                        ts,
                        hasher.attributes(attributes(record.attributes)),
                        hasher.resource,
                        trace_id=trace_id,
                        span_id=span_id,
                    )
                )
    return out


def map_traces(request: ExportTraceServiceRequest, ids: Pseudonyms) -> Mapped:
    """``spans`` rows of every span."""
    out = Mapped(TRACES)
    for resource_spans in request.resource_spans:
        hasher = _Hasher(ids, attributes(resource_spans.resource.attributes))
        for scope_spans in resource_spans.scope_spans:
            for span in scope_spans.spans:
                problem = _span_problem(span.trace_id, span.span_id, span.parent_span_id)
                if problem is None and not span.start_time_unix_nano:
                    problem = "start_time_unix_nano is 0"
                if problem is None:
                    problem = _out_of_range(span.start_time_unix_nano, span.end_time_unix_nano)
                if problem is not None:
                    out.rejected.append(hasher.rejected("invalid span", problem, span))
                    continue
                out.spans.append(
                    span_row(
                        trace_id=span.trace_id.hex(),
                        span_id=span.span_id.hex(),
                        parent_span_id=span.parent_span_id.hex() or None,
                        name=span.name,
                        kind=SPAN_KINDS.get(span.kind, "INTERNAL"),
                        start_ns=span.start_time_unix_nano,
                        end_ns=span.end_time_unix_nano or None,
                        status_code=STATUS_CODES.get(span.status.code, "UNSET"),
                        status_message=span.status.message or None,
                        attributes=hasher.attributes(attributes(span.attributes)),
                        resource=hasher.resource,
                    )
                )
    return out


def _span_problem(trace_id: bytes, span_id: bytes, parent_span_id: bytes) -> str | None:
    if len(trace_id) != 16 or not any(trace_id):
        return f"trace_id must be 16 bytes, not all zero (got {trace_id.hex() or 'none'})"
    if len(span_id) != 8 or not any(span_id):
        return f"span_id must be 8 bytes, not all zero (got {span_id.hex() or 'none'})"
    if len(parent_span_id) not in (0, 8):
        return f"parent_span_id must be empty or 8 bytes (got {parent_span_id.hex()})"
    return None


def map_metrics(request: ExportMetricsServiceRequest, ids: Pseudonyms) -> Mapped:
    """``metric_points`` rows of every Sum, Gauge, Histogram and ExponentialHistogram point
    (the last without buckets, as the SDK sink stores them); Summary points are rejected."""
    out = Mapped(METRICS)
    for resource_metrics in request.resource_metrics:
        hasher = _Hasher(ids, attributes(resource_metrics.resource.attributes))
        service = service_name(hasher.resource)
        for scope_metrics in resource_metrics.scope_metrics:
            for metric in scope_metrics.metrics:
                _map_metric(metric, service, hasher, out)
    return out


def _map_metric(
    metric: metrics_pb2.Metric, service: str | None, hasher: _Hasher, out: Mapped
) -> None:
    data = metric.WhichOneof("data")
    if data is None:
        return
    if data == "summary":
        for point in metric.summary.data_points:
            out.rejected.append(
                hasher.rejected(
                    "summary metric not stored",
                    f"{metric.name}: store Sum, Gauge or Histogram points",
                    point,
                )
            )
        return
    body = getattr(metric, data)
    temporality = None if data == "gauge" else TEMPORALITIES.get(body.aggregation_temporality)
    kind = data if data in ("gauge", "sum") else "histogram"
    info = MetricInfo(metric.name, metric.unit or None, kind, temporality, service)
    for point in body.data_points:
        if not point.time_unix_nano:
            out.rejected.append(
                hasher.rejected(
                    "data point without a timestamp", f"{metric.name}: time_unix_nano is 0", point
                )
            )
            continue
        late = _out_of_range(point.time_unix_nano)
        if late is not None:
            out.rejected.append(
                hasher.rejected("time out of range", f"{metric.name}: {late}", point)
            )
            continue
        attrs = hasher.attributes(attributes(point.attributes))
        if kind != "histogram":
            number = point.WhichOneof("value")
            value = None if number is None else float(getattr(point, number))
            out.metrics.append(point_row(info, point.time_unix_nano, attrs, value=value))
            continue
        explicit = data == "histogram"
        try:
            row = point_row(
                info,
                point.time_unix_nano,
                attrs,
                count=point.count,
                total=point.sum if point.HasField("sum") else None,
                minimum=point.min if point.HasField("min") else None,
                maximum=point.max if point.HasField("max") else None,
                bucket_bounds=list(point.explicit_bounds) if explicit else None,
                bucket_counts=list(point.bucket_counts) if explicit else None,
            )
        except ValueError as exc:
            out.rejected.append(hasher.rejected("data point out of range", str(exc), point))
            continue
        out.metrics.append(row)
