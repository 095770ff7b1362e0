"""One table of the store as a Delta Lake table, written and maintained with delta-rs.

Layout of one table (``<store>/<folder>/``)::

    _delta_log/                 the Delta transaction log: JSON commits and Parquet checkpoints
    _synctel/schema.parquet     zero rows, every column: DuckDB's glob always matches a file
    day=YYYY-MM-DD/part-*.parquet   data files, partitioned by the UTC day of the time column

A commit is one atomic write of the log, so a reader of a snapshot never sees a half-written
file, a row twice (an OPTIMIZE removes the small files and adds the merged one in one commit)
or a missed row. Files a commit removes stay on disk until :meth:`DeltaStoreTable.vacuum`
deletes those removed longer ago than the retention window, so a reader that resolved an older
snapshot keeps reading whole files for that long.

Any engine that reads Delta (delta-rs, polars, DuckDB's ``delta`` extension, Spark, Fabric,
Azure Data Explorer) reads these tables. ``day`` is the only column not in ``sql/schema.sql``:
it is the partition column, derived from the time column on every write.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq
from deltalake import DeltaTable, WriterProperties, write_deltalake
from deltalake.exceptions import DeltaError, TableNotFoundError

from ingest.errors import CorruptTableError, LakeWriteError, SchemaMismatchError
from ingest.tables import TableSpec, arrow_schemas

PARTITION: Final = "day"
"""The partition column: the UTC day of the table's time column."""
LOG_DIR: Final = "_delta_log"
"""The Delta log's folder inside a table."""
SCHEMA_FILE: Final = "_synctel/schema.parquet"
"""A zero-row file with every column, inside the table folder (Delta ignores ``_`` folders)."""
CHECKPOINT_INTERVAL: Final = 20
"""A checkpoint of the log is written every this many commits (readers replay fewer JSON)."""
LOG_RETENTION: Final = "interval 1 hours"
"""JSON commits older than this and behind a checkpoint are deleted at the next checkpoint."""
RETENTION_HOURS: Final = 1
"""Vacuum deletes files removed from the table longer ago than this (the readers' window)."""
TABLE_CONFIGURATION: Final = {
    "delta.checkpointInterval": str(CHECKPOINT_INTERVAL),
    "delta.logRetentionDuration": LOG_RETENTION,
    "delta.enableExpiredLogCleanup": "true",
    "delta.deletedFileRetentionDuration": f"interval {RETENTION_HOURS} hours",
}
"""Table properties set when a table is created."""

Append = Callable[[DeltaTable, pa.Table], None]
"""Commits one batch to a table (the store injects it; tests may inject failures)."""


WRITER: Final = WriterProperties(compression="ZSTD")
"""Parquet settings of every data file: zstd, as the OPTIMIZE output."""


def append_batch(table: DeltaTable, rows: pa.Table) -> None:
    """Append ``rows`` (with their ``day`` column) to ``table`` in one commit."""
    write_deltalake(table, rows, mode="append", writer_properties=WRITER)


def conform(spec: TableSpec, batch: pa.Table) -> pa.Table:
    """Reorder, fill and cast ``batch`` to the table's schema; time zones become naive UTC.

    Missing columns become NULL; an unknown column, a value that cannot be cast, or a row
    without a time raises :class:`~ingest.errors.SchemaMismatchError`.
    """
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
    rows = pa.Table.from_arrays(columns, schema=schema)
    missing = rows.column(spec.time_column).null_count
    if missing:
        raise SchemaMismatchError(
            spec.name,
            f"{missing} row(s) have no {spec.time_column}; "
            "fill it or send those rows to the quarantine",
        )
    return rows


def with_day(spec: TableSpec, rows: pa.Table) -> pa.Table:
    """``rows`` plus the ``day`` partition column (the UTC day of the time column)."""
    day = rows.column(spec.time_column).cast(pa.date32())
    return rows.append_column(pa.field(PARTITION, pa.date32()), day)


def delta_schema(spec: TableSpec) -> pa.Schema:
    """The Arrow schema of the Delta table: ``sql/schema.sql``'s columns, then ``day``."""
    return arrow_schemas()[spec.name].append(pa.field(PARTITION, pa.date32()))


@dataclass(frozen=True)
class Compaction:
    """One table's OPTIMIZE."""

    table: str
    """The table name."""
    files_removed: int
    """Small files merged away."""
    files_added: int
    """Merged files written."""
    partitions: int
    """Day partitions optimized."""


