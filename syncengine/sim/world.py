"""The server's data: reference tables, each technician's customers, and every day's work.

Ids are derived from names and counters (never random), so a seed always builds the same world.
Times are ISO strings in UTC, as the engine's date filters compare them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, Final

from syncengine.server import SyncServer

SCHEDULED: Final = 690970001
"""``msdyn_systemstatus`` of a scheduled work order."""
COMPLETED: Final = 690970003
"""``msdyn_systemstatus`` of a completed work order (it leaves the device: S9)."""
PRODUCTS: Final = 60
"""Products in the catalogue (a few retired)."""
ACCOUNTS_PER_USER: Final = 4
"""Customers each technician serves."""
PRIORITIES: Final = ("urgent", "high", "normal", "low")
"""Work order priorities (reference data)."""

Row = tuple[str, dict[str, Any], str | None]


@dataclass
class Job:
    """One booking and its work order, as a technician sees them."""

    booking: str
    """The booking id."""
    work_order: str
    """The work order id."""


@dataclass
class World:
    """The server's records and who owns what."""

    server: SyncServer
    """Where the records live."""
    rng: random.Random
    """The world's own randomness."""
    open_orders: dict[str, str] = field(default_factory=dict)
    """Work orders not completed yet → owner (what dispatchers edit)."""
    _accounts: dict[str, list[str]] = field(default_factory=dict)
    _day_count: int = 0

    def populate(self, users: list[str]) -> None:
        """Reference data and every user's customers and their assets."""
        s = self.server
        s.load(
            "msdyn_priority",
            [
                (f"prio-{n}", {"msdyn_name": n, "msdyn_levelofimportance": i}, None)
                for i, n in enumerate(PRIORITIES)
            ],
        )
        s.load(
            "product",
            [
                (
                    f"prod-{i:03}",
                    {
                        "name": f"Part {i:03}",
                        "statecode": int(i % 15 == 14),
                        "price": round(self.rng.uniform(5, 500), 2),
                    },
                    None,
                )
                for i in range(PRODUCTS)
            ],
        )
        s.load(
            "msdyn_inspection",
            [
                (f"insp-{i}", {"msdyn_name": f"Checklist {i}", "msdyn_version": "1"}, None)
                for i in range(3)
            ],
        )
        accounts: list[Row] = []
        assets: list[Row] = []
        for user in users:
            ids = [f"acct-{user}-{k}" for k in range(ACCOUNTS_PER_USER)]
            self._accounts[user] = ids
            for k, acct in enumerate(ids):
                accounts.append((acct, {"name": f"Customer {user}/{k}", "statecode": 0}, user))
                assets.append(
                    (
                        f"asset-{user}-{k}",
                        {
                            "msdyn_name": f"Unit {user}/{k}",
                            "msdyn_account": acct,
                            "msdyn_product": f"prod-{self.rng.randrange(PRODUCTS):03}",
                        },
                        user,
                    )
                )
        s.load("account", accounts)
        s.load("msdyn_customerasset", assets)

    def plan_day(self, day: date, users: list[str], per_user: int) -> dict[str, list[Job]]:
        """Create ``per_user`` bookings and work orders (with service tasks) for each user."""
        self._day_count += 1
        orders: list[Row] = []
        bookings: list[Row] = []
        tasks: list[Row] = []
        plan: dict[str, list[Job]] = {}
        for user in users:
            jobs = []
            for k in range(per_user):
                wo = f"wo-{day:%Y%m%d}-{user}-{k}"
                acct_k = self.rng.randrange(ACCOUNTS_PER_USER)
                start = datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=8 + 2 * k)
                orders.append(
                    (
                        wo,
                        {
                            "msdyn_name": f"WO-{self._day_count:03}-{user}-{k}",
                            "msdyn_systemstatus": SCHEDULED,
                            "msdyn_serviceaccount": self._accounts[user][acct_k],
                            "msdyn_customerasset": f"asset-{user}-{acct_k}",
                            "msdyn_priority": f"prio-{self.rng.choice(PRIORITIES)}",
                        },
                        user,
                    )
                )
                booking = f"bk-{day:%Y%m%d}-{user}-{k}"
                bookings.append(
                    (
                        booking,
                        {
                            "name": f"Booking {user}/{k}",
                            "starttime": start.strftime("%Y-%m-%dT%H:%M:%S"),
                            "endtime": (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%S"),
                            "msdyn_workorder": wo,
                        },
                        user,
                    )
                )
                tasks.append(
                    (
                        f"task-{wo}",
                        {
                            "msdyn_name": "Inspect",
                            "msdyn_workorder": wo,
                            "msdyn_inspection": f"insp-{k % 3}",
                            "msdyn_percentcomplete": 0.0,
                        },
                        user,
                    )
                )
                self.open_orders[wo] = user
                jobs.append(Job(booking, wo))
            plan[user] = jobs
        self.server.load("msdyn_workorder", orders)
        self.server.load("bookableresourcebooking", bookings)
        self.server.load("msdyn_workorderservicetask", tasks)
        return plan

    def completed(self, work_order: str) -> None:
        """A technician finished ``work_order``: dispatchers stop editing it."""
        self.open_orders.pop(work_order, None)
