"""The sync engine benchmark's rig: a server loaded with the default profile's records, fresh
devices, a transport of each kind, and SDK providers exporting to memory."""

from __future__ import annotations

import contextlib
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Final

from opentelemetry.sdk._logs import LoggerProvider
from opentelemetry.sdk._logs.export import (
    BatchLogRecordProcessor,
    InMemoryLogRecordExporter,
    SimpleLogRecordProcessor,
)
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from emitter.instrument import SyncInstrumentation
from syncengine.clock import ManualClock
from syncengine.device import DeviceClient
from syncengine.http import HttpSyncServer, HttpTransport
from syncengine.profile.model import Profile
from syncengine.server import SyncServer
from syncengine.transport import InProcessTransport, Transport
from vocabulary.identity import DeviceIdentity

USER: Final = "tech1"
WORK_ORDER: Final = "msdyn_workorder"
CHANGED: Final = 100
"""Records changed on the server before each delta sync."""
STEP: Final = timedelta(minutes=5)
"""Simulated time between delta syncs: the work orders' interval in the default profile."""
START: Final = datetime(2026, 1, 5, 0, 5, tzinfo=UTC)
"""Early in the day: the default run stays within it, so the date-filtered tables (empty
here) are not recomputed for a new day in the middle of the measurements."""
OPEN_STATUSES: Final = (690970000, 690970001, 690970002)


# --- data --------------------------------------------------------------------------------


def _work_order(i: int, accounts: int, rng: random.Random) -> dict[str, Any]:
    return {
        "msdyn_name": f"WO-{i:07}",
        "msdyn_systemstatus": rng.choice(OPEN_STATUSES),
        "msdyn_serviceaccount": f"acct{rng.randrange(accounts)}",
        "msdyn_priority": f"prio{rng.randrange(4)}",
        "msdyn_workordersummary": f"Annual maintenance of unit {rng.randrange(10_000)}",
        "msdyn_address1": f"{rng.randrange(1, 999)} Main Street",
        "msdyn_city": rng.choice(["Seattle", "Redmond", "Bellevue", "Tacoma"]),
        "msdyn_postalcode": f"98{rng.randrange(1000):03}",
        "msdyn_latitude": round(47 + rng.random(), 6),
        "msdyn_longitude": round(-122 - rng.random(), 6),
        "msdyn_timefrompromised": "2026-01-05T08:00:00Z",
        "msdyn_totalamount": round(rng.uniform(50, 5_000), 2),
    }


def load_server(server: SyncServer, records: int, seed: int = 0) -> dict[str, int]:
    """Load ``records`` records the default profile puts on USER's device; count per table."""
    rng = random.Random(seed)
    accounts = max(records // 200, 1)
    orders = records - accounts - 4
    if orders < CHANGED:
        raise SystemExit(f"--records {records} is too small: it needs at least {CHANGED + 10}")
    server.load("msdyn_priority", ((f"prio{i}", {"msdyn_name": f"P{i}"}, None) for i in range(4)))
    server.load(
        "account",
        (
            (f"acct{i}", {"name": f"Account {i}", "address1_city": "Seattle"}, "office")
            for i in range(accounts)
        ),
    )
    server.load(
        WORK_ORDER,
        ((f"wo{i}", _work_order(i, accounts, rng), USER) for i in range(orders)),
    )
    return {"msdyn_priority": 4, "account": accounts, WORK_ORDER: orders}


# --- the rig: one server, a transport per kind ---------------------------------------------


@dataclass
class Rig:
    """The server, its clock and data, and a place for device databases."""

    server: SyncServer
    clock: ManualClock
    profile: Profile
    root: Path
    records: int
    work_orders: int
    _devices: int = 0
    _changes: int = 0

    def device(
        self, transport: Transport, instrumentation: SyncInstrumentation | None = None
    ) -> DeviceClient:
        """A device never seen by the server (a fresh offline database and device id)."""
        self._devices += 1
        name = f"device{self._devices}"
        return DeviceClient(
            self.root / f"{name}.db",
            DeviceIdentity(name, USER),
            self.profile,
            transport,
            self.clock,
            instrumentation=instrumentation,
        )

    def change_work_orders(self) -> None:
        """A dispatcher changes CHANGED work orders (a different set each time), 5 min pass."""
        for _ in range(CHANGED):
            self._changes += 1
            wo = f"wo{(self._changes * 7919) % self.work_orders}"
            self.server.upsert(
                WORK_ORDER, wo, {"msdyn_workordersummary": f"rescheduled #{self._changes}"}
            )
        self.clock.advance(STEP)


@contextlib.contextmanager
def transport_for(kind: str, server: SyncServer) -> Iterator[Transport]:
    """An in-process transport, or an HTTP client of a loopback server started for it."""
    if kind == "inprocess":
        yield InProcessTransport(server, timeout_s=600)
        return
    with HttpSyncServer(server) as http:
        client = HttpTransport(http.url, timeout=600, gzip_bodies=kind == "http+gzip")
        try:
            yield client
        finally:
            client.close()


@dataclass
class Sdk:
    """Real SDK providers exporting to in-memory exporters."""

    kind: str
    """"Simple" or "Batch" processors."""
    logs: InMemoryLogRecordExporter
    spans: InMemorySpanExporter
    metrics: InMemoryMetricReader
    providers: tuple[LoggerProvider, TracerProvider, MeterProvider]

    @classmethod
    def create(cls, batch: bool) -> Sdk:
        """Providers with Simple processors (each export on the timed path) or, as the emitter
        sets them up, Batch processors (exports on their own thread)."""
        logs = InMemoryLogRecordExporter()  # type: ignore[no-untyped-call]  # SDK lacks a hint
        spans, reader = InMemorySpanExporter(), InMemoryMetricReader()
        lp, tp = LoggerProvider(), TracerProvider()
        if batch:
            lp.add_log_record_processor(BatchLogRecordProcessor(logs))
            tp.add_span_processor(BatchSpanProcessor(spans))
        else:
            lp.add_log_record_processor(SimpleLogRecordProcessor(logs))
            tp.add_span_processor(SimpleSpanProcessor(spans))
        mp = MeterProvider(metric_readers=[reader])
        return cls("Batch" if batch else "Simple", logs, spans, reader, (lp, tp, mp))

    def exported(self) -> tuple[int, int]:
        """Log records and spans exported so far (flushing first); then forgets them."""
        self.providers[0].force_flush()
        self.providers[1].force_flush()
        counts = len(self.logs.get_finished_logs()), len(self.spans.get_finished_spans())
        self.logs.clear()
        self.spans.clear()
        return counts

    def instrumentation(self, clock: ManualClock, device: DeviceClient) -> SyncInstrumentation:
        """Instrumentation of ``device`` through these providers."""
        lp, tp, mp = self.providers
        return SyncInstrumentation(
            clock,
            device.identity,
            device.profile.name,
            logger_provider=lp,
            tracer_provider=tp,
            meter_provider=mp,
        )

    def shutdown(self) -> None:
        """Shut the providers down."""
        for provider in self.providers:
            provider.shutdown()
