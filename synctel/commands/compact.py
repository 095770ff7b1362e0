"""``synctel compact``: OPTIMIZE the store's Delta tables, checkpoint, vacuum, apply retention."""

from __future__ import annotations

import argparse

from synctel.commands._common import add_store_option, store_path


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``compact``."""
    parser = subparsers.add_parser(
        "compact",
        help="merge each day's small files (Delta OPTIMIZE); readers keep working",
        description=(
            "OPTIMIZE every table of the store (merge each day's small files in one commit), "
            "checkpoint the Delta logs, apply the store's retention setting if it has one, and "
            "vacuum files removed longer ago than the readers' window (1 hour)."
        ),
    )
    parser.add_argument(
        "--zorder",
        action="store_true",
        help="also order each day's rows by event then time (Z-order), for selective scans",
    )
    add_store_option(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Compact the store and print what was merged."""
    from ingest.store import Store

    store = Store.open(store_path(args), create=False)
    keep = store.settings.retention_days
    if keep is not None:
        print(store.apply_retention(keep).summary())
    print(store.compact(zorder=args.zorder).summary())
    return 0
