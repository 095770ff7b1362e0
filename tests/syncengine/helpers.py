"""The engine tests' scenario: a field-service profile, a seeded server and its oracle, and
in-memory OpenTelemetry exporters."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from opentelemetry.sdk._logs import LoggerProvider
from opentelemetry.sdk._logs.export import InMemoryLogRecordExporter
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from emitter.instrument import SyncInstrumentation
from syncengine.device import DeviceClient
from syncengine.profile.filters import compile_filter
from syncengine.profile.model import (
    AllRows,
    Condition,
    Direction,
    Group,
    Op,
    OwnedByUser,
    Profile,
    Relationship,
    TableProfile,
)
from syncengine.relations import dependency_order, sources
from syncengine.server import SyncServer
from vocabulary.contract import CUSTOM_EVENT_NAME

START = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
NOTHING = Group("any", ())

FIELD_PROFILE = Profile(
    name="Test Field Service",
    tables=(
        TableProfile(
            "bookableresourcebooking",
            5,
            Group("all", (OwnedByUser(), Condition("starttime", Op.ON_OR_AFTER, days=0))),
            (Relationship("msdyn_workorder", "workorder_id"),),
        ),
        TableProfile(
            "msdyn_workorder",
            60,
            Condition("status", Op.NE, "completed"),
            (
                Relationship("account", "account_id"),
                Relationship("msdyn_workorderproduct", "workorder_id", Direction.ONE_TO_MANY),
            ),
        ),
        TableProfile("account", 1440, NOTHING),
        TableProfile("msdyn_workorderproduct", 120, NOTHING),
        TableProfile("product", 1440, AllRows()),
    ),
)
"""Bookings of the user from today on pull their work orders; open work orders pull their
account and their products; every product is on the device."""

BOOKING, WO, ACCOUNT, WOP, PRODUCT = FIELD_PROFILE.table_names


def seed(server: SyncServer) -> None:
    """A small tenant: 4 accounts, 5 work orders, bookings for u1 and u2, products."""
    for i in range(1, 5):
        server.upsert(ACCOUNT, f"a{i}", {"name": f"Account {i}"})
    for i, (status, acct) in enumerate(
        [("open", "a1"), ("open", "a2"), ("completed", "a3"), ("open", "a1"), ("open", "a4")], 1
    ):
        server.upsert(WO, f"w{i}", {"status": status, "account_id": acct, "start": "08:00"})
    for i, (user, wo, day) in enumerate(
        [
            ("u1", "w1", "2026-01-05"),
            ("u1", "w3", "2026-01-06"),
            ("u2", "w2", "2026-01-05"),
            ("u1", "w5", "2026-01-04"),
        ],
        1,
    ):
        server.upsert(
            BOOKING, f"b{i}", {"workorder_id": wo, "starttime": f"{day}T09:00"}, owner=user
        )
    for i, wo in enumerate(["w1", "w1", "w2", "w3"], 1):
        server.upsert(WOP, f"p{i}", {"workorder_id": wo, "qty": i})
    for i in range(1, 4):
        server.upsert(PRODUCT, f"prod{i}", {"name": f"Product {i}"})


def expected_rows(server: SyncServer, profile: Profile, user_id: str) -> dict[str, dict[str, Any]]:
    """The oracle: per table, id → fields the device must hold (filters, plus the relationship
    closure), computed table by table in Python from the server's rows."""
    today = server.clock.now().date()
    held: dict[str, dict[str, Any]] = {}
    for name in dependency_order(profile, profile.table_names):
        where, params = compile_filter(profile.table(name).filter, user_id=user_id, today=today)
        ids = {
            r[0]
            for r in server.execute(
                f"SELECT id FROM records WHERE tbl=? AND ({where})", (name, *params)
            )
        }
        rows = server.records(name)
        for src, rel in sources(profile, name):
            if rel.direction is Direction.MANY_TO_ONE:
                ids |= {f.get(rel.column) for f in held[src].values()} & rows.keys()
            else:
                ids |= {i for i, r in rows.items() if r.fields.get(rel.column) in held[src]}
        held[name] = {i: rows[i].fields for i in ids}
    return held


@dataclass
class Telemetry:
    """In-memory exporters behind non-global SDK providers."""

    logs: InMemoryLogRecordExporter
    spans: InMemorySpanExporter
    metrics: InMemoryMetricReader
    logger_provider: LoggerProvider
    tracer_provider: TracerProvider
    meter_provider: MeterProvider

    def instrumentation(self, clock, identity, profile: str) -> SyncInstrumentation:
        """A SyncInstrumentation writing to these exporters."""
        return SyncInstrumentation(
            clock,
            identity,
            profile,
            logger_provider=self.logger_provider,
            tracer_provider=self.tracer_provider,
            meter_provider=self.meter_provider,
            salt="test-salt",
        )

    def events(self) -> list[dict[str, Any]]:
        """Every log record as its attributes plus ``event`` (the event_name)."""
        out = []
        for r in self.logs.get_finished_logs():
            rec = r.log_record
            assert rec.attributes[CUSTOM_EVENT_NAME] == rec.event_name
            out.append({"event": rec.event_name, "ts": rec.timestamp, **dict(rec.attributes)})
        return out

    def names(self) -> list[str]:
        """Event names in order."""
        return [e["event"] for e in self.events()]

    def points(self, metric: str) -> list[Any]:
        """The data points of one metric collected so far."""
        data = self.metrics.get_metrics_data()
        return [
            p
            for rm in (data.resource_metrics if data else ())
            for sm in rm.scope_metrics
            for m in sm.metrics
            if m.name == metric
            for p in m.data.data_points
        ]

    def clear(self) -> None:
        """Forget what was exported so far."""
        self.logs.clear()
        self.spans.clear()


DeviceFactory = Callable[..., DeviceClient]
