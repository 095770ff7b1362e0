"""Helpers for the loader tests: the golden exports, store queries and complete rows."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ingest.store import Store
from ingest.tables import arrow_schemas

DATA = Path(__file__).parents[2] / "data" / "appinsights"
"""The golden Application Insights exports."""
SALT = "test-salt"
"""The id salt every test load uses (via $SYNCTEL_ID_SALT)."""
RAW_DEVICE = "A1B2C3D4-E5F6-4789-ABCD-0123456789EF"
"""The raw ``DeviceInfo_Id`` in the Field Service exports."""
RAW_USER = "5c1f2a9e-7d44-4b1e-9a43-1f6c2b7e8d10"
"""The raw ``user_Id`` (and ``user_AuthenticatedId``) in the Field Service exports."""
EVENT_COLUMNS = arrow_schemas()["sync_events"].names


@dataclass
class Run:
    """One ``synctel load`` run: exit code and output."""

    code: int
    out: str
    err: str


def query(store_dir: Path, sql: str) -> list[dict[str, Any]]:
    """Rows of ``sql`` on the store's catalog, as dicts."""
    con = Store.open(store_dir, create=False).connect()
    try:
        cur = con.execute(sql)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
    finally:
        con.close()


def events(store_dir: Path, where: str = "true") -> list[dict[str, Any]]:
    """Every ``sync_events`` row (all columns), ordered by ts then event."""
    return query(store_dir, f"SELECT * FROM sync_events WHERE {where} ORDER BY ts, event")


def full(**columns: Any) -> dict[str, Any]:
    """A complete ``sync_events`` row: the given columns, every other one NULL."""
    unknown = set(columns) - set(EVENT_COLUMNS)
    assert not unknown, unknown
    return {name: columns.get(name) for name in EVENT_COLUMNS}
