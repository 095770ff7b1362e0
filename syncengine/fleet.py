"""The fleet simulator's front door: run a scenario (built-in name, file, or model) by seed.

The simulator itself lives in :mod:`syncengine.sim`: scenarios (``scenario``), the server's
data (``world``), technicians, dispatchers, networks, faults and the event loop (``run``).
"""

from __future__ import annotations

from syncengine.sim.run import InstrumentationFactory, Progress, RunStats, run_scenario
from syncengine.sim.scenario import Scenario, builtin_names, load_scenario


def run_fleet(
    scenario: str | Scenario = "healthy-week",
    *,
    devices: int | None = None,
    days: float | None = None,
    seed: int = 0,
    instrumentation: InstrumentationFactory | None = None,
    progress: Progress | None = None,
) -> RunStats:
    """Simulate ``scenario`` (a built-in name, a ``.toml`` path, or a loaded Scenario).

    ``devices`` and ``days`` default to the scenario's; ``instrumentation`` builds each
    device's telemetry (the OpenTelemetry API globals by default); ``progress`` hears the
    share of simulated time done. The same arguments always give the same run.
    """
    plan = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    return run_scenario(
        plan,
        devices=devices,
        days=days,
        seed=seed,
        instrumentation=instrumentation,
        progress=progress,
    )


__all__ = ["RunStats", "Scenario", "builtin_names", "load_scenario", "run_fleet"]
