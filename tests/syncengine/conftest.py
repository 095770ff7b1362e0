"""Fixtures for the engine's tests: simulated time, a seeded server, both transports behind one
fixture, devices, and in-memory OpenTelemetry exporters (the scenario itself:
:mod:`tests.syncengine.helpers`)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from opentelemetry.sdk._logs import LoggerProvider
from opentelemetry.sdk._logs.export import InMemoryLogRecordExporter, SimpleLogRecordProcessor
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from syncengine.clock import ManualClock
from syncengine.device import DeviceClient
from syncengine.http import HttpSyncServer, HttpTransport
from syncengine.profile.model import Profile
from syncengine.scheduler import UserSettings
from syncengine.server import SyncServer
from syncengine.transport import Faults, InProcessTransport, Transport
from tests.syncengine.helpers import FIELD_PROFILE, START, DeviceFactory, Telemetry, seed
from vocabulary.identity import DeviceIdentity


@pytest.fixture
def clock() -> ManualClock:
    """Simulated time, starting Monday 2026-01-05 08:00 UTC."""
    return ManualClock(START)


@pytest.fixture
def server(tmp_path, clock) -> Iterator[SyncServer]:
    """A seeded server serving FIELD_PROFILE (and its conflict-detecting twin)."""
    srv = SyncServer(
        tmp_path / "server.db",
        clock,
        [FIELD_PROFILE, replace(FIELD_PROFILE, name="Strict", conflict_detection=True)],
    )
    seed(srv)
    yield srv
    srv.close()


@pytest.fixture
def faults(clock) -> Faults:
    """The fault plan shared by the transport (and, over HTTP, the HTTP server)."""
    return Faults(clock=clock)


@pytest.fixture(params=["inprocess", "http"])
def transport(request, server, faults) -> Iterator[Transport]:
    """Both transports: in-process, and real HTTP on loopback."""
    if request.param == "inprocess":
        yield InProcessTransport(server, faults, timeout_s=5.0)
        return
    with HttpSyncServer(server, faults=faults, hold_s=1.0) as http:
        client = HttpTransport(http.url, timeout=0.5, faults=faults)
        yield client
        client.close()


@pytest.fixture
def telemetry() -> Iterator[Telemetry]:
    """The real SDK with in-memory exporters (not the global providers)."""
    logs, spans, reader = (
        InMemoryLogRecordExporter(),
        InMemorySpanExporter(),
        InMemoryMetricReader(),
    )
    lp = LoggerProvider()
    lp.add_log_record_processor(SimpleLogRecordProcessor(logs))
    tp = TracerProvider()
    tp.add_span_processor(SimpleSpanProcessor(spans))
    mp = MeterProvider(metric_readers=[reader])
    yield Telemetry(logs, spans, reader, lp, tp, mp)
    lp.shutdown()
    tp.shutdown()
    mp.shutdown()


@pytest.fixture
def make_device(tmp_path, clock, server) -> Iterator[DeviceFactory]:
    """Build devices on the test's server: ``make_device(transport, name=, user=, …)``."""
    made: list[DeviceClient] = []

    def build(
        transport: Transport,
        name: str = "d1",
        user: str = "u1",
        *,
        profile: Profile = FIELD_PROFILE,
        settings: UserSettings | None = None,
        telemetry: Telemetry | None = None,
        **kwargs: Any,
    ) -> DeviceClient:
        identity = DeviceIdentity(name, user)
        instr = telemetry.instrumentation(clock, identity, profile.name) if telemetry else None
        device = DeviceClient(
            tmp_path / f"{name}.db",
            identity,
            profile,
            transport,
            clock,
            settings,
            instrumentation=instr,
            **kwargs,
        )
        made.append(device)
        return device

    yield build
    for device in made:
        with contextlib.suppress(Exception):  # a test may have closed it already
            device.close()
