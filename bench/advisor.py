"""The profile advisor over a large store: every rule, end to end, as ``synctel advise`` runs it.

    python -m bench.advisor [--events 10000000] [--runs 3] [--keep DIR]

The store is filled with :func:`bench._data.sync_events` (30 days, 2,000 devices, 4 profiles,
12 tables) through ``Store.append_events`` and compacted (:func:`bench.view_latency.build_store`).
Then :func:`insights.advisor.advise_store` runs ``--runs`` times (a fresh in-memory connection
each time, as the command does): read the last 7 days of the lake's visible files into memory,
run the seven ``sql/advice`` queries, judge them, build the diffs. Each step is also timed once.

Target (issue 7): advice over a 10-million-event store in at most 2 s on 2 cores.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from bench._data import sync_events
from bench._timing import median_time, report
from bench.view_latency import build_store

TARGET_S = 2.0


def steps(store: Path) -> list[dict[str, object]]:
    """Each step of one advice run, timed once."""
    from insights.advisor.advise import RULES, observed_profiles
    from insights.advisor.context import Context
    from insights.advisor.evidence import data_window, evidence
    from insights.advisor.profiles import resolve
    from insights.advisor.read import open_events

    rows: list[dict[str, object]] = []
    start = time.perf_counter()
    con = open_events(store)
    rows.append({"step": "read window", "s": round(time.perf_counter() - start, 3)})
    try:
        found = con.execute("SELECT count(*) FROM sync_events").fetchone()
        window = data_window(con)
        assert window is not None
        assert found is not None
        rows[0]["rows"] = found[0]
        ctx = Context(window, resolve(observed_profiles(con, window)))
        for name, rule in RULES:
            start = time.perf_counter()
            recs = rule(evidence(con, name, window), ctx)
            rows.append(
                {"step": name, "s": round(time.perf_counter() - start, 3), "rows": len(recs)}
            )
    finally:
        con.close()
    return rows


def main() -> None:
    """Build the store, time the advisor, report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000_000, help="events in the store")
    parser.add_argument("--runs", type=int, default=3, help="timed runs (median reported)")
    parser.add_argument("--keep", type=Path, default=None, help="build (or reuse) the store here")
    args = parser.parse_args()

    from insights.advisor import advise_store

    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench-advisor-"))
    generate_s = build_s = 0.0
    try:
        if not (folder / "events").is_dir():
            start = time.perf_counter()
            table = sync_events(args.events)
            generate_s = time.perf_counter() - start
            build_s = build_store(folder, table)
            del table
        last = advise_store(folder)
        total = median_time(lambda: advise_store(folder), args.runs)
        rows = [
            {
                "step": "advise_store (median)",
                "s": round(total, 3),
                "rows": len(last.recommendations),
            },
            *steps(folder),
        ]
        report(
            "advisor",
            rows,
            params={
                "events": args.events,
                "runs": args.runs,
                "generate_s": round(generate_s, 1),
                "store_build_s": round(build_s, 1),
                "window": last.window.describe() if last.window else None,
            },
            notes=[
                f"target: advise_store <= {TARGET_S} s: {'met' if total <= TARGET_S else 'missed'}",
                "rows: events read for 'read window', recommendations otherwise",
            ],
        )
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
