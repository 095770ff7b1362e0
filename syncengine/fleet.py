"""A minimal fleet: a few devices and a dispatcher sharing one server over simulated time.

Deterministic for a seed. Devices tick every few simulated minutes, technicians edit work
orders, the dispatcher edits and completes them, and networks come and go. The summary counts
passes, outcomes, conflicts and skips; the telemetry (if an SDK is configured) tells the rest.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from emitter.catalog import NetworkType
from emitter.instrument import DeviceIdentity, SyncInstrumentation
from syncengine.clock import Clock, ManualClock
from syncengine.device import DeviceClient
from syncengine.profile.model import Profile
from syncengine.server import SyncServer
from syncengine.status import PassResult
from syncengine.transport import InProcessTransport

InstrumentationFactory = Callable[[Clock, DeviceIdentity, str], SyncInstrumentation]
"""Builds a device's instrumentation from its clock, identity and profile name."""
Progress = Callable[[float], None]
"""Told the share of simulated time done (0..1) after each tick of the fleet."""

TICK = timedelta(minutes=5)
"""How often each device's scheduler wakes up."""
OPEN, COMPLETED = 690970000, 690970004
"""``msdyn_systemstatus`` values of an open and a completed work order."""


@dataclass
class FleetSummary:
    """What a fleet run did."""

    passes: int = 0
    """Passes that started."""
    successes: int = 0
    """Passes that ended well."""
    failures: Counter[str] = field(default_factory=Counter)
    """Failed passes by failure type."""
    conflicts: int = 0
    """Records changed on both sides."""
    skips: Counter[str] = field(default_factory=Counter)
    """Due passes that did not run, by reason."""

    def add(self, result: PassResult) -> None:
        """Count one pass result."""
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


def run_fleet(
    devices: int = 3,
    hours: float = 8,
    seed: int = 0,
    *,
    profile: Profile,
    clock: Clock | None = None,
    workdir: str | Path | None = None,
    work_orders: int = 30,
    instrumentation: InstrumentationFactory | None = None,
    progress: Progress | None = None,
) -> FleetSummary:
    """Simulate ``devices`` technicians for ``hours`` of (simulated) time; the summary.

    Work orders carry ``msdyn_systemstatus`` and an owner, as the default profile expects;
    ``clock`` must be a ManualClock (a fresh one by default). ``instrumentation`` builds each
    device's telemetry (the API globals by default); ``progress`` hears how far the run is.
    """
    clock = clock or ManualClock()
    if not isinstance(clock, ManualClock):
        raise TypeError("run_fleet simulates time: pass a ManualClock")
    rng = random.Random(seed)  # noqa: S311 -- reproducible simulation, not security
    summary = FleetSummary()

    def where(name: str) -> str | Path:  # in memory unless asked: no fsync per commit
        return Path(workdir) / name if workdir else ":memory:"

    server = SyncServer(where("server.db"), clock, [profile])
    users = [f"tech{i}" for i in range(devices)]
    server.load(
        "msdyn_workorder",
        (
            (
                f"wo{i}",
                {"msdyn_systemstatus": OPEN, "msdyn_name": f"WO-{i:05}"},
                rng.choice(users),
            )
            for i in range(work_orders)
        ),
    )
    transport = InProcessTransport(server)
    identities = [DeviceIdentity(f"device-{u}", u) for u in users]
    fleet = [
        DeviceClient(
            where(f"{ident.user_id}.db"),
            ident,
            profile,
            transport,
            clock,
            instrumentation=(
                instrumentation(clock, ident, profile.name) if instrumentation else None
            ),
        )
        for ident in identities
    ]
    try:
        begin = clock.now()
        end = begin + timedelta(hours=hours)
        while clock.now() < end:
            for device in fleet:
                _act(rng, device)
                summary.add(device.tick())
            if rng.random() < 0.3:
                wo = f"wo{rng.randrange(work_orders)}"
                status = rng.choice([OPEN, OPEN, COMPLETED])
                server.upsert("msdyn_workorder", wo, {"msdyn_systemstatus": status})
            clock.advance(TICK)
            if progress is not None:
                progress(min(1.0, (clock.now() - begin) / (end - begin)))
    finally:
        for device in fleet:
            device.close()
        server.close()
    return summary


def _act(rng: random.Random, device: DeviceClient) -> None:
    roll = rng.random()
    if roll < 0.1:
        device.set_network(rng.choice([NetworkType.CELL, NetworkType.UNAVAILABLE]))
    elif roll < 0.15:
        device.set_network(NetworkType.WIFI)
    elif roll < 0.35:
        held = sorted(device.records("msdyn_workorder"))
        if held:
            device.edit("msdyn_workorder", rng.choice(held), {"note": f"n{rng.random():.3f}"})
