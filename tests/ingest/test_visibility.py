"""The lake's visibility rule as readers apply it: a merged file counts only once it is live."""

from __future__ import annotations

import os
import time
from pathlib import Path

from ingest.lake import activation_ms, range_name, scan_partition, write_parquet_file
from ingest.store import Store
from tests.ingest.helpers import count, events


def ids(store: Store) -> list[str]:
    con = store.connect()
    try:
        return [r[0] for r in con.execute("SELECT event_id FROM sync_events ORDER BY 1").fetchall()]
    finally:
        con.close()


def singles(tmp_path: Path, n: int) -> tuple[Store, Path]:
    store = Store.open(tmp_path / "s", auto_compact_every=0, grace_seconds=60)
    for i in range(n):
        store.append_events(events(1, start=i))
    return store, store.lake("sync_events").partitions()[0]


def fake_merge(folder: Path, hi: int, live_ms: int | None, prefix: str) -> Path:
    """A merged file whose rows differ from the files it hides, to see which ones are read."""
    path = folder / range_name(1, hi, active_ms=live_ms)
    write_parquet_file(events(2, prefix=prefix), path)
    return path


def test_a_merged_file_is_ignored_until_it_goes_live(tmp_path: Path) -> None:
    store, folder = singles(tmp_path, 3)
    live = int((time.time() + 1.5) * 1000)
    fake_merge(folder, 3, live, prefix="m")
    assert ids(store) == ["e0", "e1", "e2"], "not live yet: the appends are what readers see"
    time.sleep(max(0.0, live / 1000 - time.time()) + 0.05)
    assert ids(store) == ["m0", "m1"], "live: the merged file hides the appends it holds"


def test_appends_after_a_pending_merge_stay_visible_before_and_after(tmp_path: Path) -> None:
    store, folder = singles(tmp_path, 2)
    live = int((time.time() + 1.5) * 1000)
    fake_merge(folder, 2, live, prefix="m")
    store.append_events(events(1, start=7))  # sequence 3, after the merge
    assert ids(store) == ["e0", "e1", "e7"]
    time.sleep(max(0.0, live / 1000 - time.time()) + 0.05)
    assert ids(store) == ["e7", "m0", "m1"]


def test_a_plain_merged_name_is_live_at_once(tmp_path: Path) -> None:
    store, folder = singles(tmp_path, 3)
    fake_merge(folder, 3, None, prefix="m")
    assert ids(store) == ["m0", "m1"]


def test_compaction_names_its_output_live_after_the_delay(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "s", auto_compact_every=0, grace_seconds=60)
    for i in range(3):
        store.append_events(events(1, start=i))
    before = time.time()
    [merged] = store.compact().merged
    assert activation_ms(merged.output) >= (before + store.activation_delay_s) * 1000
    assert count(store) == 3  # before and after it goes live
    time.sleep(store.activation_delay_s + 0.05)
    assert count(store) == 3
    assert scan_partition(merged.output.parent).visible == [merged.output]


def test_merged_away_files_outlive_a_merge_that_is_not_live_yet(tmp_path: Path) -> None:
    store, folder = singles(tmp_path, 3)
    merged = fake_merge(folder, 3, int((time.time() + 60) * 1000), prefix="m")
    old = time.time() - 3600
    os.utime(merged, (old, old))  # published long ago, yet not live
    assert store.lake("sync_events").remove_superseded(grace_seconds=1) == 0
    assert ids(store) == ["e0", "e1", "e2"]


def test_no_grace_makes_a_pending_merge_live_before_deleting(tmp_path: Path) -> None:
    store, folder = singles(tmp_path, 3)
    fake_merge(folder, 3, int((time.time() + 60) * 1000), prefix="m")
    assert store.lake("sync_events").remove_superseded(grace_seconds=0) == 3
    assert sorted(p.name for p in folder.iterdir()) == [range_name(1, 3)]
    assert ids(store) == ["m0", "m1"]
