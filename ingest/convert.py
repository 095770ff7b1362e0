"""OpenTelemetry data → rows and Arrow tables shaped like the store's tables.

The mapping is written once, over neutral values (:func:`event_row`, :func:`span_row`,
:func:`point_row`); the SDK functions below and the OTLP receiver and file loader
(:mod:`ingest.otlp.records`) all feed it.

- log records (events) → ``sync_events`` rows, with the attribute → column mapping of
  ``sql/schema.sql``; every other attribute goes to the ``attributes`` JSON column;
- spans → ``spans`` rows;
- metric data → ``metric_points`` rows (one per data point).

Common device attributes are read from the record first and from the resource otherwise, so
either placement works. Times become naive UTC microseconds.
"""

from __future__ import annotations

import functools
import hashlib
import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import pyarrow as pa
from opentelemetry.sdk._logs import ReadableLogRecord
from opentelemetry.sdk.metrics.export import (
    AggregationTemporality,
    ExponentialHistogram,
    Gauge,
    Histogram,
    HistogramDataPoint,
    MetricsData,
    NumberDataPoint,
    Sum,
)
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.trace import format_span_id, format_trace_id

from ingest.tables import EVENTS, METRICS, SPANS, arrow_schemas
from vocabulary.contract import CUSTOM_EVENT_NAME, Attr, Event, Result

SOURCE_OTEL: Final = "otel"
"""``sync_events.source`` of rows that came through an OpenTelemetry SDK or OTLP."""
SERVICE_NAME: Final = "service.name"
"""The resource attribute naming the emitting service."""
LATEST_NS: Final = (1 << 63) - 1
"""The latest time a row may carry, in nanoseconds since 1970 (2262-04-11T23:47:16Z): what a
signed 64-bit nanosecond count holds. Later (and pre-1970) times are quarantined by the
loaders and the receiver."""

EVENT_COLUMNS: Final[Mapping[str, Attr]] = {
    "sync_id": Attr.SYNC_ID,
    "profile": Attr.PROFILE,
    "table_name": Attr.TABLE,
    "mode": Attr.MODE,
    "trigger": Attr.TRIGGER,
    "error_code": Attr.ERROR_CODE,
    "failure_type": Attr.FAILURE_TYPE,
    "error_message": Attr.ERROR_MESSAGE,
    "duration_ms": Attr.DURATION_MS,
    "active_duration_ms": Attr.ACTIVE_DURATION_MS,
    "records_down": Attr.RECORDS_DOWN,
    "records_up": Attr.RECORDS_UP,
    "records_removed": Attr.RECORDS_REMOVED,
    "bytes_down": Attr.BYTES_DOWN,
    "bytes_up": Attr.BYTES_UP,
    "conflicts": Attr.CONFLICTS,
    "conflict_winner": Attr.CONFLICT_WINNER,
    "record_id": Attr.RECORD_ID,
    "interval_minutes": Attr.INTERVAL_MINUTES,
    "skip_reason": Attr.SKIP_REASON,
    "device_id": Attr.DEVICE_ID,
    "user_id": Attr.USER_ID,
    "os_name": Attr.OS_NAME,
    "os_version": Attr.OS_VERSION,
    "device_model": Attr.DEVICE_MODEL,
    "app_version": Attr.APP_VERSION,
    "network_type": Attr.NETWORK_TYPE,
}
"""``sync_events`` column → the attribute it is read from (DESIGN "Store contract")."""

_EVENT_ID_NAMESPACE: Final = uuid.UUID("5d6e0f1c-4f0a-4b1e-9a57-53796e6374e1")
_NAMESPACE_BYTES: Final = _EVENT_ID_NAMESPACE.bytes


_SCALARS: Final = (str, int, float, bool, type(None))


def jsonable(value: Any) -> Any:
    """An attribute value as JSON can hold it (sequences become lists, bytes hex)."""
    if type(value) in _SCALARS:
        return value
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, Sequence) and not isinstance(value, str):
        return [jsonable(v) for v in value]
    return value


