"""Mapping Application Insights rows to ``sync_events`` rows.

Two kinds of row:

* **our own customEvents** (``source = 'appinsights'``): the name is one of our event names and
  ``customDimensions`` holds exactly our attributes (Azure Monitor writes every value as text),
  so :func:`ingest.convert.event_row`, the one attribute → column mapping, maps them.
* **Field Service offline sync dependencies** (``source = 'dynamics'``): ``Offline.SyncDatabase``
  (one pass) and ``…GetRecords`` (one table's download); see :func:`dynamics_rows`.

Every function here is pure; a value that cannot be read raises
:class:`~ingest.loaders.appinsights_read.RowError` and the row goes to the quarantine.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
from typing import Any, Final

import pyarrow as pa

from ingest import convert
from ingest.convert import SERVICE_NAME
from ingest.loaders.appinsights_cells import RowError, check_time, parse_float, parse_object, text
from ingest.loaders.appinsights_read import Envelope
from ingest.loaders.base import Row
from ingest.tables import arrow_schemas
from vocabulary.contract import Attr, Event, Result, SyncMode, Trigger
from vocabulary.identity import pseudonymize

SOURCE_APPINSIGHTS: Final = "appinsights"
"""``source`` of our own customEvents."""
SOURCE_DYNAMICS: Final = "dynamics"
"""``source`` of Field Service's offline sync dependencies."""
SYNC_DATABASE: Final = "Offline.SyncDatabase"
"""Dependency name of one Field Service sync pass."""
GET_RECORDS_SUFFIX: Final = "GetRecords"
"""Dependency names ending so are one table's download (e.g. ``Offline.DdsClient.GetRecords``)."""
DEPENDENCY_TYPES: Final = frozenset({"dependency", "appdependencies"})
"""``itemType`` / ``Type`` values (lowercase) of dependency rows."""
EVENT_TYPES: Final = frozenset({"customevent", "appevents"})
"""``itemType`` / ``Type`` values (lowercase) of customEvents rows."""

EXPORTER_PROPERTIES: Final = frozenset({"logger_name"})
"""customDimensions the Azure Monitor exporter adds on its own (not our attributes): dropped."""

MODE_TRIGGERS: Final[dict[str, str]] = {
    SyncMode.FIRST_SYNC: Trigger.SIGN_IN,
    SyncMode.DELTA_SYNC: Trigger.SCHEDULE,
    SyncMode.GRID_SYNC: Trigger.REFRESH,
    SyncMode.FORCED_SYNC: Trigger.USER,
    SyncMode.SINGLE_RECORD_SYNC: Trigger.PUSH,
}
"""The trigger a Field Service DataSyncMode implies (S5), for passes that carry no trigger."""
DEVICE_MANUFACTURER: Final = "device.manufacturer"
"""OpenTelemetry attribute for ``DeviceInfo_make``."""
CURRENT_SYNC_ID: Final = "dynamics.current_sync_id"
"""Attribute for eventContext.CurrentSyncId (reset only after a successful pass)."""
DEPENDENCY_NAME: Final = "dynamics.name"
"""Attribute for the dependency's name (e.g. ``Offline.DdsClient.GetRecords``)."""
SYNTHESIZED: Final = "dynamics.synthesized"
"""True on the ``sync.started`` made from an ``Offline.SyncDatabase`` row's start time."""
DYNAMICS_PREFIX: Final = "dynamics."
"""Prefix of every other customDimensions / eventContext key kept in ``attributes``."""

# customDimensions keys (casefolded) that become columns; everything else goes to attributes.
_DIMS_USED: Final = frozenset(
    k.casefold()
    for k in (
        "DataSyncMode",
        "ScenarioResult",
        "ErrorCode",
        "FailureType",
        "ErrorMessage",
        "ActiveDuration",
        "DeviceInfo_Id",
        "DeviceInfo_OsName",
        "DeviceInfo_OsVersion",
        "DeviceInfo_model",
        "DeviceInfo_make",
        "eventContext",
    )
)
_CONTEXT_USED: Final = frozenset(
    k.casefold()
    for k in (
        "CurrentActivityId",
        "CurrentSyncId",
        "ProfileId",
        "entityName",
        "RecordCount",
        "ResponseSize",
    )
)


def classify(env: Envelope) -> str | None:
    """``appinsights`` for one of our customEvents, ``dynamics`` for a Field Service sync
    dependency, None for any other row (not sync telemetry)."""
    kind = (env.item_type or "").casefold()
    if kind not in EVENT_TYPES and (
        env.name == SYNC_DATABASE or env.name.endswith(GET_RECORDS_SUFFIX)
    ):
        return SOURCE_DYNAMICS
    if kind not in DEPENDENCY_TYPES and env.name in _EVENT_NAMES:
        return SOURCE_APPINSIGHTS
    return None


