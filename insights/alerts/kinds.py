"""Each kind of rule read from its ``[[alert]]`` table: ``threshold``, ``slo`` and ``absent``.

The shared fields are read by :class:`~insights.alerts.reading.RuleReader`; this module reads
what each kind adds and checks it against what exists: a threshold's view and columns against
``sql/views``, an SLO's and an absent rule's columns against the events table.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Final, cast

from insights.alerts.durations import format_duration
from insights.alerts.reading import RuleReader
from insights.alerts.rules import (
    COMMON_KEYS,
    DEFAULT_PERIOD,
    DEFAULT_WINDOWS,
    KIND_KEYS,
    Absent,
    AlertFileRule,
    AlertRule,
    BurnWindow,
    Kind,
    Op,
    Presence,
    Scalar,
    Sli,
    Slo,
    Spec,
    Threshold,
)
from insights.alerts.views import grain_columns, is_numeric, view_columns
from vocabulary.problems import Collector, TomlRule, did_you_mean

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
COUNT_COLUMNS: Final = ("syncs", "passes", "failures", "conflicts", "skips")
"""The columns a threshold rule's ``min_count`` counts by default, the first the view has."""
ONE: Final = timedelta(seconds=1)
EVENTS: Final = "the events"
"""How messages name the events table an ``slo`` or ``absent`` rule reads."""


def read_rule(out: Collector, index: int, raw: dict[str, Any]) -> AlertRule | None:
    """The ``index``-th ``[[alert]]`` table as a rule; None (problems in ``out``) when bad."""
    r = RuleReader(out, index, raw)
    before = out.error_count()
    kind = _kind(r)
    if kind is not None:
        _unknown_keys(r, kind)
    name = r.text("name")
    hold = r.optional_duration("for", low=timedelta(0)) or timedelta(0)
    keep = r.optional_duration("keep_firing_for", low=timedelta(0)) or timedelta(0)
    min_count = r.min_count()
    labels = r.string_table("labels")
    annotations = r.string_table("annotations")
    webhook = r.webhook()
    if kind is None:
        return None
    read = {Kind.THRESHOLD: _threshold, Kind.SLO: _slo, Kind.ABSENT: _absent}[kind]
    found = read(r, min_count, dict(labels).get("severity", "page"))
    if found is not None:
        r.clashing_labels(labels, found[3])
    if out.error_count() > before or name is None or found is None:
        return None
    spec, window, where, by = found
    return AlertRule(
        name,
        spec,
        window,
        hold,
        where,
        by,
        webhook,
        out.line(r.path),
        min_count,
        keep,
        labels,
        annotations,
    )


Found = tuple[Spec, timedelta, tuple[tuple[str, Scalar], ...], tuple[str, ...]]
"""A kind's reading: its spec, window, ``where`` and ``by``."""


def _kind(r: RuleReader) -> Kind | None:
    text = r.text("kind", required=False)
    if text is None:
        return None if "kind" in r.raw else Kind.THRESHOLD
    try:
        return Kind(text)
    except ValueError:
        choices = ", ".join(repr(k.value) for k in Kind)
        hint = did_you_mean(text, [k.value for k in Kind]) or f"; use one of {choices}"
        r.error("kind", AlertFileRule.KIND, f"unknown kind {text!r}{hint}")
        return None


def _unknown_keys(r: RuleReader, kind: Kind) -> None:
    allowed = (*COMMON_KEYS, *KIND_KEYS[kind])
    for key in r.raw:
        if key in allowed:
            continue
        others = [str(k) for k, keys in KIND_KEYS.items() if key in keys]
        if others:
            r.error(
                key,
                AlertFileRule.KIND,
                f"key {key!r} belongs to kind {' or '.join(map(repr, others))} rules, not "
                f"{str(kind)!r}; set kind = {others[0]!r} or remove it",
            )
        else:
            hint = did_you_mean(key, allowed) or f"; valid keys: {', '.join(allowed)}"
            r.error(key, TomlRule.UNKNOWN_KEY, f"unknown key {key!r}{hint}")


# -- threshold -------------------------------------------------------------------------------


def _threshold(r: RuleReader, min_count: int, severity: str) -> Found | None:
    view = _view(r)
    columns = view_columns().get(view or "", {})
    metric = _metric(r, view, columns)
    op = _op(r)
    value = r.raw.get("threshold")
    threshold = None
    if value is None:
        r.error((), TomlRule.REQUIRED, "missing required key 'threshold'")
    else:
        threshold = r.number("threshold", value, name="threshold")
    window = _window(r)
    where = _where(r, view, columns) if view is not None else ()
    by = _by(r, view, columns, grain_columns(view)) if view is not None else ()
    count = _count(r, view, columns, min_count)
    if view is None or metric is None or op is None or threshold is None or window is None:
        return None
    return Threshold(view, metric, op, threshold, count), window, where, by