def to_json(attributes: Mapping[str, Any] | None) -> str | None:
    """A JSON object of the attributes (keys sorted), or None when there are none."""
    if not attributes:
        return None
    return json.dumps({k: jsonable(v) for k, v in sorted(attributes.items())}, default=str)


def event_id(record: Mapping[str, Any]) -> str:
    """A stable id: the same event content always gets the same uuid (for idempotent loads).

    Equal to ``str(uuid.uuid5(namespace, canonical JSON))``, formatted without building a
    ``UUID`` object (this runs once per event on the receiver's hot path)."""
    return event_id_from_canonical(json.dumps(record, sort_keys=True, default=str))


def event_id_from_canonical(canonical: str) -> str:
    """The :func:`event_id` of a record already encoded as its canonical JSON text."""
    digest = bytearray(hashlib.sha1(_NAMESPACE_BYTES + canonical.encode()).digest()[:16])  # noqa: S324 - uuid5 is defined over SHA-1; an id, not a security hash
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # RFC 4122 variant
    h = digest.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def service_name(resource: Mapping[str, Any]) -> str | None:
    """The resource's ``service.name`` as text, or None."""
    value = resource.get(SERVICE_NAME)
    return None if value is None else str(value)


def _coerce(value: Any, kind: type, bits: int = 0) -> Any:
    """A scalar converted to a column's Python type (int, float or str), or None when it
    cannot be; an int must also fit a signed integer of ``bits`` bits (when not 0)."""
    if value is None:
        return None
    if kind is not str:
        try:
            number = kind(value)
        except (TypeError, ValueError, OverflowError):
            return None
        if bits and not -(1 << (bits - 1)) <= number < 1 << (bits - 1):
            return None
        return number
    if isinstance(value, str):
        return value
    return json.dumps(jsonable(value)) if isinstance(value, Sequence) else str(value)


def _result(event: str | None, attributes: Mapping[str, Any]) -> str | None:
    if event == Event.COMPLETED:
        return Result.SUCCESS.value
    if event == Event.FAILED:
        return Result.FAILURE.value
    if event == Event.TABLE:
        value = attributes.get(Attr.RESULT)
        return None if value is None else str(value)
    return None


@functools.cache
def _attribute_columns() -> dict[str, tuple[str, type, int]]:
    """Attribute key (plain str) → (``sync_events`` column, its Python type, its integer bit
    width or 0)."""
    schema = arrow_schemas()[EVENTS.name]
    out: dict[str, tuple[str, type, int]] = {}
    for column, key in EVENT_COLUMNS.items():
        arrow_type = schema.field(column).type
        kind: type = str
        bits = 0
        if pa.types.is_integer(arrow_type):
            kind, bits = int, arrow_type.bit_width
        elif pa.types.is_floating(arrow_type):
            kind = float
        out[str(key)] = (column, kind, bits)
    return out


_BLANK_EVENT_COLUMNS: Final = dict.fromkeys(EVENT_COLUMNS)


