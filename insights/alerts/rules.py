"""The rules file: ``[[alert]]`` tables in TOML, read into :class:`AlertRule` and validated.

Three kinds of rule (``kind = ...``, default ``threshold``):

- ``threshold``: a metric of a ``sql/views`` view over the last ``window``, compared with a
  threshold (:class:`Threshold`);
- ``slo``: an objective (99% of table syncs succeed) watched with multi-window, multi-burn-rate
  alerts, the Google SRE workbook's practice (:class:`Slo`);
- ``absent``: a group (profile, table, device model, …) that had passes or events, and has none
  in the last ``window`` (:class:`Absent`).

Every kind takes ``for``, ``keep_firing_for``, ``min_count``, ``labels`` (``severity``…),
``annotations`` (``summary``, ``description``, ``runbook_url``…) and ``webhook``. Every problem
names the file, the line and the rule it breaks, and the alert it concerns (``rules.toml line
7: alert 'slow tables': unknown view 'health'; did you mean …``); the fields are read by
:mod:`insights.alerts.reading` and :mod:`insights.alerts.kinds`.
"""

from __future__ import annotations

import operator
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any, Final, Literal

from insights.alerts.durations import format_duration
from insights.alerts.errors import RulesError
from vocabulary.problems import Collector, Problem, TomlRule, syntax_problem
from vocabulary.toml_lines import key_lines


class AlertFileRule(StrEnum):
    """Rules only alert-rule files check (the shared ones are ``TomlRule``'s)."""

    UNKNOWN_VIEW = "unknown-view"
    """A view that ``sql/views`` does not have."""
    UNKNOWN_METRIC = "unknown-metric"
    """A column the view does not have, or one that is not numeric."""
    UNKNOWN_COLUMN = "unknown-column"
    """A ``where``/``by``/``count`` column the view (or the events) does not have."""
    OP = "op"
    """An unknown comparison."""
    DURATION = "duration"
    """A duration that cannot be read, is too short or too long."""
    KIND = "kind"
    """An unknown rule kind, or a key another kind takes."""
    NUMBER = "number"
    """A number that is not finite, out of its range, or a boolean."""
    WINDOWS = "windows"
    """Burn-rate windows that are out of order or cannot fire."""
    LABEL = "label"
    """A label or annotation name Alertmanager refuses, or one that clashes."""


Scalar = str | int | float | bool
"""A value a ``where`` filter compares a column with."""


class Kind(StrEnum):
    """What a rule watches."""

    THRESHOLD = "threshold"
    """A view's metric against a threshold."""
    SLO = "slo"
    """An objective's error budget burning too fast."""
    ABSENT = "absent"
    """No passes, or no events, from a group that had some."""


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

COMMON_KEYS: Final = (
    "name",
    "kind",
    "for",
    "keep_firing_for",
    "min_count",
    "labels",
    "annotations",
    "webhook",
)
"""The keys every kind of ``[[alert]]`` may hold."""
KIND_KEYS: Final = {
    Kind.THRESHOLD: ("view", "metric", "where", "by", "op", "threshold", "window", "count"),
    Kind.SLO: ("objective", "of", "where", "by", "windows", "period"),
    Kind.ABSENT: ("of", "where", "by", "window", "lookback"),
}
"""The keys each kind adds."""
KEYS: Final = tuple(dict.fromkeys([*COMMON_KEYS, *(k for ks in KIND_KEYS.values() for k in ks)]))
"""Every key an ``[[alert]]`` table may hold (some only for one kind)."""


@dataclass(frozen=True)
class Threshold:
    """``kind = "threshold"``: ``metric`` of ``view`` compared with ``threshold``."""

    view: str
    """A view of ``sql/views``."""
    metric: str
    """A numeric column of the view (a BOOLEAN compares as 0 or 1)."""
    op: Op
    """The comparison; the condition holds when ``metric <op> threshold``."""
    threshold: float
    """What the metric is compared with (finite)."""
    count: str | None = None
    """The column counting the events behind a row, for ``min_count`` (``syncs``…)."""


@dataclass(frozen=True)
class BurnWindow:
    """One multi-window burn-rate alert: both windows must burn budget ``burn_rate`` times
    faster than the objective allows (error rate > ``burn_rate * (1 - objective)``)."""

    long: timedelta
    """The window that makes the alert significant (1 h)."""
    short: timedelta
    """The window that makes it reset quickly once the errors stop (5 min)."""
    burn_rate: float
    """How many times the sustainable error rate (14.4: 2% of a 30-day budget in 1 h)."""
    severity: str
    """The ``severity`` label of this alert (``page`` or ``ticket`` by default)."""

    @property
    def name(self) -> str:
        """``1h/5m``: the ``slo_window`` label telling the rule's alerts apart."""
        return f"{format_duration(self.long)}/{format_duration(self.short)}"


DEFAULT_WINDOWS: Final = (
    BurnWindow(timedelta(hours=1), timedelta(minutes=5), 14.4, "page"),
    BurnWindow(timedelta(hours=6), timedelta(minutes=30), 6.0, "page"),
    BurnWindow(timedelta(days=3), timedelta(hours=6), 1.0, "ticket"),
)
"""The SRE workbook's multi-window, multi-burn-rate alerts for a 30-day objective."""
DEFAULT_PERIOD: Final = timedelta(days=30)
"""The period an objective's error budget covers."""

