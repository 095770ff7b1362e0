"""Log records → ``sync_events`` built column by column: the sink's hot path.

:func:`ingest.convert.log_records_to_events` builds one dict per row and lets Arrow infer each
value. Here each column is gathered as one list and converted by Arrow at once, and the two
JSON texts of a row (the ``attributes`` column and the canonical text hashed into ``event_id``)
are joined from memoised ``"key": value`` fragments written exactly as ``json.dumps`` writes
them, so the ids stay those of every other source. The result is the same table, value for
value: whenever a batch holds anything the fast path cannot vouch for (a value that needs
coercing, a resource that differs between records, an exotic type), the whole batch goes
through the row-wise mapping instead. ``tests/ingest/test_sink_columnar.py`` checks both agree.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from json.encoder import encode_basestring_ascii
from typing import Any, Final

import pyarrow as pa
from opentelemetry.sdk._logs import ReadableLogRecord

from ingest.convert import (
    EVENT_COLUMNS,
    SOURCE_OTEL,
    event_id_from_canonical,
    log_records_to_events,
    service_name,
)
from ingest.tables import EVENTS, arrow_schemas
from vocabulary.contract import CUSTOM_EVENT_NAME, Attr, Event, Result


class _Unusual(Exception):
    """The batch needs the row-wise mapping."""


_FRAGMENTS: dict[tuple[str, type, Any], str] = {}
_MAX_FRAGMENTS: Final = 1 << 16


def _value_json(value: Any) -> str:
    """``value`` exactly as ``json.dumps`` writes it (OpenTelemetry attribute types only)."""
    kind = type(value)
    if kind is str or isinstance(value, str):
        return encode_basestring_ascii(value)
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return int.__repr__(value)
    if kind is float:
        if value != value:
            return "NaN"
        if value in (math.inf, -math.inf):
            return "Infinity" if value > 0 else "-Infinity"
        return float.__repr__(value)
    if value is None:
        return "null"
    if kind is tuple or kind is list:
        return "[" + ", ".join(_value_json(v) for v in value) + "]"
    raise _Unusual(kind.__name__)


def _id_json(value: int | None) -> str:
    """A trace or span id as the canonical text holds it (0 and None are ``null``)."""
    return "null" if not value else _value_json(value)


def _fragment(key: str, value: Any) -> str:
    """``"key": value`` as ``json.dumps`` writes one member of an object (memoised)."""
    memo = (key, type(value), value)
    try:
        return _FRAGMENTS[memo]
    except KeyError:
        pass
    except TypeError:  # an unhashable value (a list): encode it every time
        return encode_basestring_ascii(key) + ": " + _value_json(value)
    if type(key) is not str:
        raise _Unusual("non-text attribute key")
    text = encode_basestring_ascii(key) + ": " + _value_json(value)
    if len(_FRAGMENTS) >= _MAX_FRAGMENTS:
        _FRAGMENTS.clear()
    _FRAGMENTS[memo] = text
    return text


_COMPLETED: Final = str(Event.COMPLETED)
_FAILED: Final = str(Event.FAILED)
_TABLE: Final = str(Event.TABLE)
_RESULT_KEY: Final = str(Attr.RESULT)
_SUCCESS: Final = Result.SUCCESS.value
_FAILURE: Final = Result.FAILURE.value
_KEYS: Final = {column: str(key) for column, key in EVENT_COLUMNS.items()}
_MAPPED: Final = frozenset(_KEYS.values())
_NOT_REST: Final = _MAPPED | {CUSTOM_EVENT_NAME}
_NOT_REST_TABLE: Final = _NOT_REST | {_RESULT_KEY}
_TEXT: Final = (pa.types.is_string, pa.types.is_large_string, pa.types.is_null)
_INTEGER: Final = (pa.types.is_integer, pa.types.is_null)
_NUMBER: Final = (pa.types.is_integer, pa.types.is_floating, pa.types.is_null)


def log_records_table(batch: Sequence[ReadableLogRecord]) -> pa.Table:
    """The ``sync_events`` table of ``batch``: identical to
    :func:`ingest.convert.log_records_to_events`, built column-wise when it safely can."""
    try:
        return _columnar(batch)
    except (_Unusual, pa.ArrowException, ArithmeticError, AttributeError, TypeError, ValueError):
        return log_records_to_events(batch)


def _column(values: list[Any], field: pa.Field) -> pa.Array:
    """Arrow-infer ``values`` and accept them only when the column's mapping would keep every
    value as it is (text for text; integers for integers; integers or floats for floats)."""
    array = pa.array(values)
    target = field.type
    allowed: tuple[Callable[[pa.DataType], bool], ...] = _NUMBER
    if pa.types.is_string(target) or pa.types.is_large_string(target):
        allowed = _TEXT
    elif pa.types.is_integer(target):
        allowed = _INTEGER
    if not any(check(array.type) for check in allowed):
        raise _Unusual(f"{field.name}: {array.type}")
    return array.cast(target)  # a safe cast: out-of-range integers raise


def _as_dict(attributes: Mapping[str, Any] | None) -> dict[str, Any]:
    """A plain dict of the record's attributes (``BoundedAttributes.copy`` is one C call)."""
    if not attributes:
        return {}
    copy = getattr(attributes, "copy", None)
    return copy() if copy is not None else dict(attributes)


