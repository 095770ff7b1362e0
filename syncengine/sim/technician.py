"""A technician and their device: shifts in local time, the app's state, the network, the work.

Each wake-up (the app's scheduler heartbeat) the technician may move the app to the background
or back, moves between networks, finishes or edits the current job (offline edits queue in the
outbox), sometimes opens a finished work order that has left the device (S9, Record Not Found),
and then the device's scheduler runs: a real ``DeviceClient.tick()``.
"""

from __future__ import annotations

import contextlib
import random
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Final

from syncengine.clock import ManualClock
from syncengine.device import DeviceClient
from syncengine.errors import RecordNotFound
from syncengine.scheduler import AppState
from syncengine.sim.network import choose_network
from syncengine.sim.scenario_model import Region, Work
from syncengine.sim.world import COMPLETED, Job
from syncengine.status import PassResult
from vocabulary.contract import NetworkType
from vocabulary.identity import DeviceIdentity

WAKE: Final = timedelta(minutes=10)
"""How often an open app's scheduler wakes up."""
BACKGROUND_CHANCE: Final = 0.2
"""Chance per wake-up that the app is in the background (driving, on the phone)."""

ANDROID_MODELS: Final = (
    ("Samsung Galaxy XCover6 Pro", 4),
    ("Samsung Galaxy S23", 3),
    ("Zebra TC58", 2),
    ("Google Pixel 8", 1),
)
IOS_MODELS: Final = (("iPhone 14", 3), ("iPhone 15", 3), ("iPad (10th generation)", 1))
ANDROID_VERSIONS: Final = (("13", 3), ("14", 5), ("15", 2))
IOS_VERSIONS: Final = (("17.6", 3), ("18.1", 4), ("18.2", 2))
APP_VERSIONS: Final = (("3.3.4", 2), ("3.4.0", 5), ("3.4.1", 3))
"""(value, weight): a fleet's mix as it drifts through updates."""


def _pick(rng: random.Random, weighted: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([v for v, _ in weighted], [w for _, w in weighted])[0]


def fleet_identity(index: int, rng: random.Random) -> DeviceIdentity:
    """Device ``index``'s identity: ids by number, OS, model and app version from the mix."""
    ios = rng.random() < 0.35
    return DeviceIdentity(
        device_id=f"device-{index:05}",
        user_id=f"tech{index:05}",
        os_name="iOS" if ios else "Android",
        os_version=_pick(rng, IOS_VERSIONS if ios else ANDROID_VERSIONS),
        model=_pick(rng, IOS_MODELS if ios else ANDROID_MODELS),
        app_version=_pick(rng, APP_VERSIONS),
    )


@dataclass
class Technician:
    """One technician with their device."""

    device: DeviceClient
    """The real device client."""
    clock: ManualClock
    """The device's own clock (a slow call moves it, not the fleet's)."""
    region: Region
    """Where they work."""
    work: Work
    """The working day."""
    rng: random.Random
    """Their own randomness."""
    shift_start: float
    """Local hour the shift starts."""
    weekends: bool
    """Works on weekends too."""
    jobs: list[Job] = field(default_factory=list)
    """Today's jobs not finished yet."""
    finished: list[str] = field(default_factory=list)
    """Work orders finished (they leave the device at its next sync)."""
    completed: list[str] = field(default_factory=list)
    """Work orders finished since the fleet last asked (``take_completed``)."""

    @property
    def user(self) -> str:
        """The user id."""
        return self.device.identity.user_id

    def works(self, when: datetime) -> bool:
        """On shift at ``when`` (UTC)?"""
        local = when + timedelta(hours=self.region.utc_offset)
        if local.weekday() >= 5 and not self.weekends:
            return False
        hour = local.hour + local.minute / 60
        return self.shift_start <= hour < self.shift_start + self.work.shift_hours

    def works_on(self, day: datetime) -> bool:
        """Works on the (UTC) day starting at ``day``?"""
        local = day + timedelta(hours=self.region.utc_offset + self.shift_start)
        return local.weekday() < 5 or self.weekends

    def wake(self, now: datetime) -> PassResult | None:
        """One wake-up at ``now``: behave, then let the scheduler run (None when off shift)."""
        device = self.device
        if not self.works(now):
            if device.app_state is not AppState.CLOSED:
                device.set_app_state(AppState.CLOSED)
            return None
        if device.app_state is AppState.CLOSED:  # start of the shift, at the depot
            device.set_app_state(AppState.ACTIVE)
            device.set_network(NetworkType.WIFI)
        else:
            local = (now + timedelta(hours=self.region.utc_offset)).time()
            device.set_network(choose_network(self.region, self.rng, _minute(local)))
            background = self.rng.random() < BACKGROUND_CHANCE
            device.set_app_state(AppState.BACKGROUND if background else AppState.ACTIVE)
        if device.app_state is AppState.ACTIVE:
            self._work()
        return device.tick()

    def _work(self) -> None:
        wakes_per_shift = self.work.shift_hours * 60 / (WAKE / timedelta(minutes=1))
        rng = self.rng
        if self.jobs and rng.random() < self.work.orders_per_day / wakes_per_shift:
            job = self.jobs.pop(0)
            if self._edit(job.work_order, {"msdyn_systemstatus": COMPLETED}):
                self.finished.append(job.work_order)
                self.completed.append(job.work_order)
        elif self.jobs and rng.random() < self.work.edit_chance:
            note = f"note {self.clock.now():%H:%M}"
            self._edit(self.jobs[0].work_order, {"msdyn_workordersummary": note})
        if self.finished and rng.random() < self.work.open_removed_chance:
            # S9: once it has left the device this raises, and the engine emits the event
            with contextlib.suppress(RecordNotFound):
                self.device.open_record("msdyn_workorder", rng.choice(self.finished))

    def _edit(self, work_order: str, fields: dict[str, object]) -> bool:
        if self.device.db.get("msdyn_workorder", work_order) is None:
            return False  # not on the device yet (no sync since it was planned)
        self.device.edit("msdyn_workorder", work_order, fields)
        return True

    def take_completed(self) -> list[str]:
        """Work orders finished since the last call."""
        done, self.completed = self.completed, []
        return done


def _minute(t: time) -> time:
    return time(t.hour, t.minute)