_EVENT_NAMES: Final = frozenset(e.value for e in Event)


def event_id(source: str, key: str, event: str) -> str:
    """A stable event id: the same row loaded again gets the same id."""
    digest = hashlib.sha256(f"{source}\x00{key}\x00{event}".encode()).hexdigest()
    return digest[:32]


def pseudonym(raw: str | None, salt: str) -> str | None:
    """The engine's salted hash of a raw device or user id (never store the raw id)."""
    return None if raw is None else pseudonymize(raw, salt)


def content_key(env: Envelope) -> str:
    """Canonical text of a row's content, for ids when the row carries no id of its own."""
    return json.dumps(
        [env.name, _iso(env.ts), env.dims, env.duration_ms],
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )


# -- our own customEvents ------------------------------------------------------------------

_EPOCH: Final = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


@functools.cache
def _column_kinds() -> dict[str, tuple[type, int]]:
    kinds: dict[str, tuple[type, int]] = {}
    for f in arrow_schemas()["sync_events"]:
        if pa.types.is_integer(f.type):
            kinds[f.name] = (int, f.type.bit_width)
        elif pa.types.is_floating(f.type):
            kinds[f.name] = (float, 0)
        elif pa.types.is_string(f.type) or pa.types.is_large_string(f.type):
            kinds[f.name] = (str, 0)
    return kinds


def coerce(column: str, value: Any, what: str) -> Any:
    """``value`` (text or typed) as the Python type of a ``sync_events`` column; None if empty.

    Strict, unlike :mod:`ingest.convert`: a value that does not fit (not a number, not finite,
    not an integer, too large for the column) raises :class:`RowError`."""
    kind, bits = _column_kinds().get(column, (str, 0))
    if kind is str:
        return text(value)
    number = parse_float(value, what)
    if number is None:
        return None
    if kind is int:
        if not number.is_integer():
            raise RowError("wrong type", f"{what} {value!r} is not an integer")
        if not -(1 << (bits - 1)) <= number < 1 << (bits - 1):
            raise RowError("wrong type", f"{what} {value!r} does not fit a {bits}-bit integer")
        return int(number)
    return number


def custom_event_rows(env: Envelope) -> list[Row]:
    """The ``sync_events`` row of one of our own customEvents, mapped by
    :func:`ingest.convert.event_row` (the one attribute → column mapping); ``application_Version``
    and ``cloud_RoleName`` stand in for the resource's ``service.version`` and ``service.name``."""
    attributes = {k: v for k, v in env.dims.items() if k not in EXPORTER_PROPERTIES}
    resource = {SERVICE_NAME: env.role_name, Attr.APP_VERSION.value: env.app_version}
    ts_ns = (env.ts - _EPOCH) // dt.timedelta(microseconds=1) * 1000
    row = convert.event_row(env.name, ts_ns, attributes, resource)
    if row.get("mode") is not None and row["mode"] not in _MODES:
        raise RowError("unknown sync mode", f"{Attr.MODE} {row['mode']!r}")
    if row.get("result") not in (None, Result.SUCCESS, Result.FAILURE):
        raise RowError("unknown result", f"{Attr.RESULT} {row['result']!r}")
    key = json.dumps(
        [env.name, _iso(env.ts), env.dims], sort_keys=True, separators=(",", ":"), default=str
    )
    row.update(source=SOURCE_APPINSIGHTS, event_id=event_id(SOURCE_APPINSIGHTS, key, env.name))
    return [row]


_MODES: Final = frozenset(m.value for m in SyncMode)


# -- Field Service dependencies ------------------------------------------------------------


