"""Helpers for the store tests: batches of sync_events rows and log records, counts, and a
disk that can be made full."""

from __future__ import annotations

import datetime as dt
import errno
import uuid

import pyarrow as pa
from deltalake import DeltaTable
from opentelemetry.sdk._logs import LoggerProvider
from opentelemetry.sdk._logs.export import InMemoryLogRecordExporter, SimpleLogRecordProcessor

from ingest.delta_table import append_batch
from ingest.store import Store
from vocabulary.contract import Attr, Event

DAY = dt.datetime(2026, 5, 1, 12, 0, tzinfo=dt.UTC)


def events(n: int, *, start: int = 0, day: dt.datetime = DAY, prefix: str = "e") -> pa.Table:
    """``n`` sync.started rows with ids ``{prefix}{start}…``, one second apart on ``day``."""
    return pa.table(
        {
            "event_id": [f"{prefix}{i}" for i in range(start, start + n)],
            "ts": [day + dt.timedelta(seconds=i) for i in range(start, start + n)],
            "event": ["sync.started"] * n,
            "sync_id": [str(uuid.uuid5(uuid.NAMESPACE_URL, str(i))) for i in range(n)],
            "attributes": ['{"sync.tables_due": 3}'] * n,
        }
    )


def count(store: Store, sql: str = "SELECT count(*) FROM sync_events") -> int:
    """One integer from a read-only connection to the store's catalog."""
    con = store.connect()
    try:
        row = con.execute(sql).fetchone()
    finally:
        con.close()
    assert row is not None
    return int(row[0])


def records(n: int, start: int = 0) -> list:
    memory = InMemoryLogRecordExporter()
    provider = LoggerProvider()
    provider.add_log_record_processor(SimpleLogRecordProcessor(memory))
    logger = provider.get_logger("t")
    for i in range(start, start + n):
        logger.emit(event_name=Event.STARTED, attributes={Attr.SYNC_ID: f"s{i}"})
    return list(memory.get_finished_logs())


class Disk:
    """An injectable commit (``Store.open(append=...)``): raises ENOSPC while ``full``."""

    def __init__(self) -> None:
        self.full = False

    def append(self, table: DeltaTable, rows: pa.Table) -> None:
        if self.full:
            raise OSError(errno.ENOSPC, "No space left on device")
        append_batch(table, rows)
