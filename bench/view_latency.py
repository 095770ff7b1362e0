"""View latency: ``health_by_profile_table`` and ``daily_health`` over a store of N events.

Anchor, in the same run: the same view SQL over one DuckDB table holding the same rows (an
exact scan of a native table, no lake and no visibility rule). Target (issue 3): the store's
views are no slower than that anchor.

    python -m bench.view_latency [--events 10000000] [--runs 5] [--keep DIR]

The store is filled through ``Store.append_events`` in large batches, then compacted (one file
per UTC day). Each view is timed three ways over the whole store: through a read-only
connection to its ``catalog.duckdb``, as an analyst would; through :mod:`ingest.reader` as the
dashboard runs it (a new ``reader.connect`` per query, resolving the Delta snapshot, and the
view's SQL as CTEs from :func:`ingest.scope.view_query`); and through
``reader.connect_tables`` (the metric views created on the connection). Then the dashboard's
default window, the newest 7 days, through ``reader.connect`` (only the day partitions the
window touches) against the same filtered SQL over the anchor. ``--keep DIR`` builds the store
and the anchor database in DIR once and reuses them on later runs (delete DIR to rebuild).
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from bench._data import sync_events
from bench._timing import report, time_once
from ingest import reader
from ingest.scope import PASS_SLACK, Filters, view_query
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


Query = Callable[[], list[Any]]
"""Runs one view query and returns its rows."""


def persistent(
    path: Path, sql: str, params: list[Any] | None = None
) -> tuple[Query, Callable[[], None]]:
    """A query on one read-only connection kept open for every run, and its closer."""
    con = duckdb.connect(str(path), read_only=True)
    return (lambda: con.execute(sql, params).fetchall()), con.close


def through_reader(
    store: Path, sql: str, params: list[Any], first: dt.date | None, last: dt.date | None
) -> Query:
    """The dashboard's path: a new ``reader.connect`` (snapshot resolved) per query."""

    def run() -> list[Any]:
        con = reader.connect(store, first, last)
        try:
            return con.execute(sql, params).fetchall()
        finally:
            con.close()

    return run


def through_tables(store: Path, view: str) -> Query:
    """A new ``reader.connect_tables`` (every table, the metric views on it) per query."""

    def run() -> list[Any]:
        con = reader.connect_tables(store)
        try:
            return con.execute(f"SELECT * FROM {view}").fetchall()
        finally:
            con.close()

    return run


def time_queries(queries: dict[str, Query], runs: int) -> dict[str, tuple[float, list[Any]]]:
    """Median seconds of each query and its rows (sorted), the runs interleaved so load on a
    shared machine hits all alike; one warm-up each first."""
    rows = {name: sorted(query(), key=repr) for name, query in queries.items()}
    times: dict[str, list[float]] = {name: [] for name in queries}
    for _ in range(max(runs, 1)):
        for name, query in queries.items():
            times[name].append(time_once(query))
    return {name: (statistics.median(times[name]), rows[name]) for name in queries}


def window(store: Path) -> tuple[Filters, dt.date, dt.date]:
    """The dashboard's default range over the bench data, the newest 7 days of the store, and
    the first and last day partitions the dashboard reads for it."""
    newest = reader.days(store)[-1]
    end = dt.datetime.combine(newest + dt.timedelta(days=1), dt.time())
    start = end - dt.timedelta(days=7)
    return Filters(start=start, end=end), start.date(), (end + PASS_SLACK).date()


def measure(store_dir: Path, catalog: Path, anchor: Path, runs: int) -> list[dict[str, object]]:
    """Time every view every way against the anchor; one row per (view, way)."""
    out: list[dict[str, object]] = []
    recent, first, last = window(store_dir)
    for view in VIEWS:
        scoped, _ = view_query(view, Filters())
        narrowed, params = view_query(view, recent)
        catalog_q, close_catalog = persistent(catalog, f"SELECT * FROM {view}")
        anchor_q, close_anchor = persistent(anchor, f"SELECT * FROM {view}")
        anchor_7d, close_anchor_7d = persistent(anchor, narrowed, params)
        try:
            got = time_queries(
                {
                    "catalog.duckdb": catalog_q,
                    "reader.connect + view_query": through_reader(
                        store_dir, scoped, [], None, None
                    ),
                    "reader.connect_tables": through_tables(store_dir, view),
                    "native table": anchor_q,
                    "7d: reader.connect + view_query": through_reader(
                        store_dir, narrowed, params, first, last
                    ),
                    "7d: native table": anchor_7d,
                },
                runs,
            )
        finally:
            for close in (close_catalog, close_anchor, close_anchor_7d):
                close()
        for name, (seconds, rows) in got.items():
            if "native table" in name:
                continue
            base = "7d: native table" if name.startswith("7d") else "native table"
            base_s, base_rows = got[base]
            out.append(
                {
                    "view": view,
                    "way": name,
                    "rows": len(rows),
                    "store_s": seconds,
                    "table_s": base_s,
                    "store/table": seconds / base_s,
                    "target_met": seconds <= base_s,
                    "same_rows": rows == base_rows,
                }
            )
    return out


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
        rows = measure(store_dir, catalog, anchor, args.runs)
        report(
            "view_latency",
            rows,
            params=params,
            notes=[
                "store_s/table_s: median seconds; target: store/table <= 1.0",
                "7d: the newest 7 days through the dashboard's filters, the same SQL on both",
            ],
        )
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
