"""What every sub-command shares: the ``--store`` option and the errors shown as one line."""

from __future__ import annotations

import argparse
import importlib
import os
from pathlib import Path

from emitter.config import ENV_STORE as STORE_ENV

DEFAULT_STORE = Path("synctel-data")
"""The store used when neither ``--store`` nor ``$SYNCTEL_STORE`` is given."""

# (module, class) of every package's base error: shown to the user as one line, exit 1.
_USER_ERROR_CLASSES: tuple[tuple[str, str], ...] = (
    ("syncengine.errors", "SyncengineError"),
    ("ingest.errors", "IngestError"),
    ("emitter.errors", "EmitterError"),
    ("insights.errors", "InsightsError"),
)


class CommandError(Exception):
    """A bad argument or input, with the exit code to end on."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def user_errors() -> tuple[type[BaseException], ...]:
    """The base error classes of the packages that exist, for ``except``."""
    found: list[type[BaseException]] = []
    for module, cls in _USER_ERROR_CLASSES:
        try:
            found.append(getattr(importlib.import_module(module), cls))
        except ModuleNotFoundError:
            continue
    return tuple(found)


def default_store() -> Path:
    """``$SYNCTEL_STORE`` if set, else ``./synctel-data``."""
    return Path(os.environ.get(STORE_ENV) or DEFAULT_STORE)


def add_store_option(parser: argparse.ArgumentParser) -> None:
    """Add ``--store DIR`` with the documented default."""
    parser.add_argument(
        "--store",
        type=Path,
        default=None,
        metavar="DIR",
        help=f"store folder (default: ${STORE_ENV}, then ./{DEFAULT_STORE})",
    )


def store_path(args: argparse.Namespace) -> Path:
    """The store folder the user asked for."""
    path: Path | None = args.store
    return path if path is not None else default_store()
