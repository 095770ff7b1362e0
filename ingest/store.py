"""The store: a folder of immutable Parquet lakes plus ``catalog.duckdb`` holding the views.

Layout::

    <store>/
      catalog.duckdb          views only; rebuilt atomically, never held open by a writer
      .writer.lock            writers (appends, compaction) flock it; readers never touch it
      events/ spans/ metrics/ quarantine/
        _schema/schema.parquet
        day=YYYY-MM-DD/<lo>-<hi>.parquet

See :mod:`ingest.lake` for the visibility rule that makes appends and compaction atomic for
readers, and :mod:`ingest.catalog` for the views.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Final

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ingest.catalog import CATALOG_FILE, build_catalog, catalog_is_current
from ingest.compaction import CompactionResult, compact_lake, compact_partition
from ingest.errors import StoreLayoutError, StoreNotFoundError
from ingest.lake import Lake, WriteFile, conform, scan_partition, write_parquet_file
from ingest.tables import EVENTS, METRICS, QUARANTINE, SPANS, TABLES, TableSpec

LOCK_FILE: Final = ".writer.lock"
"""The writers' lock file inside the store folder."""
DEFAULT_AUTO_COMPACT_EVERY: Final = 32
"""A partition is compacted by the writer once it has this many visible files."""
DEFAULT_GRACE_SECONDS: Final = 300.0
"""Merged-away files live this long after their compaction (readers may still be reading)."""
MAX_ACTIVATION_DELAY_S: Final = 2.0
"""A compaction goes live for readers this long after it is published (at most half the
grace period), so that no query can list the merged file in one listing and miss it in another
(see :mod:`ingest.lake`)."""


