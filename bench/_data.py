"""Synthetic but realistic telemetry for the benchmarks, built column-wise (numpy + pyarrow).

:func:`sync_events` makes a fleet's ``sync_events`` rows: many devices, each on one of a few
offline profiles, running passes of several tables. A pass is a ``sync.started``, one
``sync.table`` per table, sometimes ``sync.conflict`` events, and a ``sync.completed`` or
``sync.failed`` (a few passes never end); some due syncs are only ``sync.skipped``. The same
seed always gives the same rows. :func:`log_records` turns such rows back into OpenTelemetry
log records through the real SDK, shaped as :mod:`emitter.instrument` emits them.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any, Final

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ingest.convert import EVENT_COLUMNS
from ingest.tables import EVENTS, arrow_schemas
from vocabulary.contract import CUSTOM_EVENT_NAME, Attr, Event

START: Final = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
"""The first day of synthetic data (UTC midnight)."""
PROFILES: Final = (
    "Field Service Mobile - Offline Profile",
    "Technicians - North",
    "Technicians - South",
    "Inspectors",
)
TABLES: Final = (
    "bookableresourcebooking",
    "msdyn_workorder",
    "account",
    "contact",
    "msdyn_customerasset",
    "product",
    "msdyn_workorderproduct",
    "msdyn_workorderservicetask",
    "msdyn_workorderincident",
    "msdyn_incidenttype",
    "msdyn_functionallocation",
    "annotation",
)
INTERVALS: Final = (5, 15, 30, 60, 240, 1440)
MODES: Final = ("DELTA_SYNC", "FIRST_SYNC", "GRID_SYNC", "FORCED_SYNC", "SINGLE_RECORD_SYNC")
MODE_P: Final = (0.86, 0.02, 0.04, 0.05, 0.03)
TRIGGERS: Final = ("schedule", "sign_in", "refresh", "user", "push")
FAILURES: Final = (
    ("NETWORK_ERROR", 2004, "network unreachable"),
    ("SERVER_ERROR", 2005, "server returned 503"),
    ("ERROR", 2002, "server timeout"),
    ("DEVICE_ERROR", 2007, "disk full"),
)
SKIP_REASONS: Final = ("offline", "wifi_only", "on_demand", "inactive", "network_check_timeout")
OS: Final = (("Android", "14"), ("Android", "13"), ("iOS", "17.5"), ("iOS", "18.1"))
MODELS: Final = ("Pixel 8", "Galaxy S23", "iPhone 15", "iPad Air", "TC52")
NETWORKS: Final = ("wifi", "cell", "wifi", "wifi")


def _strings(values: Sequence[str], index: np.ndarray) -> pa.Array:
    return pa.array(list(values), pa.string()).take(pa.array(index))


def _ids(prefix: str, index: np.ndarray) -> pa.Array:
    digits = pc.cast(pa.array(index), pa.string())
    return pc.binary_join_element_wise(pa.scalar(prefix), digits, "")


def _masked(array: pa.Array, mask: np.ndarray) -> pa.Array:
    """``array`` with NULL wherever ``mask`` is False."""
    return pc.if_else(pa.array(mask), array, pa.scalar(None, array.type))


def sync_events(n_events: int, *, days: int = 30, devices: int = 2_000, seed: int = 7) -> pa.Table:
    """About ``n_events`` ``sync_events`` rows over ``days`` UTC days (store schema, naive UTC)."""
    rng = np.random.default_rng(seed)
    n_passes = max(1, int(n_events / 7.7))
    n_tables = rng.integers(3, 9, n_passes)
    ending = rng.random(n_passes)
    ends = ending >= 0.01  # 1% never end
    failed = ends & (ending < 0.06)
    n_conflicts = np.where(rng.random(n_passes) < 0.03, rng.integers(1, 4, n_passes), 0)
    per_pass = 1 + n_tables + ends + n_conflicts
    device = rng.integers(0, devices, n_passes)
    span_us = days * 86_400_000_000
    start_us = np.sort(rng.integers(0, span_us - 3_600_000_000, n_passes))

    pass_of = np.repeat(np.arange(n_passes), per_pass)
    pos = np.arange(len(pass_of)) - np.repeat(np.cumsum(per_pass) - per_pass, per_pass)
    tables_of = n_tables[pass_of]
    is_start = pos == 0
    is_table = (pos >= 1) & (pos <= tables_of)
    is_conflict = (pos > tables_of) & (pos <= tables_of + n_conflicts[pass_of])
    is_end = ~(is_start | is_table | is_conflict)
    n = len(pass_of)

    # each pass syncs a window of its device's profile's tables
    first_table = rng.integers(0, len(TABLES), n_passes)
    table_idx = (first_table[pass_of] + np.maximum(pos - 1, 0)) % len(TABLES)
    table_idx = np.where(is_conflict, first_table[pass_of], table_idx)
    table_ms = rng.lognormal(6.0, 1.0, n)
    pass_ms = np.bincount(pass_of, weights=np.where(is_table, table_ms, 0.0), minlength=n_passes)
    cumulative = np.cumsum(np.where(is_table, table_ms, 0.0))
    offset_ms = cumulative - cumulative[np.cumsum(per_pass) - per_pass][pass_of]
    offset_ms = np.where(is_end, pass_ms[pass_of] + 5.0, offset_ms)
    ts_us = start_us[pass_of] + (offset_ms * 1000).astype(np.int64) + pos
    table_fail = is_table & failed[pass_of] & (pos == tables_of)
    event_idx = np.select(
        [is_start, is_table, is_conflict, failed[pass_of]], [0, 1, 2, 3], default=4
    )
    event_names = (Event.STARTED, Event.TABLE, Event.CONFLICT, Event.FAILED, Event.COMPLETED)

    profile_of_device = rng.integers(0, len(PROFILES), devices)
    os_of_device = rng.integers(0, len(OS), devices)
    dev = device[pass_of]
    failure = rng.integers(0, len(FAILURES), n_passes)[pass_of]
    records = rng.integers(0, 500, n)
    has_counts = is_table | (is_end & ~failed[pass_of])
    interval = np.array(INTERVALS)[(profile_of_device[dev] + table_idx) % len(INTERVALS)]
    conflicts_total = n_conflicts[pass_of]
    due_json = [json.dumps({"sync.tables_due": list(TABLES[:k])}) for k in range(9)]
    attrs = np.select(
        [is_start, is_table, is_conflict], [tables_of, 9, 10], default=11
    )  # index into the JSON choices below
    attr_choices = [*due_json, '{"sync.due_reason": "interval"}']
    attr_choices += ['{"sync.conflict.detection": "off"}', '{"sync.pending_uploads": 0}']

    columns: dict[str, pa.Array] = {
        "event_id": _ids("ev-", np.arange(n) + seed * 10_000_000_000),
        "ts": pa.array(
            (START.replace(tzinfo=None) - dt.datetime(1970, 1, 1)).days * 86_400_000_000 + ts_us,
            pa.timestamp("us"),
        ),
        "event": _strings([str(e) for e in event_names], event_idx),
        "sync_id": _ids(f"pass-{seed}-", pass_of),
        "profile": _strings(PROFILES, profile_of_device[dev]),
        "table_name": _masked(
            _strings(TABLES, table_idx), is_table | is_conflict | (is_end & failed[pass_of])
        ),
        "mode": _strings(MODES, rng.choice(len(MODES), n_passes, p=MODE_P)[pass_of]),
        "trigger": _strings(TRIGGERS, rng.integers(0, len(TRIGGERS), n_passes)[pass_of]),
        "result": _masked(
            _strings(("success", "failure"), (table_fail | (is_end & failed[pass_of])).astype(int)),
            is_table | is_end,
        ),
        "error_code": _masked(
            pa.array(np.array([f[1] for f in FAILURES], np.int32)[failure]),
            (is_end & failed[pass_of]) | table_fail,
        ),
        "failure_type": _masked(
            _strings([f[0] for f in FAILURES], failure), (is_end & failed[pass_of]) | table_fail
        ),
        "error_message": _masked(
            _strings([f[2] for f in FAILURES], failure), (is_end & failed[pass_of]) | table_fail
        ),
        "duration_ms": _masked(
            pa.array(np.where(is_end, pass_ms[pass_of], table_ms)), is_table | is_end
        ),
        "active_duration_ms": _masked(pa.array(pass_ms[pass_of] * 0.9), is_end),
        "records_down": _masked(pa.array(records * 3), has_counts),
        "records_up": _masked(pa.array(records // 7), has_counts),
        "records_removed": _masked(pa.array(records // 11), has_counts),
        "bytes_down": _masked(pa.array(records * 2_100), has_counts),
        "bytes_up": _masked(pa.array(records * 310), has_counts),
        "conflicts": _masked(pa.array(conflicts_total.astype(np.int32)), is_end),
        "conflict_winner": _masked(_strings(("device",), np.zeros(n, np.int64)), is_conflict),
        "record_id": _masked(_ids("rec-", np.arange(n)), is_conflict),
        "interval_minutes": _masked(pa.array(interval.astype(np.int32)), is_table),
        "device_id": _ids("dev-", dev),
        "user_id": _ids("usr-", dev),
        "os_name": _strings([o[0] for o in OS], os_of_device[dev]),
        "os_version": _strings([o[1] for o in OS], os_of_device[dev]),
        "device_model": _strings(MODELS, dev % len(MODELS)),
        "app_version": _strings(("4.2.0", "4.3.1"), (dev % 3 == 0).astype(int)),
        "network_type": _strings(NETWORKS, rng.integers(0, len(NETWORKS), n)),
        "service_name": _strings(("fieldapp",), np.zeros(n, np.int64)),
        "source": _strings(("otel",), np.zeros(n, np.int64)),
        "attributes": _strings(attr_choices, attrs),
    }
    return _with_skips(columns, rng, n_passes // 30, devices, span_us, seed, profile_of_device)


def _with_skips(
    columns: dict[str, pa.Array],
    rng: np.random.Generator,
    n_skips: int,
    devices: int,
    span_us: int,
    seed: int,
    profile_of_device: np.ndarray,
) -> pa.Table:
    schema = arrow_schemas()[EVENTS.name]
    passes = _table(columns, schema)
    if n_skips == 0:
        return passes
    dev = rng.integers(0, devices, n_skips)
    epoch_us = (START.replace(tzinfo=None) - dt.datetime(1970, 1, 1)).days * 86_400_000_000
    skips = {
        "event_id": _ids(f"skip-{seed}-", np.arange(n_skips)),
        "ts": pa.array(epoch_us + rng.integers(0, span_us, n_skips), pa.timestamp("us")),
        "event": _strings((str(Event.SKIPPED),), np.zeros(n_skips, np.int64)),
        "sync_id": _ids(f"skip-{seed}-", np.arange(n_skips)),
        "profile": _strings(PROFILES, profile_of_device[dev]),
        "skip_reason": _strings(SKIP_REASONS, rng.integers(0, len(SKIP_REASONS), n_skips)),
        "device_id": _ids("dev-", dev),
        "user_id": _ids("usr-", dev),
        "service_name": _strings(("fieldapp",), np.zeros(n_skips, np.int64)),
        "source": _strings(("otel",), np.zeros(n_skips, np.int64)),
    }
    return pa.concat_tables([passes, _table(skips, schema)])


def _table(columns: dict[str, pa.Array], schema: pa.Schema) -> pa.Table:
    """Every column of ``schema``, in order; the ones not given are NULL."""
    n = len(next(iter(columns.values())))
    arrays = [columns.get(f.name, pa.nulls(n, f.type)).cast(f.type) for f in schema]
    return pa.Table.from_arrays(arrays, schema=schema)


_COLUMN_KEYS: Final = {column: str(key) for column, key in EVENT_COLUMNS.items()}


def record_attributes(row: dict[str, Any]) -> dict[str, Any]:
    """The log record attributes :mod:`emitter.instrument` would have emitted for one row."""
    attrs: dict[str, Any] = {CUSTOM_EVENT_NAME: row["event"]}
    for column, key in _COLUMN_KEYS.items():
        value = row.get(column)
        if value is not None:
            attrs[key] = value
    if row["event"] == Event.TABLE and row.get("result") is not None:
        attrs[str(Attr.RESULT)] = row["result"]
    for key, value in json.loads(row.get("attributes") or "{}").items():
        attrs[key] = tuple(value) if isinstance(value, list) else value
    return attrs


def log_records(n_events: int, *, seed: int = 7) -> list[Any]:
    """``n_events`` finished OpenTelemetry log records (``ReadableLogRecord``) from the SDK."""
    from opentelemetry.sdk._logs import LoggerProvider
    from opentelemetry.sdk._logs.export import InMemoryLogRecordExporter, SimpleLogRecordProcessor
    from opentelemetry.sdk.resources import Resource

    events = sync_events(n_events + n_events // 20 + 50, days=2, devices=500, seed=seed)
    rows = events.slice(0, n_events).to_pylist()
    memory = InMemoryLogRecordExporter()
    provider = LoggerProvider(resource=Resource.create({"service.name": "fieldapp"}))
    provider.add_log_record_processor(SimpleLogRecordProcessor(memory))
    logger = provider.get_logger("synctel.syncengine")
    for row in rows:
        ns = int(row["ts"].replace(tzinfo=dt.UTC).timestamp() * 1_000_000) * 1000
        logger.emit(
            timestamp=ns,
            observed_timestamp=ns,
            body=row["event"],
            attributes=record_attributes(row),
            event_name=row["event"],
        )
    provider.shutdown()
    return list(memory.get_finished_logs())
