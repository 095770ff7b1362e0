"""``synctel bench``: run the benchmarks in ``bench/`` (each times its anchor in the same run).

The benchmarks live beside the packages in a checkout (``bench/``), not in the installed
distribution: they generate large data and run for minutes, so they are for developers.
"""

from __future__ import annotations

import argparse
import ast
import subprocess
import sys
from pathlib import Path

from synctel.commands._common import CommandError

BENCH_DIR = Path(__file__).resolve().parents[2] / "bench"
"""The checkout's benchmark folder."""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``bench``."""
    parser = subparsers.add_parser(
        "bench",
        help="run the benchmarks (figures go to BENCHMARKS.md)",
        description=(
            "Run benchmarks from bench/ by name, each with its defaults (several minutes "
            "each; every one times its anchor in the same run and prints medians and "
            "ratios). Without a name, run them all. For other sizes, run one directly: "
            "python -m bench.NAME --help."
        ),
    )
    parser.add_argument("names", nargs="*", metavar="NAME", help="benchmarks to run")
    parser.add_argument(
        "--list", action="store_true", help="list the benchmarks with one line each, then exit"
    )
    parser.set_defaults(func=run)


def benchmarks() -> dict[str, str]:
    """Every benchmark in ``bench/``, with the first line of its docstring."""
    found = {}
    for path in sorted(BENCH_DIR.glob("[!_]*.py")):
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
        found[path.stem] = doc.splitlines()[0] if doc else ""
    return found


def run(args: argparse.Namespace) -> int:
    """List, or run the named benchmarks one after another."""
    known = benchmarks()
    if not known:
        raise CommandError(f"no benchmarks at {BENCH_DIR}: run synctel bench from a checkout")
    if args.list:
        width = max(map(len, known))
        for name, line in known.items():
            print(f"{name:<{width}}  {line}")
        return 0
    unknown = [n for n in args.names if n not in known]
    if unknown:
        raise CommandError(f"unknown benchmark {unknown[0]!r}; known: {', '.join(known)}")
    for name in args.names or list(known):
        print(f"== synctel bench {name}", flush=True)
        done = subprocess.run(  # noqa: S603 -- our own interpreter on our own module
            [sys.executable, "-m", f"bench.{name}"], cwd=BENCH_DIR.parent, check=False
        )
        if done.returncode != 0:
            raise CommandError(f"benchmark {name} failed (exit {done.returncode})")
    return 0
