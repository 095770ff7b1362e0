"""Run as a script: Daft on a local Ray cluster computes the openness figures of a store's
events table and prints them as JSON. Started by ``test_openness.py`` in a subprocess whose
environment keeps Ray and Daft on loopback (no usage stats, no cloud metadata probes)."""

from __future__ import annotations

import json
import sys

import daft
import ray


def figures(path: str) -> dict[str, dict[str, int]]:
    """Passes by result and records down by table, computed by Daft."""
    col = daft.col
    events = daft.read_deltalake(path)
    started = events.where(col("event") == "sync.started").select("sync_id").distinct()
    ends = (
        events.where(col("event").is_in(["sync.completed", "sync.failed"]))
        .join(started, on="sync_id")
        .select("sync_id", "event")
        .distinct()
        .groupby("event")
        .agg(col("sync_id").count().alias("n"))
        .to_pydict()
    )
    names = {"sync.completed": "success", "sync.failed": "failure"}
    tables = (
        events.where(col("event") == "sync.table")
        .join(started, on="sync_id")
        .groupby("table_name")
        .agg(col("records_down").sum().alias("n"))
        .to_pydict()
    )
    return {
        "passes": {names[e]: int(n) for e, n in zip(ends["event"], ends["n"], strict=True)},
        "records": {str(t): int(n) for t, n in zip(tables["table_name"], tables["n"], strict=True)},
    }


if __name__ == "__main__":
    ray.init(num_cpus=1, include_dashboard=False, log_to_driver=False, configure_logging=False)
    try:
        daft.set_runner_ray(address=ray.get_runtime_context().gcs_address)
        print(json.dumps(figures(sys.argv[1])))
    finally:
        ray.shutdown()
