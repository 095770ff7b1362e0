"""Sink throughput: events per second from ``export()`` batches to committed store files.

Anchors, in the same run and over the same rows:

- *ceiling*: DuckDB's raw Arrow ``INSERT INTO … SELECT * FROM batch`` into a file database, the
  rows already converted to Arrow (no conversion timed). Two shapes: one INSERT per export batch
  (each committed: durable per batch, like the write-through sink) and one bulk INSERT of all
  rows plus a CHECKPOINT.
- *naive*: what ad-hoc exporters do: each record mapped to a tuple, ``executemany`` per batch.

Candidates: the store sink (``StoreLogExporter``) write-through (every export committed before
it returns) and coalescing (``flush_rows``; one commit per flush, ``force_flush`` timed at the
end so every row is committed when the clock stops). A commit is a Delta Lake commit written
by delta-rs, which does not fsync: committed rows survive a killed process, not a power cut
(the ceiling's DuckDB commits do fsync). Target (issue 3): at least 100,000 events/s and at
least 20% of the raw Arrow ceiling; issue 11: at least the old lake's ~31k events/s. After the
run, the last store's files per day and Delta log files are printed (:mod:`bench._layout`).

    python -m bench.sink_throughput [--events 100000] [--runs 3] [--batch 512]
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import statistics
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from bench._data import log_records
from bench._layout import describe, table_layout
from bench._timing import median_time, report, time_once
from ingest.convert import event_row, log_records_to_events
from ingest.sink import StoreLogExporter
from ingest.sink._buffer import SinkBuffer
from ingest.sink._columnar import log_records_table
from ingest.sql import schema_sql
from ingest.store import Store
from ingest.tables import EVENTS

TARGET_EVENTS_PER_S = 100_000
TARGET_CEILING_SHARE = 0.20
EPOCH = dt.datetime(1970, 1, 1)
NAIVE_EVENTS = 2_000  # executemany is slow: timed on a prefix, reported per second


def batches(records: Sequence[Any], size: int) -> list[Sequence[Any]]:
    """``records`` cut into export batches of ``size``."""
    return [records[i : i + size] for i in range(0, len(records), size)]


class Fresh:
    """A new empty folder per timed run, all under one temp folder removed at the end."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.count = 0

    def __call__(self) -> Path:
        self.count += 1
        path = self.root / f"run{self.count}"
        path.mkdir()
        return path


def sink_run(
    fresh: Fresh,
    parts: list[Sequence[Any]],
    expected: int,
    layout: dict[str, int] | None = None,
    **options: Any,
) -> float:
    """Seconds to export every batch through a new store sink (and flush it), checked;
    ``layout`` receives the events table's files and log afterwards (:mod:`bench._layout`)."""
    store = Store.open(fresh() / "store")
    exporter = StoreLogExporter(store, **options)

    def run() -> None:
        for part in parts:
            exporter.export(part)
        exporter.force_flush()

    seconds = median_time(run, 1)
    exporter.shutdown()
    stats = exporter.stats()
    if stats.exported != expected or stats.dropped:
        raise RuntimeError(f"sink wrote {stats.exported} of {expected} rows: {stats}")
    con = store.connect()
    try:
        found = con.execute("SELECT count(*) FROM sync_events").fetchone()
    finally:
        con.close()
    if found != (expected,):
        raise RuntimeError(f"store holds {found} rows, expected {expected}")
    if layout is not None:
        layout.update(table_layout(store.table(EVENTS.name).path))
    return seconds


def old_sink_run(fresh: Fresh, parts: list[Sequence[Any]], expected: int) -> float:
    """The sink as it was: row-wise conversion, one durable file per export batch."""
    store = Store.open(fresh() / "store")
    buffer = SinkBuffer("logs", store.append_events, 100_000)

    def run() -> None:
        for part in parts:
            buffer.submit(lambda part=part: log_records_to_events(part), len(part))

    seconds = median_time(run, 1)
    if buffer.stats().exported != expected:
        raise RuntimeError(f"old sink wrote {buffer.stats()} of {expected} rows")
    return seconds


def duckdb_run(fresh: Fresh, tables: list[pa.Table], *, bulk: bool) -> float:
    """Seconds for raw Arrow INSERT … SELECT of the converted batches into a DuckDB file."""
    con = duckdb.connect(str(fresh() / "ceiling.duckdb"))
    con.execute(schema_sql())

    def run() -> None:
        for table in [pa.concat_tables(tables)] if bulk else tables:
            con.register("batch", table)
            con.execute("INSERT INTO sync_events SELECT * FROM batch")
            con.unregister("batch")
        if bulk:
            con.execute("CHECKPOINT")

    try:
        return median_time(run, 1)
    finally:
        con.close()


