"""Proof of openness: engines that are not ours read the store's Delta tables and get the same
figures as the DuckDB views (passes by result, per-table records)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from deltalake import DeltaTable

from ingest.store import Store
from synctel.cli import main

Figures = tuple[dict[str, int], dict[str, int]]


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A simulated store with failures (server incident), compacted once mid-way."""
    path = tmp_path_factory.mktemp("open") / "store"
    argv = ["simulate", "--scenario", "server-incident", "--devices", "6", "--days", "3"]
    assert main([*argv, "--quiet", "--store", str(path)]) == 0
    return path


def _views(store: Path) -> Figures:
    con = Store.open(store, create=False).connect()
    try:
        passes = dict(
            con.execute(
                "SELECT result, count(*) FROM sync_runs WHERE result <> 'incomplete' GROUP BY 1"
            ).fetchall()
        )
        records = dict(
            con.execute(
                "SELECT table_name, sum(records_down)::BIGINT FROM table_syncs GROUP BY 1"
            ).fetchall()
        )
    finally:
        con.close()
    return passes, records


def _polars(events: pl.LazyFrame) -> Figures:
    started = events.filter(pl.col("event") == "sync.started").select("sync_id").unique()
    ends = (
        events.filter(pl.col("event").is_in(["sync.completed", "sync.failed"]))
        .join(started, on="sync_id")
        .group_by("sync_id")
        .agg(pl.col("event").sort_by(pl.col("event") == "sync.failed").last())
        .group_by("event")
        .len()
        .collect()
    )
    names = {"sync.completed": "success", "sync.failed": "failure"}
    passes = {names[e]: int(n) for e, n in ends.iter_rows()}
    table = (
        events.filter(pl.col("event") == "sync.table")
        .join(started, on="sync_id")
        .group_by("table_name")
        .agg(pl.col("records_down").sum())
        .collect()
    )
    return passes, {str(t): int(n) for t, n in table.iter_rows()}


def test_polars_scan_delta_gives_the_views_figures(fleet: Path) -> None:
    passes, records = _views(fleet)
    assert passes.get("failure", 0) > 0, "the scenario has failures to compare"
    assert _polars(pl.scan_delta(str(fleet / "events"))) == (passes, records)


def test_deltalake_reads_every_table_with_the_views_row_counts(fleet: Path) -> None:
    con = Store.open(fleet, create=False).connect()
    try:
        for folder, name in (("events", "sync_events"), ("spans", "spans")):
            rows = DeltaTable(str(fleet / folder)).to_pyarrow_table().num_rows
            assert con.execute(f"SELECT count(*) FROM {name}").fetchone() == (rows,)
    finally:
        con.close()


LOOPBACK_ONLY = {
    "RAY_USAGE_STATS_ENABLED": "0",  # no usage report
    "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0",  # node address 127.0.0.1, no route probe
    "DAFT_ANALYTICS_ENABLED": "0",  # no Daft telemetry
    "SCARF_NO_ANALYTICS": "true",
    "DO_NOT_TRACK": "1",
}
"""Keeps Ray and Daft on loopback. Ray's dashboard also asks cloud metadata endpoints unless
``~/ray_bootstrap_config.yaml`` names a provider, so the script runs with its own HOME."""


def test_daft_on_a_local_ray_cluster_gives_the_views_figures(fleet: Path, tmp_path: Path) -> None:
    """A distributed engine (the ``scale`` extra): Daft on a local Ray cluster, on loopback."""
    pytest.importorskip("daft", reason="the scale extra: pip install 'synctel[scale]'")
    pytest.importorskip("ray", reason="the scale extra: pip install 'synctel[scale]'")
    home = tmp_path / "home"
    home.mkdir()
    (home / "ray_bootstrap_config.yaml").write_text(
        "cluster_name: synctel-local\nprovider:\n  type: local\n", encoding="utf-8"
    )
    env = {**os.environ, **LOOPBACK_ONLY, "HOME": str(home)}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2])
    done = subprocess.run(
        [sys.executable, str(Path(__file__).with_name("openness_daft.py")), str(fleet / "events")],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert (found["passes"], found["records"]) == _views(fleet)
