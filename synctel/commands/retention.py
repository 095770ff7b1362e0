"""``synctel retention``: delete whole days older than the retention, then vacuum."""

from __future__ import annotations

import argparse
import re

from synctel.commands._common import CommandError, add_store_option, store_path

_DAYS = re.compile(r"^\s*(\d+)\s*d?\s*$")


def parse_days(text: str) -> int:
    """``90d`` or ``90`` as a number of days (at least 1)."""
    found = _DAYS.match(text)
    if found is None or int(found.group(1)) < 1:
        raise CommandError(f"--keep {text!r}: give whole days, at least 1, e.g. --keep 90d")
    return int(found.group(1))


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``retention``."""
    parser = subparsers.add_parser(
        "retention",
        help="delete whole days older than the retention (e.g. --keep 90d), then vacuum",
        description=(
            "Delete every day older than --keep (counted back from today, UTC) from every "
            "table of the store, in one Delta commit per table, then vacuum the files removed "
            "longer ago than the readers' window (1 hour). Without --keep, the store's own "
            "setting (saved with --save) is used. `synctel compact` applies the setting too."
        ),
    )
    parser.add_argument("--keep", metavar="DAYS", help="days to keep, e.g. 90d")
    parser.add_argument(
        "--save",
        action="store_true",
        help="save --keep as the store's retention setting (store.json) before applying it",
    )
    add_store_option(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Apply the retention and print what was deleted."""
    from dataclasses import replace

    from ingest.settings import write_settings
    from ingest.store import Store

    store = Store.open(store_path(args), create=False)
    if args.keep is not None:
        keep = parse_days(args.keep)
        if args.save:
            write_settings(store.path, replace(store.settings, retention_days=keep))
    elif args.save:
        raise CommandError("--save needs --keep DAYS")
    else:
        saved = store.settings.retention_days
        if saved is None:
            raise CommandError(
                "this store has no retention setting: pass --keep DAYS (and --save to keep it)"
            )
        keep = saved
    print(store.apply_retention(keep).summary())
    return 0
