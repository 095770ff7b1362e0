"""The ``synctel`` command line: the one place that wires the packages together.

Each sub-command lives in its own module under ``synctel.commands`` and exposes
``register(subparsers)``. Heavy imports (DuckDB, the SDK, Streamlit) happen inside the
commands, so ``synctel --help`` stays fast.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from synctel.commands import (
    advise,
    alerts,
    bench,
    compact,
    dashboard,
    demo,
    load,
    metrics,
    migrate,
    profile,
    query,
    retention,
    serve,
    simulate,
)
from synctel.commands._common import CommandError
from vocabulary.errors import SynctelError

COMMANDS = (
    profile,
    load,
    query,
    compact,
    retention,
    migrate,
    serve,
    metrics,
    simulate,
    demo,
    dashboard,
    alerts,
    advise,
    bench,
)
"""Every sub-command, registered in this order in ``synctel --help``."""


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser, every sub-command registered."""
    parser = argparse.ArgumentParser(
        prog="synctel",
        description="Offline-first sync engine telemetry: simulate, ingest, query, watch.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for command in COMMANDS:
        command.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; bad input gets one line on stderr and a non-zero exit, never a traceback."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.func(args)
    except SynctelError as exc:
        print(f"synctel {args.command}: {exc}", file=sys.stderr)
        return exc.exit_code if isinstance(exc, CommandError) else 1
    except KeyboardInterrupt:
        print(f"synctel {args.command}: interrupted", file=sys.stderr)
        return 130
    return code


if __name__ == "__main__":
    sys.exit(main())
