"""Dispatchers: the office editing the same work orders the technicians hold (S7 conflicts)."""

from __future__ import annotations

import random
from datetime import datetime

from syncengine.sim.world import World

EDITABLE = ("msdyn_instructions", "msdyn_timetopromised", "msdyn_workordersummary")
"""Fields a dispatcher changes (any change to a record is a conflict: S7 is per record)."""
OFFICE_ONLY = ("msdyn_instructions", "msdyn_timetopromised")
"""Of those, the fields no technician types: a dispatcher's value of one that leaves the server
was overwritten by a device's whole record winning a conflict (S7, detection off)."""


class Dispatcher:
    """Edits open work orders on the server, routinely or in bulk."""

    def __init__(self, world: World, rng: random.Random) -> None:
        """Work on ``world`` with ``rng``."""
        self.world = world
        self.rng = rng
        self.edits = 0
        """Edits made so far."""
        self._latest: dict[tuple[str, str], str] = {}

    def routine(self, now: datetime, share: float) -> int:
        """Edit about ``share`` of the open work orders (at least one when the share asks);
        how many were edited."""
        orders = sorted(self.world.open_orders)
        wanted = share * len(orders)
        n = int(wanted) + (self.rng.random() < wanted - int(wanted))
        return self._edit(self.rng.sample(orders, min(n, len(orders))), now, "update")

    def bulk(self, now: datetime, share: float) -> int:
        """A bulk edit of ``share`` of the open work orders at once (e.g. re-prioritising)."""
        orders = sorted(self.world.open_orders)
        chosen = self.rng.sample(orders, round(share * len(orders)))
        return self._edit(chosen, now, "bulk re-plan")

    def _edit(self, orders: list[str], now: datetime, why: str) -> int:
        for wo in orders:
            field = self.rng.choice(EDITABLE)
            value = now.isoformat() if field == "msdyn_timetopromised" else f"{why} {now:%H:%M}"
            self.world.server.upsert("msdyn_workorder", wo, {field: value})
            self._latest[wo, field] = value
        self.edits += len(orders)
        return len(orders)

    def overwritten(self) -> int:
        """The dispatcher's latest values of office-only fields that the server no longer
        holds: overwritten by a device's whole copy of the record (S7)."""
        server = self.world.server
        gone = 0
        for (wo, field), value in self._latest.items():
            record = server.get("msdyn_workorder", wo)
            if field in OFFICE_ONLY and record is not None and record.fields.get(field) != value:
                gone += 1
        return gone
