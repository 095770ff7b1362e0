"""The rules file: ``[[alert]]`` tables in TOML, read into :class:`AlertRule` and validated.

Every problem names the file, the line and the rule it breaks, and the alert it concerns
(``rules.toml line 7: alert 'slow tables': unknown view 'health'; did you mean …``). Lines
come from :mod:`vocabulary.toml_lines` and problems are
:class:`vocabulary.problems.Problem`, as for profiles and scenarios.
"""

from __future__ import annotations

import operator
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any, Final

from insights.alerts.durations import format_duration, parse_duration
from insights.alerts.errors import RulesError
from insights.alerts.views import grain_columns, is_numeric, view_columns
from vocabulary.problems import Collector, Problem, TomlRule, did_you_mean, syntax_problem
from vocabulary.toml_lines import KeyPath, key_lines


class AlertFileRule(StrEnum):
    """Rules only alert-rule files check (the shared ones are ``TomlRule``'s)."""

    UNKNOWN_VIEW = "unknown-view"
    """A view that ``sql/views`` does not have."""
    UNKNOWN_METRIC = "unknown-metric"
    """A column the view does not have, or one that is not numeric."""
    UNKNOWN_COLUMN = "unknown-column"
    """A ``where``/``by`` column the view does not have."""
    OP = "op"
    """An unknown comparison."""
    DURATION = "duration"
    """A duration that cannot be read, or is too short."""


Scalar = str | int | float | bool
"""A value a ``where`` filter compares a column with."""


class Op(StrEnum):
    """How a metric is compared with the threshold; the alert condition holds when it is true."""

    LT = "<"
    LE = "<="
    GT = ">"
    GE = ">="
    EQ = "=="
    NE = "!="

    def holds(self, value: float, threshold: float) -> bool:
        """``value <op> threshold``."""
        return _COMPARE[self](value, threshold)


_COMPARE: Final[dict[Op, Callable[[float, float], bool]]] = {
    Op.LT: operator.lt,
    Op.LE: operator.le,
    Op.GT: operator.gt,
    Op.GE: operator.ge,
    Op.EQ: operator.eq,
    Op.NE: operator.ne,
}

KEYS: Final = (
    "name",
    "view",
    "metric",
    "where",
    "by",
    "op",
    "threshold",
    "window",
    "for",
    "webhook",
)
"""The keys an ``[[alert]]`` table may hold."""


@dataclass(frozen=True)
class AlertRule:
    """One ``[[alert]]``: when ``metric`` of ``view`` over the last ``window`` breaks the
    threshold for at least ``hold``, the alert fires (per row of the view)."""

    name: str
    """Unique name; part of every alert instance's identity."""
    view: str
    """A view of ``sql/views``."""
    metric: str
    """A numeric column of the view (a BOOLEAN compares as 0 or 1)."""
    op: Op
    """The comparison; the condition holds when ``metric <op> threshold``."""
    threshold: float
    """What the metric is compared with."""
    window: timedelta
    """How far back the events the view reads go (``window = "1h"``)."""
    hold: timedelta = timedelta(0)
    """How long the condition must hold across evaluations before firing (``for``; 0: at once)."""
    where: tuple[tuple[str, Scalar], ...] = ()
    """Equality filters on the view's columns (``where = { profile = "technicians" }``)."""
    by: tuple[str, ...] = ()
    """Columns that tell the view's rows apart: each row is its own alert instance
    (default: the grain named in the view's header comment)."""
    webhook: str | None = None
    """URL transitions are POSTed to as JSON (None: printed and stored only)."""
    line: int = 0
    """The line of the rule's ``[[alert]]`` header in its file."""

    def summary(self) -> dict[str, Any]:
        """The rule as the webhook payload carries it (durations in the file's notation)."""
        return {
            "name": self.name,
            "view": self.view,
            "metric": self.metric,
            "op": str(self.op),
            "threshold": self.threshold,
            "window": format_duration(self.window),
            "for": format_duration(self.hold),
            "where": dict(self.where),
            "by": list(self.by),
        }


