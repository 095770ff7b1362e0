"""The store: layout, appends, compaction, idempotency and catalog rebuilds."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from ingest.errors import SchemaMismatchError, StoreNotFoundError
from ingest.lake import scan_partition
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
    days = sorted(p.name for p in store.lake("sync_events").partitions())
    assert days == ["day=2026-05-01", "day=2026-05-02"]
    assert count(store, "SELECT count(*) FROM sync_events WHERE ts >= '2026-05-02'") == 1
    ts = count(store, "SELECT hour(ts) FROM sync_events WHERE event_id = 'e10'")
    assert ts == 1  # stored as naive UTC


def test_compaction_merges_and_keeps_rows_exactly_once(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "s", auto_compact_every=0, grace_seconds=3600)
    for i in range(5):
        store.append_events(events(3, start=3 * i))
    folder = store.lake("sync_events").partitions()[0]
    assert len(scan_partition(folder).visible) == 5
    result = store.compact(min_files=2)
    assert [m.files_in for m in result.merged] == [5]
    assert result.removed_files == 0  # still in their grace period
    files = scan_partition(folder)
    assert len(files.visible) == 1
    assert len(files.superseded) == 5
    assert count(store) == 15
    assert count(store, "SELECT count(DISTINCT event_id) FROM sync_events") == 15
    store.append_events(events(1, start=100))
    assert count(store) == 16
    store.grace_seconds = 0
    assert store.compact(min_files=3).removed_files == 5
    assert count(store) == 16


def test_auto_compaction_after_n_appends(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "s", auto_compact_every=4, grace_seconds=0)
    for i in range(9):
        store.append_events(events(1, start=i))
    folder = store.lake("sync_events").partitions()[0]
    assert len(scan_partition(folder).visible) <= 4
    assert count(store) == 9


def test_skip_existing_makes_appends_idempotent(store: Store) -> None:
    assert store.append_events(events(3)) == 3
    assert store.append_events(events(5), skip_existing=True) == 2
    assert store.append_events(events(5), skip_existing=True) == 0
    assert store.existing_event_ids(["e0", "e4", "nope"]) == {"e0", "e4"}
    assert count(store) == 5


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


def test_killed_writer_temp_files_are_invisible_and_cleaned(store: Store) -> None:
    store.append_events(events(2))
    folder = store.lake("sync_events").partitions()[0]
    orphan = folder / ".000000000002-000000000002.parquet.dead.tmp"
    orphan.write_bytes(b"PAR1 half a file")
    assert count(store) == 2
    Store.open(store.path)
    assert not orphan.exists()
    assert os.listdir(folder) == ["000000000001-000000000001.parquet"]


def test_auto_compaction_deletes_merged_away_files_after_the_grace(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "s", auto_compact_every=3, grace_seconds=0)
    for i in range(7):
        store.append_events(events(1, start=i))
    folder = store.lake("sync_events").partitions()[0]
    files = scan_partition(folder)
    assert files.superseded == [], "nothing merged away is left once the grace has passed"
    assert count(store) == 7


def test_skip_existing_keeps_first_of_repeats_and_rows_without_id(store: Store) -> None:
    batch = events(4).set_column(0, "event_id", pa.array(["a", "b", "a", None]))
    assert store.append_events(batch, skip_existing=True) == 3
    assert count(store, "SELECT count(*) FROM sync_events WHERE event_id IS NULL") == 1
    again = events(2).set_column(0, "event_id", pa.array(["b", None]))
    assert store.append_events(again, skip_existing=True) == 1  # the NULL id only


def test_skip_existing_finds_a_repeat_stored_under_the_next_day(store: Store) -> None:
    late = DAY.replace(hour=23, minute=59, second=59)
    store.append_events(events(1, day=late))  # e0 at 23:59:59
    assert store.lake("sync_events").partitions()[0].name == "day=2026-05-01"
    shifted = events(1, day=late + dt.timedelta(seconds=2))  # e0 again, rounded past midnight
    assert store.append_events(shifted, skip_existing=True) == 0
    assert count(store) == 1
