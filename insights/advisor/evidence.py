"""The advisor's SQL, loaded by name from ``sql/advice/``, and the window it runs over.

Each file is one rule's evidence query, opened by a header comment naming its grain and
defining each column (like ``sql/views``). It reads ``sync_events`` only, with the views'
definitions, and takes two named parameters: ``$start`` and ``$end``, the evidence window.
Thresholds are not in the SQL: the rules in Python (:mod:`insights.advisor.thresholds`) judge
the rows, so a query returns every candidate and its golden test shows the numbers.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Final

import duckdb

from ingest.sql import SQL_DIR
from insights.advisor.model import Window
from insights.advisor.thresholds import WINDOW_DAYS
from insights.errors import InsightsError

ADVICE_DIR: Final = SQL_DIR / "advice"
"""The folder of the advice queries, one per rule."""

Row = dict[str, Any]
"""A result row keyed by column name."""


def advice_names() -> list[str]:
    """Every advice query, alphabetically."""
    return sorted(path.stem for path in ADVICE_DIR.glob("*.sql"))


def advice_sql(name: str) -> str:
    """The text of advice query ``name``; InsightsError naming the known ones if there is none."""
    path: Path = ADVICE_DIR / f"{name}.sql"
    if name not in advice_names():
        raise InsightsError(f"no advice query named {name!r}; known: {', '.join(advice_names())}")
    return path.read_text(encoding="utf-8").strip().rstrip(";")


def advice_description(name: str) -> str:
    """The first line of the query's header comment."""
    return advice_sql(name).splitlines()[0].lstrip("- ").strip()


def evidence(con: duckdb.DuckDBPyConnection, name: str, window: Window) -> list[Row]:
    """Rows of advice query ``name`` over ``window`` on ``con`` (which has ``sync_events``)."""
    result = con.execute(advice_sql(name), {"start": window.start, "end": window.end})
    columns = [d[0] for d in result.description or []]
    return [dict(zip(columns, row, strict=True)) for row in result.fetchall()]


def data_window(con: duckdb.DuckDBPyConnection, days: int = WINDOW_DAYS) -> Window | None:
    """The last ``days`` days of ``con``'s ``sync_events``, ending at its newest event (the
    store's clock); shorter when the data is. None when there are no events."""
    found = con.execute("SELECT max(ts) FROM sync_events").fetchone()
    if found is None or found[0] is None:
        return None
    end: datetime = found[0]
    first = con.execute(
        "SELECT min(ts) FROM sync_events WHERE ts >= ?", [end - timedelta(days=days)]
    ).fetchone()
    start: datetime = first[0] if first is not None and first[0] is not None else end
    return Window(start, end)
