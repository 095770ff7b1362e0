"""Each kind of rule read from its ``[[alert]]`` table: ``threshold``, ``slo`` and ``absent``.

The shared fields are read by :class:`~insights.alerts.reading.RuleReader`; this module reads
what each kind adds and checks it against what exists: a threshold's view and columns against
``sql/views``, an SLO's and an absent rule's columns against the events table.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Final

from insights.alerts.event_kinds import read_absent, read_slo
from insights.alerts.reading import RuleReader
from insights.alerts.rules import (
    COMMON_KEYS,
    KIND_KEYS,
    AlertFileRule,
    AlertRule,
    Kind,
    Op,
    Threshold,
)
from insights.alerts.scoping import Found, read_by, read_where, read_window
from insights.alerts.views import grain_columns, is_numeric, view_columns
from vocabulary.problems import Collector, TomlRule, did_you_mean

COUNT_COLUMNS: Final = ("syncs", "passes", "failures", "conflicts", "skips")
"""The columns a threshold rule's ``min_count`` counts by default, the first the view has."""


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
    read = {Kind.THRESHOLD: _threshold, Kind.SLO: read_slo, Kind.ABSENT: read_absent}[kind]
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
    window = read_window(r)
    where = read_where(r, view, columns) if view is not None else ()
    by = read_by(r, view, columns, grain_columns(view)) if view is not None else ()
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
