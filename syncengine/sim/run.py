"""Run a scenario: a discrete-event loop over simulated time driving the real engine.

One server (in memory) serves the scenario's profiles; each device has its own clock, fault
policy and latency, and a real ``DeviceClient``. Events — device wake-ups, dispatcher rounds,
new days, incident windows opening and closing — run in time order (ties in a fixed order), so
a seed always replays the same run.
"""

from __future__ import annotations

import heapq
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Final, TypeVar

from emitter.instrument import SyncInstrumentation
from syncengine.clock import Clock, ManualClock
from syncengine.device import DeviceClient
from syncengine.scheduler import UserSettings
from syncengine.server import SyncServer
from syncengine.sim.dispatcher import Dispatcher
from syncengine.sim.faults import affects, device_policy, window
from syncengine.sim.network import LatencyTransport
from syncengine.sim.scenario_model import Incident, IncidentKind, Scenario
from syncengine.sim.technician import WAKE, Technician, fleet_identity
from syncengine.sim.world import World
from syncengine.status import PassResult
from syncengine.transport import Faults, InProcessTransport
from vocabulary.identity import DeviceIdentity

InstrumentationFactory = Callable[[Clock, DeviceIdentity, str], SyncInstrumentation]
"""Builds a device's instrumentation from its clock, identity and profile name."""
Progress = Callable[[float], None]
"""Told the share of simulated time done (0..1), once per simulated hour."""

T = TypeVar("T")

DISPATCH_EVERY: Final = timedelta(minutes=30)
"""How often dispatchers make their routine edits."""


@dataclass
class RunStats:
    """What a run did, counted from the engine's own results (the store tells the rest)."""

    devices: int = 0
    """Devices in the fleet."""
    days: float = 0.0
    """Simulated days."""
    passes: int = 0
    """Passes that ran."""
    successes: int = 0
    """Passes that ended well."""
    failures: Counter[str] = field(default_factory=Counter)
    """Failed passes by failure type."""
    conflicts: int = 0
    """Records changed on both sides."""
    skips: Counter[str] = field(default_factory=Counter)
    """Due passes that did not run, by reason."""
    dispatcher_edits: int = 0
    """Work orders the dispatchers changed."""
    dispatcher_overwritten: int = 0
    """Dispatcher values the server no longer holds at the end: a device's whole record won a
    conflict over them (S7, conflict detection off)."""

    def add(self, result: PassResult | None) -> None:
        """Count one wake-up's pass."""
        if result is None:
            return
        if result.skipped is not None:
            self.skips[result.skipped.value] += 1
        if not result.ran:
            return
        self.passes += 1
        self.conflicts += len(result.conflicts)
        if result.failure is None:
            self.successes += 1
        else:
            self.failures[result.failure.failure_type.value] += 1


def _weighted(rng: random.Random, items: list[tuple[T, float]]) -> T:
    return rng.choices([i for i, _ in items], [max(w, 0.0) for _, w in items])[0]


class _Fleet:
    def __init__(
        self,
        scenario: Scenario,
        devices: int,
        seed: int,
        instrumentation: InstrumentationFactory | None,
    ) -> None:
        self.scenario = scenario
        self.seed = seed
        self.start = datetime.combine(scenario.start, datetime.min.time(), UTC)
        self.clock = ManualClock(self.start)
        self.server = SyncServer(":memory:", self.clock, [p.profile for p in scenario.profiles])
        self.world = World(self.server, random.Random(f"{seed}:world"))  # noqa: S311
        self.dispatcher = Dispatcher(self.world, random.Random(f"{seed}:dispatch"))  # noqa: S311
        self.techs = [self._technician(i, instrumentation) for i in range(devices)]
        self.world.populate([t.user for t in self.techs])
        self.windows = [(inc, *window(inc, scenario.start)) for inc in scenario.incidents]

    def _technician(self, i: int, factory: InstrumentationFactory | None) -> Technician:
        sc = self.scenario
        rng = random.Random(f"{self.seed}:device:{i}")  # noqa: S311
        identity = fleet_identity(i, rng)
        profile = _weighted(rng, [(p.profile, p.share) for p in sc.profiles])
        region = _weighted(rng, [(r, r.share) for r in sc.regions])
        users = sc.users
        settings = UserSettings(
            wifi_only=rng.random() < users.wifi_only,
            on_demand=rng.random() < users.on_demand,
            online_mode=rng.random() < users.online_mode,
        )
        clock = ManualClock(self.start)
        mine = [
            (inc, *window(inc, sc.start))
            for k, inc in enumerate(sc.incidents)
            if inc.kind is not IncidentKind.BULK_EDIT and affects(inc, self.seed, i, k)
        ]
        faults = Faults(device_policy(mine, region, clock, rng), clock=clock)
        holder: list[DeviceClient] = []
        transport = LatencyTransport(
            InProcessTransport(self.server, faults), clock, lambda: holder[0].network, rng
        )
        device = DeviceClient(
            ":memory:",
            identity,
            profile,
            transport,
            clock,
            settings,
            instrumentation=factory(clock, identity, profile.name) if factory else None,
        )
        holder.append(device)
        return Technician(
            device,
            clock,
            region,
            sc.work,
            rng,
            shift_start=rng.choice((6.5, 7.0, 7.5, 8.0, 8.5, 9.0)),
            weekends=rng.random() < sc.work.weekend_share,
        )

    def close(self) -> None:
        for tech in self.techs:
            tech.device.close()
        self.server.close()


