"""A read-only DuckDB connection over the store's lake for readers that know their time range.

The catalog's ``sync_events`` view serves any client over every day of the lake. The dashboard,
the advisor and the alerts read a bounded window, so this reader lists only the day folders the
window touches, once, with the lake's own rule (:func:`ingest.lake.scan_partition`), hands
DuckDB the visible files (plus the lake's
zero-row schema file, so every column exists even in an empty store), casts every column as
the catalog does (:func:`ingest.tables.duckdb_types`). The metric views are not created on the
connection (creating each would re-read every file's footer): each query carries the views it
reads as CTEs (:func:`ingest.scope.scoped_sql`). A bounded time range reads only the day
folders it can touch.

The connection is in memory and only reads immutable Parquet files: it never takes the
writers' lock, and files a compaction merges away stay on disk for the store's grace period,
so a query that listed them finishes reading them.
"""

from __future__ import annotations

import functools
from datetime import date
from pathlib import Path
from typing import Final

import duckdb

from ingest.lake import SCHEMA_DIR, scan_partition
from ingest.tables import EVENTS, duckdb_types

DAY_PREFIX: Final = "day="
"""How a lake names its day partitions (``day=YYYY-MM-DD``)."""


@functools.cache
def _columns() -> str:
    return ", ".join(f'CAST("{n}" AS {t}) AS "{n}"' for n, t in duckdb_types()[EVENTS.name])


def _quoted(paths: list[Path]) -> str:
    return "[" + ", ".join("'" + str(p).replace("'", "''") + "'" for p in paths) + "]"


def event_files(store: Path, first: date | None = None, last: date | None = None) -> list[Path]:
    """The visible events files of the day folders from ``first`` to ``last`` (inclusive,
    None: unbounded), after the lake's zero-row schema file."""
    lake = Path(store) / EVENTS.lake
    files = [lake / SCHEMA_DIR / "schema.parquet"]
    try:
        folders = sorted(p for p in lake.iterdir() if p.name.startswith(DAY_PREFIX))
    except OSError:
        return files
    for folder in folders:
        try:
            day = date.fromisoformat(folder.name.removeprefix(DAY_PREFIX))
        except ValueError:
            continue
        if (first is None or day >= first) and (last is None or day <= last):
            files.extend(scan_partition(folder).visible)
    return files


def connect(
    store: Path, first: date | None = None, last: date | None = None
) -> duckdb.DuckDBPyConnection:
    """An in-memory connection whose ``sync_events`` view holds the store's events of the days
    ``first`` .. ``last`` (None: unbounded). Close it."""
    con = duckdb.connect(":memory:")
    try:
        con.execute("SET enable_progress_bar = false")
        files = _quoted(event_files(store, first, last))
        con.execute(
            f"CREATE VIEW {EVENTS.name} AS SELECT {_columns()} "
            f"FROM read_parquet({files}, union_by_name = true)"
        )
    except BaseException:
        con.close()
        raise
    return con
