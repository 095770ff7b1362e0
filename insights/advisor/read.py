"""Open a store for the advisor: the evidence window's events, read once into memory.

Like the dashboard, the advisor reads through :mod:`ingest.reader`: the newest snapshot's files
of the day partitions the window can touch. It then keeps just the events and columns the
advice queries read, in an in-memory table named ``sync_events``: the seven queries share one
read of the files.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Final

import duckdb

from ingest.reader import event_files, file_list, newest_time
from ingest.store import Store
from ingest.tables import EVENTS, duckdb_types
from insights.advisor.thresholds import WINDOW_DAYS
from vocabulary.contract import Event

COLUMNS: Final = (
    "ts",
    "event",
    "sync_id",
    "profile",
    "table_name",
    "result",
    "records_down",
    "records_up",
    "records_removed",
    "bytes_down",
    "bytes_up",
    "interval_minutes",
    "conflict_winner",
    "record_id",
    "skip_reason",
    "device_id",
    "user_id",
    "network_type",
    "attributes",
)
"""The ``sync_events`` columns the advice queries read."""
EVENTS_READ: Final = (
    Event.STARTED,
    Event.TABLE,
    Event.CONFLICT,
    Event.SKIPPED,
    Event.RECORD_NOT_FOUND,
)
"""The events the advice queries read."""


def open_events(store: Path, days: int = WINDOW_DAYS) -> duckdb.DuckDBPyConnection:
    """An in-memory connection whose ``sync_events`` table holds the store's events of the
    last ``days`` days of data (those the advice reads). ``StoreNotFoundError`` when ``store``
    is not a store. Close it."""
    Store.open(store, create=False)  # StoreNotFoundError for a folder that is not a store
    con = duckdb.connect(":memory:")
    try:
        con.execute("SET enable_progress_bar = false")
        types = dict(duckdb_types()[EVENTS.name])
        con.execute(
            "CREATE TABLE sync_events (" + ", ".join(f'"{c}" {types[c]}' for c in COLUMNS) + ")"
        )
        newest = newest_time(Path(store))
        if isinstance(newest, datetime):
            start = newest - timedelta(days=days)
            files = file_list(event_files(Path(store), start.date(), None))
            events = ", ".join(f"'{e}'" for e in EVENTS_READ)  # catalog constants
            casts = ", ".join(f'CAST("{c}" AS {types[c]})' for c in COLUMNS)
            con.execute(
                f"INSERT INTO sync_events SELECT {casts} "
                f"FROM read_parquet({files}, union_by_name = true) "
                f"WHERE ts >= ? AND event IN ({events})",
                [start],
            )
    except BaseException:
        con.close()
        raise
    return con
