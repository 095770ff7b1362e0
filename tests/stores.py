"""Named fixture stores for the dashboard and insights tests: real store folders filled by
``Store.append_events`` (no Streamlit or :mod:`dashboards` code here).

Events come from the SQL tests' recorder (:mod:`tests.sql.fleet`) and scenarios
(:mod:`tests.sql.scenarios`), plus a routine day of delta syncs so trends have several days:

- ``healthy``:  the ``healthy`` scenario on 2024-05-06, then three routine days (05-07 … 05-09)
  of four devices syncing cleanly every two hours.
- ``incident``: ``healthy``, then on 05-09 a conflict storm, devices that never sync, devices
  offline all day (scenarios recorded on that day), and app 1.5.0 failing with server errors.
- ``empty``:    a store with no events at all.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pyarrow as pa

from ingest.store import Store
from tests.sql import scenarios
from tests.sql.fleet import BOOKING, WORK_ORDER, Fleet
from vocabulary.contract import ErrorCode, FailureType, NetworkType, SyncMode, Trigger

ROUTINE_DAYS = (7, 8, 9)
"""May days of routine syncs in every non-empty store."""
INCIDENT_DAY = 9
"""The May day the incident happens."""


def routine(fleet: Fleet, days: tuple[int, ...] = ROUTINE_DAYS) -> None:
    """Four devices (two Android, two iOS) syncing both tables every two hours, all succeeding."""
    specs = [
        ("dev-r1", "Android", "14", "Pixel 8", NetworkType.WIFI),
        ("dev-r2", "Android", "13", "Galaxy S23", NetworkType.CELL),
        ("dev-r3", "iOS", "17.4", "iPhone 15", NetworkType.WIFI),
        ("dev-r4", "iOS", "18.1", "iPad Air", NetworkType.WIFI),
    ]
    for n, (dev, os_name, os_version, model, net) in enumerate(specs):
        d = fleet.device(
            dev,
            f"user-r{n + 1}",
            os_name=os_name,
            os_version=os_version,
            device_model=model,
            network_type=net,
        )
        for day in days:
            for hour in range(8, 18, 2):
                t0 = datetime(2024, 5, day, hour, 5 * n)
                sid = f"r-{dev}-{day}-{hour}"
                dur = 4000 + 500 * n + 100 * hour
                d.started(sid, t0)
                d.table(
                    sid,
                    t0 + timedelta(seconds=2),
                    BOOKING,
                    duration_ms=dur / 2,
                    down=3,
                    bytes_down=3000,
                )
                d.table(
                    sid,
                    t0 + timedelta(seconds=4),
                    WORK_ORDER,
                    duration_ms=dur / 2,
                    down=1,
                    up=1,
                    bytes_down=1000,
                    bytes_up=400,
                )
                d.completed(
                    sid,
                    t0 + timedelta(milliseconds=dur),
                    duration_ms=dur,
                    active_duration_ms=dur * 0.8,
                    down=4,
                    up=1,
                    bytes_down=4000,
                    bytes_up=400,
                )


def app_150_outage(fleet: Fleet, day: int = INCIDENT_DAY) -> None:
    """Two devices on app 1.5.0 whose passes fail with server errors all afternoon."""
    for n in (1, 2):
        d = fleet.device(f"dev-x{n}", f"user-x{n}", app_version="1.5.0", device_model="TC52")
        for hour in range(12, 18):
            sid = f"x-{n}-{hour}"
            t0 = datetime(2024, 5, day, hour, 10 * n)
            d.started(sid, t0, mode=SyncMode.FORCED_SYNC, trigger=Trigger.USER)
            d.failed(
                sid,
                t0 + timedelta(seconds=9),
                failure_type=FailureType.SERVER_ERROR,
                error_code=ErrorCode.SERVER,
                message="server returned 503",
                duration_ms=9000,
                active_duration_ms=9000,
                table=WORK_ORDER,
            )


def _on_day(fleet: Fleet, scenario: Callable[[Fleet], None], day: int) -> None:
    """Record ``scenario`` (written for 2024-05-06) shifted to May ``day``."""
    first = len(fleet.events)
    scenario(fleet)
    for row in fleet.events[first:]:
        row["ts"] = row["ts"] + timedelta(days=day - 6)
        if row.get("sync_id"):
            row["sync_id"] = f"{row['sync_id']}@{day}"


def healthy(fleet: Fleet) -> None:
    """The ``healthy`` store's events."""
    scenarios.healthy(fleet)
    routine(fleet)


def incident(fleet: Fleet) -> None:
    """The ``incident`` store's events."""
    healthy(fleet)
    for scenario in (scenarios.conflict_storm, scenarios.never_synced, scenarios.offline_all_day):
        _on_day(fleet, scenario, INCIDENT_DAY)
    app_150_outage(fleet)


STORES: dict[str, Callable[[Fleet], None]] = {
    "healthy": healthy,
    "incident": incident,
    "empty": lambda fleet: None,
}
"""Every named store, by name."""


def to_arrow(fleet: Fleet) -> pa.Table:
    """The fleet's rows as an Arrow table (``Store.append_events`` conforms it to the schema)."""
    columns = sorted({key for row in fleet.events for key in row})
    data: dict[str, list[object]] = {c: [] for c in columns}
    for row in fleet.events:
        for c in columns:
            value = row.get(c)
            if c == "attributes" and value is not None:
                value = json.dumps(value)
            data[c].append(value)
    return pa.table(data)


def build(folder: Path, name: str) -> Path:
    """Make the named store in ``folder``; returns the folder."""
    fleet = Fleet()
    STORES[name](fleet)
    store = Store.open(folder)
    if fleet.events:
        store.append_events(to_arrow(fleet))
    return folder
