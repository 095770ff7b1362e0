"""The store: appends, idempotency and catalog rebuilds (Delta mechanics: test_delta_store)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest
from deltalake import DeltaTable, write_deltalake

from ingest.errors import SchemaMismatchError, StoreNotFoundError
from ingest.store import Store
from tests.ingest.helpers import DAY, count, events


def test_empty_store_queries_every_table_and_view(store: Store) -> None:
    con = store.connect()
    try:
        for table in ("sync_events", "spans", "metric_points", "quarantine", "sync_runs"):
            assert con.execute(f"SELECT count(*) FROM {table}").fetchone() == (0,)
        types = dict(con.execute("DESCRIBE sync_events").fetchall()[i][:2] for i in range(3))
    finally:
        con.close()
    assert types == {"event_id": "VARCHAR", "ts": "TIMESTAMP", "event": "VARCHAR"}


def test_append_partitions_by_utc_day(store: Store) -> None:
    late = dt.datetime(2026, 5, 1, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=-2)))
    store.append_events(events(2, day=DAY))
    store.append_events(events(1, start=10, day=late))  # 2026-05-02 01:30 UTC
    assert store.table("sync_events").days() == [dt.date(2026, 5, 1), dt.date(2026, 5, 2)]
    assert count(store, "SELECT count(*) FROM sync_events WHERE ts >= '2026-05-02'") == 1
    ts = count(store, "SELECT hour(ts) FROM sync_events WHERE event_id = 'e10'")
    assert ts == 1  # stored as naive UTC


def test_skip_existing_makes_appends_idempotent(store: Store) -> None:
    assert store.append_events(events(3)) == 3
    assert store.append_events(events(5), skip_existing=True) == 2
    assert store.append_events(events(5), skip_existing=True) == 0
    assert store.existing_event_ids(["e0", "e4", "nope"]) == {"e0", "e4"}
    assert count(store) == 5


def test_skip_existing_sees_what_another_writer_committed_since(store: Store) -> None:
    other = Store.open(store.path)  # a second writer on the same folder, its own snapshot
    assert store.append_events(events(2)) == 2  # this writer now holds a snapshot
    assert other.append_events(events(2, start=2)) == 2
    assert store.append_events(events(5), skip_existing=True) == 1  # e4 only
    assert count(store) == 5


def test_a_commit_that_does_not_advance_the_table_object_is_still_counted(
    tmp_path: Path,
) -> None:
    def by_path(table: DeltaTable, rows: pa.Table) -> None:  # commits behind the object's back
        write_deltalake(table.table_uri, rows, mode="append")

    store = Store.open(tmp_path / "s", auto_compact_every=3, append=by_path)
    for i in range(3):
        store.append_events(events(2, start=i * 2))
    assert store.table("sync_events").file_count(DAY.date()) == 1, "the third file compacted"
    assert store.append_events(events(7), skip_existing=True) == 1
    assert count(store) == 7


def test_unknown_column_is_rejected_with_a_fix(store: Store) -> None:
    batch = events(1).append_column("colour", pa.array(["red"]))
    with pytest.raises(SchemaMismatchError, match=r"unknown column.*colour"):
        store.append_events(batch)


def test_rows_without_time_are_rejected(store: Store) -> None:
    batch = pa.table({"event_id": ["x"], "ts": pa.array([None], pa.timestamp("us"))})
    with pytest.raises(SchemaMismatchError, match="quarantine"):
        store.append_events(batch)


def test_missing_store_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(StoreNotFoundError, match="synctel simulate"):
        Store.open(tmp_path / "nothing", create=False)


def test_moved_store_rebuilds_its_catalog(store: Store, tmp_path: Path) -> None:
    store.append_events(events(4))
    moved = tmp_path / "moved"
    shutil.move(store.path, moved)
    reopened = Store.open(moved, create=False)
    assert count(reopened) == 4
    con = duckdb.connect(str(moved / "catalog.duckdb"), read_only=True)
    try:
        sql = con.execute(
            "SELECT sql FROM duckdb_views() WHERE view_name = 'sync_events'"
        ).fetchone()
    finally:
        con.close()
    assert sql is not None
    assert str(moved) in sql[0]


def test_skip_existing_keeps_first_of_repeats_and_rows_without_id(store: Store) -> None:
    batch = events(4).set_column(0, "event_id", pa.array(["a", "b", "a", None]))
    assert store.append_events(batch, skip_existing=True) == 3
    assert count(store, "SELECT count(*) FROM sync_events WHERE event_id IS NULL") == 1
    again = events(2).set_column(0, "event_id", pa.array(["b", None]))
    assert store.append_events(again, skip_existing=True) == 1  # the NULL id only


def test_skip_existing_finds_a_repeat_stored_under_the_next_day(store: Store) -> None:
    late = DAY.replace(hour=23, minute=59, second=59)
    store.append_events(events(1, day=late))  # e0 at 23:59:59
    assert store.table("sync_events").days() == [dt.date(2026, 5, 1)]
    shifted = events(1, day=late + dt.timedelta(seconds=2))  # e0 again, rounded past midnight
    assert store.append_events(shifted, skip_existing=True) == 0
    assert count(store) == 1
