"""A store that cannot be written: the sink buffers, counts what it drops, and recovers."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from opentelemetry.sdk._logs.export import LogRecordExportResult

from ingest.errors import LakeWriteError
from ingest.sink import StoreLogExporter
from ingest.store import Store
from tests.ingest.helpers import Disk, count, events, records


def test_full_disk_buffers_then_drops_beyond_bound_then_recovers(tmp_path: Path) -> None:
    disk = Disk()
    store = Store.open(tmp_path / "s", auto_compact_every=0, append=disk.append)
    exporter = StoreLogExporter(store, max_buffered_rows=100)
    disk.full = True
    assert exporter.export(records(60)) == LogRecordExportResult.FAILURE
    assert (exporter.buffered, exporter.dropped, exporter.exported) == (60, 0, 0)
    assert "No space left" in (exporter.last_error or "")
    assert exporter.export(records(60, start=60)) == LogRecordExportResult.FAILURE
    assert (exporter.buffered, exporter.dropped) == (100, 20)
    assert count(store) == 0
    assert store.table("sync_events").files() == [], "no commit was made"
    disk.full = False
    assert exporter.export(records(5, start=200)) == LogRecordExportResult.SUCCESS
    assert (exporter.buffered, exporter.dropped, exporter.exported) == (0, 20, 105)
    assert exporter.last_error is None
    assert count(store) == 105


def test_store_append_raises_a_typed_error_that_says_what_to_do(tmp_path: Path) -> None:
    disk = Disk()
    store = Store.open(tmp_path / "s", append=disk.append)
    disk.full = True
    with pytest.raises(LakeWriteError, match="free disk space"):
        store.append_events(events(3))


def fill(fh) -> None:
    """Write zeros until the filesystem is full (raises ENOSPC)."""
    while True:
        fh.write(b"\0" * 4096)


@pytest.fixture
def tiny_fs(tmp_path: Path) -> Iterator[Path]:
    """A real 8 MiB tmpfs (needs root and mount rights; skipped elsewhere)."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mount)],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_real_full_filesystem(tiny_fs: Path) -> None:
    store = Store.open(tiny_fs / "store", auto_compact_every=0)
    exporter = StoreLogExporter(store, max_buffered_rows=50)
    filler = tiny_fs / "filler"
    with open(filler, "wb", buffering=0) as fh, pytest.raises(OSError, match="No space left"):
        fill(fh)
    assert exporter.export(records(40)) == LogRecordExportResult.FAILURE
    assert exporter.export(records(40, start=40)) == LogRecordExportResult.FAILURE
    assert (exporter.buffered, exporter.dropped) == (50, 30)
    filler.unlink()
    assert exporter.force_flush()
    assert (exporter.buffered, exporter.exported) == (0, 50)
    assert count(store) == 50
