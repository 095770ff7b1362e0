"""The store: a folder of Delta Lake tables plus ``catalog.duckdb`` holding the views.

Layout::

    <store>/
      store.json              the store's format and settings (retention)
      catalog.duckdb          views only; rebuilt atomically, never held open by a writer
      .writer.lock            writers (appends, compaction, retention) flock it
      events/ spans/ metrics/ quarantine/     one Delta table each (see :mod:`ingest.delta_table`)

Writers serialise on the lock, so two processes (``synctel serve`` while ``synctel load``
runs) both commit and lose nothing, and a key check before a commit sees every earlier commit.
Readers never take the lock: they read a snapshot of the Delta log (:mod:`ingest.reader`, or
the views of :mod:`ingest.catalog`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import logging
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from ingest.catalog import CATALOG_FILE, build_catalog, catalog_is_current
from ingest.delta_table import (
    RETENTION_HOURS,
    Append,
    Compaction,
    DeltaStoreTable,
    append_batch,
    conform,
)
from ingest.errors import IngestError, StoreLayoutError, StoreNotFoundError
from ingest.settings import StoreSettings, check_layout, read_settings, write_settings
from ingest.tables import EVENTS, METRICS, QUARANTINE, SPANS, TABLES, TableSpec

_log = logging.getLogger(__name__)

LOCK_FILE: Final = ".writer.lock"
"""The writers' lock file inside the store folder."""
DEFAULT_AUTO_COMPACT_EVERY: Final = 32
"""A day partition is optimized by the writer once it has this many files."""


@dataclass(frozen=True)
class CompactionResult:
    """What one ``Store.compact`` call did."""

    tables: list[Compaction] = field(default_factory=list)
    """One OPTIMIZE per table."""
    removed: int = 0
    """Files vacuum deleted (removed longer ago than the retention window)."""

    def summary(self) -> str:
        """One line for ``synctel compact``."""
        merged = [t for t in self.tables if t.files_removed]
        if not merged:
            return f"nothing to compact; {self.removed} old file(s) deleted"
        parts = ", ".join(
            f"{t.table}: {t.files_removed} files into {t.files_added} ({t.partitions} day(s))"
            for t in merged
        )
        return f"compacted {parts}; {self.removed} old file(s) deleted"


@dataclass(frozen=True)
class RetentionResult:
    """What one ``Store.apply_retention`` call did."""

    before: dt.date
    """Every day before this one was deleted."""
    rows: dict[str, int]
    """Rows deleted, by table."""
    files_deleted: int
    """Files vacuum deleted from disk."""

    def summary(self) -> str:
        """One line for ``synctel retention``."""
        rows = ", ".join(f"{name}: {n}" for name, n in self.rows.items() if n) or "no rows"
        return (
            f"deleted days before {self.before.isoformat()} ({rows}); "
            f"{self.files_deleted} file(s) removed from disk"
        )


