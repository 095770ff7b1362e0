"""The ``slo`` and ``absent`` kinds read from their ``[[alert]]`` tables: an objective and its
burn-rate windows, checked for order and reachability; a silence window and its lookback."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Final, cast

from insights.alerts.durations import format_duration
from insights.alerts.reading import RuleReader
from insights.alerts.rules import (
    DEFAULT_PERIOD,
    DEFAULT_WINDOWS,
    Absent,
    AlertFileRule,
    BurnWindow,
    Presence,
    Scalar,
    Sli,
    Slo,
)
from insights.alerts.scoping import (
    EVENT_COLUMNS,
    EVENTS,
    ONE,
    Found,
    read_by,
    read_where,
    read_window,
)
from vocabulary.problems import TomlRule

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
    where = read_where(r, EVENTS, _STRING_COLUMNS)
    by = read_by(r, EVENTS, EVENT_COLUMNS, default_by)
    return where, by


def read_slo(r: RuleReader, min_count: int, severity: str) -> Found | None:
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


def read_absent(r: RuleReader, min_count: int, severity: str) -> Found | None:
    of = _of(r, ("passes", "events"))
    where, by = _event_scope(r, ("profile",))
    window = read_window(r)
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
