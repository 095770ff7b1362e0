"""Sync engine benchmark (issue 2): initial sync, 100-record delta, telemetry overhead.

Each figure is measured over both transports, in-process and real HTTP on loopback (the
HTTP server runs in a thread of this process), and reported as the median of several runs.

Data: one server holding ``--records`` N records for the technician, all of which the
built-in default profile ("Field Service Mobile - Offline Profile") puts on the device:
N - N/200 - 4 open work orders owned by the technician (the profile's own filter: mine and
not completed/posted/canceled), the N/200 accounts they reference (owned by the office,
so they arrive only through the work orders' relationship) and 4 priorities.

- **initial sync**: a fresh device's first ``tick()`` (FIRST_SYNC of all 20 tables).
- **delta sync**: 100 work orders changed on the server, 5 simulated minutes pass, the
  device's ``tick()`` (DELTA_SYNC of the due tables) brings them down.
- **telemetry**: the same delta, rotating the device's instrumentation between no providers
  (the no-op path) and real SDK providers exporting to in-memory exporters, with Simple
  processors (every export on the timed path) and with Batch processors (as the emitter
  sets them up); the ratios of the medians, in wall-clock and in process CPU time.

Run: ``python -m bench.sync_engine [--records N] [--runs R] [--delta-runs D] [--gzip]``.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
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

from bench._timing import report, time_once
from emitter.catalog import SyncMode
from emitter.instrument import DeviceIdentity, SyncInstrumentation
from syncengine.clock import ManualClock
from syncengine.device import DeviceClient
from syncengine.http import HttpSyncServer, HttpTransport
from syncengine.profile.load import default_profile
from syncengine.profile.model import Profile
from syncengine.server import SyncServer
from syncengine.status import PassResult
from syncengine.transport import InProcessTransport, Transport

USER: Final = "tech1"
WORK_ORDER: Final = "msdyn_workorder"
CHANGED: Final = 100
"""Records changed on the server before each delta sync."""
STEP: Final = timedelta(minutes=5)
"""Simulated time between delta syncs: the work orders' interval in the default profile."""
START: Final = datetime(2026, 1, 5, 0, 5, tzinfo=UTC)
"""Early in the day: the default run stays within it, so the date-filtered tables (empty
here) are not recomputed for a new day in the middle of the measurements."""
TARGETS: Final = {
    ("initial", "inprocess"): ("records/s", 50_000, ">="),
    ("initial", "http"): ("records/s", 20_000, ">="),
    ("delta", "inprocess"): ("ms", 50, "<"),
    ("telemetry", "inprocess"): ("overhead %", 5, "<"),
    ("telemetry", "http"): ("overhead %", 5, "<"),
}
"""The issue's targets by (measurement, transport)."""
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


def _expect(result: PassResult, mode: SyncMode, records_down: int) -> None:
    if result.failure is not None or result.mode is not mode:
        raise RuntimeError(f"expected a {mode} pass, got {result.mode}: {result.failure}")
    if result.counts.records_down != records_down:
        raise RuntimeError(
            f"expected {records_down:,} records down, got {result.counts.records_down:,}"
        )


# --- measurements ----------------------------------------------------------------------------


@dataclass
class Timings:
    """Wall-clock and process CPU seconds of a series of runs."""

    wall: list[float] = field(default_factory=list)
    """Elapsed seconds per run (what a user waits)."""
    cpu: list[float] = field(default_factory=list)
    """CPU seconds of this process per run (the HTTP server thread included): less sensitive
    than wall time to other work on a shared machine."""

    def median_ms(self) -> tuple[float, float]:
        """Median wall and CPU milliseconds."""
        return statistics.median(self.wall) * 1000, statistics.median(self.cpu) * 1000


def _timed_tick(device: DeviceClient, into: Timings) -> PassResult:
    """One scheduler tick (garbage collected first), its times appended to ``into``."""
    gc.collect()
    out: list[PassResult] = []
    cpu = time.process_time()
    into.wall.append(time_once(lambda: out.append(device.tick())))
    into.cpu.append(time.process_time() - cpu)
    return out[0]


def initial_syncs(rig: Rig, transport: Transport, runs: int) -> tuple[Timings, DeviceClient]:
    """Times of ``runs`` first syncs by fresh devices; the last device stays open."""
    times = Timings()
    device: DeviceClient | None = None
    for _ in range(runs):
        if device is not None:
            device.close()
            Path(device.db.path).unlink(missing_ok=True)
        device = rig.device(transport)
        _expect(_timed_tick(device, times), SyncMode.FIRST_SYNC, rig.records)
    assert device is not None
    return times, device


def delta_syncs(
    rig: Rig, device: DeviceClient, runs: int, instrumentation: list[SyncInstrumentation]
) -> list[Timings]:
    """Times of delta syncs of CHANGED records, ``runs`` rounds; within a round one run per
    instrumentation, in turn (a, b, a, b, ...), so machine noise hits each alike."""
    times = [Timings() for _ in instrumentation]
    for _ in range(runs):
        for instr, into in zip(instrumentation, times, strict=True):
            rig.change_work_orders()
            device.instrumentation = instr
            instr.network = device.network
            _expect(_timed_tick(device, into), SyncMode.DELTA_SYNC, CHANGED)
    return times


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


# --- the run ---------------------------------------------------------------------------------


