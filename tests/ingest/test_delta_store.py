"""The store's tables are Delta tables: snapshots, compaction, vacuum, retention, bad logs."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from deltalake import DeltaTable

from ingest import reader
from ingest.delta_table import LOG_DIR
from ingest.errors import CorruptTableError, StoreLayoutError, StoreNotFoundError
from ingest.settings import SETTINGS_FILE, StoreSettings, write_settings
from ingest.store import Store
from tests.ingest.helpers import DAY, count, events


def _data_files(store: Store, table: str = "sync_events") -> list[Path]:
    return sorted(store.table(table).path.glob("day=*/*.parquet"))


def test_every_table_is_a_delta_table_partitioned_by_day(store: Store) -> None:
    store.append_events(events(3))
    store.append_events(events(2, start=3, day=DAY + dt.timedelta(days=1)))
    for spec in ("sync_events", "spans", "metric_points", "quarantine"):
        table = DeltaTable(str(store.table(spec).path))
        assert table.metadata().partition_columns == ["day"]
    events_table = DeltaTable(str(store.table("sync_events").path))
    assert events_table.to_pyarrow_table().num_rows == 5
    assert {p.parent.name for p in _data_files(store)} == {"day=2026-05-01", "day=2026-05-02"}


def test_compaction_is_one_commit_and_keeps_old_files_for_the_readers_window(
    store: Store,
) -> None:
    for i in range(5):
        store.append_events(events(10, start=i * 10))
    snapshot = reader.event_files(store.path)  # a reader that started before the compaction
    assert len(snapshot) == 1 + 5
    result = store.compact()
    assert result.tables[0].files_removed == 5
    assert len(reader.event_files(store.path)) == 1 + 1
    assert count(store) == 50
    assert count(store, "SELECT count(DISTINCT event_id) FROM sync_events") == 50
    assert all(path.exists() for path in snapshot), "vacuum kept files removed < 1 hour ago"
    con = reader.connect(store.path)
    try:  # the old reader's files still read, whole, once each
        files = "[" + ", ".join(f"'{p}'" for p in snapshot) + "]"
        rows = con.execute(f"SELECT count(*) FROM read_parquet({files}, union_by_name=true)")
        assert rows.fetchone() == (50,)
    finally:
        con.close()
    assert store.vacuum(retention_hours=0) == 5
    assert not any(path.exists() for path in snapshot[1:])
    assert count(store) == 50


def test_auto_compaction_keeps_a_day_small(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "s", auto_compact_every=4)
    for i in range(10):
        store.append_events(events(3, start=i * 3))
    assert store.table("sync_events").file_count(DAY.date()) < 4
    assert count(store) == 30


def test_the_log_is_checkpointed(store: Store) -> None:
    for i in range(25):
        store.append_events(events(1, start=i))
    log = store.table("sync_events").path / LOG_DIR
    assert len(list(log.glob("*.checkpoint.parquet"))) >= 2
    assert count(store) == 25


def test_vacuum_removes_a_killed_writers_orphan_files(store: Store) -> None:
    store.append_events(events(4))
    day = store.table("sync_events").path / "day=2026-05-01"
    orphan = day / "part-00000-orphan-c000.zstd.parquet"  # written, never committed
    pq.write_table(pa.table({"event_id": ["ghost"], "ts": [DAY.replace(tzinfo=None)]}), orphan)
    assert count(store) == 4, "a file no commit names is never read"
    assert store.vacuum(retention_hours=0) == 1
    assert not orphan.exists()
    assert count(store) == 4


def test_retention_deletes_whole_old_days_then_vacuums(store: Store) -> None:
    for back in range(5):
        store.append_events(events(2, start=back * 2, day=DAY - dt.timedelta(days=back)))
    result = store.apply_retention(3, today=DAY.date(), retention_hours=0)
    assert result.before == DAY.date() - dt.timedelta(days=2)
    assert result.rows["sync_events"] == 4
    assert count(store) == 6
    assert reader.days(store.path) == [DAY.date() - dt.timedelta(days=d) for d in (2, 1, 0)]
    assert result.files_deleted == 2
    kept_days = {p.parent.name for p in _data_files(store)}
    assert "day=2026-04-27" not in kept_days


def test_a_store_of_the_old_layout_is_refused_with_the_command_that_converts_it(
    tmp_path: Path,
) -> None:
    old = tmp_path / "old"
    (old / "events" / "_schema").mkdir(parents=True)
    with pytest.raises(StoreLayoutError, match="synctel migrate"):
        Store.open(old, create=False)
    with pytest.raises(StoreLayoutError, match="synctel migrate"):
        Store.open(old)


def test_a_newer_store_format_is_refused(store: Store) -> None:
    write_settings(store.path, StoreSettings(format=99))
    with pytest.raises(StoreLayoutError, match="newer"):
        Store.open(store.path, create=False)


def test_a_folder_that_is_not_a_store_is_not_found(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(StoreNotFoundError):
        Store.open(tmp_path, create=False)


def test_a_store_json_that_is_not_json_names_the_file(store: Store) -> None:
    (store.path / SETTINGS_FILE).write_text("{not json")
    with pytest.raises(StoreLayoutError, match=SETTINGS_FILE):
        Store.open(store.path, create=False)


def test_a_truncated_log_entry_is_a_clear_error_and_deletes_nothing(store: Store) -> None:
    for i in range(3):
        store.append_events(events(2, start=i * 2))
    log = store.table("sync_events").path / LOG_DIR
    newest = max(log.glob("0*.json"))
    newest.write_bytes(newest.read_bytes()[:40])  # a torn write of the newest commit
    files_before = sorted(p.name for p in store.table("sync_events").path.rglob("*"))
    with pytest.raises(CorruptTableError, match="sync_events") as raised:
        Store.open(store.path).append_events(events(1, start=100))
    assert "nothing was deleted" in str(raised.value)
    assert sorted(p.name for p in store.table("sync_events").path.rglob("*")) == files_before


def test_the_catalog_reads_the_same_rows_as_delta_rs(store: Store) -> None:
    for i in range(4):
        store.append_events(events(5, start=i * 5, day=DAY + dt.timedelta(hours=i * 8)))
    store.compact()
    store.append_events(events(5, start=100))
    delta_rows = DeltaTable(str(store.table("sync_events").path)).to_pyarrow_table()
    ids = sorted(delta_rows.column("event_id").to_pylist())
    con = store.connect()
    try:
        got = sorted(r[0] for r in con.execute("SELECT event_id FROM sync_events").fetchall())
    finally:
        con.close()
    assert got == ids
    assert len(ids) == 25


def test_store_json_records_the_format(store: Store) -> None:
    assert json.loads((store.path / SETTINGS_FILE).read_text())["format"] == 2


def test_a_batch_with_no_time_is_refused_before_any_commit(store: Store) -> None:
    from ingest.errors import SchemaMismatchError

    with pytest.raises(SchemaMismatchError, match="quarantine"):
        store.append_events(
            pa.table({"event_id": ["x"], "ts": pa.array([None], pa.timestamp("us"))})
        )
    assert not list((store.table("sync_events").path / LOG_DIR).glob("00000000000000000001.json"))


def test_a_failed_auto_compaction_does_not_fail_the_committed_append(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ingest.errors import LakeWriteError

    store = Store.open(tmp_path / "s", auto_compact_every=2)
    table = store.table("sync_events")

    def full_disk(*args: object, **kwargs: object) -> None:
        raise LakeWriteError(table.path, OSError(28, "No space left on device"))

    monkeypatch.setattr(table, "compact", full_disk)
    assert store.append_events(events(3)) == 3
    assert store.append_events(events(3, start=3)) == 3  # committed, then compaction failed
    assert count(store) == 6
    assert store.append_events(events(6), skip_existing=True) == 0, "a retry adds nothing"
