"""Scenario stores: a scenario run through the real engine and SDK into a real store."""

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

BASE = """
name = "{name}"
devices = {devices}
days = 1
start = 2026-01-05

[[profiles]]
file = "technicians.toml"
share = 0.5

[[profiles]]
file = "inspectors.toml"
share = 0.3

[[profiles]]
file = "contractors.toml"
share = 0.2

[[regions]]
name = "here"
utc_offset = 0
wifi = {wifi}
dead_zone = 0.0
check_timeouts = 0.0

[users]
wifi_only = {wifi_only}
on_demand = 0.0
online_mode = 0.0

[work]
weekend_share = 1.0
edit_chance = {edit_chance}
open_removed_chance = 0.3
"""


def scenario_text(
    name: str = "test",
    *,
    devices: int = 6,
    wifi: float = 0.5,
    wifi_only: float = 0.0,
    edit_chance: float = 0.3,
    extra: str = "",
) -> str:
    """A one-day scenario in UTC with no background noise unless asked."""
    return (
        BASE.format(
            name=name, devices=devices, wifi=wifi, wifi_only=wifi_only, edit_chance=edit_chance
        )
        + extra
    )


Simulate = Callable[..., tuple[Path, RunStats]]


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
