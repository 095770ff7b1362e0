"""``synctel compact``: merge each day's small Parquet files, invisibly to readers."""

from __future__ import annotations

import argparse

from synctel.commands._common import add_store_option, store_path


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``compact``."""
    parser = subparsers.add_parser(
        "compact",
        help="merge each day's small Parquet files into one (readers keep working)",
        description=(
            "Merge the files of every day partition that has at least --min-files of them, "
            "and delete files merged away longer ago than the grace period."
        ),
    )
    parser.add_argument(
        "--min-files",
        type=int,
        default=2,
        metavar="N",
        help="only merge partitions with at least N files (default: 2)",
    )
    add_store_option(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Compact the store and print what was merged."""
    from ingest.store import Store

    store = Store.open(store_path(args), create=False)
    print(store.compact(min_files=args.min_files).summary())
    return 0
