"""The coalescing sink (``flush_rows``): held rows become one durable file by size, age,
force_flush or shutdown; failures keep them for retry; nothing is lost uncounted."""

from __future__ import annotations

import time
from pathlib import Path

import pyarrow as pa
from opentelemetry.sdk._logs.export import LogRecordExportResult

from ingest.sink import StoreLogExporter
from ingest.sink._buffer import SinkBuffer
from ingest.store import Store
from tests.ingest.helpers import Disk, count, records


def data_files(store: Store) -> list[Path]:
    return sorted(store.table("sync_events").files())


def test_exports_are_held_then_written_as_one_file_on_force_flush(store: Store) -> None:
    exporter = StoreLogExporter(store, flush_rows=1_000, max_delay_s=60)
    for start in range(0, 300, 100):
        assert exporter.export(records(100, start)) == LogRecordExportResult.SUCCESS
    assert (exporter.exported, exporter.buffered) == (0, 300)
    assert count(store) == 0, "held rows are not visible yet"
    assert exporter.force_flush()
    assert (exporter.exported, exporter.buffered, exporter.dropped) == (300, 0, 0)
    assert count(store) == 300
    assert len(data_files(store)) == 1


def test_reaching_flush_rows_writes_without_waiting(store: Store) -> None:
    exporter = StoreLogExporter(store, flush_rows=150, max_delay_s=60)
    exporter.export(records(100))
    assert count(store) == 0
    exporter.export(records(100, 100))
    assert count(store) == 200
    assert exporter.buffered == 0


def test_held_rows_are_written_after_max_delay_without_another_export(store: Store) -> None:
    exporter = StoreLogExporter(store, flush_rows=1_000, max_delay_s=0.2)
    exporter.export(records(10))
    deadline = time.monotonic() + 10
    while count(store) < 10 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert count(store) == 10
    assert exporter.buffered == 0
    exporter.shutdown()


def test_shutdown_writes_held_rows(store: Store) -> None:
    exporter = StoreLogExporter(store, flush_rows=1_000, max_delay_s=60)
    exporter.export(records(42))
    exporter.shutdown()
    assert count(store) == 42
    assert (exporter.exported, exporter.dropped) == (42, 0)


def test_failed_write_keeps_rows_reports_failure_and_recovers(tmp_path: Path) -> None:
    disk = Disk()
    store = Store.open(tmp_path / "s", auto_compact_every=0, append=disk.append)
    exporter = StoreLogExporter(store, flush_rows=50, max_delay_s=60, max_buffered_rows=100)
    disk.full = True
    assert exporter.export(records(60)) == LogRecordExportResult.FAILURE
    assert exporter.export(records(60, 60)) == LogRecordExportResult.FAILURE
    assert (exporter.buffered, exporter.dropped, exporter.exported) == (100, 20, 0)
    assert "No space left" in (exporter.last_error or "")
    disk.full = False
    assert exporter.export(records(5, 200)) == LogRecordExportResult.SUCCESS
    assert exporter.force_flush()
    assert (exporter.buffered, exporter.dropped, exporter.exported) == (0, 20, 105)
    assert exporter.last_error is None
    assert count(store) == 105


def test_batch_the_store_rejects_is_dropped_alone() -> None:
    written: list[int] = []

    def write(table: pa.Table) -> int:
        if "bad" in table.column("k").to_pylist():
            raise ValueError("rejected")
        written.append(table.num_rows)
        return table.num_rows

    buffer = SinkBuffer("logs", write, 1_000, flush_rows=1_000, max_delay_s=60)
    for rows in (["a"] * 3, ["bad"] * 2, ["b"] * 4):
        assert buffer.submit(lambda rows=rows: pa.table({"k": rows}), len(rows))
    assert buffer.flush()
    stats = buffer.stats()
    assert (stats.exported, stats.dropped, stats.buffered) == (7, 2, 0)
    assert written == [3, 4]
    assert "rejected" in (stats.last_error or "")