Sli = Literal["table_syncs", "passes"]
"""What an SLO counts: table syncs (``sync.table``, per profile and table) or whole passes."""
Presence = Literal["passes", "events"]
"""What an ``absent`` rule misses: passes (table syncs when it names a table) or any event."""


@dataclass(frozen=True)
class Slo:
    """``kind = "slo"``: ``objective`` of the counted syncs succeed."""

    objective: float
    """The share that must succeed, strictly between 0 and 1 (0.99)."""
    windows: tuple[BurnWindow, ...] = DEFAULT_WINDOWS
    """The burn-rate alerts, shortest long window first."""
    of: Sli = "table_syncs"
    """What is counted."""
    period: timedelta = DEFAULT_PERIOD
    """The error budget's period (the remaining budget is reported over it)."""


@dataclass(frozen=True)
class Absent:
    """``kind = "absent"``: a group seen in the ``lookback`` with none in the last ``window``."""

    of: Presence = "passes"
    """What must keep arriving."""
    lookback: timedelta = timedelta(days=7)
    """How far back (before the window) a group must have been seen to be expected."""


Spec = Threshold | Slo | Absent
"""A rule's kind-specific part."""


@dataclass(frozen=True)
class AlertRule:
    """One ``[[alert]]``: when its condition holds for at least ``hold``, the alert fires (one
    alert per row of the view, or per group of events)."""

    name: str
    """Unique name; the ``alertname`` label and part of every alert instance's identity."""
    spec: Spec
    """What the rule watches: :class:`Threshold`, :class:`Slo` or :class:`Absent`."""
    window: timedelta
    """How far back the events go (an SLO: its longest window)."""
    hold: timedelta = timedelta(0)
    """How long the condition must hold across evaluations before firing (``for``; 0: at once)."""
    where: tuple[tuple[str, Scalar], ...] = ()
    """Equality filters (``where = { profile = "technicians" }``)."""
    by: tuple[str, ...] = ()
    """Columns that tell alert instances apart (a threshold rule: the view's grain)."""
    webhook: str | None = None
    """URL transitions are POSTed to as JSON (None: printed and stored only)."""
    line: int = 0
    """The line of the rule's ``[[alert]]`` header in its file."""
    min_count: int = 0
    """Below this many events an instance neither fires nor resolves (0: no minimum)."""
    keep_firing_for: timedelta = timedelta(0)
    """How long a firing alert keeps firing after its condition stops holding."""
    labels: tuple[tuple[str, str], ...] = ()
    """Extra labels (``severity``…), sent to Alertmanager with the instance's columns."""
    annotations: tuple[tuple[str, str], ...] = ()
    """``summary``, ``description``, ``runbook_url``…; ``{column}`` and ``{value}`` are filled."""

    @property
    def kind(self) -> Kind:
        """The rule's kind."""
        if isinstance(self.spec, Slo):
            return Kind.SLO
        return Kind.ABSENT if isinstance(self.spec, Absent) else Kind.THRESHOLD

    @property
    def view(self) -> str:
        """The view whose dashboard page shows the rule's alerts."""
        if isinstance(self.spec, Threshold):
            return self.spec.view
        if isinstance(self.spec, Slo):
            return "health_by_profile_table" if self.spec.of == "table_syncs" else "daily_health"
        return "device_status"

    @property
    def severity(self) -> str | None:
        """The ``severity`` label, if the rule sets one."""
        return dict(self.labels).get("severity")

    def summary(self) -> dict[str, Any]:
        """The rule as payloads and the state carry it (durations in the file's notation)."""
        out: dict[str, Any] = {
            "name": self.name,
            "kind": str(self.kind),
            "view": self.view,
            "window": format_duration(self.window),
            "for": format_duration(self.hold),
            "keep_firing_for": format_duration(self.keep_firing_for),
            "min_count": self.min_count,
            "where": dict(self.where),
            "by": list(self.by),
            "labels": dict(self.labels),
            "annotations": dict(self.annotations),
        }
        spec = self.spec
        if isinstance(spec, Threshold):
            out |= {"metric": spec.metric, "op": str(spec.op), "threshold": spec.threshold}
        elif isinstance(spec, Slo):
            out |= {
                "metric": "burn_rate",
                "op": ">",
                "threshold": spec.windows[0].burn_rate,
                "objective": spec.objective,
                "of": spec.of,
                "period": format_duration(spec.period),
                "windows": [
                    {"window": w.name, "burn_rate": w.burn_rate, "severity": w.severity}
                    for w in spec.windows
                ],
            }
        else:
            out |= {
                "metric": spec.of,
                "op": "==",
                "threshold": 0.0,
                "of": spec.of,
                "lookback": format_duration(spec.lookback),
            }
        return out


def load_rules(path: Path) -> list[AlertRule]:
    """The rules in the file at ``path``; RulesError listing every problem with its line."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        why = getattr(exc, "strerror", None) or exc
        problem = Problem(str(path), 0, TomlRule.FILE, f"cannot be read: {why}")
        raise RulesError([problem]) from None
    return parse_rules(text, source=str(path))


def parse_rules(text: str, *, source: str = "<string>") -> list[AlertRule]:
    """The rules in ``text``; RulesError listing every problem with its line."""
    from insights.alerts.kinds import read_rule

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
            rule = read_rule(out, index, raw)
            if rule is not None:
                rules.append(rule)
    errors = out.errors()
    if errors:
        raise RulesError(errors)
    return rules