def _verdict(measure: str, kind: str, value: float) -> tuple[str, str]:
    target = TARGETS.get((measure, kind))
    if target is None:
        return "-", "-"
    unit, bound, sense = target
    met = value >= bound if sense == ">=" else value < bound
    return f"{sense} {bound:,} {unit}", "met" if met else "MISSED"


def run(
    records: int, runs: int, delta_runs: int, kinds: list[str]
) -> tuple[list[dict[str, object]], dict[str, int]]:
    """Every measurement over every transport kind: one report row each; the data loaded."""
    rows: list[dict[str, object]] = []
    counts: dict[str, int] = {}
    with tempfile.TemporaryDirectory(prefix="bench-sync-") as tmp:
        root, clock, profile = Path(tmp), ManualClock(START), default_profile()
        server = SyncServer(root / "server.db", clock, [profile])
        load_s = time_once(lambda: counts.update(load_server(server, records)))
        print(f"loaded {records:,} records in {load_s:.1f} s: {counts}")
        rig = Rig(server, clock, profile, root, records, counts[WORK_ORDER])
        sdks = [Sdk.create(batch=False), Sdk.create(batch=True)]
        try:
            for kind in kinds:
                with transport_for(kind, server) as transport:
                    rows.extend(_measure(rig, transport, kind, runs, delta_runs, sdks))
        finally:
            for sdk in sdks:
                sdk.shutdown()
            server.close()
    return rows, counts


def _measure(
    rig: Rig, transport: Transport, kind: str, runs: int, delta_runs: int, sdks: list[Sdk]
) -> list[dict[str, object]]:
    initial, device = initial_syncs(rig, transport, runs)
    wall = initial.median_ms()[0]
    rate = rig.records / (wall / 1000)
    rows = [_row(f"initial sync, {rig.records:,} records", kind, runs, initial, "initial", rate)]
    rows[-1]["result"] = f"{rate:,.0f} records/s"
    bare = SyncInstrumentation(rig.clock, device.identity, device.profile.name)
    (delta,) = delta_syncs(rig, device, delta_runs, [bare])
    wall = delta.median_ms()[0]
    rows.append(_row(f"delta sync, {CHANGED} changed", kind, delta_runs, delta, "delta", wall))
    rows[-1]["result"] = f"{CHANGED / wall * 1000:,.0f} records/s"
    with_sdk = [sdk.instrumentation(rig.clock, device) for sdk in sdks]
    off, *on = delta_syncs(rig, device, delta_runs, [bare, *with_sdk])
    off_wall, off_cpu = off.median_ms()
    for sdk, times in zip(sdks, on, strict=True):
        logs, spans = sdk.exported()
        if not logs or not spans:
            raise RuntimeError("the SDK runs exported nothing: the comparison would be void")
        on_wall, on_cpu = times.median_ms()
        wall_x, cpu_x = on_wall / off_wall, on_cpu / off_cpu
        name = f"delta sync, {sdk.kind} SDK / none"
        row = _row(name, kind, delta_runs, times, "telemetry", (cpu_x - 1) * 100)
        row.update(
            runs=f"{delta_runs} rounds",
            wall_ms=f"{on_wall:.1f} / {off_wall:.1f}",
            cpu_ms=f"{on_cpu:.1f} / {off_cpu:.1f}",
            result=f"x{wall_x:.3f} wall, x{cpu_x:.3f} cpu",
        )
        rows.append(row)
        print(
            f"{kind}, {sdk.kind} SDK: {logs / delta_runs:.0f} log records and "
            f"{spans / delta_runs:.0f} spans per pass, "
            f"{on_cpu - off_cpu:.2f} ms CPU more per pass"
        )
    device.close()
    return rows


def _row(
    measure: str, kind: str, runs: int, times: Timings, target_of: str, value: float
) -> dict[str, object]:
    wall, cpu = times.median_ms()
    target, verdict = _verdict(target_of, kind, value)
    return {
        "measure": measure,
        "transport": kind,
        "runs": runs,
        "wall_ms": f"{wall:,.1f}",
        "cpu_ms": f"{cpu:,.1f}",
        "result": "",
        "target": target,
        "verdict": verdict,
    }


def main(argv: list[str] | None = None) -> None:
    """Parse the options, run, report."""
    parser = argparse.ArgumentParser(prog="python -m bench.sync_engine", description=__doc__)
    parser.add_argument(
        "--records", type=int, default=200_000, help="records on the device (default 200,000)"
    )
    parser.add_argument(
        "--runs", type=int, default=5, help="initial syncs per transport (default 5)"
    )
    parser.add_argument(
        "--delta-runs",
        type=int,
        default=20,
        help="delta syncs, and rounds of no SDK / Simple SDK / Batch SDK, per transport "
        "(default 20)",
    )
    parser.add_argument(
        "--gzip", action="store_true", help="also measure HTTP with gzip-compressed bodies"
    )
    args = parser.parse_args(argv)
    if args.delta_runs < 1 or args.runs < 1 or args.records < 1_000:
        parser.error("--runs and --delta-runs must be at least 1, --records at least 1,000")
    kinds = ["inprocess", "http", *(["http+gzip"] if args.gzip else [])]
    rows, counts = run(args.records, args.runs, args.delta_runs, kinds)
    report(
        "sync_engine",
        rows,
        params={"records": args.records, "runs": args.runs, "delta_runs": args.delta_runs},
        notes=[
            f"data: {counts}",
            "rerun: python -m bench.sync_engine "
            + " ".join(sys.argv[1:] if argv is None else argv),
        ],
    )


if __name__ == "__main__":
    main()
