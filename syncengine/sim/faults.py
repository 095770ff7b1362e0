"""Faults of a scenario as each device meets them: a per-device policy for the transport.

Server incidents (5xx bursts, timeouts) hit a share of calls inside their window; an expired
sign-in hits every call of the devices it affects until the window ends (the user signs in
again); a network check sometimes gets no answer (S6). Which devices an incident affects is
decided once per device from the seed, so runs repeat exactly.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

from syncengine.clock import Clock
from syncengine.sim.scenario_model import Incident, IncidentKind, Region
from syncengine.transport import Call, Fault, FaultKind, Policy

_CALL_FAULTS = {
    IncidentKind.SERVER_ERROR: FaultKind.SERVER_ERROR,
    IncidentKind.TIMEOUT: FaultKind.TIMEOUT,
}


def window(incident: Incident, first_day: date) -> tuple[datetime, datetime]:
    """The incident's start and end in simulated UTC time."""
    day = datetime.combine(first_day, incident.start, UTC) + timedelta(days=incident.day - 1)
    end = datetime.combine(first_day, incident.end, UTC) + timedelta(days=incident.day - 1)
    return day, end


def affects(incident: Incident, seed: int, device: int, index: int) -> bool:
    """Whether incident ``index`` of the scenario affects device ``device`` (share-based)."""
    draw = random.Random(f"{seed}:incident:{index}:{device}").random()  # noqa: S311
    return draw < incident.share


def device_policy(
    incidents: list[tuple[Incident, datetime, datetime]],
    region: Region,
    clock: Clock,
    rng: random.Random,
) -> Policy:
    """The fault policy of one device: ``incidents`` are those that affect it, with windows."""

    def policy(call: Call) -> Fault | None:
        now = clock.now()
        if call is Call.CHECK:
            if rng.random() < region.check_timeouts:
                return Fault(FaultKind.TIMEOUT, call)
            return None
        for incident, start, end in incidents:
            if not start <= now < end:
                continue
            if incident.kind is IncidentKind.AUTH_EXPIRED:
                return Fault(FaultKind.AUTH_EXPIRED, call)
            kind = _CALL_FAULTS.get(incident.kind)
            if kind is not None and rng.random() < incident.rate:
                return Fault(kind, call)
        return None

    return policy
