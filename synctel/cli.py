"""The ``synctel`` command line: the one place that wires the packages together.

Each sub-command lives in its own module under ``synctel.commands`` and exposes
``register(subparsers)``. Heavy imports (DuckDB, the SDK, Streamlit) happen inside the
commands, so ``synctel --help`` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from synctel.commands import COMMAND_MODULES
from synctel.commands._common import CommandError, user_errors


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser, every sub-command registered."""
    parser = argparse.ArgumentParser(
        prog="synctel",
        description="Offline-first sync engine telemetry: simulate, ingest, query, watch.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(f"synctel.commands.{name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; bad input gets one line on stderr and a non-zero exit, never a traceback."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.func(args)
    except CommandError as exc:
        print(f"synctel {args.command}: {exc}", file=sys.stderr)
        return exc.exit_code
    except user_errors() as exc:
        print(f"synctel {args.command}: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"synctel {args.command}: interrupted", file=sys.stderr)
        return 130
    return code


if __name__ == "__main__":
    sys.exit(main())
