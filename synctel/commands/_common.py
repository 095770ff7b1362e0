"""What every sub-command shares: the ``--store`` option and the errors shown as one line."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from typing import Literal

from vocabulary.errors import SynctelError
from vocabulary.settings import DEFAULT_STORE, ENV_STORE, default_store


class CommandError(SynctelError):
    """A bad argument or input, with the exit code to end on."""

    def __init__(self, message: str, exit_code: int = 1, *, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.exit_code = exit_code


def add_store_option(parser: argparse.ArgumentParser) -> None:
    """Add ``--store DIR`` with the documented default."""
    parser.add_argument(
        "--store",
        type=Path,
        default=None,
        metavar="DIR",
        help=f"store folder (default: ${ENV_STORE}, then ./{DEFAULT_STORE})",
    )


def store_path(args: argparse.Namespace) -> Path:
    """The store folder the user asked for."""
    path: Path | None = args.store
    return path if path is not None else default_store()


def as_of(text: str) -> Literal["now", "latest"] | dt.datetime:
    """An ``--as-of`` value: ``now``, ``latest`` or an ISO time (made naive UTC)."""
    if text in ("now", "latest"):
        return "now" if text == "now" else "latest"
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(
            f"--as-of {text!r}: use 'now', 'latest' or an ISO time such as 2026-01-05T12:00"
        ) from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
    return moment
