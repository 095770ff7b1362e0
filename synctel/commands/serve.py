"""``synctel serve``: the OTLP/HTTP receiver, writing what devices send into the store."""

from __future__ import annotations

import argparse
import functools
import os
import signal
import sys
import time
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from synctel.commands._common import CommandError, add_store_option, store_path

if TYPE_CHECKING:
    from ingest.otlp.receiver import MetricsPage


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``serve``."""
    parser = subparsers.add_parser(
        "serve",
        help="run the OTLP/HTTP receiver (logs, traces, metrics) into the store",
        description=(
            "Receive OpenTelemetry data over OTLP/HTTP: POST /v1/logs, /v1/traces and "
            "/v1/metrics, protobuf or JSON, plain or gzip; GET /healthz for health, GET /metrics "
            "for the fleet's sync health as Prometheus metrics. A request "
            "is acknowledged only once its rows are durably in the store; records that cannot "
            "be stored are quarantined and reported as a partial success. Under overload it "
            "answers 429/503 with Retry-After. Clients must send a bearer token when one is "
            "given, and one must be given to listen anywhere but loopback. Stops cleanly on "
            "Ctrl-C or SIGTERM, writing everything acknowledged."
        ),
    )
    add_store_option(parser)
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default: 127.0.0.1; any other needs a token)",
    )
    parser.add_argument(
        "--port", type=int, default=4318, help="TCP port (default: 4318; 0 picks a free one)"
    )
    token = parser.add_mutually_exclusive_group()
    token.add_argument(
        "--token-env",
        metavar="NAME",
        help="require the bearer token held in environment variable NAME",
    )
    token.add_argument(
        "--token-file",
        type=Path,
        metavar="FILE",
        help="require the bearer token held in FILE (whitespace around it ignored)",
    )
    token.add_argument(
        "--allow-unauthenticated",
        action="store_true",
        help="accept requests without a token even when not listening on loopback",
    )
    parser.add_argument(
        "--max-body-bytes",
        type=int,
        default=None,
        metavar="N",
        help="largest request body, as sent and once inflated (default: 16 MiB); "
        "larger ones get 413",
    )
    parser.add_argument(
        "--queue-size",
        type=int,
        default=None,
        metavar="N",
        help="requests that may wait for the store before new ones get 429 (default: 64)",
    )
    parser.add_argument(
        "--request-timeout",
        type=float,
        default=None,
        metavar="SECONDS",
        help="deadline for one request's headers and body to arrive, however slowly they "
        "trickle (default: 30); slower ones get 408 and are closed",
    )
    parser.add_argument(
        "--max-connections-per-peer",
        type=int,
        default=None,
        metavar="N",
        help="connections one client address may hold open (default: 32); further ones are "
        "closed at once",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="N",
        help="receiver processes sharing the port, to decode on N cores (default: 1)",
    )
    parser.set_defaults(func=run_serve)


def _token(args: argparse.Namespace) -> str | None:
    value: str
    if args.token_env:
        value = os.environ.get(args.token_env, "").strip()
        if not value:
            raise CommandError(f"--token-env {args.token_env}: that variable is unset or empty")
        return value
    if args.token_file is not None:
        try:
            value = args.token_file.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise CommandError(
                f"--token-file {args.token_file}: cannot read: {exc.strerror or exc}"
            ) from exc
        if not value:
            raise CommandError(f"--token-file {args.token_file}: the file is empty")
        return value
    return None


def _metrics_page(store: Path) -> MetricsPage:
    """``GET /metrics``: the fleet's Prometheus metrics over the last hour, read at each scrape."""
    from insights.metrics.exporter import FleetCollector, registry_for, render

    registry = registry_for(FleetCollector(store))
    return functools.partial(render, registry)


def run_serve(args: argparse.Namespace) -> int:
    """Serve until SIGINT/SIGTERM, then write everything acknowledged and stop."""
    from ingest.otlp.decode import DEFAULT_MAX_BODY_BYTES
    from ingest.otlp.receiver import (
        DEFAULT_MAX_CONNECTIONS_PER_PEER,
        DEFAULT_REQUEST_TIMEOUT_SECONDS,
        OtlpReceiver,
        ReceiverConfig,
    )
    from ingest.otlp.workers import WorkerPool
    from ingest.otlp.writer import DEFAULT_QUEUE_SIZE
    from ingest.store import Store

    if args.workers < 1:
        raise CommandError(f"--workers {args.workers}: must be at least 1")
    if not 0 <= args.port <= 65535:
        raise CommandError(f"--port {args.port}: must be between 0 and 65535")
    for option, value in (
        ("--max-body-bytes", args.max_body_bytes),
        ("--queue-size", args.queue_size),
        ("--max-connections-per-peer", args.max_connections_per_peer),
    ):
        if value is not None and value < 1:
            raise CommandError(f"{option} {value}: must be at least 1")
    if args.request_timeout is not None and not 0 < args.request_timeout < float("inf"):
        raise CommandError(f"--request-timeout {args.request_timeout}: must be a positive number")
    token = _token(args)
    config = ReceiverConfig(
        metrics_page=_metrics_page(store_path(args).expanduser().resolve()),
        host=args.host,
        port=args.port,
        token=token,
        require_token=True if token else (False if args.allow_unauthenticated else None),
        max_body_bytes=args.max_body_bytes or DEFAULT_MAX_BODY_BYTES,
        queue_size=args.queue_size or DEFAULT_QUEUE_SIZE,
        request_timeout_seconds=args.request_timeout or DEFAULT_REQUEST_TIMEOUT_SECONDS,
        max_connections_per_peer=args.max_connections_per_peer or DEFAULT_MAX_CONNECTIONS_PER_PEER,
    )
    config.check()  # before the store folder is made
    server: OtlpReceiver | WorkerPool
    if args.workers == 1:
        server = OtlpReceiver(Store.open(store_path(args)), config).start()
        where = server.writer.store.path
    else:  # the workers open the store themselves: nothing fork-unsafe runs here before
        where = store_path(args).expanduser().resolve()
        server = WorkerPool(where, config, args.workers).start()
    auth = "bearer token required" if server.token_required else "no token required"
    print(
        f"synctel serve: OTLP/HTTP on {server.url} ({auth}, {args.workers} worker(s)) → store "
        f"{where}; POST /v1/logs /v1/traces /v1/metrics, GET /healthz /metrics; Ctrl-C stops",
        flush=True,
    )
    stopped: list[int] = []  # a signal handler may only touch a plain flag, not locks

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stopped.append(signum)

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        while not stopped:
            if isinstance(server, WorkerPool) and not server.alive():
                print("synctel serve: a worker stopped unexpectedly; stopping", file=sys.stderr)
                break
            time.sleep(0.2)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        clean = server.close()
    print(
        f"synctel serve: stopped; {server.accepted} records stored, {server.rejected} quarantined",
        flush=True,
    )
    if not clean:
        print("synctel serve: the store did not finish writing in time", file=sys.stderr)
        return 1
    return 0 if stopped else 1
