"""``catalog.duckdb``: the views analysts open, written once and swapped in atomically.

No process keeps the catalog open for writing. It is built in a temp file next to it and
``os.replace``d into place, so readers (``duckdb.connect(path, read_only=True)`` from any
working directory) never wait on a lock and never see a half-built catalog. It is rebuilt only
when the SQL changes (schema or views) or the store folder has moved, because its views hold
absolute paths.

Each table is a view over its lake that applies the lake's visibility rule (see
:mod:`ingest.lake`) and casts every column to its ``sql/schema.sql`` type; the metric views of
``sql/views`` are created on top by :func:`ingest.sql.create_views`.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from pathlib import Path
from typing import Final

import duckdb

from ingest import sql as store_sql
from ingest.errors import CatalogError
from ingest.lake import Lake
from ingest.tables import duckdb_types

CATALOG_FILE: Final = "catalog.duckdb"
"""The catalog's file name inside the store folder."""
META_TABLE: Final = "_synctel_store"
"""Key/value table recording the store root and the SQL fingerprint the catalog was built for."""


def sql_fingerprint() -> str:
    """Hash of every file under ``sql/``: the catalog is rebuilt when it changes."""
    digest = hashlib.sha256()
    for path in sorted(store_sql.SQL_DIR.rglob("*.sql")):
        digest.update(path.relative_to(store_sql.SQL_DIR).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def lake_view_sql(lake: Lake) -> str:
    """The SELECT of a table's view: visible files only, every column cast to its type.

    K must come from the SAME scan as the rows (one directory listing). DuckDB rewrites a
    window over a bare ``PARTITION BY`` into an aggregate joined back to a second scan of the
    files, and two listings can straddle a compaction. The ``ORDER BY _hi DESC`` frame keeps
    one scan and still yields K for every row that K can hide (rows with ``hi <= K`` see the
    ``1-K`` file in their frame; rows with ``hi > K`` are single appends, visible anyway).
    ``tests/ingest/test_catalog.py`` checks the plan keeps one scan.
    """
    columns = ",\n    ".join(
        f'CAST("{name}" AS {dtype}) AS "{name}"' for name, dtype in duckdb_types()[lake.spec.name]
    )
    glob = lake.glob.replace("'", "''")
    return f"""SELECT
    {columns}
FROM (
    SELECT *,
        coalesce(max(_hi) FILTER (WHERE _lo = 1) OVER (PARTITION BY _dir ORDER BY _hi DESC), 0)
            AS _k
    FROM (
        SELECT *,
            parse_dirpath(filename) AS _dir,
            TRY_CAST(regexp_extract(parse_filename(filename), '^([0-9]+)-[0-9]+[.]parquet$', 1)
                AS BIGINT) AS _lo,
            TRY_CAST(regexp_extract(parse_filename(filename), '^[0-9]+-([0-9]+)[.]parquet$', 1)
                AS BIGINT) AS _hi
        FROM read_parquet('{glob}', hive_partitioning = false, union_by_name = true,
                          filename = true)
    )
)
WHERE (_lo = 1 AND _hi = _k) OR _lo > _k"""


def create_table_views(con: duckdb.DuckDBPyConnection, lakes: list[Lake]) -> None:
    """Create one view per store table over its lake, then the metric views on top."""
    for lake in lakes:
        con.execute(f'CREATE OR REPLACE VIEW "{lake.spec.name}" AS\n{lake_view_sql(lake)}')
    store_sql.create_views(con)


def catalog_is_current(path: Path, root: Path) -> bool:
    """True when ``path`` exists and was built for this store folder and this SQL."""
    if not path.exists():
        return False
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error:
        return False
    try:
        rows = dict(con.execute(f"SELECT key, value FROM {META_TABLE}").fetchall())
    except duckdb.Error:
        return False
    finally:
        con.close()
    return rows.get("root") == str(root) and rows.get("sql") == sql_fingerprint()


def build_catalog(path: Path, root: Path, lakes: list[Lake]) -> None:
    """Build the catalog in a temp file and atomically replace ``path`` with it."""
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        con = duckdb.connect(str(tmp))
        try:
            con.execute(f"CREATE TABLE {META_TABLE} (key VARCHAR PRIMARY KEY, value VARCHAR)")
            con.execute(
                f"INSERT INTO {META_TABLE} VALUES ('root', ?), ('sql', ?)",
                [str(root), sql_fingerprint()],
            )
            create_table_views(con, lakes)
            con.execute("CHECKPOINT")
        finally:
            con.close()
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except (duckdb.Error, OSError, store_sql.SqlFileError) as exc:
        raise CatalogError(path, str(exc).splitlines()[0]) from exc
    finally:
        for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
            if leftover.exists():
                leftover.unlink()
