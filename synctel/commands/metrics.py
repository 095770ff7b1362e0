"""``synctel metrics``: fleet sync health as Prometheus metrics, served for scraping."""

from __future__ import annotations

import argparse
import datetime as dt
import signal
import sys
import time
from collections.abc import Callable
from types import FrameType

from synctel.commands._common import CommandError, add_store_option, as_of, store_path

DEFAULT_PORT = 9464
"""The port ``synctel metrics`` listens on by default."""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``metrics``."""
    parser = subparsers.add_parser(
        "metrics",
        help="serve fleet sync health as Prometheus metrics (GET /metrics)",
        description=(
            "Serve the store's sync health for Prometheus: per profile and table, table syncs, "
            "failures, success ratio and p95 duration over the last --window; devices stale "
            "and with pending uploads; the newest event's age; synctel_store_up. Each scrape "
            "reads the store. Ctrl-C or SIGTERM stops it."
        ),
    )
    add_store_option(parser)
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default: 127.0.0.1)",
    )
    parser.add_argument(
        "--port",
        type=int,
        default=DEFAULT_PORT,
        help=f"TCP port (default: {DEFAULT_PORT}; 0 picks a free one)",
    )
    parser.add_argument(
        "--window",
        default="1h",
        metavar="DURATION",
        help="the window of the per-table gauges, e.g. 15m, 1h, 1d (default: 1h)",
    )
    parser.add_argument(
        "--as-of",
        default="now",
        metavar="WHEN",
        help=(
            "where the window ends: 'now' (the wall clock, default), 'latest' (the store's "
            "newest event: simulated or back-filled stores) or an ISO time (UTC)"
        ),
    )
    parser.add_argument(
        "--once",
        action="store_true",
        help="print the page once on stdout and exit, instead of serving it",
    )
    parser.set_defaults(func=run_metrics)


def _window(text: str) -> dt.timedelta:
    from insights.alerts.durations import DurationTooLong, parse_duration

    try:
        found = parse_duration(text)
    except DurationTooLong as exc:
        raise CommandError(f"--window {exc}") from None
    if found is None or found <= dt.timedelta(0):
        raise CommandError(f"--window {text!r}: use a duration such as 15m, 1h or 1d")
    return found


def _ends_at(end: str | dt.datetime) -> Callable[[], dt.datetime | None] | None:
    """The collector's window end: None (the wall clock), or a fixed answer."""
    if end == "now":
        return None
    fixed = end if isinstance(end, dt.datetime) else None  # None: the newest event
    return lambda: fixed


def run_metrics(args: argparse.Namespace) -> int:
    """Print the page once (``--once``), or serve it until SIGINT/SIGTERM."""
    from insights.metrics.exporter import FleetCollector, registry_for, render
    from insights.metrics.server import MetricsServer

    if not 0 <= args.port <= 65535:
        raise CommandError(f"--port {args.port}: must be between 0 and 65535")
    window = _window(args.window)
    end = as_of(args.as_of)
    store = store_path(args)
    collector = FleetCollector(store, window, _ends_at(end))
    registry = registry_for(collector)
    if args.once:
        body, _ = render(registry, None)
        sys.stdout.write(body.decode("utf-8"))
        return 0
    try:
        server = MetricsServer(args.host, args.port, registry).start()
    except OSError as exc:
        raise CommandError(
            f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}"
        ) from None
    print(
        f"synctel metrics: serving {server.url} for store {store} (window {args.window}, "
        f"as of {args.as_of}); Ctrl-C stops",
        flush=True,
    )
    stopped: list[int] = []

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stopped.append(signum)

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        while not stopped:
            time.sleep(0.2)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        server.close()
    print("synctel metrics: stopped", flush=True)
    return 0