def run_scenario(
    scenario: Scenario,
    *,
    devices: int | None = None,
    days: float | None = None,
    seed: int = 0,
    instrumentation: InstrumentationFactory | None = None,
    progress: Progress | None = None,
) -> RunStats:
    """Simulate ``scenario`` (its own size unless ``devices``/``days`` say otherwise)."""
    n = scenario.devices if devices is None else devices
    length = timedelta(days=scenario.days if days is None else days)
    if n < 1 or length <= timedelta(0):
        raise ValueError(f"a fleet needs devices and time, got {n} devices for {length}")
    fleet = _Fleet(scenario, n, seed, instrumentation)
    stats = RunStats(devices=n, days=length / timedelta(days=1))
    try:
        _loop(fleet, fleet.start + length, stats, progress)
        stats.dispatcher_overwritten = fleet.dispatcher.overwritten()
    finally:
        fleet.close()
    stats.dispatcher_edits = fleet.dispatcher.edits
    return stats


Action = Callable[[datetime], None]


def _loop(fleet: _Fleet, end: datetime, stats: RunStats, progress: Progress | None) -> None:
    queue: list[tuple[datetime, int, Action]] = []
    order = iter(range(1 << 62))

    def at(when: datetime, action: Action) -> None:
        if when < end:
            heapq.heappush(queue, (when, next(order), action))

    start = fleet.start
    day_plan: dict[str, Technician] = {t.user: t for t in fleet.techs}

    def new_day(now: datetime) -> None:
        working = [t.user for t in fleet.techs if t.works_on(now)]
        plan = fleet.world.plan_day(now.date(), working, fleet.scenario.work.orders_per_day)
        for user, jobs in plan.items():
            day_plan[user].jobs = jobs
        at(now + timedelta(days=1), new_day)

    def dispatch(now: datetime) -> None:
        for tech in fleet.techs:
            for wo in tech.take_completed():
                fleet.world.completed(wo)
        if 7 <= now.hour < 19:
            rate = fleet.scenario.work.dispatcher_edits_per_hour * (
                DISPATCH_EVERY / timedelta(hours=1)
            )
            fleet.dispatcher.routine(now, rate)
        at(now + DISPATCH_EVERY, dispatch)

    def waker(tech: Technician) -> Action:
        def wake(now: datetime) -> None:
            if tech.clock.now() < now:
                tech.clock.set(now)
            stats.add(tech.wake(tech.clock.now()))
            at(max(now + WAKE, tech.clock.now()), wake)

        return wake

    def tell(now: datetime) -> None:
        if progress is not None:
            progress((now - start) / (end - start))
        at(now + timedelta(hours=1), tell)

    at(start, new_day)
    at(start + timedelta(minutes=1), dispatch)
    for i, tech in enumerate(fleet.techs):
        at(start + timedelta(seconds=(i * 37) % int(WAKE.total_seconds())), waker(tech))
    for k, (incident, begin, finish) in enumerate(fleet.windows):
        _schedule_incident(fleet, k, incident, begin, finish, at)
    at(start + timedelta(hours=1), tell)
    while queue:
        when, _, action = heapq.heappop(queue)
        if fleet.clock.now() < when:
            fleet.clock.set(when)
        action(when)
    if progress is not None:
        progress(1.0)


def _schedule_incident(
    fleet: _Fleet,
    k: int,
    incident: Incident,
    begin: datetime,
    finish: datetime,
    at: Callable[[datetime, Action], None],
) -> None:
    hit = [t for i, t in enumerate(fleet.techs) if affects(incident, fleet.seed, i, k)]
    match incident.kind:
        case IncidentKind.BULK_EDIT:

            def bulk_edit(now: datetime) -> None:
                fleet.dispatcher.bulk(now, incident.share)

            at(begin, bulk_edit)
        case IncidentKind.DISK_FULL:

            def storage(full: bool) -> Action:
                def set_storage(now: datetime) -> None:
                    for t in hit:
                        t.device.db.limit_storage(full)

                return set_storage

            at(begin, storage(True))
            at(finish, storage(False))
        case IncidentKind.ROLLOUT:
            assert incident.profile is not None
            rolled = incident.profile
            hit = [t for t in hit if t.device.profile.name == rolled.name]
            before = {t.user: t.device.profile for t in hit}

            def roll_out(now: datetime) -> None:
                for t in hit:
                    t.device.profile = rolled

            def roll_back(now: datetime) -> None:
                for t in hit:
                    t.device.profile = before[t.user]

            at(begin, roll_out)
            at(finish, roll_back)
        case _:
            pass  # call-level faults live in each device's fault policy
