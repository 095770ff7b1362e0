"""Open a store for the advisor: the evidence window's events, read once into memory.

The catalog's ``sync_events`` resolves file visibility row by row, which costs seconds at
millions of events; like the dashboard (:mod:`ingest.reader`), the advisor lists the
lake's visible files with the lake's own rule and reads only the day folders the window can
touch. It then keeps just the events and columns the advice queries read, in an in-memory
table named ``sync_events``: the seven queries share one read of the files.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Final

import duckdb

from ingest.lake import scan_partition
from ingest.reader import DAY_PREFIX, event_files
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


def _quoted(paths: list[Path]) -> str:
    return "[" + ", ".join("'" + str(p).replace("'", "''") + "'" for p in paths) + "]"


def _newest_ts(con: duckdb.DuckDBPyConnection, store: Path) -> object:
    """The newest event's ts, from the newest day folder that has one (None: no events)."""
    lake = store / EVENTS.lake
    try:
        folders = sorted((p for p in lake.iterdir() if p.name.startswith(DAY_PREFIX)), reverse=True)
    except OSError:
        return None
    for folder in folders:
        files = scan_partition(folder).visible
        if files:
            found = con.execute(f"SELECT max(ts) FROM read_parquet({_quoted(files)})").fetchone()
            if found is not None and found[0] is not None:
                return found[0]
    return None


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
        newest = _newest_ts(con, Path(store))
        if isinstance(newest, datetime):
            start = newest - timedelta(days=days)
            files = _quoted(event_files(Path(store), start.date(), None))
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
