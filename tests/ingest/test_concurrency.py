"""Readers and writers at once, in real processes: no waiting, no half files, no duplicates."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest

from ingest.store import Store
from tests.ingest.helpers import count, events

WRITER = textwrap.dedent(
    """
    import datetime as dt, sys, pyarrow as pa
    from ingest.store import Store
    store = Store.open(sys.argv[1], auto_compact_every=4)
    batches, size, spread, name = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
    base = dt.datetime(2026, 5, 1, 23, 0, tzinfo=dt.UTC)
    for b in range(batches):
        ids = [f"{name}{b}-{i}" for i in range(size)]
        ts = [base + dt.timedelta(minutes=(b * size + i) % spread) for i in range(size)]
        store.append_events(pa.table({"event_id": ids, "ts": ts, "event": ["sync.table"] * size}))
        print("ack", b, flush=True)  # acknowledged: the commit returned
        if b % 5 == 4:
            store.compact()
            print("compacted", b, flush=True)
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
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    return subprocess.Popen(
        [sys.executable, "-c", code, *map(str, args)],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


@pytest.mark.slow
def test_reader_in_another_directory_sees_counts_only_grow(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "store")  # the catalog exists before anyone reads
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    batches, size = 30, 50
    total = batches * size
    readers = [_python(READER, store.catalog_path, 90, total, cwd=elsewhere) for _ in range(2)]
    writer = _python(WRITER, store.path, batches, size, 120, "w", cwd=elsewhere)  # over 2 days
    _, w_err = writer.communicate(timeout=120)
    assert writer.returncode == 0, w_err
    for reader in readers:
        out, err = reader.communicate(timeout=120)
        assert reader.returncode == 0, err  # never an error, never a lock wait that failed
        seen = json.loads(out)
        totals = [t for t, _ in seen]
        assert all(t == d for t, d in seen), "an event_id was seen twice"
        assert totals == sorted(totals), "the count went down"
        assert totals[-1] == total
        assert len(seen) > 3, "the reader ran while the writer wrote"
    assert count(store) == total
    table = store.table("sync_events")
    assert all(table.file_count(day) < 8 for day in table.days()), "auto-compaction kept days small"


@pytest.mark.slow
def test_two_writer_processes_both_commit_and_lose_nothing(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "store")
    writers = [
        _python(WRITER, store.path, 20, 25, 90, name, cwd=tmp_path) for name in ("serve", "load")
    ]
    for writer in writers:
        _, err = writer.communicate(timeout=180)
        assert writer.returncode == 0, err
    assert count(store) == 2 * 20 * 25
    assert count(store, "SELECT count(DISTINCT event_id) FROM sync_events") == 2 * 20 * 25
    assert count(store, "SELECT count(*) FROM sync_events WHERE event_id LIKE 'serve%'") == 500


def _kill_after_acks(path: Path, tmp_path: Path, wanted: str, moment: float) -> set[int]:
    """Run a writer, SIGKILL it ``moment`` seconds after its first ``wanted`` line; returns
    the batches it acknowledged."""
    writer = _python(WRITER, path, 60, 2000, 30, "k", cwd=tmp_path)
    acked: set[int] = set()
    assert writer.stdout is not None
    deadline = time.monotonic() + 120
    try:
        for line in writer.stdout:
            kind, _, number = line.strip().partition(" ")
            if kind == "ack":
                acked.add(int(number))
            if kind == wanted:
                time.sleep(moment)
                break
            if time.monotonic() > deadline:
                pytest.fail("the writer never reached the moment to kill it")
    finally:
        os.kill(writer.pid, signal.SIGKILL)
        rest, _ = writer.communicate(timeout=30)
    acked |= {
        int(n) for kind, _, n in (x.partition(" ") for x in rest.splitlines()) if kind == "ack"
    }
    assert writer.returncode == -signal.SIGKILL
    return acked


@pytest.mark.slow
@pytest.mark.parametrize(("wanted", "seed"), [("ack", 1), ("ack", 2), ("compacted", 3)])
def test_sigkill_mid_commit_or_optimize_keeps_every_acknowledged_row_once(
    tmp_path: Path, wanted: str, seed: int
) -> None:
    moment = random.Random(seed).uniform(0.0, 0.15)
    store = Store.open(tmp_path / "store", auto_compact_every=0)
    acked = _kill_after_acks(store.path, tmp_path, wanted, moment)
    assert acked, "at least one batch was acknowledged before the kill"
    reopened = Store.open(store.path)  # opens: the log is whole
    rows = count(reopened)
    assert count(reopened, "SELECT count(DISTINCT event_id) FROM sync_events") == rows
    for batch in acked:
        got = count(reopened, f"SELECT count(*) FROM sync_events WHERE event_id LIKE 'k{batch}-%'")
        assert got == 2000, f"acknowledged batch {batch} has {got} rows"
    assert rows % 2000 == 0, "only whole commits are visible"
    reopened.append_events(events(3, prefix="after"))
    assert count(reopened) == rows + 3, "the store takes writes after the kill"


def test_readers_open_the_catalog_read_only_while_a_writer_holds_its_lock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = Store.open(tmp_path / "store")
    store.append_events(events(3))
    monkeypatch.chdir(tmp_path.parent)
    with store._locked():  # a writer mid-append or mid-compaction
        con = duckdb.connect(str(store.catalog_path), read_only=True)
        try:
            assert con.execute("SELECT count(*) FROM sync_events").fetchone() == (3,)
        finally:
            con.close()