def event_row(
    event_name: str | None,
    ts_ns: int,
    attributes: Mapping[str, Any],
    resource: Mapping[str, Any],
    *,
    trace_id: int | None = None,
    span_id: int | None = None,
) -> dict[str, Any]:
    """One ``sync_events`` row from neutral values: THE attribute → column mapping.

    Shared by the SDK sink, the OTLP/HTTP receiver and the OTLP file loader. ``event_name``
    falls back to the ``microsoft.custom_event.name`` attribute; ``ts_ns`` is UTC nanoseconds;
    a mapped column is read from ``attributes`` first and ``resource`` otherwise; a value that
    does not fit its column stays in the ``attributes`` JSON. ``trace_id``/``span_id`` (0 or
    None when absent) take part in the stable ``event_id``.
    """
    attrs = attributes
    event = event_name or attrs.get(CUSTOM_EVENT_NAME)
    columns = _attribute_columns()
    row: dict[str, Any] = dict(_BLANK_EVENT_COLUMNS)
    row.update(
        ts=ts_ns // 1000,
        event=event,
        result=_result(event, attrs),
        service_name=service_name(resource),
        source=SOURCE_OTEL,
    )
    for key, value in resource.items():
        target = columns.get(key)
        if target is not None and key not in attrs:
            row[target[0]] = _coerce(value, target[1], target[2])
    skip = (CUSTOM_EVENT_NAME, Attr.RESULT) if event == Event.TABLE else (CUSTOM_EVENT_NAME,)
    rest: dict[str, Any] = {}
    for key, value in attrs.items():
        target = columns.get(key)
        if target is None:
            if key not in skip:
                rest[key] = value
            continue
        coerced = _coerce(value, target[1], target[2])
        row[target[0]] = coerced
        if coerced is None and value is not None:
            rest[key] = value
    row["attributes"] = to_json(rest)
    row["event_id"] = event_id(
        {
            "ts": ts_ns,
            "event": event,
            "attributes": {k: jsonable(v) for k, v in attrs.items()},
            "trace": trace_id or None,
            "span": span_id or None,
            "service": row["service_name"],
        }
    )
    return row


def events_table(rows: Sequence[Mapping[str, Any]]) -> pa.Table:
    """``sync_events`` rows (from :func:`event_row`) as an Arrow table of the store's schema."""
    return pa.Table.from_pylist(list(rows), schema=arrow_schemas()[EVENTS.name])


def log_records_to_events(batch: Sequence[ReadableLogRecord]) -> pa.Table:
    """``sync_events`` rows of a batch of log records (non-event records included, event NULL)."""
    rows = []
    for readable in batch:
        record = readable.log_record
        rows.append(
            event_row(
                record.event_name,
                record.timestamp or record.observed_timestamp or 0,
                record.attributes or {},
                readable.resource.attributes,
                trace_id=record.trace_id,
                span_id=record.span_id,
            )
        )
    return events_table(rows)


def span_row(
    *,
    trace_id: str,
    span_id: str,
    parent_span_id: str | None,
    name: str,
    kind: str,
    start_ns: int,
    end_ns: int | None,
    status_code: str,
    status_message: str | None,
    attributes: Mapping[str, Any] | None,
    resource: Mapping[str, Any],
) -> dict[str, Any]:
    """One ``spans`` row from neutral values (hex ids, SpanKind and StatusCode names, UTC
    nanoseconds); shared by the SDK sink and the OTLP paths. An unfinished span ends at start."""
    end = end_ns if end_ns is not None else start_ns
    return {
        "trace_id": trace_id,
        "span_id": span_id,
        "parent_span_id": parent_span_id,
        "name": name,
        "kind": kind,
        "start_ts": start_ns // 1000,
        "end_ts": end // 1000,
        "duration_ms": (end - start_ns) / 1e6,
        "status_code": status_code,
        "status_message": status_message,
        "service_name": service_name(resource),
        "attributes": to_json(attributes),
        "resource": to_json(resource),
    }


def spans_to_rows(spans: Sequence[ReadableSpan]) -> pa.Table:
    """``spans`` rows of a batch of finished spans."""
    schema = arrow_schemas()[SPANS.name]
    rows: list[dict[str, Any]] = []
    for span in spans:
        context = span.get_span_context()
        if context is None or span.start_time is None:
            continue
        rows.append(
            span_row(
                trace_id=format_trace_id(context.trace_id),
                span_id=format_span_id(context.span_id),
                parent_span_id=format_span_id(span.parent.span_id) if span.parent else None,
                name=span.name,
                kind=span.kind.name,
                start_ns=span.start_time,
                end_ns=span.end_time,
                status_code=span.status.status_code.name,
                status_message=span.status.description,
                attributes=span.attributes,
                resource=span.resource.attributes,
            )
        )
    return pa.Table.from_pylist(rows, schema=schema)


