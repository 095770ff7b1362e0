"""Scenario stores: a scenario run through the real engine and SDK into a real store (scenario
text: :mod:`tests.syncengine.sim.scenarios`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from ingest.store import Store
from syncengine.sim.run import RunStats, run_scenario
from syncengine.sim.scenario import load_scenario
from synctel.commands._simrun import SimTelemetry
from tests.syncengine.sim.scenarios import Simulate


@pytest.fixture(scope="module")
def simulate(tmp_path_factory: pytest.TempPathFactory) -> Simulate:
    """Run a scenario (built-in name or TOML text) into a fresh store; (store, stats)."""

    def run(scenario: str, *, seed: int = 1, **size: Any) -> tuple[Path, RunStats]:
        folder = tmp_path_factory.mktemp("sim")
        if "\n" in scenario:
            path = folder / "scenario.toml"
            path.write_text(scenario, encoding="utf-8")
            scenario = str(path)
        store = folder / "store"
        telemetry = SimTelemetry(store, seed)
        try:
            stats = run_scenario(
                load_scenario(scenario),
                seed=seed,
                instrumentation=telemetry.instrumentation,
                progress=lambda done: telemetry.maybe_flush(),
                **size,
            )
        finally:
            assert telemetry.close() == 0
        return store, stats

    return run


@pytest.fixture
def query() -> Iterator[Callable[[Path, str], list[tuple[Any, ...]]]]:
    """Run SQL on a store's catalog (read-only)."""
    opened: list[duckdb.DuckDBPyConnection] = []

    def run(store: Path, sql: str) -> list[tuple[Any, ...]]:
        con = Store.open(store, create=False).connect()
        opened.append(con)
        return con.execute(sql).fetchall()

    yield run
    for con in opened:
        con.close()