def _resource_defaults(resource: Mapping[str, Any]) -> dict[str, Any]:
    """Mapped columns the resource fills when a record lacks them; only plain text values
    (anything else needs the row-wise coercion)."""
    out: dict[str, Any] = {}
    for key, value in resource.items():
        if key in _MAPPED:
            if type(value) is not str:
                raise _Unusual(f"resource {key}")
            out[key] = value
    return out


def _columnar(batch: Sequence[ReadableLogRecord]) -> pa.Table:
    schema = arrow_schemas()[EVENTS.name]
    if not batch:
        return schema.empty_table()
    resource = batch[0].resource
    defaults = _resource_defaults(resource.attributes)
    service = service_name(resource.attributes)
    service_json = _value_json(service)
    memo = _FRAGMENTS.get
    attrs_of: list[dict[str, Any]] = []
    ts: list[int] = []
    events: list[Any] = []
    results: list[str | None] = []
    rests: list[str | None] = []
    ids: list[str] = []
    for readable in batch:
        if readable.resource is not resource:
            raise _Unusual("mixed resources")
        record = readable.log_record
        attrs: dict[str, Any] = _as_dict(record.attributes)
        ts_ns = record.timestamp or record.observed_timestamp or 0
        event = record.event_name or attrs.get(CUSTOM_EVENT_NAME)
        if event == _TABLE:
            value = attrs.get(_RESULT_KEY)
            results.append(None if value is None else str(value))
            skip = _NOT_REST_TABLE
        else:
            results.append(
                _SUCCESS if event == _COMPLETED else _FAILURE if event == _FAILED else None
            )
            skip = _NOT_REST
        members = sorted(attrs.items())
        fragments = [memo((k, type(v), v)) or _fragment(k, v) for k, v in members]
        rest = [f for (k, _), f in zip(members, fragments, strict=True) if k not in skip]
        rests.append("{" + ", ".join(rest) + "}" if rest else None)
        ids.append(
            event_id_from_canonical(
                f'{{"attributes": {{{", ".join(fragments)}}}, "event": {_value_json(event)}, '
                f'"service": {service_json}, "span": {_id_json(record.span_id)}, '
                f'"trace": {_id_json(record.trace_id)}, "ts": {_value_json(ts_ns)}}}'
            )
        )
        attrs_of.append(attrs)
        ts.append(ts_ns // 1000)
        events.append(event)
    n = len(batch)
    columns: dict[str, pa.Array] = {
        "event_id": pa.array(ids, pa.string()),
        "ts": pa.array(ts, pa.int64()).cast(pa.timestamp("us")),
        "event": _column(events, schema.field("event")),
        "result": pa.array(results, pa.string()),
        "service_name": pa.array([service] * n, pa.string()),
        "source": pa.array([SOURCE_OTEL] * n, pa.string()),
        "attributes": pa.array(rests, pa.string()),
    }
    for column, key in _KEYS.items():
        default = defaults.get(key)
        values = [a.get(key, default) for a in attrs_of]
        columns[column] = _column(values, schema.field(column))
    arrays = [columns[f.name].cast(f.type) for f in schema]
    return pa.Table.from_arrays(arrays, schema=schema)