def _view(r: RuleReader) -> str | None:
    view = r.text("view")
    if view is None or view in view_columns():
        return view
    known = list(view_columns())
    hint = did_you_mean(view, known) or f"; known views: {', '.join(sorted(known))}"
    r.error("view", AlertFileRule.UNKNOWN_VIEW, f"unknown view {view!r}{hint}")
    return None


def _metric(r: RuleReader, view: str | None, columns: dict[str, str]) -> str | None:
    metric = r.text("metric")
    if metric is None or view is None:
        return None
    numeric = [c for c, t in columns.items() if is_numeric(t)]
    if metric not in columns:
        hint = did_you_mean(metric, numeric) or f"; its metrics: {', '.join(numeric)}"
        r.error(
            "metric", AlertFileRule.UNKNOWN_METRIC, f"view {view!r} has no metric {metric!r}{hint}"
        )
        return None
    if metric not in numeric:
        r.error(
            "metric",
            TomlRule.TYPE,
            f"{metric!r} of view {view!r} is {columns[metric]}, not a number; "
            f"its metrics: {', '.join(numeric)}",
        )
        return None
    return metric


def _op(r: RuleReader) -> Op | None:
    text = r.text("op")
    if text is None:
        return None
    try:
        return Op(text)
    except ValueError:
        choices = ", ".join(repr(o.value) for o in Op)
        r.error("op", AlertFileRule.OP, f"unknown op {text!r}; use one of {choices}")
        return None


def _count(r: RuleReader, view: str | None, columns: dict[str, str], min_count: int) -> str | None:
    given = r.text("count", required=False)
    if view is None:
        return None
    numeric = [c for c, t in columns.items() if is_numeric(t)]
    if given is not None:
        if given not in numeric:
            hint = did_you_mean(given, numeric) or f"; its metrics: {', '.join(numeric)}"
            r.error(
                "count",
                AlertFileRule.UNKNOWN_COLUMN,
                f"view {view!r} has no numeric column {given!r} to count events with{hint}",
            )
            return None
        return given
    found = next((c for c in COUNT_COLUMNS if c in columns), None)
    if min_count and found is None:
        r.error(
            "min_count",
            TomlRule.REQUIRED,
            f"view {view!r} has no column counting events ({', '.join(COUNT_COLUMNS)}): "
            'name one with count = "column"',
        )
    return found


def _window(r: RuleReader) -> timedelta | None:
    value = r.raw.get("window")
    if value is None:
        r.error((), TomlRule.REQUIRED, "missing required key 'window'")
        return None
    return r.duration("window", value, low=ONE)


def _where(r: RuleReader, view: str, columns: dict[str, str]) -> tuple[tuple[str, Scalar], ...]:
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
                f"{_owner(view)} no column {column!r}{hint}",
            )
        elif not _fits(columns[column], value):
            r.error(
                ("where", column),
                TomlRule.TYPE,
                f"where {column} = {value!r} does not fit the column's type {columns[column]}",
            )
        else:
            found.append((column, value))
    return tuple(found)


def _by(
    r: RuleReader, view: str, columns: dict[str, str] | tuple[str, ...], default: tuple[str, ...]
) -> tuple[str, ...]:
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
                f"{_owner(view)} no column {column!r}{hint}",
            )
    return tuple(raw)


def _owner(view: str) -> str:
    return "the events have" if view == EVENTS else f"view {view!r} has"


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


# -- slo and absent --------------------------------------------------------------------------

_STRING_COLUMNS: Final = dict.fromkeys(EVENT_COLUMNS, "VARCHAR")


def _of(r: RuleReader, choices: tuple[str, ...]) -> str | None:
    text = r.text("of", required=False)
    if text is None:
        return None if "of" in r.raw else choices[0]
    if text not in choices:
        r.error("of", TomlRule.VALUE, f"of {text!r}: use one of {', '.join(map(repr, choices))}")
        return None
    return text


def _event_scope(
    r: RuleReader, default_by: tuple[str, ...]
) -> tuple[tuple[tuple[str, Scalar], ...], tuple[str, ...]]:
    where = _where(r, EVENTS, _STRING_COLUMNS)
    by = _by(r, EVENTS, EVENT_COLUMNS, default_by)
    return where, by


