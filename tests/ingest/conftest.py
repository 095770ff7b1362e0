"""Fixtures for the store tests: fresh stores and batches of sync_events rows."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import pyarrow as pa
import pytest

from ingest.store import Store

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


@pytest.fixture
def store(tmp_path: Path) -> Store:
    """A fresh store with auto-compaction off and no grace period."""
    return Store.open(tmp_path / "store", auto_compact_every=0, grace_seconds=0)


def count(store: Store, sql: str = "SELECT count(*) FROM sync_events") -> int:
    """One integer from a read-only connection to the store's catalog."""
    con = store.connect()
    try:
        row = con.execute(sql).fetchone()
    finally:
        con.close()
    assert row is not None
    return int(row[0])