def load_rules(path: Path) -> list[AlertRule]:
    """The rules in the file at ``path``; RulesError listing every problem with its line."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except OSError as exc:
        problem = Problem(str(path), 0, TomlRule.FILE, f"cannot be read: {exc.strerror or exc}")
        raise RulesError([problem]) from None
    return parse_rules(text, source=str(path))


def parse_rules(text: str, *, source: str = "<string>") -> list[AlertRule]:
    """The rules in ``text``; RulesError listing every problem with its line."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RulesError([syntax_problem(str(exc), source)]) from None
    out = Collector(source, key_lines(text))
    out.unknown_keys(data, (), ("alert",))
    alerts = data.get("alert")
    rules: list[AlertRule] = []
    if alerts is None:
        out.error((), TomlRule.REQUIRED, "no [[alert]] table: a rules file holds at least one")
    elif not isinstance(alerts, list) or not all(isinstance(a, dict) for a in alerts):
        out.error(("alert",), TomlRule.TYPE, "'alert' must be [[alert]] tables")
    else:
        seen: set[str] = set()
        for index, raw in enumerate(alerts):
            name = raw.get("name")
            if isinstance(name, str) and name.strip() in seen:
                out.error(
                    ("alert", index, "name"),
                    TomlRule.VALUE,
                    f"alert {name!r}: another alert has this name; names must be unique",
                )
            elif isinstance(name, str):
                seen.add(name.strip())
            rule = _Reader(out, index, raw).rule()
            if rule is not None:
                rules.append(rule)
    errors = out.errors()
    if errors:
        raise RulesError(errors)
    return rules


