"""Append latency: one 512-event request committed to the store, p50 and p99.

Candidates, each with its own store in a temp folder (default auto-compaction, as ``synctel
serve`` and the loaders run it), appending the same requests one commit each:

- ``Store.append_events(rows)``: what the OTLP receiver's writer does (it merges waiting
  requests; here every request is alone);
- ``Store.append_events(rows, skip_existing=True)``: what the loaders do (a file loaded twice
  adds nothing), into a fresh store and into one already holding ``--existing`` events of the
  same day (the key check reads the stored keys of the days a request touches).

Anchors, in the same run and over the same rows: delta-rs' bare ``write_deltalake`` of the rows
(plus their ``day`` column, the same zstd writer settings), each request into a fresh table
partitioned by day (the floor of one Delta append); and DuckDB's raw Arrow ``INSERT INTO …
SELECT`` into a native table of a file database, one committed INSERT per request.

The requests are taken round-robin (request i into every candidate, then request i + 1), so
load on a shared machine falls on all alike. The tail is the point: every 20th commit writes
a log checkpoint and every 32nd file of a day triggers its compaction, inside the append that
crosses the line. After the run each store's files per day and ``_delta_log`` files are listed.

    python -m bench.append_latency [--requests 300] [--batch 512] [--existing 300000]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import pyarrow as pa
from deltalake import DeltaTable, write_deltalake

from bench._data import sync_events
from bench._layout import describe, table_layout
from bench._timing import report
from ingest.delta_table import PARTITION, WRITER, delta_schema, with_day
from ingest.sql import schema_sql
from ingest.store import Store
from ingest.tables import EVENTS

WARMUP = 3
"""Requests appended by every candidate before the timed ones (loads, first-call costs)."""
Append = Callable[[pa.Table], object]


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile of ``values`` (``share`` in 0..1)."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(share * len(ordered) + 0.5)))
    return ordered[rank - 1]


def store_append(folder: Path, *, skip_existing: bool, existing: pa.Table | None) -> Append:
    """A store (holding ``existing`` rows, compacted) and its ``append_events``."""
    store = Store.open(folder)
    if existing is not None and existing.num_rows:
        store.append_events(existing)
        store.compact()

    def append(rows: pa.Table) -> object:
        return store.append_events(rows, skip_existing=skip_existing)

    return append


def delta_append(folder: Path, count: int) -> Append:
    """Bare ``write_deltalake``: each call appends into the next of ``count`` fresh Delta tables
    of the events' schema, partitioned by day, all created beforehand (not timed). A fresh
    table is the floor: delta-rs' own append cost grows with the files a table holds, and a
    bare table has no compaction to bound them."""
    tables = [
        DeltaTable.create(
            str(folder / f"t{i}"), schema=delta_schema(EVENTS), partition_by=[PARTITION]
        )
        for i in range(count)
    ]
    queue = iter(tables)

    def append(rows: pa.Table) -> object:
        write_deltalake(
            next(queue), with_day(EVENTS, rows), mode="append", writer_properties=WRITER
        )
        return None

    return append


def duckdb_append(path: Path) -> tuple[Append, duckdb.DuckDBPyConnection]:
    """A native ``sync_events`` table in a file database; one committed INSERT per call."""
    con = duckdb.connect(str(path))
    con.execute(schema_sql())

    def append(rows: pa.Table) -> object:
        con.register("request", rows)
        con.execute("INSERT INTO sync_events SELECT * FROM request")
        con.unregister("request")
        return None

    return append, con


def main(argv: list[str] | None = None) -> None:
    """Time every candidate's appends request by request; print percentiles and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300, help="timed requests per candidate")
    parser.add_argument("--batch", type=int, default=512, help="events per request")
    parser.add_argument(
        "--existing",
        type=int,
        default=300_000,
        help="events of the same day already in the store of the skip_existing candidate "
        "that has data (0: leave that candidate out)",
    )
    args = parser.parse_args(argv)
    if args.requests < 1 or args.batch < 1 or args.existing < 0:
        parser.error("--requests and --batch must be at least 1, --existing at least 0")

    needed = args.existing + (WARMUP + args.requests) * args.batch
    rows = sync_events(needed, days=1).sort_by("ts")
    existing = rows.slice(0, args.existing)
    requests = [
        rows.slice(args.existing + i * args.batch, args.batch)
        for i in range(WARMUP + args.requests)
    ]
    root = Path(tempfile.mkdtemp(prefix="synctel-append-bench-"))
    full = f"… skip_existing, {args.existing:,} stored that day"
    tables = {
        "Store.append_events": root / "plain" / EVENTS.lake,
        "Store.append_events skip_existing": root / "skip" / EVENTS.lake,
        full: root / "skip-full" / EVENTS.lake,
    }
    try:
        duck, con = duckdb_append(root / "anchor.duckdb")
        candidates: dict[str, Append] = {
            "Store.append_events": store_append(root / "plain", skip_existing=False, existing=None),
            "Store.append_events skip_existing": store_append(
                root / "skip", skip_existing=True, existing=None
            ),
        }
        if args.existing:
            candidates[full] = store_append(
                root / "skip-full", skip_existing=True, existing=existing
            )
        candidates["bare write_deltalake (anchor)"] = delta_append(root / "bare", len(requests))
        candidates["DuckDB raw Arrow INSERT (anchor)"] = duck
        times: dict[str, list[float]] = {name: [] for name in candidates}
        for i, request in enumerate(requests):
            for name, append in candidates.items():
                start = time.perf_counter()
                append(request)
                if i >= WARMUP:
                    times[name].append(time.perf_counter() - start)
        con.close()
        layout = {name: table_layout(path) for name, path in tables.items() if name in candidates}
    finally:
        shutil.rmtree(root, ignore_errors=True)

    bare = statistics.median(times["bare write_deltalake (anchor)"])
    duck_p50 = statistics.median(times["DuckDB raw Arrow INSERT (anchor)"])
    out = []
    for name, seconds in times.items():
        p50 = statistics.median(seconds)
        out.append(
            {
                "candidate": name,
                "p50_ms": p50 * 1000,
                "p90_ms": percentile(seconds, 0.90) * 1000,
                "p99_ms": percentile(seconds, 0.99) * 1000,
                "max_ms": max(seconds) * 1000,
                "events_per_s_p50": args.batch / p50,
                "p50_vs_delta": p50 / bare,
                "p50_vs_duckdb": p50 / duck_p50,
            }
        )
    report(
        "append_latency",
        out,
        params={
            "requests": args.requests,
            "batch": args.batch,
            "existing": args.existing,
            "warmup": WARMUP,
        },
        notes=[
            "p50_vs_*: median latency over the anchor's median in the same run",
            *(describe(name, facts) for name, facts in layout.items()),
        ],
    )


if __name__ == "__main__":
    main()
