"""``synctel advise``: the profile advisor's recommendations for a store."""

from __future__ import annotations

import argparse
from pathlib import Path

from synctel.commands._common import add_store_option, store_path

FORMATS = ("table", "json")
"""Output formats of ``--format``."""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``advise``."""
    parser = subparsers.add_parser(
        "advise",
        help="recommend offline profile changes from the store's telemetry",
        description=(
            "Read the last 7 days of the store's data and recommend profile changes: "
            "intervals longer or shorter than the data needs, intervals overridden by related "
            "tables, filters that remove records users still open, cellular data, the "
            "conflict-detection trade-off, device size, and stale tables. Each recommendation "
            "shows its evidence, the change as a TOML diff and its expected effect per device "
            "per day."
        ),
    )
    parser.add_argument(
        "--profile",
        type=Path,
        default=None,
        metavar="FILE",
        help=(
            "the profile TOML the store's data came from (matched by its name); without it, "
            "profiles are matched to the built-in ones by name"
        ),
    )
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default="table",
        help="output: readable text (default) or JSON",
    )
    add_store_option(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print the advice for the store."""
    from insights.advisor import advise_store, render_json, render_table

    report = advise_store(store_path(args), profile_file=args.profile)
    print(render_json(report) if args.format == "json" else render_table(report), end="")
    return 0
