"""Run every rule over a store (or a connection holding ``sync_events``) and gather the advice."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Final

import duckdb

from insights.advisor.context import Context
from insights.advisor.evidence import Row, data_window, evidence
from insights.advisor.model import SEVERITY_ORDER, Recommendation, Report, Window
from insights.advisor.profiles import ProfileText, read_profile_file, resolve
from insights.advisor.read import open_events
from insights.advisor.rules_device import size_rule, stale
from insights.advisor.rules_interval import interval_longer_than_needed, interval_not_respected
from insights.advisor.rules_usage import (
    cellular_data_heavy,
    conflict_policy,
    filters_too_restrictive,
)
from insights.advisor.thresholds import WINDOW_DAYS

Rule = Callable[[list[Row], Context], list[Recommendation]]
"""A rule: its evidence query's rows in, recommendations out."""

RULES: Final[tuple[tuple[str, Rule], ...]] = (
    ("interval_longer_than_needed", interval_longer_than_needed),
    ("interval_not_respected", interval_not_respected),
    ("filters_too_restrictive", filters_too_restrictive),
    ("cellular_data_heavy", cellular_data_heavy),
    ("conflict_policy", conflict_policy),
    ("size", size_rule),
    ("stale", stale),
)
"""Every rule, by the name of its ``sql/advice`` query."""


def observed_profiles(
    con: duckdb.DuckDBPyConnection, window: Window
) -> dict[str, dict[str, int | None]]:
    """Each profile in the window → its tables and their latest configured interval."""
    rows = con.execute(
        "SELECT profile, table_name, arg_max(interval_minutes, ts) "
        "FROM sync_events WHERE event = 'sync.table' AND ts >= ? AND ts <= ? "
        "AND profile IS NOT NULL AND table_name IS NOT NULL GROUP BY ALL ORDER BY ALL",
        [window.start, window.end],
    ).fetchall()
    out: dict[str, dict[str, int | None]] = {}
    for profile, table, minutes in rows:
        out.setdefault(profile, {})[table] = minutes
    return out


def advise_connection(
    con: duckdb.DuckDBPyConnection,
    *,
    profile: ProfileText | None = None,
    days: int = WINDOW_DAYS,
) -> Report:
    """The advice over ``con``'s ``sync_events``; ``profile`` is the text the data came from."""
    window = data_window(con, days)
    if window is None:
        return Report(None)
    texts = resolve(observed_profiles(con, window), profile)
    ctx = Context(window, texts)
    found: list[Recommendation] = []
    for name, rule in RULES:
        found.extend(rule(evidence(con, name, window), ctx))
    found.sort(key=lambda r: (SEVERITY_ORDER[r.severity], r.profile, r.table or "", r.kind))
    sources = {name: (t.source if t else "unknown") for name, t in sorted(texts.items())}
    return Report(window, sources, tuple(found))


def advise_store(store: Path, *, profile_file: Path | None = None) -> Report:
    """The advice over the store folder ``store``.

    ``StoreNotFoundError`` when it is not a store; ``ProfileError`` (one line) when
    ``profile_file`` cannot be read or is not a valid profile.
    """
    given = read_profile_file(profile_file) if profile_file is not None else None
    con = open_events(store)
    try:
        return advise_connection(con, profile=given)
    finally:
        con.close()
