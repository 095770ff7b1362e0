"""The one read path: a snapshot of the store's Delta tables over a time window, in DuckDB.

The catalog's views serve any client over every day of the store. The dashboard, the advisor,
the alerts and ``synctel query`` read through this module instead: it resolves the newest
snapshot of a table's Delta log with delta-rs, keeps only the files of the day partitions the
window touches, and hands them to an in-memory DuckDB (with the table's zero-row schema file,
so every column exists even in an empty store), casting every column as the catalog does
(:func:`ingest.tables.duckdb_types`). The metric views are not created on the connection
(creating each would re-read every file's footer): each query carries the views it reads as
CTEs (:func:`ingest.scope.scoped_sql`).

A snapshot is a fixed list of files. A compaction or retention that commits while the query
runs does not change it, and the files it removes stay on disk for the retention window
(:data:`ingest.delta_table.RETENTION_HOURS`), so the query reads whole files and never a row twice.
The reader never takes the writers' lock.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import duckdb
import pyarrow.dataset as ds

from ingest.delta_table import DeltaStoreTable
from ingest.sql import create_views
from ingest.tables import EVENTS, TABLES, TableSpec, arrow_schemas, duckdb_types


def file_list(paths: list[Path]) -> str:
    """``paths`` as a DuckDB list literal of quoted strings, for ``read_parquet(...)``."""
    return "[" + ", ".join("'" + str(p).replace("'", "''") + "'" for p in paths) + "]"


def _casts(spec: TableSpec) -> str:
    """Every column of the table cast to its ``sql/schema.sql`` type, as the catalog does."""
    return ", ".join(f'CAST("{n}" AS {t}) AS "{n}"' for n, t in duckdb_types()[spec.name])


def table_files(
    store: Path, spec: TableSpec = EVENTS, first: date | None = None, last: date | None = None
) -> list[Path]:
    """The table's zero-row schema file, then the data files of its newest snapshot in the
    day partitions ``first`` .. ``last`` (inclusive; None: unbounded)."""
    table = DeltaStoreTable(Path(store), spec)
    files = [table.schema_file]
    if table.exists():
        files.extend(Path(uri.removeprefix("file://")) for uri in table.files(first, last))
    return files


def event_files(store: Path, first: date | None = None, last: date | None = None) -> list[Path]:
    """:func:`table_files` of ``sync_events``."""
    return table_files(store, EVENTS, first, last)


def _view(con: duckdb.DuckDBPyConnection, spec: TableSpec, files: list[Path]) -> None:
    con.execute(
        f"CREATE VIEW {spec.name} AS SELECT {_casts(spec)} "
        f"FROM read_parquet({file_list(files)}, union_by_name = true)"
    )


def connect(
    store: Path, first: date | None = None, last: date | None = None
) -> duckdb.DuckDBPyConnection:
    """An in-memory connection whose ``sync_events`` view holds the store's events of the days
    ``first`` .. ``last`` (None: unbounded). Close it."""
    con = duckdb.connect(":memory:")
    try:
        con.execute("SET enable_progress_bar = false")
        _view(con, EVENTS, event_files(store, first, last))
    except BaseException:
        con.close()
        raise
    return con


def connect_tables(
    store: Path, first: date | None = None, last: date | None = None
) -> duckdb.DuckDBPyConnection:
    """An in-memory connection with a view of every store table (the days ``first`` ..
    ``last``; None: unbounded) and the metric views of ``sql/views`` on top. Close it."""
    con = duckdb.connect(":memory:")
    try:
        con.execute("SET enable_progress_bar = false")
        for spec in TABLES:
            _view(con, spec, table_files(store, spec, first, last))
        create_views(con)
    except BaseException:
        con.close()
        raise
    return con


def connect_locked(store: Path) -> duckdb.DuckDBPyConnection:
    """:func:`connect_tables` for SQL from outside (``synctel query``): it can read the
    snapshot and nothing else, and write nothing.

    The snapshot's files are handed to DuckDB as Arrow datasets (pyarrow reads them), so the
    connection needs no file access of its own: DuckDB's ``enable_external_access`` is switched
    off, which refuses ``COPY … TO``, ``read_*``/``write_*`` of any path, ``ATTACH`` and
    ``INSTALL``, and ``lock_configuration`` stops a query from switching it back on. An allowed
    path list would not do: DuckDB lets ``COPY … (USE_TMP_FILE false)`` overwrite an allowed
    file. The connection is in memory, so what a query creates there dies with it.
    """
    con = duckdb.connect(":memory:")
    try:
        con.execute("SET enable_progress_bar = false")
        for spec in TABLES:
            files = [str(f) for f in table_files(store, spec)]
            schema = arrow_schemas()[spec.name]
            con.register(f"_{spec.name}_files", ds.dataset(files, schema=schema, format="parquet"))
            con.execute(f"CREATE VIEW {spec.name} AS SELECT {_casts(spec)} FROM _{spec.name}_files")
        create_views(con)
        con.execute("SET enable_external_access = false")
        con.execute("SET lock_configuration = true")
    except BaseException:
        con.close()
        raise
    return con


def days(store: Path, spec: TableSpec = EVENTS) -> list[date]:
    """The UTC days the table holds data for, oldest first (newest snapshot)."""
    table = DeltaStoreTable(Path(store), spec)
    return table.days() if table.exists() else []


def newest_time(store: Path, spec: TableSpec = EVENTS) -> datetime | None:
    """The newest value of the table's time column (None: the table is empty); the log is
    read once and only the newest day's files are opened."""
    table = DeltaStoreTable(Path(store), spec)
    found = table.days() if table.exists() else []
    if not found:
        return None
    newest = table.files(found[-1], found[-1], refresh=False)
    files = [table.schema_file, *(Path(uri) for uri in newest)]
    con = duckdb.connect(":memory:")
    try:
        row = con.execute(
            f'SELECT max("{spec.time_column}") FROM read_parquet({file_list(files)}, '
            "union_by_name = true)"
        ).fetchone()
    finally:
        con.close()
    return row[0] if row is not None and isinstance(row[0], datetime) else None
