"""Filters (the dashboard's, the alerts' windows), and the SQL that runs a ``sql/views`` view
over the filtered events.

A view file is written over ``sync_events``. Each query runs the view's own SQL
(:func:`ingest.sql.view_sql`, so every metric keeps the definition of its header comment) as a
CTE, with the views it reads (``sync_runs``, ``table_syncs``) the same way; to apply the sidebar
filters, a ``WITH sync_events AS (…)`` in front narrows the store's events. Every filter value
is a bound parameter; the only text spliced into SQL is a view name checked against the
``sql/views`` files.

What a filter keeps:

- A **pass** (``sync.started`` … ``sync.completed``/``sync.failed``, its ``sync.table`` and
  ``sync.conflict`` events) is in scope when its ``sync.started`` is: started inside the time
  range, and its profile, mode, app version, OS and network (as the pass began) are among the
  chosen ones. With a table filter, a pass is in scope when it synced one of those tables, and
  only those tables' ``sync.table``/``sync.conflict`` rows are kept.
- Any other event (``sync.skipped``, ``sync.notification``, ``record.not_found``) is judged on
  its own columns: its ``ts`` in range, its profile/app/OS/network among the chosen ones, and its
  mode (when it has one) among the chosen modes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, Final

from ingest.sql import view_names, view_sql
from vocabulary.contract import Event

PASS_EVENTS: Final = (Event.STARTED, Event.COMPLETED, Event.FAILED, Event.TABLE, Event.CONFLICT)
"""Events that belong to a pass through their ``sync_id``."""
TABLE_EVENTS: Final = (Event.TABLE, Event.CONFLICT, Event.RECORD_NOT_FOUND)
"""Events about one table: a table filter keeps only the chosen tables' rows of these."""
PASS_SLACK: Final = timedelta(days=1)
"""How long after the range ends a pass's later events are still read (passes end quickly)."""

# Filter field -> the sync_events column it narrows.
COLUMNS: Final = {
    "profiles": "profile",
    "modes": "mode",
    "app_versions": "app_version",
    "os_names": "os_name",
    "networks": "network_type",
}

# The dashboard keeps these filters in its URL's query string (``dashboards.filters``), and alert
# links set them (``insights.alerts.links``): both take the parameter names from here.
QUERY_PARAMS: Final = {
    "profiles": "profile",
    "tables": "table",
    "modes": "mode",
    "app_versions": "app",
    "os_names": "os",
    "networks": "net",
}
"""Filter field -> the dashboard URL's query parameter holding its chosen values."""
RANGE_PARAM: Final = "range"
"""The query parameter naming the time range preset (``custom``: the ``from``/``to`` days)."""
FROM_PARAM: Final = "from"
"""The query parameter with a custom range's first UTC day."""
TO_PARAM: Final = "to"
"""The query parameter with a custom range's last UTC day (included)."""


@dataclass(frozen=True)
class Filters:
    """What the sidebar narrows every page to; an empty tuple means "all"."""

    start: datetime | None = None
    """First instant in range (naive UTC, inclusive); None: from the first event."""
    end: datetime | None = None
    """Instant the range stops before (naive UTC, exclusive); None: to the last event."""
    profiles: tuple[str, ...] = ()
    """Offline profiles (``sync.profile``)."""
    tables: tuple[str, ...] = ()
    """Tables (``sync.table``)."""
    modes: tuple[str, ...] = ()
    """Sync modes (``FIRST_SYNC``, ``DELTA_SYNC``, …)."""
    app_versions: tuple[str, ...] = ()
    """App versions (``service.version``)."""
    os_names: tuple[str, ...] = ()
    """Operating systems (``os.name``)."""
    networks: tuple[str, ...] = ()
    """Network types (``network.connection.type``)."""

    def is_everything(self) -> bool:
        """True when nothing is narrowed: every event is read."""
        return self == Filters()

    def previous(self) -> Filters | None:
        """The same filters over the period just before this one (None without a bounded range)."""
        if self.start is None or self.end is None:
            return None
        span = self.end - self.start
        return replace(self, start=self.start - span, end=self.start)


@dataclass
class _Sql:
    """Conditions joined with AND, and their parameters in order."""

    conds: list[str] = field(default_factory=list)
    params: list[Any] = field(default_factory=list)

    def add(self, cond: str, *params: Any) -> None:
        self.conds.append(cond)
        self.params.extend(params)

    def among(self, column: str, values: tuple[str, ...], *, or_null: bool = False) -> None:
        if not values:
            return
        marks = ", ".join("?" for _ in values)
        cond = f"{column} IN ({marks})"
        self.add(f"({column} IS NULL OR {cond})" if or_null else cond, *values)

    def where(self) -> str:
        return " AND ".join(self.conds) if self.conds else "TRUE"


