"""``catalog.duckdb``: the views analysts open, written once and swapped in atomically.

No process keeps the catalog open for writing. It is built in a temp file next to it and
``os.replace``d into place, so readers (``duckdb.connect(path, read_only=True)`` from any
working directory) never wait on a lock and never see a half-built catalog. It is rebuilt only
when the SQL changes (schema or views) or the store folder has moved, because its views hold
absolute paths.

Each table is a view over its Delta table that reads the newest snapshot from the Delta log
(see :func:`table_view_sql`) and casts every column to its ``sql/schema.sql`` type; the
metric views of ``sql/views`` are created on top by :func:`ingest.sql.create_views`.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from pathlib import Path
from typing import Final

import duckdb

from ingest import sql as store_sql
from ingest.delta_table import LOG_DIR, DeltaStoreTable
from ingest.errors import CatalogError
from ingest.tables import duckdb_types

CATALOG_FILE: Final = "catalog.duckdb"
"""The catalog's file name inside the store folder."""
META_TABLE: Final = "_synctel_store"
"""Key/value table recording the store root and the SQL fingerprint the catalog was built for."""


def sql_fingerprint() -> str:
    """Hash of every file under ``sql/`` and of the table view format: the catalog is rebuilt
    when either changes."""
    digest = hashlib.sha256(LAKE_VIEW_VERSION.encode())
    for path in sorted(store_sql.SQL_DIR.rglob("*.sql")):
        digest.update(path.relative_to(store_sql.SQL_DIR).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


LAKE_VIEW_VERSION: Final = "4"
"""Bumped when :func:`table_view_sql` changes, so existing catalogs are rebuilt."""
_CHECKPOINT_RE: Final = "'^([0-9]+)[.]checkpoint[.]parquet$'"
_COMMIT_RE: Final = "'^([0-9]+)[.]json$'"


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def table_view_sql(table: DeltaStoreTable) -> str:
    """The SELECT of a table's view: the rows of the Delta table's newest snapshot.

    The snapshot is read from the Delta log as the protocol defines it: the newest checkpoint's
    ``add`` actions, then the ``add`` and ``remove`` actions of the JSON commits after it; a
    data file is live when it was added and not removed since. The rows are read with one glob
    over the day folders (plus the table's zero-row schema file, so the glob always matches)
    and kept when their file is live.

    The log is listed before the data files (``_live`` comes first in the FROM clause, and
    DuckDB expands a scan's glob when it binds it), so every file of the snapshot was on disk
    when the data files were listed; a file committed later is simply not in this query's
    snapshot. A commit is wholly in the snapshot or not at all (an OPTIMIZE's merged file and
    the files it replaced change places in one commit); the checkpoint version comes from the
    same listing as the checkpoint's rows; and files a commit removed stay on disk for the
    retention window. So a running query never sees a row twice, misses one or loses a file.
    Plain DuckDB SQL:
    any DuckDB client reads it with no extension to install.
    """
    columns = ",\n    ".join(
        f'CAST("{name}" AS {dtype}) AS "{name}"' for name, dtype in duckdb_types()[table.spec.name]
    )
    root = str(table.path)
    log = f"{root}/{LOG_DIR}"
    data = _quote(f"{root}/*/[!0]*.parquet")
    return f"""WITH _checkpoints AS MATERIALIZED (
    SELECT add.path AS added, remove.path AS removed,
        TRY_CAST(regexp_extract(parse_filename(filename), {_CHECKPOINT_RE}, 1) AS BIGINT) AS cp
    FROM read_parquet({_quote(log + "/*.checkpoint.parquet")}, filename = true)
),
_cp AS (SELECT max(cp) AS v FROM _checkpoints),
_commits AS MATERIALIZED (
    SELECT add.path AS added, remove.path AS removed,
        TRY_CAST(regexp_extract(parse_filename(filename), {_COMMIT_RE}, 1) AS BIGINT) AS v
    FROM read_json({_quote(log + "/*.json")}, format = 'newline_delimited',
        columns = {{'add': 'STRUCT(path VARCHAR)', 'remove': 'STRUCT(path VARCHAR)'}},
        filename = true)
),
_actions AS MATERIALIZED (
    SELECT added, removed, -1 AS v FROM _checkpoints WHERE cp = (SELECT v FROM _cp)
    UNION ALL
    SELECT added, removed, v FROM _commits WHERE v > (SELECT v FROM _cp)
),
_live AS (
    SELECT {_quote(root + "/")} || url_decode(a.added) AS file
    FROM _actions AS a
    WHERE a.added IS NOT NULL
        AND NOT EXISTS (
            SELECT 1 FROM _actions AS r WHERE r.removed = a.added AND r.v > a.v
        )
)
SELECT
    {columns}
FROM _live
JOIN read_parquet({data}, hive_partitioning = false, union_by_name = true, filename = true) AS d
    ON d.filename = _live.file"""


def create_table_views(con: duckdb.DuckDBPyConnection, tables: list[DeltaStoreTable]) -> None:
    """Create one view per store table over its Delta table, then the metric views on top."""
    for table in tables:
        con.execute(f'CREATE OR REPLACE VIEW "{table.spec.name}" AS\n{table_view_sql(table)}')
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


def build_catalog(path: Path, root: Path, tables: list[DeltaStoreTable]) -> None:
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
            create_table_views(con, tables)
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
