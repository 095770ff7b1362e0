"""The advisor's SQL, loaded by name from ``sql/advice/``, and the window it runs over.

The queries are read by :mod:`ingest.sql` (:func:`~ingest.sql.advice_names`,
:func:`~ingest.sql.advice_sql`), the loader of every SQL file of the ``sql`` package.

Each file is one rule's evidence query, opened by a header comment naming its grain and
defining each column (like ``sql/views``). It reads ``sync_events`` and the base views of
``sql/views`` built on it (``table_events``, ``profile_device_days``), and takes two named
parameters: ``$start`` and ``$end``, the evidence window, which the query applies to the views'
rows (a view takes no parameters). The views it reads travel with it as CTEs holding their own
SQL (:func:`ingest.scope.scoped_sql`), so the connection needs only ``sync_events``.
Thresholds are not in the SQL: the rules in Python (:mod:`insights.advisor.thresholds`) judge
the rows, so a query returns every candidate and its golden test shows the numbers.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import duckdb

from ingest.scope import Filters, scoped_sql
from ingest.sql import advice_names as advice_names
from ingest.sql import advice_sql as advice_sql
from ingest.sql import view_names
from insights.advisor.model import Window
from insights.advisor.thresholds import WINDOW_DAYS

Row = dict[str, Any]
"""A result row keyed by column name."""


def advice_description(name: str) -> str:
    """The first line of the query's header comment."""
    return advice_sql(name).splitlines()[0].lstrip("- ").strip()


def advice_views(name: str) -> tuple[str, ...]:
    """The ``sql/views`` views advice query ``name`` reads by name (comments aside)."""
    code = re.sub(r"--[^\n]*", "", advice_sql(name))
    return tuple(v for v in view_names() if re.search(rf"\b{re.escape(v)}\b", code))


def runnable_sql(name: str) -> str:
    """Advice query ``name`` with the views it reads defined in front of it as CTEs: it runs on
    a connection holding only ``sync_events`` (or the store's catalog, whose views it shadows)."""
    lines = advice_sql(name).splitlines()
    code = next((i for i, line in enumerate(lines) if not line.startswith("--")), len(lines))
    sql, params = scoped_sql("\n".join(lines[code:]), advice_views(name), Filters())
    assert not params  # no filters: the window is the query's own $start/$end
    return "\n".join([*lines[:code], sql])


def evidence(con: duckdb.DuckDBPyConnection, name: str, window: Window) -> list[Row]:
    """Rows of advice query ``name`` over ``window`` on ``con`` (which has ``sync_events``)."""
    result = con.execute(runnable_sql(name), {"start": window.start, "end": window.end})
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