def _in_list(events: tuple[str, ...]) -> str:
    return ", ".join(f"'{e}'" for e in events)  # catalog constants, not user text


def _time(sql: _Sql, f: Filters, *, slack: timedelta = timedelta(0)) -> None:
    if f.start is not None:
        sql.add("ts >= ?", f.start)
    if f.end is not None:
        sql.add("ts < ?", f.end + slack)


def events_cte(f: Filters) -> tuple[str, list[Any]]:
    """``SELECT …`` of the filtered ``sync_events`` (reading ``main.sync_events``), and params."""
    starts = _Sql()
    starts.add(f"event = '{Event.STARTED}' AND sync_id IS NOT NULL")
    _time(starts, f)
    for name, column in COLUMNS.items():
        starts.among(column, getattr(f, name))
    if f.tables:
        marks = ", ".join("?" for _ in f.tables)
        starts.add(
            "sync_id IN (SELECT sync_id FROM main.sync_events "
            f"WHERE event = '{Event.TABLE}' AND table_name IN ({marks}))",
            *f.tables,
        )

    other = _Sql()
    other.add(f"event NOT IN ({_in_list(PASS_EVENTS)})")
    _time(other, f)
    for name, column in COLUMNS.items():
        other.among(column, getattr(f, name), or_null=name == "modes")

    outer = _Sql()
    if f.start is not None:
        outer.add("ts >= ?", f.start)
    if f.end is not None:
        outer.add("ts < ?", f.end + PASS_SLACK)
    if f.tables:
        marks = ", ".join("?" for _ in f.tables)
        outer.add(
            f"(event NOT IN ({_in_list(TABLE_EVENTS)}) OR table_name IN ({marks}))", *f.tables
        )
    text = (
        "SELECT * FROM main.sync_events WHERE "
        + outer.where()
        + " AND ((event IN ("
        + _in_list(PASS_EVENTS)
        + ") AND sync_id IN (SELECT sync_id FROM main.sync_events WHERE "
        + starts.where()
        + ")) OR ("
        + other.where()
        + "))"
    )
    # The outer conditions come first in the text, then the pass scope, then the others.
    return text, outer.params + starts.params + other.params


def _reads(sql: str, name: str) -> bool:
    code = re.sub(r"--[^\n]*", "", sql)
    return re.search(rf"\b{re.escape(name)}\b", code) is not None


def checked_view(name: str) -> str:
    """``name`` if it is a view of ``sql/views``; else ``ValueError``."""
    if name not in view_names():
        raise ValueError(f"no view named {name!r}; known: {', '.join(view_names())}")
    return name


def scoped_sql(body: str, views: tuple[str, ...], f: Filters) -> tuple[str, list[Any]]:
    """``body`` (SQL reading the ``views`` by name) made to read them under the filters ``f``.

    Each view ``body`` reads, and each view that view reads, is defined in front of it as a CTE
    holding the view's own SQL, so the connection needs only ``sync_events`` (see
    :mod:`ingest.reader`). Filtered, a ``sync_events`` CTE narrowing the events comes
    first, and every view reads it. ``body`` may open with its own ``WITH``. Returns the SQL and
    its parameters (the filters' come first, so ``body`` may append its own ``?`` after them).
    """
    for name in views:
        checked_view(name)
    ordered = view_names()
    needed = set(views)
    for other in reversed(ordered):
        if other in needed:
            needed |= {dep for dep in ordered if dep != other and _reads(view_sql(other), dep)}
    ctes = [f'"{v}" AS (\n{view_sql(v)}\n)' for v in ordered if v in needed]
    params: list[Any] = []
    if not f.is_everything():
        events, params = events_cte(f)
        ctes.insert(0, f"sync_events AS ({events})")
    if not ctes:
        return body, params
    head = "WITH " + ",\n".join(ctes)
    text = body.lstrip()
    if re.match(r"WITH\s", text, re.IGNORECASE):  # the body's own CTEs follow ours
        return f"{head},\n{text[5:]}", params
    return f"{head}\n{text}", params


def view_query(name: str, f: Filters) -> tuple[str, list[Any]]:
    """SQL and parameters selecting every row of view ``name`` under the filters ``f``."""
    return scoped_sql(f'SELECT * FROM "{checked_view(name)}"', (name,), f)
