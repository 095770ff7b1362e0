"""The store's SQL, loaded by name from the ``sql`` package's data files.

- ``sql/schema.sql``: the DDL of every store table (the single source of truth for columns).
- ``sql/views/<name>.sql``: one metric view per file; the file is the view's SELECT, opened by a
  header comment whose first line describes the view and whose next lines name its grain and
  define each metric.
- ``sql/audits/<name>.sql``: one audit per file; a query that returns zero rows on a sound store.
- ``sql/advice/<name>.sql``: one advisor rule's evidence query per file (see
  :mod:`insights.advisor.evidence`).

``sql/`` is a top-level folder of the repository and a package of the distribution that holds
data files only; it is read through :func:`importlib.resources.files`, so the same files are
found in a checkout, an editable install and an installed wheel.

Views and audits only reference ``sync_events`` and other views, never file paths, so the same
files work over an in-memory table and over the Parquet lake.
"""

from __future__ import annotations

import re
from graphlib import CycleError, TopologicalSorter
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, Final

import duckdb

from ingest.errors import IngestError

SQL_PACKAGE: Final = "sql"
"""The package whose data files are the store's SQL."""


class SqlFileError(IngestError):
    """A view, audit or advice query that does not exist, or a SQL file that breaks the
    folder's conventions."""


def _package_folder() -> Path:
    root = resources.files(SQL_PACKAGE)
    if not isinstance(root, Path):  # a zip import; pip always installs a wheel unpacked
        raise SqlFileError(
            f"the {SQL_PACKAGE!r} package is not a folder on disk ({root!r}); "
            "install synctel with pip"
        )
    return root


SQL_DIR: Final = _package_folder()
"""The ``sql`` package's folder: ``schema.sql``, ``views/``, ``audits/`` and ``advice/``.

Found through :func:`importlib.resources.files`; the loader below reads it through the
``Traversable`` API only. It is a :class:`~pathlib.Path` (a package installed by pip is a folder
on disk) so that :func:`ingest.catalog.sql_fingerprint` can walk it."""

EVENTS_RELATION: Final = "sync_events"
"""The table or view every view is built on."""

_COMMENT = re.compile(r"--[^\n]*")


def schema_sql() -> str:
    """The text of ``sql/schema.sql``: plain ``CREATE TABLE`` statements for every store table."""
    return SQL_DIR.joinpath("schema.sql").read_text(encoding="utf-8")


def _where(*parts: str) -> str:
    """A SQL file or folder for messages: ``sql/views/x.sql (<its full location>)``."""
    return f"{SQL_PACKAGE}/{'/'.join(parts)} ({SQL_DIR.joinpath(*parts)})"


def _folder(folder: str) -> Traversable:
    found: Traversable = SQL_DIR.joinpath(folder)
    if not found.is_dir():
        raise SqlFileError(
            f"{_where(folder)} is missing: the {SQL_PACKAGE!r} package was installed without "
            "its data files (reinstall synctel)"
        )
    return found


def _names(folder: str) -> list[str]:
    return sorted(
        entry.name.removesuffix(".sql")
        for entry in _folder(folder).iterdir()
        if entry.name.endswith(".sql") and entry.is_file()
    )


def _read(folder: str, name: str) -> str:
    if name not in _names(folder):
        known = ", ".join(_names(folder))
        kind = folder.rstrip("s")
        raise SqlFileError(f"no {kind} named {name!r} in {_where(folder)}; known: {known}")
    text = _folder(folder).joinpath(f"{name}.sql").read_text(encoding="utf-8")
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
            f"{_where('views', f'{name}.sql')} must start with a '-- description' comment line"
        )
    return first.lstrip("- ").strip()


def audit_names() -> list[str]:
    """Every audit, alphabetically."""
    return _names("audits")


def audit_sql(name: str) -> str:
    """The query of audit ``name``: it must return zero rows on a sound store."""
    return _read("audits", name)


def advice_names() -> list[str]:
    """Every advice query (one per advisor rule), alphabetically."""
    return _names("advice")


def advice_sql(name: str) -> str:
    """The query of advice ``name``: the rule's evidence, with ``$start`` and ``$end``."""
    return _read("advice", name)


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
