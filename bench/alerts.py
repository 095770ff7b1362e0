"""Alert check latency on a large store: one ``synctel alerts check`` round at 10M events.

    python -m bench.alerts [--events 10000000] [--runs 5] [--keep DIR]

The store is filled with :func:`bench._data.sync_events` (30 days, 2,000 devices, 4 profiles,
12 tables) through ``Store.append_events`` and compacted (:func:`bench.view_latency.build_store`).
Then the rules of :data:`RULES` (the issue's rule on ``health_by_profile_table`` plus rules on
``errors_summary``, ``conflicts_by_table``, ``daily_health`` and ``device_status``) are checked
with windows ending at the store's newest event (``--as-of latest``: the data is in the past),
as ``synctel alerts check`` does: evaluate every rule, apply the result to the state file,
queue transitions. Each round is a fresh :class:`~insights.alerts.runner.Runner` (a new
read-only connection, as a cron ``check`` would have); the state is kept between rounds, so
the first round records transitions and later ones find them. Run under ``taskset -c 0,1``
for the 2-core figure.

Target (issue 7): an alert check over a 10-million-event store in at most 2 s on 2 cores.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

from bench._data import PROFILES, sync_events
from bench._timing import report, time_once
from bench.view_latency import build_store

TARGET_S = 2.0
RULES = f"""
[[alert]]
name = "success rate per table"
view = "health_by_profile_table"
metric = "success_rate"
where = {{ profile = "{PROFILES[1]}" }}
op = "<"
threshold = 0.95
window = "1h"
for = "10m"

[[alert]]
name = "failures by type"
view = "errors_summary"
metric = "failures"
op = ">"
threshold = 5
window = "1h"

[[alert]]
name = "conflict storm"
view = "conflicts_by_table"
metric = "conflicts"
op = ">="
threshold = 50
window = "1h"

[[alert]]
name = "daily p95"
view = "daily_health"
metric = "p95_duration_ms"
op = ">"
threshold = 20000
window = "1d"

[[alert]]
name = "devices with pending uploads"
view = "device_status"
metric = "pending_uploads"
op = ">"
threshold = 100
window = "1h"
"""


def check_rounds(store: Path, runs: int, window: str | None) -> list[dict[str, object]]:
    """Time ``runs`` check rounds (all rules, or every rule with its window set to ``window``)."""
    from insights.alerts.rules import parse_rules
    from insights.alerts.runner import Runner, Settings

    text = RULES if window is None else _with_window(window)
    rules = parse_rules(text)
    shutil.rmtree(store / "alerts", ignore_errors=True)
    rows: list[dict[str, object]] = []
    for run in range(runs):
        runner = Runner(Settings(store, rules, "latest"), report=lambda _: None)
        found: dict[str, int] = {}

        def round_once(runner: Runner = runner, found: dict[str, int] = found) -> None:
            result = runner.round()
            found["instances"] = len(result.firing) + len(result.pending)
            found["rows"] = len(result.evaluation.observations)
            found["failures"] = len(result.evaluation.failures)

        seconds = time_once(round_once)
        runner.close(0.0)
        rows.append(
            {
                "windows": window or "as written (1h, 1d)",
                "round": run + 1,
                "rules": len(rules),
                "view_rows": found["rows"],
                "alerting": found["instances"],
                "rule_failures": found["failures"],
                "seconds": seconds,
                "target_met": seconds <= TARGET_S,
            }
        )
    return rows


def _with_window(window: str) -> str:
    lines = [
        f'window = "{window}"' if line.startswith("window = ") else line
        for line in RULES.splitlines()
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    """Build (or reuse) the store, then time check rounds."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000_000, help="events in the store")
    parser.add_argument("--runs", type=int, default=5, help="check rounds per window setting")
    parser.add_argument("--keep", type=Path, help="build the store once in DIR and reuse it")
    args = parser.parse_args(argv)

    work = args.keep or Path(tempfile.mkdtemp(prefix="synctel-bench-alerts-"))
    store = work / "store"
    params: dict[str, object] = {
        "events": args.events,
        "runs": args.runs,
        "cpus": len(os.sched_getaffinity(0)),
    }
    try:
        if not (store / "catalog.duckdb").exists():
            shutil.rmtree(store, ignore_errors=True)
            started = time.perf_counter()
            table = sync_events(args.events)
            params["generate_s"] = round(time.perf_counter() - started, 1)
            params["store_build_s"] = round(build_store(store, table), 1)
            del table
        rows = []
        for window in (None, "1h", "1d", "7d"):
            rows.extend(check_rounds(store, args.runs, window))
        report(
            "alerts_check",
            rows,
            params=params,
            notes=[f"one check round: every rule evaluated and applied; target <= {TARGET_S} s"],
        )
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
