"""Sync engine benchmark (issue 2): initial sync, 100-record delta, telemetry overhead.

Each figure is measured over both transports, in-process and real HTTP on loopback (the
HTTP server runs in a thread of this process), and reported as the median of several runs.

Data: one server holding ``--records`` N records for the technician, all of which the
built-in default profile ("Field Service Mobile - Offline Profile") puts on the device:
N - N/200 - 4 open work orders owned by the technician (the profile's own filter: mine and
not completed/posted/canceled), the N/200 accounts they reference (owned by the office,
so they arrive only through the work orders' relationship) and 4 priorities.

- **initial sync**: a fresh device's first ``tick()`` (FIRST_SYNC of all 19 tables).
- **delta sync**: 100 work orders changed on the server, 5 simulated minutes pass, the
  device's ``tick()`` (DELTA_SYNC of the due tables) brings them down.
- **telemetry**: the same delta, rotating the device's instrumentation between no providers
  (the no-op path) and real SDK providers exporting to in-memory exporters, with Simple
  processors (every export on the timed path) and with Batch processors (as the emitter
  sets them up); the ratios of the medians, in wall-clock and in process CPU time. As a
  less noisy cross-check, the instrumentation calls of that pass are replayed on their own.

Run: ``python -m bench.sync_engine [--records N] [--runs R] [--delta-runs D] [--gzip]``.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from bench._sync_rig import CHANGED, START, WORK_ORDER, Rig, Sdk, load_server, transport_for
from bench._timing import report, time_once
from emitter.instrument import SyncInstrumentation
from syncengine.clock import ManualClock
from syncengine.device import DeviceClient
from syncengine.profile.load import default_profile
from syncengine.server import SyncServer
from syncengine.status import PassResult
from syncengine.transport import Transport
from vocabulary.contract import Counts, SyncMode, Trigger

TARGETS: Final = {
    ("initial", "inprocess"): ("records/s", 50_000, ">="),
    ("initial", "http"): ("records/s", 20_000, ">="),
    ("delta", "inprocess"): ("ms", 50, "<"),
    ("telemetry", "inprocess"): ("overhead %", 5, "<"),
    ("telemetry", "http"): ("overhead %", 5, "<"),
}
"""The issue's targets by (measurement, transport)."""


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


def telemetry_alone(
    device: DeviceClient, instrumentation: list[SyncInstrumentation], rounds: int, passes: int
) -> list[float]:
    """Median CPU seconds per pass of only the instrumentation calls the device's last pass
    made (start, each table's part, end), per instrumentation: the SDK's cost without the
    sync around it, so far less noisy than a difference of two sync timings."""
    last = device.last_result
    if last is None or last.mode is None:
        raise RuntimeError("the device has not run a pass to replay")
    due, mode = last.due, last.mode
    minutes = {d.table: device.profile.table(d.table).interval_minutes for d in due}
    names = [d.table for d in due]
    counts = Counts(records_down=CHANGED, bytes_down=50_000, bytes_up=200)
    when = device.clock.now()
    per: list[list[float]] = [[] for _ in instrumentation]
    for _ in range(rounds):
        for instr, out in zip(instrumentation, per, strict=True):
            gc.collect()
            start = time.process_time()
            for n in range(passes):
                handle = instr.pass_started(f"replay-{n}", mode, Trigger.SCHEDULE, names)
                for d in due:
                    instr.table_done(handle, d.table, d.reason, minutes[d.table], when, counts)
                instr.pass_ended(handle, 0.0, counts)
            out.append((time.process_time() - start) / passes)
    return [statistics.median(out) for out in per]


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
    down = device.last_result.counts.bytes_down if device.last_result else 0
    rows[-1]["result"] = f"{rate:,.0f} records/s, {down / 1e6:,.0f} MB JSON"
    bare = SyncInstrumentation(rig.clock, device.identity, device.profile.name)
    (delta,) = delta_syncs(rig, device, delta_runs, [bare])
    wall = delta.median_ms()[0]
    rows.append(_row(f"delta sync, {CHANGED} changed", kind, delta_runs, delta, "delta", wall))
    rows[-1]["result"] = f"{CHANGED / wall * 1000:,.0f} records/s"
    with_sdk = [sdk.instrumentation(rig.clock, device) for sdk in sdks]
    off, *on = delta_syncs(rig, device, delta_runs, [bare, *with_sdk])
    off_wall, off_cpu = off.median_ms()
    exported = [sdk.exported() for sdk in sdks]
    alone = telemetry_alone(device, [bare, *with_sdk], rounds=5, passes=50)
    for sdk, times, cost, (logs, spans) in zip(sdks, on, alone[1:], exported, strict=True):
        sdk.exported()  # forget the replay's
        if not logs or not spans:
            raise RuntimeError("the SDK runs exported nothing: the comparison would be void")
        alone_ms = (cost - alone[0]) * 1000
        on_wall, on_cpu = times.median_ms()
        wall_x, cpu_x = on_wall / off_wall, on_cpu / off_cpu
        paired = statistics.median(b / a for a, b in zip(off.cpu, times.cpu, strict=True))
        name = f"delta sync, {sdk.kind} SDK / none"
        row = _row(name, kind, delta_runs, times, "telemetry", (cpu_x - 1) * 100)
        row.update(
            runs=f"{delta_runs} rounds",
            wall_ms=f"{on_wall:.1f} / {off_wall:.1f}",
            cpu_ms=f"{on_cpu:.1f} / {off_cpu:.1f}",
            result=f"x{wall_x:.3f} wall, x{cpu_x:.3f} cpu (paired x{paired:.3f})",
        )
        rows.append(row)
        rows.append(
            {
                "measure": f"{sdk.kind} SDK calls alone / delta",
                "transport": kind,
                "runs": "5 x 50 passes",
                "wall_ms": "-",
                "cpu_ms": f"{alone_ms:.2f} / {off_cpu:.1f}",
                "result": f"+{alone_ms / off_cpu * 100:.1f} %",
                "target": "-",
                "verdict": "-",
            }
        )
        print(
            f"{kind}, {sdk.kind} SDK: {logs / delta_runs:.0f} log records and "
            f"{spans / delta_runs:.0f} spans per pass; the calls alone cost "
            f"{alone_ms:.2f} ms CPU per pass"
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
    parser = argparse.ArgumentParser(
        prog="python -m bench.sync_engine",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--records", type=int, default=200_000, help="records on the device (default 200,000)"
    )
    parser.add_argument(
        "--runs", type=int, default=5, help="initial syncs per transport (default 5)"
    )
    parser.add_argument(
        "--delta-runs",
        type=int,
        default=30,
        help="delta syncs, and rounds of no SDK / Simple SDK / Batch SDK, per transport "
        "(default 30)",
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