def _slo(r: RuleReader, min_count: int, severity: str) -> Found | None:
    value = r.raw.get("objective")
    objective = None
    if value is None:
        r.error((), TomlRule.REQUIRED, "missing required key 'objective' (e.g. 0.99)")
    else:
        objective = r.number("objective", value, name="objective", low=0, high=1, open_range=True)
    of = _of(r, ("table_syncs", "passes"))
    where, by = _event_scope(r, ("profile", "table_name") if of != "passes" else ("profile",))
    if of == "passes":
        for column in ("table_name",):
            if column in by or column in dict(where):
                r.error(
                    "by" if column in by else ("where", column),
                    TomlRule.VALUE,
                    'a pass has no table: use of = "table_syncs" to watch tables',
                )
    windows = _burn_windows(r, objective, severity)
    period = r.optional_duration("period", low=timedelta(hours=1)) or DEFAULT_PERIOD
    if objective is None or of is None or windows is None:
        return None
    longest = max(w.long for w in windows)
    spec = Slo(objective, windows, cast(Sli, of), period)
    return spec, longest, where, by


def _burn_windows(
    r: RuleReader, objective: float | None, severity: str
) -> tuple[BurnWindow, ...] | None:
    raw = r.raw.get("windows")
    if raw is None:
        return DEFAULT_WINDOWS
    if not isinstance(raw, list) or not raw or not all(isinstance(w, dict) for w in raw):
        r.error(
            "windows",
            TomlRule.TYPE,
            'windows must be a list of tables, e.g. [{ long = "1h", short = "5m", '
            "burn_rate = 14.4 }]",
        )
        return None
    found: list[BurnWindow] = []
    bad = False
    for index, entry in enumerate(raw):
        window = _burn_window(r, index, entry, objective, severity)
        if window is None:
            bad = True
            continue
        if found and window.long <= found[-1].long:
            r.error(
                ("windows", index, "long"),
                AlertFileRule.WINDOWS,
                f"windows are in the wrong order: window {index + 1}'s long "
                f"{format_duration(window.long)!r} must be longer than window {index}'s "
                f"{format_duration(found[-1].long)!r} (shortest long window first)",
            )
            bad = True
        found.append(window)
    return None if bad else tuple(found)


def _burn_window(
    r: RuleReader, index: int, entry: dict[str, Any], objective: float | None, default: str
) -> BurnWindow | None:
    where = ("windows", index)
    label = f"window {index + 1}"
    for key in entry:
        if key not in ("long", "short", "burn_rate", "severity"):
            r.error(
                (*where, key),
                TomlRule.UNKNOWN_KEY,
                f"{label}: unknown key {key!r}; valid keys: long, short, burn_rate, severity",
            )
    spans: dict[str, timedelta | None] = {}
    for key in ("long", "short"):
        if key not in entry:
            r.error(where, TomlRule.REQUIRED, f"{label}: missing required key {key!r}")
            spans[key] = None
        else:
            spans[key] = r.duration((*where, key), entry[key], low=ONE, name=f"{label}'s {key}")
    rate = None
    if "burn_rate" not in entry:
        r.error(where, TomlRule.REQUIRED, f"{label}: missing required key 'burn_rate'")
    else:
        rate = r.number(
            (*where, "burn_rate"),
            entry["burn_rate"],
            name=f"{label}'s burn_rate",
            low=0,
            high=1e6,
            open_range=True,
        )
    severity = entry.get("severity", default)
    if not isinstance(severity, str) or not severity.strip():
        r.error((*where, "severity"), TomlRule.TYPE, f"{label}: severity must be a string")
        return None
    long, short = spans["long"], spans["short"]
    if long is None or short is None or rate is None:
        return None
    if short >= long:
        r.error(
            (*where, "short"),
            AlertFileRule.WINDOWS,
            f"windows are in the wrong order: {label}'s short {format_duration(short)!r} must "
            f"be shorter than its long {format_duration(long)!r}",
        )
        return None
    if objective is not None and rate * (1 - objective) > 1:
        r.error(
            (*where, "burn_rate"),
            AlertFileRule.WINDOWS,
            f"{label}'s burn_rate {rate:g} can never fire: with objective {objective:g} the "
            f"error rate would have to exceed {rate * (1 - objective):.0%}",
        )
        return None
    return BurnWindow(long, short, rate, severity.strip())


def _absent(r: RuleReader, min_count: int, severity: str) -> Found | None:
    of = _of(r, ("passes", "events"))
    where, by = _event_scope(r, ("profile",))
    window = _window(r)
    lookback = r.optional_duration("lookback", low=ONE)
    if window is not None and lookback is not None and lookback <= window:
        r.error(
            "lookback",
            AlertFileRule.DURATION,
            f"lookback {format_duration(lookback)!r} must be longer than window "
            f"{format_duration(window)!r}: it is where the expected groups are seen",
        )
        return None
    if of is None or window is None:
        return None
    if lookback is None:
        lookback = max(timedelta(days=7), 2 * window)
    return Absent(cast(Presence, of), lookback), window, where, by
