"""The store's SQL, loaded by name from the repository's ``sql/`` folder.

- ``sql/schema.sql``: the DDL of every store table (the single source of truth for columns).
- ``sql/views/<name>.sql``: one metric view per file; the file is the view's SELECT, opened by a
  header comment whose first line describes the view and whose next lines name its grain and
  define each metric.
- ``sql/audits/<name>.sql``: one audit per file; a query that returns zero rows on a sound store.

Views and audits only reference ``sync_events`` and other views, never file paths, so the same
files work over an in-memory table and over the Parquet lake.
"""

from __future__ import annotations

import re
from graphlib import CycleError, TopologicalSorter
from pathlib import Path
from typing import Any, Final

import duckdb

from ingest.errors import IngestError

SQL_DIR: Final = Path(__file__).resolve().parent.parent / "sql"
"""The folder holding ``schema.sql``, ``views/`` and ``audits/``."""

EVENTS_RELATION: Final = "sync_events"
"""The table or view every view is built on."""

_COMMENT = re.compile(r"--[^\n]*")


class SqlFileError(IngestError):
    """A view or audit that does not exist, or a SQL file that breaks the folder's conventions."""


def schema_sql() -> str:
    """The text of ``sql/schema.sql``: plain ``CREATE TABLE`` statements for every store table."""
    return (SQL_DIR / "schema.sql").read_text(encoding="utf-8")


def _names(folder: str) -> list[str]:
    return sorted(path.stem for path in (SQL_DIR / folder).glob("*.sql"))


def _read(folder: str, name: str) -> str:
    if name not in _names(folder):
        known = ", ".join(_names(folder))
        kind = folder.rstrip("s")
        raise SqlFileError(f"no {kind} named {name!r} in {SQL_DIR / folder}; known: {known}")
    text = (SQL_DIR / folder / f"{name}.sql").read_text(encoding="utf-8")
    return text.strip().rstrip(";").rstrip()


def _references(sql: str, candidates: list[str]) -> set[str]:
    code = _COMMENT.sub("", sql)
    return {name for name in candidates if re.search(rf"\b{re.escape(name)}\b", code)}


def view_names() -> list[str]:
    """Every view, in dependency order: a view comes after the views it reads.

    Views with no order between them are listed alphabetically.
    """
    names = _names("views")
    graph = {
        name: _references(view_sql(name), [other for other in names if other != name])
        for name in names
    }
    sorter = TopologicalSorter(graph)
    try:
        sorter.prepare()
    except CycleError as exc:
        raise SqlFileError(f"views reference each other in a cycle: {exc.args[1]}") from exc
    ordered: list[str] = []
    while sorter.is_active():
        ready = sorted(sorter.get_ready())
        ordered.extend(ready)
        sorter.done(*ready)
    return ordered


def view_sql(name: str) -> str:
    """The SELECT of view ``name`` (header comment included, no trailing semicolon)."""
    return _read("views", name)


def view_description(name: str) -> str:
    """The one-line description of view ``name``: the first line of its header comment."""
    first = view_sql(name).splitlines()[0]
    if not first.startswith("--") or not first.lstrip("- ").strip():
        raise SqlFileError(
            f"{SQL_DIR / 'views' / name}.sql must start with a '-- description' comment line"
        )
    return first.lstrip("- ").strip()


def audit_names() -> list[str]:
    """Every audit, alphabetically."""
    return _names("audits")


def audit_sql(name: str) -> str:
    """The query of audit ``name``: it must return zero rows on a sound store."""
    return _read("audits", name)


def _has_events(con: duckdb.DuckDBPyConnection) -> bool:
    found = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = ?",
        [EVENTS_RELATION],
    ).fetchone()
    return found is not None and found[0] > 0


def create_views(con: duckdb.DuckDBPyConnection) -> list[str]:
    """(Re)create every view on ``con``, in dependency order; returns the names created.

    ``con`` must already have a ``sync_events`` table or view (apply ``schema.sql`` to an
    empty database, or open the store's catalog).
    """
    if not _has_events(con):
        raise SqlFileError(
            f"cannot create views: this database has no {EVENTS_RELATION} table or view; "
            "apply schema_sql() first or open the store's catalog.duckdb"
        )
    names = view_names()
    for name in names:
        con.execute(f'CREATE OR REPLACE VIEW "{name}" AS\n{view_sql(name)}')
    return names


def run_audits(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple[Any, ...]]]:
    """Run every audit on ``con``; maps each audit name to its offending rows (empty when sound)."""
    return {name: con.execute(audit_sql(name)).fetchall() for name in audit_names()}
