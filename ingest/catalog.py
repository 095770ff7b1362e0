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
    """Hash of every file under ``sql/`` and of the lake view format: the catalog is rebuilt
    when either changes."""
    digest = hashlib.sha256(LAKE_VIEW_VERSION.encode())
    for path in sorted(store_sql.SQL_DIR.rglob("*.sql")):
        digest.update(path.relative_to(store_sql.SQL_DIR).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


LAKE_VIEW_VERSION: Final = "2"
"""Bumped when :func:`lake_view_sql` changes, so existing catalogs are rebuilt."""
_NAME_RE: Final = "'^([0-9]+)-([0-9]+)(?:-a([0-9]+))?[.]parquet$'"


def lake_view_sql(lake: Lake) -> str:
    """The SELECT of a table's view: visible files only, every column cast to its type.

    Visibility is decided per FILE from a listing of names (``glob``), with the lake's rule
    (see :mod:`ingest.lake`): K per partition from the files that are live at the query's
    start, then ``1-K`` and the single appends after it. The rows are read by a second listing
    (``read_parquet``) and kept when their file is visible. Two listings may straddle a
    compaction, and that is safe: a merged file goes live only after it has been published, so
    a file live for this query was in both listings, and one that is not live is ignored by
    both. Filters on the data reach the Parquet scan, and files no query can see are skipped.
    """
    columns = ",\n    ".join(
        f'CAST("{name}" AS {dtype}) AS "{name}"' for name, dtype in duckdb_types()[lake.spec.name]
    )
    glob = lake.glob.replace("'", "''")
    return f"""WITH _files AS (
    SELECT
        file,
        parse_dirpath(file) AS _dir,
        TRY_CAST(regexp_extract(parse_filename(file), {_NAME_RE}, 1) AS BIGINT) AS _lo,
        TRY_CAST(regexp_extract(parse_filename(file), {_NAME_RE}, 2) AS BIGINT) AS _hi,
        coalesce(
            TRY_CAST(regexp_extract(parse_filename(file), {_NAME_RE}, 3) AS BIGINT), 0
        ) AS _live_ms
    FROM glob('{glob}')
),
_live AS (
    SELECT * FROM _files WHERE _lo IS NOT NULL AND _live_ms <= epoch_ms(current_timestamp)
),
_k AS (
    SELECT _dir, coalesce(max(_hi) FILTER (WHERE _lo = 1), 0) AS _k FROM _live GROUP BY _dir
),
_visible AS (
    SELECT file FROM _live JOIN _k USING (_dir) WHERE (_lo = 1 AND _hi = _k) OR _lo > _k
)
SELECT
    {columns}
FROM read_parquet('{glob}', hive_partitioning = false, union_by_name = true, filename = true)
WHERE filename IN (SELECT file FROM _visible)"""


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
