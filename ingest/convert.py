"""OpenTelemetry SDK data → Arrow tables shaped like the store's tables.

- log records (events) → ``sync_events`` rows, with the attribute → column mapping of
  ``sql/schema.sql``; every other attribute goes to the ``attributes`` JSON column;
- spans → ``spans`` rows;
- metric data → ``metric_points`` rows (one per data point).

Common device attributes are read from the record first and from the resource otherwise, so
either placement works. Times become naive UTC microseconds.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from typing import Any, Final

import pyarrow as pa
from opentelemetry.sdk._logs import ReadableLogRecord
from opentelemetry.sdk.metrics.export import (
    AggregationTemporality,
    ExponentialHistogram,
    Gauge,
    Histogram,
    MetricsData,
    Sum,
)
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.trace import format_span_id, format_trace_id

from emitter.catalog import CUSTOM_EVENT_NAME, Attr, Event, Result
from ingest.tables import EVENTS, METRICS, SPANS, arrow_schemas

SOURCE_OTEL: Final = "otel"
"""``sync_events.source`` of rows that came through an OpenTelemetry SDK or OTLP."""
SERVICE_NAME: Final = "service.name"
"""The resource attribute naming the emitting service."""

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


def jsonable(value: Any) -> Any:
    """An attribute value as JSON can hold it (sequences become lists, bytes hex)."""
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
    """A stable id: the same event content always gets the same uuid (for idempotent loads)."""
    canonical = json.dumps(record, sort_keys=True, default=str)
    return str(uuid.uuid5(_EVENT_ID_NAMESPACE, canonical))


def _coerce(value: Any, arrow_type: pa.DataType) -> Any:
    """A scalar converted to the column's type, or None when it cannot be."""
    if value is None:
        return None
    try:
        if pa.types.is_integer(arrow_type):
            return int(value)
        if pa.types.is_floating(arrow_type):
            return float(value)
    except (TypeError, ValueError):
        return None
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


def log_records_to_events(batch: Sequence[ReadableLogRecord]) -> pa.Table:
    """``sync_events`` rows of a batch of log records (non-event records included, event NULL)."""
    schema = arrow_schemas()[EVENTS.name]
    columns: dict[str, list[Any]] = {name: [] for name in schema.names}
    for readable in batch:
        record = readable.log_record
        attrs: dict[str, Any] = dict(record.attributes or {})
        resource = dict(readable.resource.attributes)
        event = record.event_name or attrs.get(CUSTOM_EVENT_NAME)
        ts_ns = record.timestamp or record.observed_timestamp
        row: dict[str, Any] = {
            "ts": ts_ns // 1000,
            "event": event,
            "result": _result(event, attrs),
            "service_name": resource.get(SERVICE_NAME),
            "source": SOURCE_OTEL,
        }
        used = {CUSTOM_EVENT_NAME, Attr.RESULT} if event == Event.TABLE else {CUSTOM_EVENT_NAME}
        for column, key in EVENT_COLUMNS.items():
            value = attrs[key] if key in attrs else resource.get(key)
            coerced = _coerce(value, schema.field(column).type)
            row[column] = coerced
            if key in attrs and (coerced is not None or value is None):
                used.add(key)
        rest = {k: v for k, v in attrs.items() if k not in used}
        row["attributes"] = to_json(rest)
        row["event_id"] = event_id(
            {
                "ts": ts_ns,
                "event": event,
                "attributes": {k: jsonable(v) for k, v in attrs.items()},
                "trace": record.trace_id,
                "span": record.span_id,
                "service": row["service_name"],
            }
        )
        for name in schema.names:
            columns[name].append(row.get(name))
    return pa.Table.from_pydict(columns, schema=schema)


def spans_to_rows(spans: Sequence[ReadableSpan]) -> pa.Table:
    """``spans`` rows of a batch of finished spans."""
    schema = arrow_schemas()[SPANS.name]
    rows: list[dict[str, Any]] = []
    for span in spans:
        context = span.get_span_context()
        if context is None or span.start_time is None:
            continue
        end = span.end_time if span.end_time is not None else span.start_time
        rows.append(
            {
                "trace_id": format_trace_id(context.trace_id),
                "span_id": format_span_id(context.span_id),
                "parent_span_id": format_span_id(span.parent.span_id) if span.parent else None,
                "name": span.name,
                "kind": span.kind.name,
                "start_ts": span.start_time // 1000,
                "end_ts": end // 1000,
                "duration_ms": (end - span.start_time) / 1e6,
                "status_code": span.status.status_code.name,
                "status_message": span.status.description,
                "service_name": span.resource.attributes.get(SERVICE_NAME),
                "attributes": to_json(span.attributes),
                "resource": to_json(span.resource.attributes),
            }
        )
    return pa.Table.from_pylist(rows, schema=schema)


def _temporality(data: Sum | Histogram | ExponentialHistogram) -> str:
    return "delta" if data.aggregation_temporality == AggregationTemporality.DELTA else "cumulative"


def metrics_to_points(data: MetricsData) -> pa.Table:
    """``metric_points`` rows, one per data point of every metric in ``data``."""
    schema = arrow_schemas()[METRICS.name]
    rows: list[dict[str, Any]] = []
    for resource_metrics in data.resource_metrics:
        service = resource_metrics.resource.attributes.get(SERVICE_NAME)
        for scope_metrics in resource_metrics.scope_metrics:
            for metric in scope_metrics.metrics:
                base = {"name": metric.name, "unit": metric.unit or None, "service_name": service}
                d = metric.data
                for point in d.data_points:
                    row: dict[str, Any] = {
                        **base,
                        "ts": point.time_unix_nano // 1000,
                        "attributes": to_json(point.attributes),
                    }
                    if isinstance(d, Sum | Gauge):
                        row["kind"] = "sum" if isinstance(d, Sum) else "gauge"
                        row["temporality"] = _temporality(d) if isinstance(d, Sum) else None
                        row["value"] = float(point.value)  # type: ignore[union-attr]
                    else:
                        row["kind"] = "histogram"
                        row["temporality"] = _temporality(d)
                        row["count"] = point.count  # type: ignore[union-attr]
                        row["sum"] = float(point.sum)  # type: ignore[union-attr]
                        row["min"] = point.min  # type: ignore[union-attr]
                        row["max"] = point.max  # type: ignore[union-attr]
                        if isinstance(d, Histogram):
                            row["bucket_bounds"] = list(point.explicit_bounds)  # type: ignore[union-attr]
                            row["bucket_counts"] = list(point.bucket_counts)  # type: ignore[union-attr]
                    rows.append(row)
    return pa.Table.from_pylist(rows, schema=schema)
