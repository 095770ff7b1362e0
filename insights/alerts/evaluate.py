"""Each rule's view over the last ``window`` of events, one observation per row of the view.

The view is run by the dashboard's own machinery: :func:`ingest.scope.scoped_sql` carries
the view's SQL (and the views it reads) as CTEs over a ``sync_events`` narrowed to the window,
on a read-only in-memory connection over the lake's visible files
(:func:`ingest.reader.connect`), so alerts see exactly what the dashboard shows for the
same time range, and evaluation never takes a lock a writer waits on.

**The window** is ``[end - window, end)``. ``end`` is the wall clock (``"now"``, for live
stores), the store's newest event (``"latest"``, for simulated or back-filled data, whose
events are in the past), or a given instant. A pass counts when its ``sync.started`` falls in
the window (the dashboard's rule, :mod:`ingest.scope`).
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import duckdb

from ingest import reader
from ingest.catalog import CATALOG_FILE
from ingest.scope import PASS_SLACK, Filters, scoped_sql
from insights.alerts.errors import AlertsError
from insights.alerts.rules import AlertRule

WindowEnd = Literal["now", "latest"] | dt.datetime
"""Where every window ends: the wall clock, the newest event, or an instant (naive UTC)."""
Key = tuple[tuple[str, Any], ...]
"""An alert instance's grouping columns and their values (JSON-safe), in the rule's order."""
VALUE = "__alert_value"


@dataclass(frozen=True)
class Observation:
    """One row of a rule's view in its window: which instance, and the metric's value."""

    rule: AlertRule
    """The rule evaluated."""
    key: Key
    """The row's grouping columns (``rule.by``) and their values."""
    value: float | None
    """The metric; None when the view gives NULL (never breaches)."""
    start: dt.datetime
    """The window's first instant (naive UTC, inclusive)."""
    end: dt.datetime
    """The instant the window stops before (naive UTC, exclusive)."""

    @property
    def breached(self) -> bool:
        """True when the value breaks the rule's threshold (a NULL never does)."""
        return self.value is not None and self.rule.op.holds(self.value, self.rule.threshold)


@dataclass
class Evaluation:
    """What one evaluation of every rule found."""

    now: dt.datetime
    """The evaluation clock (naive UTC wall time): ``for`` is measured on it."""
    end: dt.datetime | None
    """Where the windows ended (None: ``latest`` on a store with no events)."""
    observations: list[Observation] = field(default_factory=list)
    """Every row of every rule that ran."""
    failures: dict[str, str] = field(default_factory=dict)
    """Rule name -> why it could not be evaluated (its alert instances are left as they were)."""


def utc_now() -> dt.datetime:
    """The wall clock as the store keeps times: naive UTC."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def latest_event(store: Path) -> dt.datetime | None:
    """The newest event's ``ts`` (naive UTC), reading only the newest day partition."""
    return reader.newest_time(store)


def window_end(store: Path, end: WindowEnd, now: dt.datetime) -> dt.datetime | None:
    """The instant windows end at (exclusive): ``now``, just after the newest event, or ``end``."""
    if end == "now":
        return now
    if end == "latest":
        newest = latest_event(store)
        return None if newest is None else newest + dt.timedelta(microseconds=1)
    assert isinstance(end, dt.datetime)
    return end


def require_store(store: Path) -> None:
    """AlertsError unless ``store`` is a store folder (it has a ``catalog.duckdb``)."""
    if not (Path(store) / CATALOG_FILE).is_file():
        raise AlertsError(
            f"no store at {store}: create one first (synctel simulate, load or serve)"
        )


def evaluate(
    store: Path, rules: Sequence[AlertRule], *, now: dt.datetime, end: WindowEnd = "now"
) -> Evaluation:
    """Run every rule once against ``store``; a rule that fails is reported, not raised."""
    require_store(store)
    stop = window_end(store, end, now)
    found = Evaluation(now, stop)
    if stop is None or not rules:
        return found
    first = min(stop - r.window for r in rules).date()
    con = reader.connect(store, first, (stop + PASS_SLACK).date())
    try:
        for rule in rules:
            try:
                found.observations.extend(_observe(con, rule, stop))
            except (duckdb.Error, AlertsError) as exc:
                found.failures[rule.name] = " ".join(str(exc).split())
    finally:
        con.close()
    return found


def _observe(
    con: duckdb.DuckDBPyConnection, rule: AlertRule, stop: dt.datetime
) -> list[Observation]:
    start = stop - rule.window
    keys = ", ".join(f'"{c}"' for c in rule.by)
    conds = " AND ".join(f'"{c}" = ?' for c, _ in rule.where) or "TRUE"
    body = (
        f'SELECT {keys + ", " if keys else ""}CAST("{rule.metric}" AS DOUBLE) AS {VALUE} '
        f'FROM "{rule.view}" WHERE {conds}'
    )
    sql, params = scoped_sql(body, (rule.view,), Filters(start=start, end=stop))
    rows = con.execute(sql, [*params, *(v for _, v in rule.where)]).fetchall()
    out: list[Observation] = []
    seen: set[str] = set()
    for row in rows:
        key: Key = tuple((c, _plain(v)) for c, v in zip(rule.by, row[:-1], strict=True))
        text = json.dumps(key)
        if text in seen:
            raise AlertsError(
                f"view {rule.view!r} gives several rows for {dict(key)}: name the columns "
                "that tell its rows apart with by = [...]"
            )
        seen.add(text)
        out.append(Observation(rule, key, row[-1], start, stop))
    return out


def _plain(value: Any) -> Any:
    """A view value as JSON can hold it (dates and times in ISO 8601)."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    return str(value)