def dynamics_rows(env: Envelope, *, salt: str) -> list[Row]:
    """``sync_events`` rows of one Field Service dependency.

    ``Offline.SyncDatabase`` (a pass) gives a ``sync.started`` at the row's timestamp (when the
    call began) and a ``sync.completed`` / ``sync.failed`` (by ScenarioResult) at timestamp +
    duration; ``…GetRecords`` gives one ``sync.table`` at timestamp + duration.
    """
    dims = {k.casefold(): (k, v) for k, v in env.dims.items()}
    context_raw = dims.get("eventcontext", (None, None))[1]
    context_obj = parse_object(context_raw, "eventContext") if context_raw is not None else {}
    ctx = {k.casefold(): (k, v) for k, v in context_obj.items()}

    def dim(key: str) -> Any:
        return dims.get(key.casefold(), (None, None))[1]

    def ctx_value(key: str) -> Any:
        return ctx.get(key.casefold(), (None, None))[1]

    mode = text(dim("DataSyncMode"))
    if mode is not None and mode not in _MODES:
        raise RowError("unknown DataSyncMode", repr(mode))
    attributes: dict[str, Any] = {DEPENDENCY_NAME: env.name}
    make = text(dim("DeviceInfo_make"))
    if make is not None:
        attributes[DEVICE_MANUFACTURER] = make
    current_sync = text(ctx_value("CurrentSyncId"))
    if current_sync is not None:
        attributes[CURRENT_SYNC_ID] = current_sync
    for folded, (key, value) in sorted(dims.items()):
        if folded not in _DIMS_USED:
            attributes[DYNAMICS_PREFIX + key] = value
    for folded, (key, value) in sorted(ctx.items()):
        if folded not in _CONTEXT_USED:
            attributes[f"{DYNAMICS_PREFIX}eventContext.{key}"] = value

    common: Row = {
        "sync_id": text(ctx_value("CurrentActivityId")),
        "profile": text(ctx_value("ProfileId")),
        "mode": mode,
        "trigger": MODE_TRIGGERS.get(mode) if mode else None,
        "device_id": pseudonym(text(dim("DeviceInfo_Id")), salt),
        "user_id": pseudonym(env.user_id, salt),
        "os_name": text(dim("DeviceInfo_OsName")) or env.client_os,
        "os_version": text(dim("DeviceInfo_OsVersion")),
        "device_model": text(dim("DeviceInfo_model")) or env.client_model,
        "app_version": env.app_version,
        "service_name": env.role_name,
        "source": SOURCE_DYNAMICS,
    }
    ended = {
        **common,
        "ts": _naive_utc(_end_time(env)),
        "result": _scenario_result(text(dim("ScenarioResult")), env.success, env.name),
        "error_code": coerce("error_code", dim("ErrorCode"), "ErrorCode"),
        "failure_type": text(dim("FailureType")),
        "error_message": text(dim("ErrorMessage")),
        "duration_ms": env.duration_ms,
        "active_duration_ms": coerce("active_duration_ms", dim("ActiveDuration"), "ActiveDuration"),
        "records_down": coerce(
            "records_down", ctx_value("RecordCount"), "eventContext.RecordCount"
        ),
        "bytes_down": coerce("bytes_down", ctx_value("ResponseSize"), "eventContext.ResponseSize"),
        "attributes": convert.to_json(attributes),
    }
    key = env.item_id or content_key(env)
    if env.name != SYNC_DATABASE:
        table = text(ctx_value("entityName"))
        if table is None:
            raise RowError("missing table", f"{env.name} row without eventContext.entityName")
        ended.update(event=Event.TABLE.value, table_name=table)
        ended["event_id"] = event_id(SOURCE_DYNAMICS, key, Event.TABLE)
        return [ended]
    if ended["result"] is None:
        raise RowError("missing ScenarioResult", f"{SYNC_DATABASE} row without ScenarioResult")
    end_event = Event.COMPLETED if ended["result"] == Result.SUCCESS else Event.FAILED
    ended.update(event=end_event.value, event_id=event_id(SOURCE_DYNAMICS, key, end_event))
    started = {
        **common,
        "event_id": event_id(SOURCE_DYNAMICS, key, Event.STARTED),
        "ts": _naive_utc(env.ts),
        "event": Event.STARTED.value,
        "attributes": convert.to_json({DEPENDENCY_NAME: env.name, SYNTHESIZED: True}),
    }
    return [started, ended]


def _end_time(env: Envelope) -> dt.datetime:
    """When a dependency call ended: its start plus its duration, within the allowed times."""
    ms = env.duration_ms or 0.0
    shown = f"{_naive_utc(env.ts).isoformat()}Z + {ms:g} ms"
    try:
        end = env.ts + dt.timedelta(milliseconds=ms)
    except OverflowError as exc:
        raise RowError("time out of range", f"{shown} is past year 9999") from exc
    return check_time(end, shown)


def _scenario_result(value: str | None, success: bool | None, name: str) -> str | None:
    if value is None:
        if success is None:
            return None
        return Result.SUCCESS.value if success else Result.FAILURE.value
    folded = value.casefold()
    if folded == "success":
        return Result.SUCCESS.value
    if folded == "failure":
        return Result.FAILURE.value
    raise RowError("unknown ScenarioResult", f"{value!r} on {name}")


# -- helpers -------------------------------------------------------------------------------


def _naive_utc(ts: dt.datetime) -> dt.datetime:
    return ts.astimezone(dt.UTC).replace(tzinfo=None)


def _iso(ts: dt.datetime) -> str:
    return _naive_utc(ts).isoformat(timespec="microseconds")
