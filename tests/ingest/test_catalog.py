"""catalog.duckdb: one listing per glob, absolute paths, atomic rebuilds."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from ingest.catalog import CATALOG_FILE
from ingest.sql import view_names
from ingest.store import Store
from tests.ingest.helpers import count, events


@pytest.mark.parametrize("table", ["sync_events", "spans", "metric_points", "quarantine"])
def test_each_table_view_lists_its_files_once(store: Store, table: str) -> None:
    # Two scans of one glob would be two directory listings, which a commit can fall between:
    # the checkpoints, the JSON commits and the data files are each listed exactly once.
    con = store.connect()
    try:
        for query in (f"SELECT count(*) FROM {table}", f"SELECT * FROM {table}"):
            plan = con.execute(f"EXPLAIN {query}").fetchall()[0][1]
            assert plan.count("READ_PARQUET") == 2, plan  # checkpoints, data files
            assert plan.count("READ_JSON") == 1, plan  # commits
    finally:
        con.close()


def test_catalog_holds_every_metric_view(store: Store) -> None:
    con = store.connect()
    try:
        views = {r[0] for r in con.execute("SELECT view_name FROM duckdb_views()").fetchall()}
    finally:
        con.close()
    assert set(view_names()) | {"sync_events", "spans", "metric_points", "quarantine"} <= views


def test_reopening_does_not_rewrite_a_current_catalog(store: Store) -> None:
    before = store.catalog_path.stat().st_ino
    Store.open(store.path)
    assert store.catalog_path.stat().st_ino == before


def test_an_open_reader_keeps_working_across_a_rebuild(store: Store, tmp_path: Path) -> None:
    store.append_events(events(2))
    reader = duckdb.connect(str(store.catalog_path), read_only=True)
    try:
        store.catalog_path.unlink()  # force a rebuild (as after a schema or view change)
        Store.open(store.path)
        assert (store.path / CATALOG_FILE).exists()
        assert reader.execute("SELECT count(*) FROM sync_events").fetchone() == (2,)
    finally:
        reader.close()
    assert count(store) == 2
    assert not list(store.path.glob(".catalog*.tmp*")), "no temp catalog left behind"