@dataclass(frozen=True)
class MetricInfo:
    """What every data point of one metric shares (for :func:`point_row`)."""

    name: str
    """The instrument name."""
    unit: str | None
    """The unit, None when empty."""
    kind: str
    """``sum``, ``gauge`` or ``histogram``."""
    temporality: str | None
    """``delta`` or ``cumulative``; None for gauges."""
    service_name: str | None
    """The resource's ``service.name``."""


_BIGINT_LIMIT: Final = 1 << 63


def point_row(
    metric: MetricInfo,
    ts_ns: int,
    attributes: Mapping[str, Any] | None,
    *,
    value: float | None = None,
    count: int | None = None,
    total: float | None = None,
    minimum: float | None = None,
    maximum: float | None = None,
    bucket_bounds: Sequence[float] | None = None,
    bucket_counts: Sequence[int] | None = None,
) -> dict[str, Any]:
    """One ``metric_points`` row from neutral values; shared by the SDK sink and OTLP paths.
    Sums and gauges set ``value``; histograms set the rest. Raises ``ValueError`` when a count
    does not fit the store's BIGINT."""
    counts = [] if bucket_counts is None else list(bucket_counts)
    if any(c >= _BIGINT_LIMIT for c in counts) or (count is not None and count >= _BIGINT_LIMIT):
        raise ValueError(f"{metric.name}: a count does not fit a signed 64-bit integer")
    return {
        "ts": ts_ns // 1000,
        "name": metric.name,
        "kind": metric.kind,
        "unit": metric.unit or None,
        "temporality": metric.temporality,
        "value": value,
        "count": count,
        "sum": total,
        "min": minimum,
        "max": maximum,
        "bucket_bounds": None if bucket_bounds is None else list(bucket_bounds),
        "bucket_counts": None if bucket_counts is None else counts,
        "attributes": to_json(attributes),
        "service_name": metric.service_name,
    }


def points_table(rows: Sequence[Mapping[str, Any]]) -> pa.Table:
    """``metric_points`` rows (from :func:`point_row`) as an Arrow table of the store's schema."""
    return pa.Table.from_pylist(list(rows), schema=arrow_schemas()[METRICS.name])


def _temporality(data: Sum | Histogram | ExponentialHistogram) -> str:
    return "delta" if data.aggregation_temporality == AggregationTemporality.DELTA else "cumulative"


def metrics_to_points(data: MetricsData) -> pa.Table:
    """``metric_points`` rows, one per data point of every metric in ``data``."""
    rows: list[dict[str, Any]] = []
    for resource_metrics in data.resource_metrics:
        service = service_name(resource_metrics.resource.attributes)
        for scope_metrics in resource_metrics.scope_metrics:
            for metric in scope_metrics.metrics:
                d = metric.data
                if isinstance(d, Gauge):
                    info = MetricInfo(metric.name, metric.unit, "gauge", None, service)
                else:
                    kind = "sum" if isinstance(d, Sum) else "histogram"
                    info = MetricInfo(metric.name, metric.unit, kind, _temporality(d), service)
                for point in d.data_points:
                    ts, attrs = point.time_unix_nano, point.attributes
                    if isinstance(point, NumberDataPoint):
                        rows.append(point_row(info, ts, attrs, value=float(point.value)))
                        continue
                    explicit = isinstance(point, HistogramDataPoint)  # else exponential
                    rows.append(
                        point_row(
                            info,
                            ts,
                            attrs,
                            count=point.count,
                            total=float(point.sum),
                            minimum=point.min,
                            maximum=point.max,
                            bucket_bounds=point.explicit_bounds if explicit else None,  # type: ignore[union-attr]
                            bucket_counts=point.bucket_counts if explicit else None,  # type: ignore[union-attr]
                        )
                    )
    return points_table(rows)
