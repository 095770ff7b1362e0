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
from insights.alerts.durations import format_duration
from insights.alerts.errors import AlertsError
from insights.alerts.rules import AlertRule, Threshold

WindowEnd = Literal["now", "latest"] | dt.datetime
"""Where every window ends: the wall clock, the newest event, or an instant (naive UTC)."""
Key = tuple[tuple[str, Any], ...]
"""An alert instance's grouping columns and their values (JSON-safe), in the rule's order."""
VALUE = "__alert_value"
COUNT = "__alert_count"


@dataclass(frozen=True)
class Observation:
    """One alert instance's reading in its window: which instance, the value, whether the
    condition holds, and how many events stand behind it."""

    rule: AlertRule
    """The rule evaluated."""
    key: Key
    """The instance's grouping columns (``rule.by``; an SLO adds ``slo_window``) and values."""
    value: float | None
    """The metric (an SLO: the long window's burn rate; absent: events in the window); None
    when the view gives NULL (never breaches)."""
    start: dt.datetime
    """The window's first instant (naive UTC, inclusive)."""
    end: dt.datetime
    """The instant the window stops before (naive UTC, exclusive)."""
    count: float | None = None
    """The events behind the value, compared with ``min_count`` (None: not counted)."""
    holds: bool | None = None
    """Whether the condition holds (an SLO or absent rule); None: a threshold rule compares
    ``value`` itself."""
    condition: str = ""
    """The condition as one line: ``success_rate=0.5 < 0.95 over 1h``."""
    labels: tuple[tuple[str, str], ...] = ()
    """Labels this instance sets over the rule's (an SLO window's ``severity``)."""
    details: tuple[tuple[str, Any], ...] = ()
    """Figures for annotations and payloads (an SLO: burn rates, the remaining budget)."""

    @property
    def held(self) -> bool:
        """True when fewer events than the rule's ``min_count`` stand behind it: the instance
        neither fires nor resolves."""
        return self.count is not None and self.count < self.rule.min_count

    @property
    def breached(self) -> bool:
        """True when the condition holds (a NULL value, or a held reading, never does)."""
        if self.held:
            return False
        spec = self.rule.spec
        if isinstance(spec, Threshold):
            return self.value is not None and spec.op.holds(self.value, spec.threshold)
        return bool(self.holds)


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
    budgets: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    """SLO rule name -> each group's remaining error budget over the rule's period."""


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
    from insights.alerts.event_rules import observe_events

    first = min(stop - reach(r) for r in rules).date()
    con = reader.connect(store, first, (stop + PASS_SLACK).date())
    try:
        for rule in rules:
            try:
                if isinstance(rule.spec, Threshold):
                    found.observations.extend(_observe(con, rule, rule.spec, stop))
                else:
                    found.observations.extend(observe_events(con, rule, stop, found.budgets))
            except (duckdb.Error, AlertsError) as exc:
                found.failures[rule.name] = " ".join(str(exc).split())
    finally:
        con.close()
    return found


def reach(rule: AlertRule) -> dt.timedelta:
    """How far before the window's end a rule reads events."""
    from insights.alerts.rules import Absent, Slo

    spec = rule.spec
    if isinstance(spec, Slo):
        return max(rule.window, spec.period)
    if isinstance(spec, Absent):
        return rule.window + spec.lookback
    return rule.window


def _observe(
    con: duckdb.DuckDBPyConnection, rule: AlertRule, spec: Threshold, stop: dt.datetime
) -> list[Observation]:
    start = stop - rule.window
    keys = ", ".join(f'"{c}"' for c in rule.by)
    conds = " AND ".join(f'"{c}" = ?' for c, _ in rule.where) or "TRUE"
    count = f'CAST("{spec.count}" AS DOUBLE)' if spec.count else "NULL"
    body = (
        f"SELECT {keys + ', ' if keys else ''}{count} AS {COUNT}, "
        f'CAST("{spec.metric}" AS DOUBLE) AS {VALUE} FROM "{spec.view}" WHERE {conds}'
    )
    sql, params = scoped_sql(body, (rule.view,), Filters(start=start, end=stop))
    rows = con.execute(sql, [*params, *(v for _, v in rule.where)]).fetchall()
    out: list[Observation] = []
    seen: set[str] = set()
    for row in rows:
        key: Key = tuple((c, plain(v)) for c, v in zip(rule.by, row[:-2], strict=True))
        text = json.dumps(key)
        if text in seen:
            raise AlertsError(
                f"view {rule.view!r} gives several rows for {dict(key)}: name the columns "
                "that tell its rows apart with by = [...]"
            )
        seen.add(text)
        value = row[-1]
        shown = "NULL" if value is None else f"{value:.6g}"
        over = format_duration(rule.window)
        condition = f"{spec.metric}={shown} {spec.op} {spec.threshold:g} over {over}"
        out.append(Observation(rule, key, value, start, stop, row[-2], condition=condition))
    return out


def plain(value: Any) -> Any:
    """A view value as JSON can hold it (dates and times in ISO 8601)."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    return str(value)
