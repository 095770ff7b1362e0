"""``store.json``: the store's format version and settings, and the check that a folder is one.

A folder is a store of this format when its ``store.json`` says ``"format": 2``. A folder of
the old Parquet-lake layout (``events/_schema/``, no ``store.json``) is refused with the command
that converts it (``synctel migrate``); a store of a newer format is refused, never misread.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Final

from ingest.errors import StoreLayoutError, StoreNotFoundError

SETTINGS_FILE: Final = "store.json"
"""The settings file inside the store folder."""
FORMAT: Final = 2
"""The store format this synctel reads and writes (1 was the Parquet lake, 2 is Delta Lake)."""
OLD_LAYOUT_MARKER: Final = Path("events") / "_schema"
"""A folder only the old Parquet-lake layout has."""


@dataclass(frozen=True)
class StoreSettings:
    """What ``store.json`` holds."""

    format: int = FORMAT
    """The store format; a newer one is refused."""
    retention_days: int | None = None
    """Keep this many days of data (``synctel retention`` with no ``--keep``); None: keep all."""


def is_old_layout(root: Path) -> bool:
    """True for a store folder of the old Parquet-lake layout."""
    return not (root / SETTINGS_FILE).exists() and (root / OLD_LAYOUT_MARKER).is_dir()


def read_settings(root: Path) -> StoreSettings:
    """The settings of the store at ``root`` (defaults when it has no ``store.json`` yet)."""
    path = root / SETTINGS_FILE
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return StoreSettings()
    except (OSError, ValueError) as exc:
        raise StoreLayoutError(root, f"{SETTINGS_FILE} cannot be read ({exc})") from exc
    if not isinstance(raw, dict) or not isinstance(raw.get("format"), int):
        raise StoreLayoutError(root, f"{SETTINGS_FILE} has no integer 'format'")
    keep = raw.get("retention_days")
    if keep is not None and (not isinstance(keep, int) or isinstance(keep, bool) or keep < 1):
        raise StoreLayoutError(root, f"{SETTINGS_FILE}: retention_days must be a whole number >= 1")
    return StoreSettings(format=raw["format"], retention_days=keep)


def write_settings(root: Path, settings: StoreSettings) -> None:
    """Write ``store.json`` atomically."""
    tmp = root / f".{SETTINGS_FILE}.tmp"
    tmp.write_text(json.dumps(asdict(settings), indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, root / SETTINGS_FILE)


def check_layout(root: Path, *, create: bool) -> None:
    """Refuse a folder that is not a store of this format (one line, what to do next)."""
    if is_old_layout(root):
        raise StoreLayoutError(
            root,
            "it is a store of the old Parquet-lake layout; convert it with "
            f"`synctel migrate --store {root}`",
        )
    if not root.is_dir():
        if not create:
            raise StoreNotFoundError(root)
        return
    settings_present = (root / SETTINGS_FILE).exists()
    if settings_present:
        found = read_settings(root).format
        if found > FORMAT:
            raise StoreLayoutError(
                root,
                f"it is a store of format {found}, newer than this synctel's {FORMAT}; "
                "upgrade synctel to read it",
            )
        if found < FORMAT:
            raise StoreLayoutError(
                root, f"it is a store of format {found}; convert it with `synctel migrate`"
            )
    elif not create:
        if (root / "catalog.duckdb").exists():
            raise StoreLayoutError(root, f"it has a catalog but no {SETTINGS_FILE}")
        raise StoreNotFoundError(root)