class Store:
    """A synctel store folder; safe to share between threads of one writer process.

    Several writer processes may use the same store: their commits serialise on a file lock.
    Readers use :mod:`ingest.reader`, :meth:`connect`, or plain
    ``duckdb.connect(catalog_path, read_only=True)``.
    """

    def __init__(self, path: Path, *, auto_compact_every: int, append: Append) -> None:
        self.path = path
        """Absolute path of the store folder."""
        self.auto_compact_every = auto_compact_every
        """Optimize a day partition once an append leaves it with this many files (0: never)."""
        self._tables = {t.name: DeltaStoreTable(path, t, append) for t in TABLES}
        self._thread_lock = threading.RLock()
        self._lock_depth = 0

    @classmethod
    def open(
        cls,
        path: Path | str,
        *,
        create: bool = True,
        auto_compact_every: int = DEFAULT_AUTO_COMPACT_EVERY,
        append: Append = append_batch,
    ) -> Store:
        """Open (and with ``create``, make) the store at ``path``.

        Rebuilds ``catalog.duckdb`` if it is missing, was built for other SQL, or the folder
        moved. Raises :class:`~ingest.errors.StoreNotFoundError` when there is no store and
        ``create`` is off, and :class:`~ingest.errors.StoreLayoutError` for a folder that is
        not a store, a store of the old layout (``synctel migrate`` converts it) or of a newer
        format.
        """
        root = Path(path).expanduser().resolve()
        if root.exists() and not root.is_dir():
            raise StoreLayoutError(root, "it is a file, not a folder")
        check_layout(root, create=create)
        if not create and not (root / CATALOG_FILE).exists():
            raise StoreNotFoundError(root)
        store = cls(root, auto_compact_every=auto_compact_every, append=append)
        if create or not catalog_is_current(store.catalog_path, root):
            store._prepare(create)
        return store

    @property
    def catalog_path(self) -> Path:
        """Absolute path of ``catalog.duckdb``."""
        return self.path / CATALOG_FILE

    @property
    def settings(self) -> StoreSettings:
        """The store's settings (``store.json``)."""
        return read_settings(self.path)

    def table(self, name: str) -> DeltaStoreTable:
        """The Delta table of a table name (``sync_events``, ``spans``, …)."""
        return self._tables[name]

    def _prepare(self, create: bool) -> None:
        if create:
            self.path.mkdir(parents=True, exist_ok=True)
        with self._locked():
            if create and not (self.path / "store.json").exists():
                write_settings(self.path, StoreSettings())
            for table in self._tables.values():
                table.ensure()
            if not catalog_is_current(self.catalog_path, self.path):
                build_catalog(self.catalog_path, self.path, list(self._tables.values()))

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
        """Append rows to a table in one commit; returns the rows written.

        With ``skip_existing``, rows whose key (``spec.key``) is already stored, or repeated
        earlier in the batch, are left out. Stored keys are looked up under the writers' lock
        in the UTC days the batch touches and the day on either side (a row's key includes or
        derives from its time, so a repeat lands in the same day; the margin absorbs sources
        that round a time differently), so the cost follows the batch, not the store."""
        rows = conform(spec, batch)
        if rows.num_rows == 0:
            return 0
        table = self._tables[spec.name]
        with self._locked():
            table.table()  # read the log once: no other writer commits while the lock is held
            if skip_existing and spec.key:
                rows = rows.filter(self._new_rows(spec, rows))
                if rows.num_rows == 0:
                    return 0
            table.append(rows, refresh=False)
            if self.auto_compact_every > 1:
                self._auto_compact(table, _days(spec, rows))
        return int(rows.num_rows)

    def _auto_compact(self, table: DeltaStoreTable, days: list[dt.date]) -> None:
        """OPTIMIZE the days an append left with too many files. The append is committed
        already: a failure here is logged, never raised, or the caller would retry rows that
        landed (the next append or ``synctel compact`` tries again)."""
        for day in days:
            try:
                if table.file_count(day, refresh=False) >= self.auto_compact_every:
                    table.compact(day)
            except (IngestError, OSError) as exc:
                _log.warning("auto-compaction of %s %s failed: %s", table.spec.name, day, exc)

    def append_events(self, batch: pa.Table, *, skip_existing: bool = False) -> int:
        """Append ``sync_events`` rows (``skip_existing``: see :meth:`append`, by event_id)."""
        return self.append(EVENTS, batch, skip_existing=skip_existing)

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

    def _new_rows(self, spec: TableSpec, rows: pa.Table) -> pa.Array:
        """Mask of the rows to keep: no key, or a key neither stored nor seen earlier in rows.
        Called under the writers' lock, the table's snapshot read at the lock's start."""
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
        days = {d + dt.timedelta(days=s) for d in _days(spec, rows) for s in (-1, 0, 1)}
        stored = _keys(spec, self._tables[spec.name].read(spec.key, sorted(days), refresh=False))
        if len(stored):
            keep = pc.and_(keep, pc.invert(pc.is_in(keys, value_set=stored)))
        return pc.or_(keep, pc.is_null(keys))

    # -- maintenance -----------------------------------------------------------------------

    def compact(self, *, zorder: bool = False) -> CompactionResult:
        """OPTIMIZE every table (z-ordered by its cluster columns and time with ``zorder``),
        checkpoint the logs, then vacuum files removed longer ago than the retention window."""
        with self._locked():
            done = [
                t.compact(zorder=(*t.spec.cluster_by, t.spec.time_column) if zorder else ())
                for t in self._tables.values()
            ]
            for table in self._tables.values():
                table.checkpoint()
            removed = self.vacuum()
        return CompactionResult(done, removed)

    def vacuum(self, retention_hours: float = RETENTION_HOURS) -> int:
        """Delete files removed from the tables (and files no commit references) longer ago
        than ``retention_hours``; returns how many. A reader that started less than that long
        ago keeps every file of its snapshot."""
        with self._locked():
            return sum(len(t.vacuum(retention_hours)) for t in self._tables.values())

    def apply_retention(
        self,
        keep_days: int,
        *,
        today: dt.date | None = None,
        retention_hours: float = RETENTION_HOURS,
    ) -> RetentionResult:
        """Delete every whole day older than ``keep_days`` days (counted back from ``today``,
        UTC), then vacuum (see :meth:`vacuum`)."""
        if keep_days < 1:
            raise ValueError("keep_days must be at least 1")
        today = today or dt.datetime.now(dt.UTC).date()
        before = today - dt.timedelta(days=keep_days - 1)
        with self._locked():
            rows = {name: t.delete_before(before) for name, t in self._tables.items()}
            files = self.vacuum(retention_hours)
        return RetentionResult(before, rows, files)

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


def _days(spec: TableSpec, rows: pa.Table) -> list[dt.date]:
    ts = rows.column(spec.time_column).drop_null()
    return sorted(pc.unique(ts.cast(pa.date32())).to_pylist()) if len(ts) else []


def _keys(spec: TableSpec, rows: pa.Table) -> pa.Array:
    """Each row's key as one string (NULL when its first key column is NULL)."""
    first, *rest = (rows.column(c).combine_chunks().cast(pa.string()) for c in spec.key)
    if not rest:
        return first
    # \x1f separates the parts; a NULL part other than the first is written as \x00
    parts = [pc.fill_null(part, "\x00") for part in rest]
    return pc.binary_join_element_wise(first, *parts, "\x1f")
