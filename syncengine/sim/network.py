"""Networks: which connection a device has (by its region's pattern) and how long calls take.

``choose_network`` picks Wi-Fi, cellular or no coverage for a wake-up; ``LatencyTransport``
wraps the in-process transport and moves the device's own clock by each call's round trip and
transfer time, so pass durations in the telemetry look like a real network's.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import time, timedelta
from typing import Final

from syncengine.clock import ManualClock
from syncengine.protocol import (
    CheckResponse,
    DownloadRequest,
    DownloadResponse,
    ReadRequest,
    ReadResponse,
    Reply,
    UploadRequest,
    UploadResponse,
)
from syncengine.sim.scenario_model import Region
from syncengine.transport import InProcessTransport
from vocabulary.contract import NetworkType

ROUND_TRIP_S: Final = {NetworkType.WIFI: 0.06, NetworkType.CELL: 0.25}
"""Typical round trip per call, before jitter."""
BYTES_PER_S: Final = {NetworkType.WIFI: 2_500_000, NetworkType.CELL: 400_000}
"""Typical throughput."""
SERVER_S: Final = 0.04
"""Typical server time per call."""
TICK: Final = timedelta(microseconds=15_625)
"""Call times are whole 1/64 s: binary fractions, so every millisecond figure derived from the
clock is exact and a pass's active time can never exceed its wall time by a rounding error."""
DEAD_ZONE_COVERAGE: Final = 0.15
"""Chance of some coverage inside a region's dead-zone hours."""


def choose_network(region: Region, rng: random.Random, local: time) -> NetworkType:
    """The connection of a device in ``region`` at local time ``local`` (away from the depot)."""
    hours = region.dead_zone_hours
    if hours is not None and hours[0] <= local < hours[1]:
        return NetworkType.CELL if rng.random() < DEAD_ZONE_COVERAGE else NetworkType.UNAVAILABLE
    if rng.random() < region.dead_zone:
        return NetworkType.UNAVAILABLE
    return NetworkType.WIFI if rng.random() < region.wifi else NetworkType.CELL


class LatencyTransport:
    """An in-process transport whose calls take simulated time on the device's clock."""

    def __init__(
        self,
        inner: InProcessTransport,
        clock: ManualClock,
        network: Callable[[], NetworkType],
        rng: random.Random,
    ) -> None:
        """Wrap ``inner``; ``network`` tells the device's current connection."""
        self.inner = inner
        self._clock = clock
        self._network = network
        self._rng = rng

    def _spend(self, payload: int) -> None:
        net = self._network()
        if net is NetworkType.UNAVAILABLE:
            return
        jitter = self._rng.lognormvariate(0.0, 0.5)
        seconds = (ROUND_TRIP_S[net] + SERVER_S) * jitter + payload / BYTES_PER_S[net]
        self._clock.advance(TICK * max(1, round(seconds / TICK.total_seconds())))

    def check(self) -> Reply[CheckResponse]:
        """The network check."""
        reply = self.inner.check()
        self._spend(reply.bytes_down)
        return reply

    def upload(self, request: UploadRequest) -> Reply[UploadResponse]:
        """Send the outbox."""
        reply = self.inner.upload(request)
        self._spend(reply.bytes_up + reply.bytes_down)
        return reply

    def download(self, request: DownloadRequest) -> Reply[DownloadResponse]:
        """Fetch one table's delta."""
        reply = self.inner.download(request)
        self._spend(reply.bytes_up + reply.bytes_down)
        return reply

    def read(self, request: ReadRequest) -> Reply[ReadResponse]:
        """Read one record online (S4)."""
        reply = self.inner.read(request)
        self._spend(reply.bytes_up + reply.bytes_down)
        return reply