class DeltaStoreTable:
    """One store table as a Delta table. Writers hold the store's lock around every call
    that commits; reading a snapshot (:meth:`files`) needs no lock."""

    def __init__(self, root: Path, spec: TableSpec, append: Append = append_batch) -> None:
        self.spec = spec
        """What the table holds."""
        self.path = root / spec.lake
        """The table's folder."""
        self._append = append
        self._table: DeltaTable | None = None

    @property
    def schema_file(self) -> Path:
        """The zero-row file with every column."""
        return self.path / SCHEMA_FILE

    def exists(self) -> bool:
        """True when the folder holds a Delta log."""
        return (self.path / LOG_DIR).is_dir()

    def ensure(self) -> None:
        """Create the table (and its schema file) when missing; check the log when present."""
        if self.exists():
            self.table()
        else:
            self._table = DeltaTable.create(
                str(self.path),
                schema=delta_schema(self.spec),
                partition_by=[PARTITION],
                configuration=TABLE_CONFIGURATION,
                name=self.spec.name,
                description=self.spec.description,
            )
            self._table.create_checkpoint()
        if not self.schema_file.exists():
            self.schema_file.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.schema_file.with_name(".schema.parquet.tmp")
            pq.write_table(arrow_schemas()[self.spec.name].empty_table(), tmp)
            tmp.replace(self.schema_file)

    def table(self, *, refresh: bool = True) -> DeltaTable:
        """The table at its newest version (the log is read again), or with ``refresh`` off
        the snapshot this object last loaded or committed (loaded when it has none).

        A writer holding the store's lock reads the log once and then uses ``refresh=False``:
        no other writer can commit meanwhile, and its own commits advance this object."""
        try:
            if self._table is None:
                self._table = DeltaTable(str(self.path))
            elif refresh:
                self._table.update_incremental()
        except TableNotFoundError as exc:
            raise CorruptTableError(self.spec.name, self.path, "it has no Delta log") from exc
        except (DeltaError, OSError, ValueError) as exc:
            self._table = None
            raise CorruptTableError(self.spec.name, self.path, str(exc)) from exc
        return self._table

    def append(self, rows: pa.Table, *, refresh: bool = True) -> None:
        """Commit ``rows`` (already conformed) in one transaction; afterwards this object holds
        the snapshot of that commit (``refresh``: read the log first, see :meth:`table`)."""
        table = self.table(refresh=refresh)
        version = table.version()
        try:
            self._append(table, with_day(self.spec, rows))
        except OSError as exc:
            raise LakeWriteError(self.path, exc) from exc
        except DeltaError as exc:
            raise LakeWriteError(self.path, OSError(str(exc).splitlines()[0])) from exc
        if table.version() == version:  # a commit that did not advance the object: reload
            self.table()

    def files(
        self, first: dt.date | None = None, last: dt.date | None = None, *, refresh: bool = True
    ) -> list[str]:
        """The data files of the newest snapshot whose day is within ``first``..``last``
        (``refresh``: see :meth:`table`)."""
        filters: list[tuple[str, str, Any]] = []
        if first is not None:
            filters.append((PARTITION, ">=", first.isoformat()))
        if last is not None:
            filters.append((PARTITION, "<=", last.isoformat()))
        return self.table(refresh=refresh).file_uris(file_pruning_predicate=filters or None)

    def file_count(self, day: dt.date, *, refresh: bool = True) -> int:
        """How many data files one day partition has in the newest snapshot (``refresh``:
        see :meth:`table`)."""
        return len(self.files(day, day, refresh=refresh))

    def read(
        self, columns: Sequence[str], days: Sequence[dt.date], *, refresh: bool = True
    ) -> pa.Table:
        """``columns`` of every row of the given day partitions (newest snapshot; ``refresh``:
        see :meth:`table`)."""
        wanted = sorted({day.isoformat() for day in days})
        files = (
            self.table(refresh=refresh).file_uris(
                file_pruning_predicate=[(PARTITION, "in", wanted)]
            )
            if wanted
            else []
        )
        schema = arrow_schemas()[self.spec.name]
        if not files:
            return schema.empty_table().select(list(columns))
        # one scan over every file: ~2.4x faster than a read_table per small file
        return ds.dataset(files, schema=schema, format="parquet").to_table(columns=list(columns))

    def compact(self, day: dt.date | None = None, *, zorder: Sequence[str] = ()) -> Compaction:
        """OPTIMIZE one day (or every day): merge small files in one commit."""
        filters = [(PARTITION, "=", day.isoformat())] if day is not None else None
        optimizer = self.table().optimize
        try:
            if zorder:
                metrics = optimizer.z_order(
                    list(zorder), partition_filters=filters, writer_properties=WRITER
                )
            else:
                metrics = optimizer.compact(partition_filters=filters, writer_properties=WRITER)
        except OSError as exc:
            raise LakeWriteError(self.path, exc) from exc
        return Compaction(
            self.spec.name,
            int(metrics.get("numFilesRemoved", 0)),
            int(metrics.get("numFilesAdded", 0)),
            int(metrics.get("partitionsOptimized", 0)),
        )

    def delete_before(self, day: dt.date) -> int:
        """Delete every row of the days before ``day`` (whole files); returns rows deleted."""
        metrics = self.table().delete(f"{PARTITION} < '{day.isoformat()}'")
        return int(metrics.get("num_deleted_rows", 0) or 0)

    def vacuum(self, retention_hours: float = RETENTION_HOURS) -> list[str]:
        """Delete files removed longer ago than ``retention_hours``, and files no commit
        references (a killed writer's) that are as old; returns the files deleted."""
        table = self.table()
        removed: list[str] = table.vacuum(
            retention_hours=int(retention_hours),
            dry_run=False,
            enforce_retention_duration=False,
            full=True,
        )
        return removed

    def checkpoint(self) -> None:
        """Write a checkpoint of the log at the newest version."""
        self.table().create_checkpoint()

    def days(self) -> list[dt.date]:
        """Every day partition that holds data in the newest snapshot."""
        actions = pa.table(self.table().get_add_actions(flatten=True))
        column = f"partition.{PARTITION}"
        if actions.num_rows == 0 or column not in actions.column_names:
            return []
        values = pc.unique(actions.column(column).cast(pa.date32())).to_pylist()
        return sorted(v for v in values if v is not None)
