"""The fleet figures ``/metrics`` exposes, read from the store through the one reader.

- **Per profile x table, over the last ``window``**: table syncs, failures, success ratio and
  the 95th percentile duration of successful syncs, as ``health_by_profile_table`` defines them
  (the dashboard's scoped SQL: a pass counts when its ``sync.started`` is in the window).
- **Per profile x table x result, over the whole store**: table syncs (counters: they only grow
  while events arrive; retention makes them drop, which Prometheus reads as a counter reset).
- **Per profile, over the devices seen in the last :data:`DEVICE_LOOKBACK`**: devices, devices
  without a successful pass in the :data:`STALE_HOURS` before the window's end (the dashboard's
  "stale"), and devices whose latest event reports pending uploads (``device_status``).
- **The store's clock**: its newest event's time.

No device id or user id ever becomes a label: every figure is per profile or per table.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from ingest import reader
from ingest.catalog import CATALOG_FILE
from ingest.scope import PASS_SLACK, Filters, scoped_sql

DEVICE_LOOKBACK: Final = dt.timedelta(days=7)
"""Devices seen this long before the window's end are counted."""
STALE_HOURS: Final = 24
"""A device is stale when it has had no successful pass for this long (as the dashboard)."""


@dataclass(frozen=True)
class TableHealth:
    """One profile x table over the window."""

    profile: str | None
    """The offline profile."""
    table: str | None
    """The table."""
    syncs: int
    """Table syncs whose pass started in the window."""
    failures: int
    """Of those, the failed ones."""
    success_ratio: float | None
    """successes / (successes + failures); None when neither happened."""
    p95_seconds: float | None
    """95th percentile duration of the successful ones, in seconds."""


@dataclass(frozen=True)
class DeviceCounts:
    """One profile's devices seen in the device lookback."""

    profile: str | None
    """The offline profile (of the device's latest event)."""
    devices: int
    """Devices seen."""
    stale: int
    """Devices without a successful pass in the :data:`STALE_HOURS` before the window's end."""
    pending_uploads: int
    """Devices whose latest event reports pending uploads."""


@dataclass
class FleetFigures:
    """What one read of the store found."""

    up: bool = False
    """True when the store exists and holds events."""
    problem: str | None = None
    """Why it could not be read (None when it could, or simply has no events yet)."""
    newest: dt.datetime | None = None
    """The newest event's time (naive UTC)."""
    end: dt.datetime | None = None
    """Where the window ended."""
    tables: list[TableHealth] = field(default_factory=list)
    """Per profile x table over the window."""
    totals: list[tuple[str | None, str | None, str | None, int]] = field(default_factory=list)
    """``(profile, table, result, table syncs)`` over the whole store."""
    devices: list[DeviceCounts] = field(default_factory=list)
    """Per profile: devices, stale, with pending uploads."""


HEALTH_SQL: Final = """
SELECT profile, table_name, syncs, failures, success_rate, p95_duration_ms / 1000.0
FROM health_by_profile_table
"""
DEVICES_SQL: Final = """
SELECT
    profile,
    count(*),
    count(*) FILTER (
        WHERE last_success_at IS NULL
            OR last_success_at < CAST(? AS TIMESTAMP) - to_hours(CAST(? AS BIGINT))
    ),
    count(*) FILTER (WHERE pending_uploads > 0)
FROM device_status
GROUP BY profile
"""
TOTALS_SQL: Final = """
SELECT profile, table_name, result, count(*)
FROM sync_events
WHERE event = 'sync.table'
GROUP BY ALL
"""


def read_fleet(store: Path, window: dt.timedelta, end: dt.datetime | None) -> FleetFigures:
    """The figures of ``store`` over ``[end - window, end)`` (``end`` None: just after the
    newest event, for simulated or back-filled stores). A missing or empty store gives
    ``up=False`` and nothing else; other errors propagate."""
    found = FleetFigures()
    if not (Path(store) / CATALOG_FILE).is_file():
        found.problem = f"no store at {store}"
        return found
    found.newest = reader.newest_time(store)
    if found.newest is None:
        return found
    found.up = True
    if end is None:
        end = found.newest + dt.timedelta(microseconds=1)
    found.end = end
    start = min(end - window, end - DEVICE_LOOKBACK)
    con = reader.connect(store, start.date(), (end + PASS_SLACK).date())
    try:
        sql, params = scoped_sql(
            HEALTH_SQL, ("health_by_profile_table",), Filters(end - window, end)
        )
        found.tables = [
            TableHealth(p, t, int(n), int(f), r, q)
            for p, t, n, f, r, q in con.execute(sql, params).fetchall()
        ]
        sql, params = scoped_sql(
            DEVICES_SQL, ("device_status",), Filters(end - DEVICE_LOOKBACK, end)
        )
        rows = con.execute(sql, [*params, end, STALE_HOURS]).fetchall()
        found.devices = [DeviceCounts(p, int(n), int(s), int(u)) for p, n, s, u in rows]
    finally:
        con.close()
    con = reader.connect(store)
    try:
        found.totals = [(p, t, r, int(n)) for p, t, r, n in con.execute(TOTALS_SQL).fetchall()]
    finally:
        con.close()
    return found
