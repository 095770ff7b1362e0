"""The Parquet lake of one table: immutable files, Hive-partitioned by UTC day.

Layout of one lake (``<store>/<lake>/``)::

    _schema/schema.parquet              zero rows, every column: the glob always matches
    day=2026-05-01/000000000001-000000000001.parquet   one append (sequence 1)
    day=2026-05-01/000000000002-000000000002.parquet   one append (sequence 2)
    day=2026-05-01/000000000001-000000000002.parquet   compaction of 1..2

A data file is named by the range ``lo-hi`` of append sequence numbers it holds; a compaction's
output may also carry its *activation time* ``-a<epoch ms>``. Readers (the catalog views, see
:mod:`ingest.catalog`) apply this rule to the files they list:

- a file is *live* once its activation time has passed at the start of the reader's query
  (a plain ``lo-hi`` name is live at once);
- within a partition, K is the largest ``hi`` of the live files whose ``lo`` is 1 (the newest
  live compaction, or the first append); a live file is *visible* when it is that ``1-K`` file
  or when ``lo > K``.

Compaction therefore publishes its merged file with ONE atomic rename, named to go live a
moment later (``activation_delay_s``, chosen after the file is written, so the rename always
precedes it). Every query that starts after that moment lists the file (it was published
before the query began) and sees the merged state; every query that started earlier ignores the
file and sees the state before. So a reader may list the files more than once in one query (the
catalog view lists names once to decide visibility and once more to read rows) and still never
sees a row twice or misses one. Merged-away files stay on disk for a grace period (counted from
publication, and never before activation) so a reader that listed them keeps reading whole
files. Writers (under the lock) treat a merged file as current as soon as it is published.

Every file is written to a hidden ``.*.tmp`` name, fsynced and then ``os.replace``d into place:
a reader never sees a half-written file. Writers serialise on ``<store>/.writer.lock`` (flock),
which readers never touch.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import re
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ingest.errors import LakeWriteError, SchemaMismatchError
from ingest.tables import TableSpec, arrow_schemas

SCHEMA_DIR: Final = "_schema"
"""Sub-folder of a lake holding the zero-row schema file."""
TMP_SUFFIX: Final = ".tmp"
"""Suffix of files being written; never matched by the ``*.parquet`` glob."""
log = logging.getLogger(__name__)
_NAME = re.compile(r"^(\d+)-(\d+)(?:-a(\d+))?\.parquet$")

WriteFile = Callable[[pa.Table, Path], None]
"""Writes one Arrow table to a path (the store injects it; tests may inject failures)."""


ROW_GROUP_ROWS: Final = 131_072
"""Rows per Parquet row group: small enough for statistics to skip parts of a day's file."""


def write_parquet_file(table: pa.Table, path: Path) -> None:
    """Write ``table`` to ``path`` as Parquet (zstd) and fsync it."""
    with open(path, "wb") as fh:
        pq.write_table(table, fh, compression="zstd", row_group_size=ROW_GROUP_ROWS)
        fh.flush()
        os.fsync(fh.fileno())


def file_range(path: Path) -> tuple[int, int] | None:
    """``(lo, hi)`` of a data file's name, or None for anything else."""
    m = _NAME.match(path.name)
    return (int(m.group(1)), int(m.group(2))) if m else None


def activation_ms(path: Path) -> int:
    """When a data file goes live for readers, in epoch milliseconds (0: at once)."""
    m = _NAME.match(path.name)
    return int(m.group(3)) if m and m.group(3) else 0


def range_name(lo: int, hi: int, active_ms: int | None = None) -> str:
    """The file name of the sequence range ``lo..hi`` (live from ``active_ms``, if given)."""
    suffix = "" if active_ms is None else f"-a{active_ms}"
    return f"{lo:012d}-{hi:012d}{suffix}.parquet"


@dataclass(frozen=True)
class PartitionFiles:
    """The data files of one partition folder, split by the visibility rule."""

    visible: list[Path]
    """Files a reader sees now, oldest first."""
    superseded: list[Path]
    """Files a compaction merged away; deleted after the grace period."""
    compacted: Path | None
    """The newest ``1-K`` file (the one hiding ``superseded``), if any."""
    max_seq: int
    """The largest sequence number used in this partition (0 if none)."""


def scan_partition(folder: Path) -> PartitionFiles:
    """Apply the visibility rule to one partition folder."""
    ranges: list[tuple[int, int, Path]] = []
    for entry in os.scandir(folder):
        r = file_range(Path(entry.path))
        if r is not None:
            ranges.append((r[0], r[1], Path(entry.path)))
    ranges.sort()
    k = max((hi for lo, hi, _ in ranges if lo == 1), default=0)
    visible: list[Path] = []
    superseded: list[Path] = []
    compacted: Path | None = None
    for lo, hi, path in ranges:
        if lo == 1 and hi == k:
            visible.append(path)
            compacted = path if hi > 1 else None
        elif lo > k:
            visible.append(path)
        else:
            superseded.append(path)
    visible.sort(key=lambda p: file_range(p) or (0, 0))
    return PartitionFiles(visible, superseded, compacted, max((r[1] for r in ranges), default=0))


def conform(spec: TableSpec, batch: pa.Table) -> pa.Table:
    """Reorder, fill and cast ``batch`` to the table's schema; time zones become naive UTC."""
    schema = arrow_schemas()[spec.name]
    extra = sorted(set(batch.column_names) - set(schema.names))
    if extra:
        raise SchemaMismatchError(spec.name, f"unknown column(s) {', '.join(extra)}")
    columns: list[pa.Array | pa.ChunkedArray] = []
    for field in schema:
        if field.name not in batch.column_names:
            columns.append(pa.nulls(batch.num_rows, field.type))
            continue
        col = batch.column(field.name)
        try:
            if pa.types.is_timestamp(col.type) and col.type.tz is not None:
                col = pc.cast(col, pa.timestamp("us", tz="UTC")).cast(pa.timestamp("us"))
            columns.append(col.cast(field.type))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
            raise SchemaMismatchError(
                spec.name, f"column {field.name} ({col.type}) is not {field.type}: {exc}"
            ) from exc
    return pa.Table.from_arrays(columns, schema=schema)


