"""Dashboard latency on a large store: time to first render, cached render, slowest query per page.

    python -m bench.dashboard [--events 10000000] [--runs 3] [--keep DIR]

The store is filled with :func:`bench._data.sync_events` (30 days, 2,000 devices) through
``Store.append_events`` and compacted (:func:`bench.view_latency.build_store`). Then:

- **render**: the Overview and Profiles x tables pages run through Streamlit's ``AppTest``
  (the real app script, sidebar included) with the default filters (last 7 days): first with
  Streamlit's data cache cleared (first load), then again in a new session (cached);
- **queries**: every query each page runs, with the default filters, timed on its own
  (median of ``--runs``; each opens its own read-only connection, as the app does); the
  slowest per page is reported.

Target (issue 6): every page renders in at most 2 s on 2 cores at 10M events.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench._data import sync_events
from bench._timing import median_time, report
from bench.view_latency import build_store

TARGET_S = 2.0
APP = Path(__file__).resolve().parent.parent / "dashboards" / "app.py"


def page_queries(store: Path) -> dict[str, list[tuple[str, Callable[[], Any]]]]:
    """Each page's queries with the default filters (last 7 days of the store)."""
    from dashboards import queries as q
    from dashboards import queries_detail as d
    from ingest.scope import Filters

    found = q.clock(store)
    assert found is not None
    start, end = q.period(found[1], "7d") or (None, None)
    f = Filters(start=start, end=end)
    before = f.previous()
    assert before is not None
    assert end is not None
    runs = q.view(store, "sync_runs", f).sort("started_at", descending=True)
    sync_id, device = runs["sync_id"][0], runs["device_id"][0]
    profile, table = q.health_matrix(store, f).row(0)[:2]
    return {
        "sidebar": [("state", lambda: q.state(store)), ("choices", lambda: q.choices(store))],
        "overview": [
            ("headline", lambda: q.headline(store, f, end)),
            ("headline (previous)", lambda: q.headline(store, before, start)),
            ("daily", lambda: q.daily(store, f)),
            ("modes_over_time", lambda: q.modes_over_time(store, f)),
            ("skips_by_reason", lambda: q.view(store, "skips_by_reason", f)),
        ],
        "profiles_tables": [
            ("health_matrix", lambda: q.health_matrix(store, f)),
            ("table_daily", lambda: q.table_daily(store, f, profile, table)),
        ],
        "errors": [
            ("errors", lambda: d.errors(store, f)),
            ("error_timeline", lambda: d.error_timeline(store, f)),
            ("recent_errors", lambda: d.recent_errors(store, f)),
        ],
        "conflicts": [
            ("conflicts", lambda: d.conflicts(store, f)),
            ("conflicts_over_time", lambda: d.conflicts_over_time(store, f)),
            ("top_conflict_records", lambda: d.top_conflict_records(store, f)),
        ],
        "performance": [
            ("payload", lambda: d.payload(store, f)),
            ("duration_percentiles", lambda: d.duration_percentiles(store, f, "mode")),
            ("active_vs_wall", lambda: d.active_vs_wall(store, f)),
            ("records_over_time", lambda: d.records_over_time(store, f)),
        ],
        "devices": [
            ("devices", lambda: d.devices(store, f)),
            ("device_passes", lambda: d.device_passes(store, f, device)),
        ],
        "sync_details": [
            ("recent_passes", lambda: d.recent_passes(store, f)),
            ("sync_pass", lambda: d.sync_pass(store, sync_id)),
            ("pass_tables", lambda: d.pass_tables(store, sync_id)),
            ("pass_events", lambda: d.pass_events(store, sync_id)),
        ],
    }


def render_times(store: Path) -> list[dict[str, object]]:
    """First-load and cached render seconds of Overview and Profiles x tables (AppTest)."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from vocabulary.settings import ENV_STORE

    os.environ[ENV_STORE] = str(store)
    rows: list[dict[str, object]] = []
    for page in (None, "app_pages/profiles_tables.py"):
        st.cache_data.clear()
        times = []
        for _ in range(2):
            at = AppTest.from_file(str(APP), default_timeout=120)
            if page is not None:
                at.run()  # land on the default page first, as a user would
                at.switch_page(page)
                if not times:
                    st.cache_data.clear()  # the page's first load includes the sidebar's reads
            started = time.perf_counter()
            at.run()
            times.append(time.perf_counter() - started)
            assert not at.exception, at.exception
        name = "overview" if page is None else "profiles_tables"
        rows.append(
            {
                "page": name,
                "first_load_s": times[0],
                "cached_s": times[1],
                "target_met": times[0] <= TARGET_S,
            }
        )
    return rows


def query_times(store: Path, runs: int) -> list[dict[str, object]]:
    """Per page: its queries' total and its slowest query (median seconds over ``runs``)."""
    rows: list[dict[str, object]] = []
    for page, calls in page_queries(store).items():
        timed = [(name, median_time(fn, runs)) for name, fn in calls]
        slowest = max(timed, key=lambda t: t[1])
        total = sum(t for _, t in timed)
        rows.append(
            {
                "page": page,
                "queries": len(timed),
                "total_s": total,
                "slowest": slowest[0],
                "slowest_s": slowest[1],
                "target_met": total <= TARGET_S,
            }
        )
    return rows


def main(argv: list[str] | None = None) -> None:
    """Build (or reuse) the store, then time renders and queries."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000_000, help="events in the store")
    parser.add_argument("--runs", type=int, default=3, help="timed runs per query (median)")
    parser.add_argument("--keep", type=Path, help="build the store once in DIR and reuse it")
    args = parser.parse_args(argv)

    work = args.keep or Path(tempfile.mkdtemp(prefix="synctel-bench-dash-"))
    store = work / "store"
    params: dict[str, object] = {"events": args.events, "runs": args.runs}
    try:
        if not (store / "catalog.duckdb").exists():
            shutil.rmtree(store, ignore_errors=True)
            started = time.perf_counter()
            table = sync_events(args.events)
            params["generate_s"] = round(time.perf_counter() - started, 1)
            params["store_build_s"] = round(build_store(store, table), 1)
            del table
        report(
            "dashboard_render",
            render_times(store),
            params=params,
            notes=[f"AppTest run of the page with the default filters; target <= {TARGET_S} s"],
        )
        report(
            "dashboard_queries",
            query_times(store, args.runs),
            params=params,
            notes=["median seconds per query; total_s: the page's queries one after another"],
        )
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
