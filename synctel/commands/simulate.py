"""``synctel simulate``: drive a fleet through the real sync engine into a store, then summarise."""

from __future__ import annotations

import argparse
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

from synctel.commands._common import CommandError, add_store_option, store_path

DEFAULT_SCENARIO = "healthy-week"
"""The scenario of ``synctel simulate`` when none is named."""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``simulate``."""
    parser = subparsers.add_parser(
        "simulate",
        help="simulate a fleet of devices syncing, writing its telemetry to the store",
        description=(
            "Run technicians' devices, dispatchers, networks and faults through the real sync "
            "engine on a simulated clock; every event goes through the OpenTelemetry SDK into "
            "the store. Ends with a health summary read back from the store's views. The same "
            "--seed gives the same store, event for event."
        ),
    )
    parser.add_argument(
        "--devices",
        type=int,
        default=None,
        metavar="N",
        help="devices in the fleet (default: the scenario's)",
    )
    parser.add_argument(
        "--days",
        type=float,
        default=None,
        metavar="D",
        help="simulated days to run (default: the scenario's)",
    )
    parser.add_argument(
        "--scenario",
        default=DEFAULT_SCENARIO,
        metavar="NAME|FILE",
        help=f"a built-in scenario or a scenario .toml file (default: {DEFAULT_SCENARIO})",
    )
    parser.add_argument("--seed", type=int, default=0, metavar="S", help="random seed (default 0)")
    parser.add_argument(
        "--quiet", action="store_true", help="no progress on stderr (the summary still prints)"
    )
    add_store_option(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Simulate, then print the summary."""
    check_size(args.devices, args.days)
    summary = simulate(
        store_path(args), args.scenario, args.devices, args.days, args.seed, quiet=args.quiet
    )
    print(summary)
    return 0


def check_size(devices: int | None, days: float | None) -> None:
    """One clear message for a fleet size that cannot be simulated."""
    if devices is not None and devices < 1:
        raise CommandError(f"--devices must be at least 1, got {devices}")
    if days is not None and not 0 < days <= 366:
        raise CommandError(f"--days must be more than 0 and at most 366, got {days:g}")


def simulate(
    store: Path,
    scenario: str,
    devices: int | None,
    days: float | None,
    seed: int,
    *,
    quiet: bool = False,
    pace: float | None = None,
) -> str:
    """Run ``scenario`` into ``store``; the health summary (warns on stderr if events were lost).

    ``devices`` and ``days`` default to the scenario's own. With ``pace`` (simulated seconds per
    wall-clock second) the run keeps to that speed and flushes every simulated hour, so a live
    dashboard sees the fleet as it goes.
    """
    from syncengine.sim.run import run_scenario
    from syncengine.sim.scenario import load_scenario
    from synctel.commands._simrun import (
        ProgressBar,
        SimTelemetry,
        Window,
        events_in_window,
        health_summary,
    )

    plan = load_scenario(scenario)
    start = datetime.combine(plan.start, datetime.min.time())
    length = plan.days if days is None else days
    window = Window(start, start + timedelta(days=length))
    held = events_in_window(store, window)
    if held:
        raise CommandError(
            f"{store} already holds {held:,} events in the simulated window "
            f"{window.start:%Y-%m-%d} to {window.end:%Y-%m-%d}; use another --store"
        )
    telemetry = SimTelemetry(store, seed)
    bar = ProgressBar(f"simulating {plan.name}", enabled=not quiet)

    began = time.monotonic()

    def progress(done: float) -> None:
        telemetry.maybe_flush(now=pace is not None)
        bar.update(done, telemetry.emitted)
        if pace is not None:
            due = began + done * (window.end - window.start).total_seconds() / pace
            time.sleep(max(0.0, due - time.monotonic()))

    try:
        run_scenario(
            plan,
            devices=devices,
            days=length,
            seed=seed,
            instrumentation=telemetry.instrumentation,
            progress=progress,
        )
    finally:
        bar.finish()
        dropped = telemetry.close()
    if dropped:
        print(
            f"synctel simulate: warning: {dropped:,} telemetry items were dropped; "
            "the store is missing events",
            file=sys.stderr,
        )
    return health_summary(store, window)
