"""The Advisor page's reads: the profile advisor's report, and its recommendations as a frame.

The advisor reads its own evidence window (the last 7 days of data, :mod:`insights.advisor`),
not the sidebar's filters: a recommendation is about a whole profile.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from insights.advisor import Report, advise_store

COLUMNS = ("severity", "kind", "profile", "table", "summary", "change", "link")
"""Columns of :func:`overview`."""


def report(store: Path) -> Report:
    """The advisor's report over ``store`` (no profile file: built-in profiles by name)."""
    return advise_store(store)


def overview(found: Report) -> pl.DataFrame:
    """One row per recommendation, most urgent first; ``change`` names the key and new value."""
    rows = [
        {
            "severity": r.severity,
            "kind": str(r.kind),
            "profile": r.profile,
            "table": r.table,
            "summary": r.summary,
            "change": None if r.change is None else f"{r.change.key} = {r.change.after}",
            "link": r.link,
        }
        for r in found.recommendations
    ]
    schema = dict.fromkeys(COLUMNS, pl.String)
    return pl.DataFrame(rows, schema=schema)
