"""What every kind of rule reads alike: its window, and ``where``/``by`` over a view's columns
or over the events' (for ``slo`` and ``absent`` rules), each problem at its key's line."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Final

from insights.alerts.reading import RuleReader
from insights.alerts.rules import AlertFileRule, Scalar, Spec
from insights.alerts.views import is_numeric
from vocabulary.problems import TomlRule, did_you_mean

EVENT_COLUMNS: Final = (
    "profile",
    "table_name",
    "mode",
    "trigger",
    "device_model",
    "os_name",
    "os_version",
    "app_version",
    "network_type",
    "service_name",
    "source",
    "device_id",
    "user_id",
)
"""The event columns an ``slo`` or ``absent`` rule may filter or group on."""
ONE: Final = timedelta(seconds=1)
"""The shortest window."""
EVENTS: Final = "the events"
"""How messages name the events table an ``slo`` or ``absent`` rule reads."""


Found = tuple[Spec, timedelta, tuple[tuple[str, Scalar], ...], tuple[str, ...]]
"""A kind's reading: its spec, window, ``where`` and ``by``."""


def read_window(r: RuleReader) -> timedelta | None:
    """The required ``window``: a duration of at least a second."""
    value = r.raw.get("window")
    if value is None:
        r.error((), TomlRule.REQUIRED, "missing required key 'window'")
        return None
    return r.duration("window", value, low=ONE)


def read_where(r: RuleReader, view: str, columns: dict[str, str]) -> tuple[tuple[str, Scalar], ...]:
    """``where``: equality filters on ``columns`` (of ``view``, or :data:`EVENTS`) whose values
    fit the columns' types."""
    raw = r.raw.get("where")
    if raw is None:
        return ()
    if not isinstance(raw, dict):
        r.error("where", TomlRule.TYPE, 'where must be a table, e.g. { profile = "x" }')
        return ()
    found: list[tuple[str, Scalar]] = []
    for column, value in raw.items():
        if column not in columns:
            hint = did_you_mean(column, columns) or f"; its columns: {', '.join(columns)}"
            r.error(
                ("where", column),
                AlertFileRule.UNKNOWN_COLUMN,
                f"{owner(view)} no column {column!r}{hint}",
            )
        elif not fits(columns[column], value):
            r.error(
                ("where", column),
                TomlRule.TYPE,
                f"where {column} = {value!r} does not fit the column's type {columns[column]}",
            )
        else:
            found.append((column, value))
    return tuple(found)


def read_by(
    r: RuleReader, view: str, columns: dict[str, str] | tuple[str, ...], default: tuple[str, ...]
) -> tuple[str, ...]:
    """``by``: the columns telling instances apart (``default`` when absent)."""
    raw = r.raw.get("by")
    if raw is None:
        return default
    if not isinstance(raw, list) or not all(isinstance(c, str) for c in raw):
        r.error("by", TomlRule.TYPE, "by must be a list of column names")
        return ()
    for index, column in enumerate(raw):
        if column not in columns:
            hint = did_you_mean(column, columns) or f"; its columns: {', '.join(columns)}"
            r.error(
                ("by", index),
                AlertFileRule.UNKNOWN_COLUMN,
                f"{owner(view)} no column {column!r}{hint}",
            )
    return tuple(raw)


def owner(view: str) -> str:
    """How a problem names what has (or lacks) a column: a view, or the events."""
    return "the events have" if view == EVENTS else f"view {view!r} has"


def fits(column_type: str, value: object) -> bool:
    """Whether ``value`` (from TOML) can be compared with a column of ``column_type``."""
    if column_type == "VARCHAR":
        return isinstance(value, str)
    if column_type == "BOOLEAN":
        return isinstance(value, bool)
    if column_type == "DATE":
        if isinstance(value, date):
            return True
        try:
            date.fromisoformat(str(value))
        except ValueError:
            return False
        return isinstance(value, str)
    if is_numeric(column_type):
        return isinstance(value, int | float) and not isinstance(value, bool)
    return False
