"""View latency: ``health_by_profile_table`` and ``daily_health`` over a store of N events.

Anchor, in the same run: the same view SQL over one DuckDB table holding the same rows (an
exact scan of a native table, no lake and no visibility rule). Target (issue 3): the store's
views are no slower than that anchor.

    python -m bench.view_latency [--events 10000000] [--runs 5] [--keep DIR]

The store is filled through ``Store.append_events`` in large batches, then compacted (one file
per UTC day), and queried through a read-only connection to its ``catalog.duckdb``, as an
analyst would. ``--keep DIR`` builds the store and the anchor database in DIR once and reuses
them on later runs (delete DIR to rebuild).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import duckdb
import pyarrow as pa

from bench._data import sync_events
from bench._timing import report, time_once
from ingest.sql import create_views, schema_sql
from ingest.store import Store

VIEWS = ("health_by_profile_table", "daily_health")
BATCH_ROWS = 1_000_000


def build_store(folder: Path, table: pa.Table) -> float:
    """Append ``table`` in large batches, then compact; returns the seconds it took."""
    start = time.perf_counter()
    store = Store.open(folder, auto_compact_every=0)
    for offset in range(0, table.num_rows, BATCH_ROWS):
        store.append_events(table.slice(offset, BATCH_ROWS))
    store.compact()
    return time.perf_counter() - start


def build_anchor(path: Path, table: pa.Table) -> float:
    """One native DuckDB table of the same rows, with the same views on top."""
    start = time.perf_counter()
    con = duckdb.connect(str(path))
    try:
        con.execute(schema_sql())
        con.register("rows_in", table)
        con.execute("INSERT INTO sync_events SELECT * FROM rows_in")
        con.unregister("rows_in")
        create_views(con)
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return time.perf_counter() - start


def refresh_views(path: Path) -> None:
    """(Re)create the metric views in the anchor database from the current ``sql/views``."""
    con = duckdb.connect(str(path))
    try:
        create_views(con)
        con.execute("CHECKPOINT")
    finally:
        con.close()


def time_views(databases: list[Path], view: str, runs: int) -> tuple[list[float], int]:
    """Median seconds to fetch every row of ``view`` from each database (read-only), the runs
    interleaved so load on a shared machine hits all alike; one warm-up each first."""
    cons = [duckdb.connect(str(path), read_only=True) for path in databases]
    try:
        counts = [len(con.execute(f"SELECT * FROM {view}").fetchall()) for con in cons]
        times: list[list[float]] = [[] for _ in cons]
        for _ in range(max(runs, 1)):
            for con, seconds in zip(cons, times, strict=True):
                seconds.append(
                    time_once(lambda con=con: con.execute(f"SELECT * FROM {view}").fetchall())
                )
        return [statistics.median(t) for t in times], counts[0]
    finally:
        for con in cons:
            con.close()


def same_results(store_db: Path, anchor_db: Path, view: str) -> bool:
    """True when the view gives the same rows over the store and over the anchor."""
    out = []
    for path in (store_db, anchor_db):
        con = duckdb.connect(str(path), read_only=True)
        try:
            out.append(sorted(con.execute(f"SELECT * FROM {view}").fetchall(), key=repr))
        finally:
            con.close()
    return out[0] == out[1]


def main(argv: list[str] | None = None) -> None:
    """Build (or reuse) the store and the anchor, then time both views over each."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000_000, help="events in the store")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per view (median)")
    parser.add_argument("--keep", type=Path, help="build once in this folder and reuse it")
    args = parser.parse_args(argv)

    work = args.keep or Path(tempfile.mkdtemp(prefix="synctel-bench-"))
    store_dir, anchor = work / "store", work / "anchor.duckdb"
    params: dict[str, object] = {"events": args.events, "runs": args.runs}
    try:
        if not anchor.exists():
            shutil.rmtree(store_dir, ignore_errors=True)
            started = time.perf_counter()
            table = sync_events(args.events)
            params["generate_s"] = round(time.perf_counter() - started, 1)
            params["store_build_s"] = round(build_store(store_dir, table), 1)
            params["anchor_build_s"] = round(build_anchor(anchor, table), 1)
            del table
        refresh_views(anchor)  # a kept anchor gets the current view SQL, as the store does
        catalog = Store.open(store_dir, create=False).catalog_path
        rows = []
        for view in VIEWS:
            (store_s, anchor_s), n = time_views([catalog, anchor], view, args.runs)
            rows.append(
                {
                    "view": view,
                    "rows": n,
                    "store_s": store_s,
                    "table_s": anchor_s,
                    "store/table": store_s / anchor_s,
                    "target_met": store_s <= anchor_s,
                    "same_rows": same_results(catalog, anchor, view),
                }
            )
        report(
            "view_latency",
            rows,
            params=params,
            notes=["store_s/table_s: median seconds; target: store/table <= 1.0"],
        )
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
