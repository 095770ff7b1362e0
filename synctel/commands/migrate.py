"""``synctel migrate``: convert a store of the old Parquet-lake layout to Delta tables."""

from __future__ import annotations

import argparse
import sys

from synctel.commands._common import add_store_option, store_path


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``migrate``."""
    parser = subparsers.add_parser(
        "migrate",
        help="convert a store of the old Parquet-lake layout to Delta tables",
        description=(
            "Convert a store written by an older synctel (the Parquet-lake layout) to Delta "
            "tables, in place. The old files are moved to <store>/old-layout/ and kept until "
            "you delete them. A conversion that was interrupted is started again by running "
            "the command again."
        ),
    )
    add_store_option(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Convert the store and print what was converted."""
    from ingest.migrate import migrate

    def progress(message: str) -> None:
        print(f"\r\x1b[Kreading {message}", end="", file=sys.stderr, flush=True)

    result = migrate(store_path(args), progress if sys.stderr.isatty() else lambda _: None)
    if sys.stderr.isatty():
        print(file=sys.stderr)
    print(result.summary())
    return 0