class Store:
    """A synctel store folder; safe to share between threads of one writer process.

    Several writer processes may use the same store: their writes serialise on a file lock.
    Readers use :meth:`connect` or plain ``duckdb.connect(catalog_path, read_only=True)``.
    """

    def __init__(
        self,
        path: Path,
        *,
        auto_compact_every: int,
        grace_seconds: float,
        write_file: WriteFile,
    ) -> None:
        self.path = path
        """Absolute path of the store folder."""
        self.auto_compact_every = auto_compact_every
        """Compact a partition after an append leaves it with this many files (0: never)."""
        self.grace_seconds = grace_seconds
        """How long merged-away files are kept for readers that listed them."""
        self._lakes = {t.name: Lake(path, t, write_file) for t in TABLES}
        self._thread_lock = threading.RLock()
        self._lock_depth = 0

    @classmethod
    def open(
        cls,
        path: Path | str,
        *,
        create: bool = True,
        auto_compact_every: int = DEFAULT_AUTO_COMPACT_EVERY,
        grace_seconds: float = DEFAULT_GRACE_SECONDS,
        write_file: WriteFile = write_parquet_file,
    ) -> Store:
        """Open (and with ``create``, make) the store at ``path``.

        Cleans up temp files a killed writer left, and rebuilds ``catalog.duckdb`` if it is
        missing, was built for other SQL, or the folder moved. Raises
        :class:`~ingest.errors.StoreNotFoundError` when there is no store and ``create`` is off.
        """
        root = Path(path).expanduser().resolve()
        if not create and not (root / CATALOG_FILE).exists():
            raise StoreNotFoundError(root)
        if root.exists() and not root.is_dir():
            raise StoreLayoutError(root, "it is a file, not a folder")
        store = cls(
            root,
            auto_compact_every=auto_compact_every,
            grace_seconds=grace_seconds,
            write_file=write_file,
        )
        if create or not catalog_is_current(store.catalog_path, root):
            store._prepare(create)
        return store

    @property
    def activation_delay_s(self) -> float:
        """How long after publication a compaction goes live for readers."""
        return min(MAX_ACTIVATION_DELAY_S, self.grace_seconds / 2)

    @property
    def catalog_path(self) -> Path:
        """Absolute path of ``catalog.duckdb``."""
        return self.path / CATALOG_FILE

    def lake(self, table: str) -> Lake:
        """The lake of a table name (``sync_events``, ``spans``, ``metric_points``, …)."""
        return self._lakes[table]

    def _prepare(self, create: bool) -> None:
        if create:
            self.path.mkdir(parents=True, exist_ok=True)
        with self._locked():
            rebuild = not catalog_is_current(self.catalog_path, self.path)
            for lake in self._lakes.values():
                lake.ensure(rewrite_schema=rebuild)
                lake.remove_temp_files()
            if rebuild:
                build_catalog(self.catalog_path, self.path, list(self._lakes.values()))

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """Hold the writers' lock: the thread lock, then (once per thread) the file lock."""
        with self._thread_lock:
            if self._lock_depth:
                self._lock_depth += 1
                try:
                    yield
                finally:
                    self._lock_depth -= 1
                return
            with open(self.path / LOCK_FILE, "a+b") as fh:
                fcntl.flock(fh, fcntl.LOCK_EX)
                self._lock_depth = 1
                try:
                    yield
                finally:
                    self._lock_depth = 0
                    fcntl.flock(fh, fcntl.LOCK_UN)

    # -- writing ---------------------------------------------------------------------------

    def append(self, spec: TableSpec, batch: pa.Table, *, skip_existing: bool = False) -> int:
        """Append rows to a table; returns the rows written (atomic per UTC day).

        With ``skip_existing``, rows whose key (``spec.key``) is already stored, or repeated
        earlier in the batch, are left out. Stored keys are looked up under the writers' lock
        in the files of the UTC days the batch touches and the day on either side (a row's key
        includes or derives from its time, so a repeat lands in the same day; the margin
        absorbs sources that round a time differently), so the cost follows the batch, not the
        store."""
        rows = conform(spec, batch)
        if rows.num_rows == 0:
            return 0
        lake = self._lakes[spec.name]
        with self._locked():
            if skip_existing and spec.key:
                rows = rows.filter(self._new_rows(spec, rows))
                if rows.num_rows == 0:
                    return 0
            written = lake.append(rows)
            if self.auto_compact_every > 1:
                folders = {p.parent for p in written}
                for folder in folders:
                    compact_partition(
                        lake, folder, self.auto_compact_every, self.activation_delay_s
                    )
                lake.remove_superseded(self.grace_seconds, folders)
        return int(rows.num_rows)

    def append_events(self, batch: pa.Table, *, skip_existing: bool = False) -> int:
        """Append ``sync_events`` rows (``skip_existing``: see :meth:`append`, by event_id)."""
        return self.append(EVENTS, batch, skip_existing=skip_existing)

    def _new_rows(self, spec: TableSpec, rows: pa.Table) -> pa.Array:
        """Mask of the rows to keep: no key, or a key neither stored nor seen earlier in rows."""
        keys = _keys(spec, rows)
        position = pa.array(range(len(keys)), pa.int64())
        firsts = (
            pa.table({"key": keys, "i": position})
            .filter(pc.is_valid(keys))
            .group_by("key", use_threads=False)
            .aggregate([("i", "min")])
            .column("i_min")
        )
        keep = pc.is_in(position, value_set=firsts)
        stored = self._stored_keys(spec, rows)
        if len(stored):
            keep = pc.and_(keep, pc.invert(pc.is_in(keys, value_set=stored)))
        return pc.or_(keep, pc.is_null(keys))

    def _stored_keys(self, spec: TableSpec, rows: pa.Table) -> pa.Array:
        """Every stored key in the visible files of the rows' days and their neighbours
        (the caller holds the lock, so the visible set cannot change)."""
        ts = rows.column(spec.time_column).drop_null()
        if len(ts) == 0:
            return pa.array([], pa.string())
        days = {
            day + dt.timedelta(days=shift)
            for day in pc.unique(ts.cast(pa.date32())).to_pylist()
            for shift in (-1, 0, 1)
        }
        lake = self._lakes[spec.name]
        found: list[pa.Array] = []
        for day in sorted(days):
            folder = lake.path / f"day={day.isoformat()}"
            if folder.is_dir():
                for path in scan_partition(folder).visible:
                    found.append(_keys(spec, pq.read_table(path, columns=list(spec.key))))
        if not found:
            return pa.array([], pa.string())
        return pa.concat_arrays(found)

    def append_spans(self, batch: pa.Table, *, skip_existing: bool = False) -> int:
        """Append ``spans`` rows (``skip_existing``: by trace and span id); rows written."""
        return self.append(SPANS, batch, skip_existing=skip_existing)

    def append_metrics(self, batch: pa.Table, *, skip_existing: bool = False) -> int:
        """Append ``metric_points`` rows (``skip_existing``: by name, time, attributes and
        service); returns the rows written."""
        return self.append(METRICS, batch, skip_existing=skip_existing)

    def append_quarantine(self, batch: pa.Table) -> int:
        """Append ``quarantine`` rows (unreadable input, with its reason); returns rows written."""
        return self.append(QUARANTINE, batch)

    def compact(self, min_files: int = 2) -> CompactionResult:
        """Merge every partition with at least ``min_files`` visible files, and delete
        merged-away files whose grace period has passed."""
        with self._locked():
            merged = []
            removed = 0
            for lake in self._lakes.values():
                merged.extend(compact_lake(lake, min_files, self.activation_delay_s))
                removed += lake.remove_superseded(self.grace_seconds)
        return CompactionResult(merged, removed)

    # -- reading ---------------------------------------------------------------------------

    def connect(self) -> duckdb.DuckDBPyConnection:
        """A read-only DuckDB connection to ``catalog.duckdb`` (close it when done)."""
        return duckdb.connect(str(self.catalog_path), read_only=True)

    def existing_event_ids(self, ids: Iterable[str]) -> set[str]:
        """The subset of ``ids`` already present in ``sync_events``."""
        wanted = list(dict.fromkeys(ids))
        if not wanted:
            return set()
        con = self.connect()
        try:
            rows = con.execute(
                "SELECT DISTINCT event_id FROM sync_events WHERE event_id IN (SELECT unnest(?))",
                [wanted],
            ).fetchall()
        finally:
            con.close()
        return {str(r[0]) for r in rows}


def _keys(spec: TableSpec, rows: pa.Table) -> pa.Array:
    """Each row's key as one string (NULL when its first key column is NULL)."""
    first, *rest = (rows.column(c).combine_chunks().cast(pa.string()) for c in spec.key)
    if not rest:
        return first
    # \x1f separates the parts; a NULL part other than the first is written as \x00
    parts = [pc.fill_null(part, "\x00") for part in rest]
    return pc.binary_join_element_wise(first, *parts, "\x1f")
