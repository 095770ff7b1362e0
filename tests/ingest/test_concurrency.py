"""Readers and writers at once, in real processes: no waiting, no half files, no duplicates."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest

from ingest.lake import scan_partition
from ingest.store import Store
from tests.ingest.helpers import count

WRITER = textwrap.dedent(
    """
    import datetime as dt, sys, pyarrow as pa
    from ingest.store import Store
    store = Store.open(sys.argv[1], auto_compact_every=4, grace_seconds=1.0)
    batches, size, spread = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    base = dt.datetime(2026, 5, 1, 23, 0, tzinfo=dt.UTC)
    for b in range(batches):
        ids = [f"b{b}-{i}" for i in range(size)]
        ts = [base + dt.timedelta(minutes=(b * size + i) % spread) for i in range(size)]
        store.append_events(pa.table({"event_id": ids, "ts": ts, "event": ["sync.table"] * size}))
        if b % 5 == 4:
            store.compact()
    print("done", flush=True)
    """
)

READER = textwrap.dedent(
    """
    import duckdb, json, sys, time
    con = duckdb.connect(sys.argv[1], read_only=True)
    seen, deadline = [], time.monotonic() + float(sys.argv[2])
    while time.monotonic() < deadline:
        total, distinct = con.execute(
            "SELECT count(*), count(DISTINCT event_id) FROM sync_events").fetchone()
        seen.append([total, distinct])
        if total == int(sys.argv[3]):
            break
    print(json.dumps(seen))
    """
)


def _python(code: str, *args: object, cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", code, *map(str, args)],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.slow
def test_reader_in_another_directory_sees_counts_only_grow(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "store")  # the catalog exists before anyone reads
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    batches, size = 40, 50
    total = batches * size
    readers = [_python(READER, store.catalog_path, 60, total, cwd=elsewhere) for _ in range(2)]
    writer = _python(WRITER, store.path, batches, size, 120, cwd=elsewhere)  # over 2 days
    _, w_err = writer.communicate(timeout=90)
    assert writer.returncode == 0, w_err
    for reader in readers:
        out, err = reader.communicate(timeout=90)
        assert reader.returncode == 0, err  # never an error, never a lock wait that failed
        seen = json.loads(out)
        totals = [t for t, _ in seen]
        assert all(t == d for t, d in seen), "an event_id was seen twice"
        assert totals == sorted(totals), "the count went down"
        assert totals[-1] == total
        assert len(seen) > 3, "the reader ran while the writer wrote"
    assert count(store) == total
    merged = [scan_partition(p) for p in store.lake("sync_events").partitions()]
    assert all(len(p.visible) < 8 for p in merged), "auto-compaction kept partitions small"


@pytest.mark.slow
def test_sigkill_mid_write_leaves_a_consistent_store(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "store", auto_compact_every=0)
    size = 400_000
    writer = _python(WRITER, store.path, 50, size, 30, cwd=tmp_path)  # one day: one file a batch
    lake = store.lake("sync_events").path
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            if list(lake.glob("day=*/*.parquet")) and list(lake.glob("day=*/.*.tmp")):
                break  # at least one batch landed and the next is half written
            time.sleep(0.005)
        else:
            pytest.fail("the writer never got mid-write")
    finally:
        os.kill(writer.pid, signal.SIGKILL)
        writer.communicate(timeout=30)
    assert writer.returncode == -signal.SIGKILL
    rows = count(store)
    assert rows > 0
    assert rows % size == 0, "only whole batches are visible"
    assert count(store, "SELECT count(DISTINCT event_id) FROM sync_events") == rows
    reopened = Store.open(store.path)
    assert not list(lake.glob("day=*/.*.tmp")), "opening the store cleans the temp files"
    assert count(reopened) == rows


def test_readers_open_the_catalog_read_only_while_a_writer_holds_its_lock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = Store.open(tmp_path / "store")
    from tests.ingest.helpers import events

    store.append_events(events(3))
    monkeypatch.chdir(tmp_path.parent)
    with store._locked():  # a writer mid-append or mid-compaction
        con = duckdb.connect(str(store.catalog_path), read_only=True)
        try:
            assert con.execute("SELECT count(*) FROM sync_events").fetchone() == (3,)
        finally:
            con.close()
