"""What rules may name: the ``sql/views`` views, their columns and types, and their grain.

Columns come from the views themselves, created over an empty ``sync_events`` in memory, so a
rules file is checked against the SQL that will run, not a copy of it. A view's **grain
columns** (what tells two of its rows apart, e.g. ``profile`` and ``table_name``) are read from
the ``Grain:`` line of its header comment: the words on that line that are columns of the view.
"""

from __future__ import annotations

import functools
import re

import duckdb

from ingest.sql import create_views, schema_sql, view_names, view_sql

NUMERIC_TYPES = frozenset(
    {
        "TINYINT",
        "SMALLINT",
        "INTEGER",
        "BIGINT",
        "HUGEINT",
        "UTINYINT",
        "USMALLINT",
        "UINTEGER",
        "UBIGINT",
        "UHUGEINT",
        "FLOAT",
        "DOUBLE",
        "BOOLEAN",
    }
)
"""Column types a metric may have (a BOOLEAN compares as 0 or 1; DECIMAL(p,s) also counts)."""


@functools.cache
def view_columns() -> dict[str, dict[str, str]]:
    """Every view's columns, in order, with their DuckDB types: ``{view: {column: type}}``."""
    con = duckdb.connect(":memory:")
    try:
        con.execute(schema_sql())
        create_views(con)
        return {
            name: {row[0]: row[1] for row in con.execute(f'DESCRIBE "{name}"').fetchall()}
            for name in view_names()
        }
    finally:
        con.close()


def is_numeric(column_type: str) -> bool:
    """True when a column of this DuckDB type can be a metric."""
    return column_type in NUMERIC_TYPES or column_type.startswith("DECIMAL")


@functools.cache
def grain_columns(view: str) -> tuple[str, ...]:
    """The columns naming one row of ``view``, from its header's ``Grain:`` line (may be empty)."""
    columns = view_columns()[view]
    for line in view_sql(view).splitlines():
        if not line.startswith("--"):
            break
        text = line.lstrip("- ")
        if text.startswith("Grain:"):
            words = re.findall(r"\w+", text.removeprefix("Grain:"))
            return tuple(dict.fromkeys(w for w in words if w in columns))
    return ()
