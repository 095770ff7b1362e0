"""Convert a store of the old Parquet-lake layout (format 1) to Delta tables (format 2).

The old layout kept each table as ``<table>/day=YYYY-MM-DD/<lo>-<hi>[-a<ms>].parquet`` files
plus ``_schema/``, with a visibility rule of its own: within a day, K is the largest ``hi`` of
the files whose ``lo`` is 1, and a file is visible when it is that ``1-K`` file or when its
``lo`` is above K. This module is the only place that rule still lives.

The conversion moves the old table folders under ``<store>/old-layout/``, writes their
visible rows into new Delta tables, and writes ``store.json`` last: a store without it is not
yet converted. A conversion that was killed is started again from the moved folders. The old
files are kept under ``old-layout/`` until the user deletes them.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import pyarrow.parquet as pq

from ingest.errors import StoreLayoutError
from ingest.settings import FORMAT, SETTINGS_FILE, is_old_layout, read_settings
from ingest.tables import TABLES

OLD_FOLDER: Final = "old-layout"
"""Where the old table folders are moved to inside the store."""
_NAME = re.compile(r"^(\d+)-(\d+)(?:-a\d+)?\.parquet$")


def visible_files(day_folder: Path) -> list[Path]:
    """The files of one old day folder that its readers saw (the old visibility rule)."""
    ranges = []
    for path in day_folder.iterdir():
        m = _NAME.match(path.name)
        if m:
            ranges.append((int(m.group(1)), int(m.group(2)), path))
    k = max((hi for lo, hi, _ in ranges if lo == 1), default=0)
    newest_merge = [p for lo, hi, p in ranges if lo == 1 and hi == k]
    kept = newest_merge[-1:] + [p for lo, _hi, p in sorted(ranges) if lo > k]
    return kept


def _old_files(folder: Path) -> Iterator[Path]:
    for day in sorted(folder.glob("day=*")):
        if day.is_dir():
            yield from visible_files(day)


@dataclass
class MigrationResult:
    """What one conversion did."""

    rows: dict[str, int] = field(default_factory=dict)
    """Rows written into each Delta table."""
    files: int = 0
    """Old data files read."""
    kept_at: Path | None = None
    """Where the old files are kept."""
    already: bool = False
    """The store was already in this format: nothing was done."""

    def summary(self) -> str:
        """One line for ``synctel migrate``."""
        if self.already:
            return f"the store is already in the Delta format (format {FORMAT}): nothing to do"
        rows = ", ".join(f"{name}: {n}" for name, n in self.rows.items())
        return (
            f"converted {self.files} file(s) into Delta tables ({rows}); the old files are "
            f"kept at {self.kept_at}: delete that folder once you are satisfied"
        )


def migrate(root: Path, progress: Callable[[str], None] = lambda _: None) -> MigrationResult:
    """Convert the old-layout store at ``root``; StoreLayoutError if it is not one."""
    from ingest.store import Store

    root = Path(root).expanduser().resolve()
    old = root / OLD_FOLDER
    if (root / SETTINGS_FILE).exists() and read_settings(root).format == FORMAT:
        return MigrationResult(already=True)
    if not is_old_layout(root) and not (old.is_dir() and not (root / SETTINGS_FILE).exists()):
        raise StoreLayoutError(root, "it is not a store of the old layout; nothing to convert")
    old.mkdir(exist_ok=True)
    for spec in TABLES:
        source, kept = root / spec.lake, old / spec.lake
        if source.is_dir() and not kept.exists():
            source.rename(kept)
        elif source.is_dir():  # a killed conversion's partial Delta table: start it again
            shutil.rmtree(source)
    for leftover in (root / "catalog.duckdb",):
        if leftover.exists():
            leftover.rename(old / leftover.name)
    store = Store.open(root, auto_compact_every=0)
    result = MigrationResult(kept_at=old)
    for spec in TABLES:
        written = 0
        for path in _old_files(old / spec.lake):
            progress(f"{spec.name}: {path.parent.name}/{path.name}")
            written += store.append(spec, pq.read_table(path))
            result.files += 1
        result.rows[spec.name] = written
    store.compact()
    return result
