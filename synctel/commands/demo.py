"""``synctel demo``: simulate a default fleet into the default store, show its health, and serve
the dashboard over it.

The demo owns the store it fills: it leaves a marker file there, and on a re-run it clears a
store only when that marker says the demo made it. A store holding anyone else's data is never
touched: the demo stops and asks for another ``--store``.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path
from typing import Final

from synctel.commands._common import CommandError, add_store_option, store_path
from vocabulary.settings import DEFAULT_STORE

MARKER: Final = ".synctel-demo"
"""File in a store folder that says ``synctel demo`` created it (and may replace it)."""
SCENARIO: Final = "demo"
"""The demo's built-in scenario (its size is sized to end in well under 30 s on 2 cores)."""
TRY_QUERIES: Final = (
    "FROM daily_health",
    "FROM health_by_profile_table ORDER BY failures DESC LIMIT 10",
    "FROM errors_summary",
    "FROM skips_by_reason ORDER BY skips DESC",
    "FROM conflicts_by_table",
    "FROM device_status LIMIT 10",
)
"""Queries the demo suggests."""
LIVE_SPEED: Final = 720.0
"""``--live``: one simulated hour every 5 seconds."""
LIVE_DAYS: Final = 366.0
"""``--live`` runs for up to a simulated year (until Ctrl-C, in practice)."""
LIVE_REFRESH_S: Final = 5.0
"""``--live``: how often the dashboard looks for new data."""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``demo``."""
    parser = subparsers.add_parser(
        "demo",
        help="simulate a small fleet into the store and show its health",
        description=(
            "Simulate a default fleet into the store (replacing a previous demo's data, never "
            "anything else), print its health and the queries to try next."
        ),
    )
    parser.add_argument(
        "--quiet", action="store_true", help="no progress on stderr (the summary still prints)"
    )
    parser.add_argument(
        "--no-dashboard",
        action="store_true",
        help="stop after the summary instead of serving the dashboard",
    )
    parser.add_argument(
        "--live",
        action="store_true",
        help=(
            "keep simulating on an accelerated clock (--speed) while the dashboard refreshes, "
            "until Ctrl-C"
        ),
    )
    parser.add_argument(
        "--speed",
        type=float,
        default=LIVE_SPEED,
        help=f"with --live: simulated seconds per real second (default: {LIVE_SPEED:g})",
    )
    parser.add_argument(
        "--port",
        type=int,
        default=8501,
        help="port of the dashboard on 127.0.0.1 (default: 8501; 0 picks a free one)",
    )
    add_store_option(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Prepare the store, simulate, print the summary and what to try next, serve the dashboard."""
    from synctel.commands import dashboard
    from synctel.commands.simulate import simulate

    store = store_path(args)
    if args.live and args.no_dashboard:
        raise CommandError("--live shows the fleet in the dashboard; drop --no-dashboard")
    if not 1 <= args.speed <= 1_000_000:
        raise CommandError(f"--speed must be between 1 and 1000000, got {args.speed:g}")
    live = LIVE_REFRESH_S if args.live else None
    board = argparse.Namespace(store=store, host="127.0.0.1", port=args.port, live=live)
    if not args.no_dashboard:
        dashboard.check(board)  # a missing extra or a bad port is said before the simulation
    prepare(store)
    if args.live:
        return run_live(store, board, args.speed, quiet=args.quiet)
    summary = simulate(store, SCENARIO, None, None, seed=0, quiet=args.quiet)
    (store / MARKER).write_text("created by synctel demo; re-running the demo replaces it\n")
    print(summary)
    print()
    print(next_steps(store), flush=True)
    if args.no_dashboard:
        return 0
    print()
    return dashboard.run(board)


def run_live(store: Path, board: argparse.Namespace, speed: float, *, quiet: bool) -> int:
    """Serve the live dashboard while the fleet keeps syncing at ``speed``; Ctrl-C ends both."""
    from synctel.commands import dashboard
    from synctel.commands.simulate import simulate

    store.mkdir(parents=True, exist_ok=True)
    (store / MARKER).write_text("created by synctel demo; re-running the demo replaces it\n")
    child = dashboard.start(board)
    try:
        print(simulate(store, SCENARIO, None, LIVE_DAYS, seed=0, quiet=quiet, pace=speed))
    except KeyboardInterrupt:
        print("synctel demo: stopped; the store keeps what was simulated", file=sys.stderr)
    finally:
        dashboard.stop(child)
    return 0


def prepare(store: Path) -> None:
    """Make ``store`` ready for the demo: absent or empty is fine, a previous demo is cleared,
    anything else is refused."""
    if not store.exists():
        return
    if not store.is_dir():
        raise CommandError(f"{store} is a file; pass --store with a folder for the demo")
    if (store / MARKER).exists():
        shutil.rmtree(store)
        return
    if any(store.iterdir()):
        raise CommandError(
            f"{store} holds data the demo did not create; pass --store with a new folder "
            "(or set SYNCTEL_STORE) to run the demo"
        )


def next_steps(store: Path) -> str:
    """The queries to try next."""
    opt = "" if store == DEFAULT_STORE else f" --store {store}"
    lines = ["Try:"] + [f"  synctel query{opt} '{q}'" for q in TRY_QUERIES]
    lines.append(f"  synctel query{opt} --list")
    return "\n".join(lines)
