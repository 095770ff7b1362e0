"""``synctel simulate``: drive a fleet through the real sync engine into a store, then summarise."""

from __future__ import annotations

import argparse
import sys
from datetime import timedelta
from pathlib import Path

from synctel.commands._common import CommandError, add_store_option, store_path


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
        "--devices", type=int, default=None, metavar="N", help="devices in the fleet"
    )
    parser.add_argument(
        "--days", type=float, default=None, metavar="D", help="simulated days to run"
    )
    parser.add_argument("--seed", type=int, default=0, metavar="S", help="random seed (default 0)")
    parser.add_argument(
        "--quiet", action="store_true", help="no progress on stderr (the summary still prints)"
    )
    add_store_option(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Simulate, then print the summary."""
    devices = 20 if args.devices is None else args.devices
    days = 1.0 if args.days is None else args.days
    check_size(devices, days)
    print(simulate(store_path(args), devices, days, args.seed, quiet=args.quiet))
    return 0


def check_size(devices: int, days: float) -> None:
    """One clear message for a fleet size that cannot be simulated."""
    if devices < 1:
        raise CommandError(f"--devices must be at least 1, got {devices}")
    if not 0 < days <= 366:
        raise CommandError(f"--days must be more than 0 and at most 366, got {days:g}")


def simulate(store: Path, devices: int, days: float, seed: int, *, quiet: bool = False) -> str:
    """Run the fleet into ``store``; the health summary (warns on stderr if events were lost)."""
    from syncengine.clock import ManualClock
    from syncengine.fleet import run_fleet
    from syncengine.profile.load import default_profile
    from synctel.commands._simrun import (
        ProgressBar,
        SimTelemetry,
        Window,
        events_in_window,
        health_summary,
    )

    clock = ManualClock()
    start = clock.now()
    window = Window(start.replace(tzinfo=None), (start + timedelta(days=days)).replace(tzinfo=None))
    held = events_in_window(store, window)
    if held:
        raise CommandError(
            f"{store} already holds {held:,} events in the simulated window "
            f"{window.start:%Y-%m-%d} to {window.end:%Y-%m-%d}; use another --store"
        )
    telemetry = SimTelemetry(store, seed)
    bar = ProgressBar("simulating", enabled=not quiet)

    def progress(done: float) -> None:
        telemetry.maybe_flush()
        bar.update(done, telemetry.emitted)

    try:
        run_fleet(
            devices,
            hours=24 * days,
            seed=seed,
            profile=default_profile(),
            clock=clock,
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