def split_by_day(spec: TableSpec, table: pa.Table) -> Iterator[tuple[str, pa.Table]]:
    """``(YYYY-MM-DD, rows)`` for each UTC day of the table's time column."""
    ts = table.column(spec.time_column)
    if ts.null_count:
        raise SchemaMismatchError(
            spec.name,
            f"{ts.null_count} row(s) have no {spec.time_column}; "
            "fill it or send those rows to the quarantine",
        )
    days = pc.strftime(ts, format="%Y-%m-%d")
    for day in pc.unique(days).to_pylist():
        yield str(day), table.filter(pc.equal(days, day))


class Lake:
    """One table's Parquet lake under a store folder (writers hold the store's lock)."""

    def __init__(self, root: Path, spec: TableSpec, write_file: WriteFile) -> None:
        self.spec = spec
        """The table this lake holds."""
        self.path = root / spec.lake
        """Absolute path of the lake folder."""
        self._write_file = write_file

    @property
    def glob(self) -> str:
        """The absolute glob matching every Parquet file of this lake (schema file included)."""
        return f"{self.path.as_posix()}/*/*.parquet"

    def partitions(self) -> list[Path]:
        """Every ``day=…`` folder, oldest first."""
        if not self.path.is_dir():
            return []
        return sorted(p for p in self.path.iterdir() if p.name.startswith("day=") and p.is_dir())

    def ensure(self, *, rewrite_schema: bool = False) -> None:
        """Create the lake folder and its zero-row schema file (rewritten on schema change)."""
        schema_file = self.path / SCHEMA_DIR / "schema.parquet"
        if schema_file.exists() and not rewrite_schema:
            return
        schema_file.parent.mkdir(parents=True, exist_ok=True)
        self.publish(arrow_schemas()[self.spec.name].empty_table(), schema_file)

    def publish(self, table: pa.Table, final: Path) -> Path:
        """Write ``table`` to a hidden temp file, fsync it, and rename it to ``final``."""
        return self._publish(table, final.parent, final.name, lambda: final)

    def publish_merged(
        self, table: pa.Table, folder: Path, hi: int, activation_delay_s: float
    ) -> Path:
        """Publish a compaction of sequences ``1..hi`` in ``folder``, live for readers
        ``activation_delay_s`` after its rename (the time is read once the file is written)."""

        def name() -> Path:
            if activation_delay_s <= 0:
                return folder / range_name(1, hi)
            live = math.ceil((time.time() + activation_delay_s) * 1000)
            return folder / range_name(1, hi, active_ms=live)

        return self._publish(table, folder, range_name(1, hi), name)

    def _publish(self, table: pa.Table, folder: Path, stem: str, final: Callable[[], Path]) -> Path:
        tmp = folder / f".{stem}.{uuid.uuid4().hex[:8]}{TMP_SUFFIX}"
        target: Path | None = None
        try:
            self._write_file(table, tmp)
            target = final()
            os.replace(tmp, target)
        except OSError as exc:
            _unlink_quietly(tmp)
            raise LakeWriteError(target or folder / stem, exc) from exc
        try:
            _fsync_dir(folder)
        except OSError as exc:  # published already: raising would make the caller write twice
            log.warning("fsync of %s failed after publishing %s: %s", folder, target, exc)
        return target

    def append(self, batch: pa.Table) -> list[Path]:
        """Write a conformed batch, one new file per UTC day; returns the files written."""
        written: list[Path] = []
        for day, rows in split_by_day(self.spec, batch):
            folder = self.path / f"day={day}"
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise LakeWriteError(folder, exc) from exc
            seq = scan_partition(folder).max_seq + 1
            written.append(self.publish(rows, folder / range_name(seq, seq)))
        return written

    def remove_temp_files(self) -> int:
        """Delete temp files left by a killed writer (safe: the caller holds the lock)."""
        count = 0
        if self.path.is_dir():
            for tmp in self.path.glob(f"*/.*{TMP_SUFFIX}"):
                _unlink_quietly(tmp)
                count += 1
        return count

    def remove_superseded(self, grace_seconds: float, folders: Iterable[Path] | None = None) -> int:
        """Delete merged-away files whose compaction is older than the grace period and live
        (in ``folders``, default every partition); returns how many were deleted. A grace of
        0 protects no reader: a merged file not yet live goes live at once (renamed) and the
        files it merged are deleted."""
        count = 0
        now = time.time()
        for folder in self.partitions() if folders is None else folders:
            files = scan_partition(folder)
            if files.compacted is None or not files.superseded:
                continue
            if now - files.compacted.stat().st_mtime < grace_seconds:
                continue
            if activation_ms(files.compacted) > now * 1000:
                if grace_seconds > 0:
                    continue  # not live yet: readers still use the merged-away files
                self._go_live(files.compacted)  # no grace: live now, then delete
            for path in files.superseded:
                _unlink_quietly(path)
                count += 1
        return count

    def _go_live(self, merged: Path) -> None:
        """Rename a merged file to its plain ``1-K`` name: live for every query from now."""
        r = file_range(merged)
        if r is None:
            return
        os.replace(merged, merged.with_name(range_name(*r)))
        _fsync_dir(merged.parent)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _unlink_quietly(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