def naive_run(fresh: Fresh, parts: list[Sequence[Any]]) -> float:
    """Seconds for a per-row sink: each record to a tuple, ``executemany`` per batch."""
    con = duckdb.connect(str(fresh() / "naive.duckdb"))
    con.execute(schema_sql())
    columns = [str(r[0]) for r in con.execute("DESCRIBE sync_events").fetchall()]
    insert = f"INSERT INTO sync_events VALUES ({', '.join('?' * len(columns))})"

    def run() -> None:
        for part in parts:
            rows = []
            for readable in part:
                record = readable.log_record
                row = event_row(
                    record.event_name,
                    record.timestamp or record.observed_timestamp or 0,
                    record.attributes or {},
                    readable.resource.attributes,
                    trace_id=record.trace_id,
                    span_id=record.span_id,
                )
                row["ts"] = EPOCH + dt.timedelta(microseconds=row["ts"])
                rows.append(tuple(row[c] for c in columns))
            con.executemany(insert, rows)

    try:
        return median_time(run, 1)
    finally:
        con.close()


def interleaved(
    candidates: dict[str, tuple[Callable[[], float], int]], runs: int
) -> dict[str, tuple[float, int]]:
    """Median seconds of each candidate (each call returns its own seconds), the runs taken
    round-robin so that load on a shared machine falls on all of them alike."""
    times: dict[str, list[float]] = {name: [] for name in candidates}
    for _ in range(max(runs, 1)):
        for name, (fn, _count) in candidates.items():
            times[name].append(fn())
    return {
        name: (statistics.median(times[name]), count) for name, (_fn, count) in candidates.items()
    }


def main(argv: list[str] | None = None) -> None:
    """Time the sink and its anchors over the same records; print medians and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000, help="log records to export")
    parser.add_argument("--runs", type=int, default=3, help="timed runs per candidate (median)")
    parser.add_argument("--batch", type=int, default=512, help="records per export() call")
    parser.add_argument(
        "--flush-rows", type=int, default=50_000, help="coalescing sink: rows per file"
    )
    args = parser.parse_args(argv)

    records = log_records(args.events)
    parts = batches(records, args.batch)
    tables = [log_records_table(p) for p in parts]
    n = len(records)
    naive_parts = batches(records[: min(NAIVE_EVENTS, n)], args.batch)
    n_naive = sum(len(p) for p in naive_parts)
    root = Path(tempfile.mkdtemp(prefix="synctel-sink-bench-"))
    fresh = Fresh(root)
    through: dict[str, int] = {}
    coalesced: dict[str, int] = {}
    try:
        candidates: dict[str, tuple[Callable[[], float], int]] = {
            "raw Arrow INSERT per batch (ceiling)": (
                lambda: duckdb_run(fresh, tables, bulk=False),
                n,
            ),
            "raw Arrow INSERT bulk (ceiling)": (lambda: duckdb_run(fresh, tables, bulk=True), n),
            "store sink, write-through": (lambda: sink_run(fresh, parts, n, through), n),
            "store sink before (row-wise, per batch)": (
                lambda: old_sink_run(fresh, parts, n),
                n,
            ),
            "store sink, coalescing": (
                lambda: sink_run(
                    fresh, parts, n, coalesced, flush_rows=args.flush_rows, max_delay_s=1.0
                ),
                n,
            ),
            "naive executemany": (lambda: naive_run(fresh, naive_parts), n_naive),
            "conversion only (columnar)": (
                lambda: time_once(lambda: [log_records_table(p) for p in parts]),
                n,
            ),
            "conversion only (row-wise)": (
                lambda: time_once(lambda: [log_records_to_events(p) for p in parts]),
                n,
            ),
        }
        seconds = interleaved(candidates, args.runs)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    rate = {name: count / s for name, (s, count) in seconds.items()}
    per_batch = rate["raw Arrow INSERT per batch (ceiling)"]
    bulk = rate["raw Arrow INSERT bulk (ceiling)"]
    rows = []
    for name, (s, count) in seconds.items():
        row: dict[str, object] = {
            "candidate": name,
            "events": count,
            "median_s": s,
            "events_per_s": rate[name],
            "vs_ceiling_batch": rate[name] / per_batch,
            "vs_ceiling_bulk": rate[name] / bulk,
        }
        if name.startswith("store sink"):
            row["target_met"] = (
                rate[name] >= TARGET_EVENTS_PER_S
                and rate[name] / per_batch >= TARGET_CEILING_SHARE
                and rate[name] / bulk >= TARGET_CEILING_SHARE
            )
        rows.append(row)
    report(
        "sink_throughput",
        rows,
        params={"events": n, "batch": args.batch, "runs": args.runs, "flush_rows": args.flush_rows},
        notes=[
            f"target: >= {TARGET_EVENTS_PER_S:,} events/s and >= "
            f"{TARGET_CEILING_SHARE:.0%} of the raw Arrow ceiling",
            f"naive executemany timed on the first {n_naive:,} events",
            describe("store sink, write-through (last run)", through),
            describe("store sink, coalescing (last run)", coalesced),
        ],
    )


if __name__ == "__main__":
    main()
