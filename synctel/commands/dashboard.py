"""``synctel dashboard``: serve the Streamlit dashboard of the store's sync health."""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path
from types import FrameType
from typing import Final

from synctel.commands._common import CommandError, add_store_option, store_path
from vocabulary.settings import ENV_DASHBOARD_LIVE

STOP_GRACE_SECONDS: Final = 5.0
"""How long Streamlit gets to stop on Ctrl-C or SIGTERM before it is killed."""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``dashboard``."""
    parser = subparsers.add_parser(
        "dashboard",
        help="serve the sync health dashboard (Streamlit) of the store",
        description=(
            "Serve the Streamlit dashboard of the store: overview, profiles x tables, errors, "
            "conflicts, performance, devices and one pass's details. It opens the store "
            "read-only, so it can run while `synctel serve` or `synctel simulate` writes; "
            "--live refreshes the pages as new data lands. Prints the URL; Ctrl-C stops it."
        ),
    )
    add_store_option(parser)
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)"
    )
    parser.add_argument(
        "--port", type=int, default=8501, help="TCP port (default: 8501; 0 picks a free one)"
    )
    parser.add_argument(
        "--live",
        type=float,
        default=None,
        metavar="SECONDS",
        help="refresh the open page every SECONDS while data is being written (default: off)",
    )
    parser.set_defaults(func=run)


def free_port(host: str) -> int:
    """A TCP port that was free on ``host`` a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def streamlit_command(host: str, port: int) -> list[str]:
    """The ``streamlit run`` command line of the dashboard app, headless."""
    import dashboards

    app = Path(dashboards.__file__).resolve().parent / "app.py"
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(app),
        "--server.headless=true",
        f"--server.address={host}",
        f"--server.port={port}",
        "--server.fileWatcherType=none",
        "--browser.gatherUsageStats=false",
        "--global.developmentMode=false",
        "--client.toolbarMode=viewer",
    ]


def check(args: argparse.Namespace) -> None:
    """One clear message for options that cannot work."""
    if args.live is not None and not 0.5 <= args.live <= 3600:
        raise CommandError(f"--live must be between 0.5 and 3600 seconds, got {args.live:g}")
    if not 0 <= args.port <= 65535:
        raise CommandError(f"--port must be between 0 and 65535, got {args.port}")
    try:
        import altair  # noqa: F401
        import streamlit  # noqa: F401
    except ModuleNotFoundError as exc:
        raise CommandError(
            f"the dashboard needs {exc.name}: pip install 'synctel[dashboard]'"
        ) from exc


def run(args: argparse.Namespace) -> int:
    """Refresh the store's catalog if it needs it, start Streamlit, print the URL, wait."""
    return wait(start(args))


def start(args: argparse.Namespace) -> subprocess.Popen[bytes]:
    """Check the options, refresh a stale catalog, start Streamlit and print its URL."""
    from ingest.errors import StoreNotFoundError
    from ingest.store import Store
    from vocabulary.settings import ENV_STORE

    check(args)
    store = store_path(args).expanduser().resolve()
    try:
        Store.open(store, create=False)  # rebuilds a stale catalog; never creates a store
    except StoreNotFoundError:
        print(
            f"synctel dashboard: no store at {store} yet; the dashboard will say how to fill one",
            file=sys.stderr,
        )
    port = args.port or free_port(args.host)
    env = dict(os.environ)
    env[ENV_STORE] = str(store)
    env.pop(ENV_DASHBOARD_LIVE, None)
    if args.live:
        env[ENV_DASHBOARD_LIVE] = f"{args.live:g}"
    host = f"[{args.host}]" if ":" in args.host else args.host
    child = subprocess.Popen(streamlit_command(args.host, port), env=env)  # noqa: S603
    print(f"synctel dashboard: http://{host}:{port}/ (store {store}; Ctrl-C to stop)", flush=True)
    return child


def wait(child: subprocess.Popen[bytes]) -> int:
    """Wait for Streamlit to end; Ctrl-C or SIGTERM stops it."""
    previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        return child.wait()
    except KeyboardInterrupt:
        return stop(child)
    finally:
        signal.signal(signal.SIGTERM, previous)
        if child.poll() is None:
            stop(child)


def _raise_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def stop(child: subprocess.Popen[bytes]) -> int:
    """Stop Streamlit: terminate, then kill after the grace period."""
    child.terminate()
    try:
        child.wait(STOP_GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()
    return 0