class _Reader:
    """Reads one ``[[alert]]`` table, reporting each problem at its key's line."""

    def __init__(self, out: Collector, index: int, raw: dict[str, Any]) -> None:
        self.out = out
        self.path: KeyPath = ("alert", index)
        self.raw = raw
        name = raw.get("name")
        self.label = f"alert {name!r}" if isinstance(name, str) else f"alert #{index + 1}"

    def error(self, key: str | KeyPath, rule: StrEnum, message: str) -> None:
        sub = (key,) if isinstance(key, str) else key
        self.out.error((*self.path, *sub), rule, f"{self.label}: {message}")

    def text(self, key: str, *, required: bool = True) -> str | None:
        value = self.raw.get(key)
        if value is None:
            if required:
                self.error((), TomlRule.REQUIRED, f"missing required key {key!r}")
            return None
        if not isinstance(value, str) or not value.strip():
            self.error(key, TomlRule.TYPE, f"{key!r} must be a non-empty string")
            return None
        return value.strip()

    def duration(self, key: str, *, required: bool, low: timedelta) -> timedelta | None:
        text = self.text(key, required=required)
        if text is None:
            return None
        found = parse_duration(text)
        if found is None:
            self.error(
                key,
                AlertFileRule.DURATION,
                f"{key} {text!r} is not a duration: write a number and a unit "
                "(s, m, h or d), e.g. '30s', '10m', '1h', '1h30m'",
            )
            return None
        if found < low:
            self.error(
                key,
                AlertFileRule.DURATION,
                f"{key} {text!r} must be at least {format_duration(low)}",
            )
            return None
        return found

    def rule(self) -> AlertRule | None:
        before = self.out.error_count()
        for key in self.raw:
            if key not in KEYS:
                hint = did_you_mean(key, KEYS) or f"; valid keys: {', '.join(KEYS)}"
                self.error(key, TomlRule.UNKNOWN_KEY, f"unknown key {key!r}{hint}")
        name = self.text("name")
        view = self.view()
        columns = view_columns().get(view or "", {})
        metric = self.metric(view, columns)
        op = self.op()
        threshold = self.threshold()
        window = self.duration("window", required=True, low=timedelta(seconds=1))
        hold = self.duration("for", required=False, low=timedelta(0)) or timedelta(0)
        where = self.where(view, columns)
        by = self.by(view, columns)
        webhook = self.webhook()
        if (
            self.out.error_count() > before
            or name is None
            or view is None
            or metric is None
            or op is None
            or threshold is None
            or window is None
        ):
            return None
        line = self.out.line(self.path)
        return AlertRule(name, view, metric, op, threshold, window, hold, where, by, webhook, line)

    def view(self) -> str | None:
        view = self.text("view")
        if view is None or view in view_columns():
            return view
        known = list(view_columns())
        hint = did_you_mean(view, known) or f"; known views: {', '.join(sorted(known))}"
        self.error("view", AlertFileRule.UNKNOWN_VIEW, f"unknown view {view!r}{hint}")
        return None

    def metric(self, view: str | None, columns: dict[str, str]) -> str | None:
        metric = self.text("metric")
        if metric is None or view is None:
            return None
        numeric = [c for c, t in columns.items() if is_numeric(t)]
        if metric not in columns:
            hint = did_you_mean(metric, numeric) or f"; its metrics: {', '.join(numeric)}"
            self.error(
                "metric",
                AlertFileRule.UNKNOWN_METRIC,
                f"view {view!r} has no metric {metric!r}{hint}",
            )
            return None
        if metric not in numeric:
            self.error(
                "metric",
                TomlRule.TYPE,
                f"{metric!r} of view {view!r} is {columns[metric]}, not a number; "
                f"its metrics: {', '.join(numeric)}",
            )
            return None
        return metric

    def op(self) -> Op | None:
        text = self.text("op")
        if text is None:
            return None
        try:
            return Op(text)
        except ValueError:
            choices = ", ".join(repr(o.value) for o in Op)
            self.error("op", AlertFileRule.OP, f"unknown op {text!r}; use one of {choices}")
            return None

    def threshold(self) -> float | None:
        value = self.raw.get("threshold")
        if value is None:
            self.error((), TomlRule.REQUIRED, "missing required key 'threshold'")
            return None
        if not isinstance(value, int | float):
            self.error("threshold", TomlRule.TYPE, f"threshold must be a number, not {value!r}")
            return None
        return float(value)

    def where(self, view: str | None, columns: dict[str, str]) -> tuple[tuple[str, Scalar], ...]:
        raw = self.raw.get("where")
        if raw is None:
            return ()
        if not isinstance(raw, dict):
            self.error("where", TomlRule.TYPE, 'where must be a table, e.g. { profile = "x" }')
            return ()
        found: list[tuple[str, Scalar]] = []
        for column, value in raw.items():
            if view is None:
                continue
            if column not in columns:
                hint = did_you_mean(column, columns) or f"; its columns: {', '.join(columns)}"
                self.error(
                    ("where", column),
                    AlertFileRule.UNKNOWN_COLUMN,
                    f"view {view!r} has no column {column!r}{hint}",
                )
            elif not _fits(columns[column], value):
                self.error(
                    ("where", column),
                    TomlRule.TYPE,
                    f"where {column} = {value!r} does not fit the column's type {columns[column]}",
                )
            else:
                found.append((column, value))
        return tuple(found)

    def by(self, view: str | None, columns: dict[str, str]) -> tuple[str, ...]:
        raw = self.raw.get("by")
        if view is None:
            return ()
        if raw is None:
            return grain_columns(view)
        if not isinstance(raw, list) or not all(isinstance(c, str) for c in raw):
            self.error("by", TomlRule.TYPE, "by must be a list of column names")
            return ()
        for index, column in enumerate(raw):
            if column not in columns:
                hint = did_you_mean(column, columns) or f"; its columns: {', '.join(columns)}"
                self.error(
                    ("by", index),
                    AlertFileRule.UNKNOWN_COLUMN,
                    f"view {view!r} has no column {column!r}{hint}",
                )
        return tuple(raw)

    def webhook(self) -> str | None:
        url = self.text("webhook", required=False)
        if url is not None and not url.startswith(("http://", "https://")):
            self.error(
                "webhook", TomlRule.VALUE, f"webhook {url!r} must be an http:// or https:// URL"
            )
            return None
        return url


def _fits(column_type: str, value: object) -> bool:
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
