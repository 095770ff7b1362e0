"""The store's tables, their lakes and their Arrow schemas, derived from ``sql/schema.sql``.

``sql/schema.sql`` is the single source of truth for columns and types: it is executed once in
an in-memory DuckDB and the Arrow schema of each empty table is taken from there (cached).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Final

import pyarrow as pa

from ingest.sql import schema_sql


@dataclass(frozen=True)
class TableSpec:
    """One store table and where its Parquet lake lives."""

    name: str
    """The table (and catalog view) name, as in ``sql/schema.sql``."""
    lake: str
    """The lake sub-folder of the store holding this table's Parquet files."""
    time_column: str
    """The UTC timestamp column whose day is the Hive partition ``day=YYYY-MM-DD``."""
    description: str
    """One line for ``synctel query --list``."""
    key: tuple[str, ...] = ()
    """Columns that identify a row, so that loading the same data again adds nothing
    (``append(..., skip_existing=True)``); rows whose first key column is NULL are kept."""
    cluster_by: tuple[str, ...] = ()
    """Columns a compacted file is sorted by before its time column, so that Parquet row-group
    statistics let a filter on them skip most of the file (e.g. ``event = 'sync.started'``)."""

    @property
    def sort_keys(self) -> list[tuple[str, str]]:
        """How a compacted file's rows are ordered: ``cluster_by``, then the time column."""
        return [(c, "ascending") for c in (*self.cluster_by, self.time_column)]


EVENTS: Final = TableSpec(
    "sync_events",
    "events",
    "ts",
    "One row per telemetry event.",
    key=("event_id",),
    cluster_by=("event",),
)
"""``sync_events``: one row per telemetry event."""
SPANS: Final = TableSpec(
    "spans", "spans", "start_ts", "One row per finished span.", key=("trace_id", "span_id")
)
"""``spans``: one row per finished span."""
METRICS: Final = TableSpec(
    "metric_points",
    "metrics",
    "ts",
    "One row per exported metric data point.",
    key=("name", "ts", "attributes", "service_name"),
)
"""``metric_points``: one row per exported metric data point."""
QUARANTINE: Final = TableSpec(
    "quarantine", "quarantine", "loaded_at", "Rows that could not be read, with their reason."
)
"""``quarantine``: rows that could not be read, with their reason."""

TABLES: Final = (EVENTS, SPANS, METRICS, QUARANTINE)
"""Every store table, in catalog order."""


@functools.cache
def arrow_schemas() -> dict[str, pa.Schema]:
    """Arrow schema of every table, by table name, from an in-memory DuckDB (cached)."""
    import duckdb

    con = duckdb.connect(":memory:")
    try:
        con.execute(schema_sql())
        return {t.name: con.sql(f"SELECT * FROM {t.name}").arrow().schema for t in TABLES}
    finally:
        con.close()


@functools.cache
def duckdb_types() -> dict[str, list[tuple[str, str]]]:
    """``(column, DuckDB type)`` of every table, by table name, in schema order (cached)."""
    import duckdb

    con = duckdb.connect(":memory:")
    try:
        con.execute(schema_sql())
        out: dict[str, list[tuple[str, str]]] = {}
        for t in TABLES:
            rows = con.execute(
                "SELECT column_name, data_type FROM information_schema.columns "
                "WHERE table_name = ? ORDER BY ordinal_position",
                [t.name],
            ).fetchall()
            out[t.name] = [(str(c), str(d)) for c, d in rows]
        return out
    finally:
        con.close()


def spec(name: str) -> TableSpec:
    """The :class:`TableSpec` of a table name."""
    for t in TABLES:
        if t.name == name:
            return t
    raise KeyError(name)
