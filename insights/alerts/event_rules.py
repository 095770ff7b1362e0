"""``slo`` and ``absent`` rules, read straight from the events of the window.

**SLO burn rates** (the Google SRE workbook, "Alerting on SLOs", multiwindow, multi-burn-rate
alerts). An objective of 99% leaves an error budget of 1% of the counted syncs. Over a window,
the *burn rate* is the error rate divided by the budget: 1 spends the budget exactly over the
period, 14.4 spends 2% of a 30-day budget in one hour. Each burn window fires when both its long
and its short window burn faster than its ``burn_rate``; the long window makes the alert
significant, the short one makes it stop soon after the errors do. A window without any counted
sync has no error rate and never fires. Counted: each ``sync.table`` event whose result is
``success`` or ``failure`` (``of = "table_syncs"``), or each pass's ``sync.completed`` and
``sync.failed`` (``of = "passes"``), by its ``ts``. ``min_count`` applies to the long window.

**Absent**: a group (the ``by`` columns) is expected when it had passes (table syncs, when the
rule names ``table_name``), or events, in the ``lookback`` before the window; it fires when it
has none in the window. ``min_count`` applies to the lookback: a group seen fewer times there
neither fires nor resolves.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import duckdb

from insights.alerts.durations import format_duration
from insights.alerts.evaluate import Key, Observation, plain
from insights.alerts.rules import Absent, AlertRule, Slo

_OUTCOMES = {
    "table_syncs": (
        "event = 'sync.table' AND result IN ('success', 'failure')",
        "result = 'failure'",
    ),
    "passes": ("event IN ('sync.completed', 'sync.failed')", "event = 'sync.failed'"),
}


def observe_events(
    con: duckdb.DuckDBPyConnection,
    rule: AlertRule,
    stop: dt.datetime,
    budgets: dict[str, list[dict[str, Any]]],
) -> list[Observation]:
    """The observations of an ``slo`` or ``absent`` rule whose windows end at ``stop``; an SLO
    also records each group's remaining error budget in ``budgets``."""
    if isinstance(rule.spec, Slo):
        return _slo(con, rule, rule.spec, stop, budgets)
    assert isinstance(rule.spec, Absent)
    return _absent(con, rule, rule.spec, stop)


def _grouped(
    con: duckdb.DuckDBPyConnection,
    rule: AlertRule,
    counts: list[tuple[str, list[Any]]],
    cond: str,
    start: dt.datetime,
    stop: dt.datetime,
) -> list[tuple[Key, list[float]]]:
    """Per group of ``rule.by``: each of ``counts`` (an aggregate and its parameters)."""
    keys = ", ".join(f'"{c}"' for c in rule.by)
    where = " AND ".join([cond, "ts >= ?", "ts < ?", *(f'"{c}" = ?' for c, _ in rule.where)])
    sql = (
        f"SELECT {keys + ', ' if keys else ''}{', '.join(c for c, _ in counts)} "
        f"FROM sync_events WHERE {where}{' GROUP BY ' + keys if keys else ''}"
    )
    params = [p for _, ps in counts for p in ps]
    rows = con.execute(sql, [*params, start, stop, *(v for _, v in rule.where)]).fetchall()
    n = len(rule.by)
    return [
        (
            tuple((c, plain(v)) for c, v in zip(rule.by, row[:n], strict=True)),
            [float(x or 0) for x in row[n:]],
        )
        for row in rows
    ]


def _slo(
    con: duckdb.DuckDBPyConnection,
    rule: AlertRule,
    spec: Slo,
    stop: dt.datetime,
    budgets: dict[str, list[dict[str, Any]]],
) -> list[Observation]:
    counted, failed = _OUTCOMES[spec.of]
    spans = sorted({spec.period, *(w.long for w in spec.windows), *(w.short for w in spec.windows)})
    counts: list[tuple[str, list[Any]]] = []
    for span in spans:
        since = stop - span
        counts.append(("count(*) FILTER (WHERE ts >= ?)", [since]))
        counts.append((f"count(*) FILTER (WHERE ts >= ? AND {failed})", [since]))
    start = stop - max(spans)
    budget = 1 - spec.objective
    out: list[Observation] = []
    kept: list[dict[str, Any]] = []
    for key, values in _grouped(con, rule, counts, counted, start, stop):
        totals = {s: (values[2 * i], values[2 * i + 1]) for i, s in enumerate(spans)}
        period_total, period_bad = totals[spec.period]
        remaining = None if period_total == 0 else 1 - period_bad / (period_total * budget)
        kept.append({"key": dict(key), "remaining": remaining, "total": period_total})
        for w in spec.windows:
            long, short = _burn(totals[w.long], budget), _burn(totals[w.short], budget)
            total, bad = totals[w.long]
            holds = (
                long is not None
                and short is not None
                and long > w.burn_rate
                and short > w.burn_rate
            )
            shown = {s: "no data" if b is None else f"{b:.3g}x" for s, b in ((0, long), (1, short))}
            condition = (
                f"burn rate {shown[0]} over {format_duration(w.long)} and {shown[1]} over "
                f"{format_duration(w.short)} (fires above {w.burn_rate:g}x; objective "
                f"{spec.objective:g}, {bad:.0f} of {total:.0f} failed over "
                f"{format_duration(w.long)})"
            )
            details = (
                ("burn_rate_long", long),
                ("burn_rate_short", short),
                ("burn_rate_threshold", w.burn_rate),
                ("objective", spec.objective),
                ("failed", bad),
                ("counted", total),
                ("error_budget_remaining", remaining),
            )
            out.append(
                Observation(
                    rule,
                    (*key, ("slo_window", w.name)),
                    long,
                    stop - w.long,
                    stop,
                    total,
                    holds,
                    condition,
                    (("severity", w.severity),),
                    details,
                )
            )
    budgets[rule.name] = kept
    return out


def _burn(counts: tuple[float, float], budget: float) -> float | None:
    """The burn rate of ``(counted, failed)``: None when nothing was counted."""
    total, bad = counts
    return None if total == 0 else bad / total / budget


def _absent(
    con: duckdb.DuckDBPyConnection, rule: AlertRule, spec: Absent, stop: dt.datetime
) -> list[Observation]:
    names_table = "table_name" in rule.by or "table_name" in dict(rule.where)
    if spec.of == "events":
        cond, what = "TRUE", "events"
    elif names_table:
        cond, what = "event = 'sync.table'", "table syncs"
    else:
        cond, what = "event = 'sync.started'", "passes"
    begin = stop - rule.window
    counts: list[tuple[str, list[Any]]] = [
        ("count(*) FILTER (WHERE ts >= ?)", [begin]),
        ("count(*) FILTER (WHERE ts < ?)", [begin]),
    ]
    out: list[Observation] = []
    for key, (recent, before) in _grouped(con, rule, counts, cond, begin - spec.lookback, stop):
        condition = (
            f"{recent:.0f} {what} over {format_duration(rule.window)} "
            f"({before:.0f} in the {format_duration(spec.lookback)} before)"
        )
        if recent == 0:
            condition = "no " + condition.split(" ", 1)[1]
        out.append(
            Observation(
                rule,
                key,
                recent,
                begin,
                stop,
                before,
                recent == 0 and before > 0,
                condition,
                details=(("seen_before", before), ("lookback", format_duration(spec.lookback))),
            )
        )
    return out
