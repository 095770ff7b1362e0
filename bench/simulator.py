"""Fleet simulator benchmark (issue 5): device-days and events per second into a real store,
against the bare OpenTelemetry SDK's emit rate for the same events (the ceiling).

- **simulate**: ``--devices`` N devices for ``--days`` D days of the ``--scenario`` through the
  real engine and the real SDK into a fresh store (``synctel simulate``'s path, flushes and the
  final shutdown included); events counted in the store afterwards.
- **bare SDK**: the same events (names, timestamps, attributes, read back from the store) and as
  many spans, emitted through a bare ``LoggerProvider``/``TracerProvider`` whose batch
  processors export to exporters that discard: what the SDK itself costs per event, with no
  simulation, no conversion and no store.

Targets: 1,000 devices x 1 day in under 60 s on 2 cores; simulate's events/s at least half the
bare SDK's (the simulator's own cost at most the SDK's).

Run: ``python -m bench.simulator [--devices N] [--days D] [--scenario NAME] [--seed S]``.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from opentelemetry.sdk._logs import LoggerProvider, ReadableLogRecord
from opentelemetry.sdk._logs.export import (
    BatchLogRecordProcessor,
    LogRecordExporter,
    LogRecordExportResult,
)
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult

from bench._timing import report
from ingest.store import Store
from syncengine.sim.run import run_scenario
from syncengine.sim.scenario import load_scenario
from synctel.commands._simrun import QUEUE_SIZE, SimTelemetry


class _Discard(LogRecordExporter):
    def export(self, batch: Sequence[ReadableLogRecord]) -> LogRecordExportResult:
        return LogRecordExportResult.SUCCESS

    def shutdown(self) -> None:
        return None

    def force_flush(self, timeout_millis: int = 30_000) -> bool:
        return True


class _DiscardSpans(SpanExporter):
    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        return SpanExportResult.SUCCESS


def simulate(store: Path, scenario: str, devices: int, days: float, seed: int) -> dict[str, Any]:
    """Time one simulated run into ``store``."""
    plan = load_scenario(scenario)
    wall, cpu = time.perf_counter(), time.process_time()
    telemetry = SimTelemetry(store, seed)
    stats = run_scenario(
        plan,
        devices=devices,
        days=days,
        seed=seed,
        instrumentation=telemetry.instrumentation,
        progress=lambda done: telemetry.maybe_flush(),
    )
    dropped = telemetry.close()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    con = Store.open(store, create=False).connect()
    try:
        row = con.execute("SELECT (SELECT count(*) FROM sync_events), count(*) FROM spans")
        events, spans = row.fetchone() or (0, 0)
    finally:
        con.close()
    return {
        "wall_s": wall,
        "cpu_s": cpu,
        "events": events,
        "spans": spans,
        "passes": stats.passes,
        "dropped": dropped,
    }


def bare_sdk(store: Path, spans: int) -> dict[str, Any]:
    """Time emitting the store's events and ``spans`` spans through a bare SDK."""
    con = Store.open(store, create=False).connect()
    try:
        rows = con.execute(
            "SELECT event, epoch_ns(ts), attributes, device_id, sync_id, table_name, mode, "
            "duration_ms FROM sync_events ORDER BY ts"
        ).fetchall()
    finally:
        con.close()
    records = []
    for event, ns, extra, device, sync_id, table, mode, duration in rows:
        attrs = {k: v for k, v in json.loads(extra or "{}").items() if not isinstance(v, list)}
        attrs.update(
            {
                "microsoft.custom_event.name": event,
                "device.id": device or "",
                "sync.id": sync_id or "",
                "sync.table": table or "",
                "sync.mode": mode or "",
                "sync.duration_ms": duration or 0.0,
            }
        )
        records.append((event, ns, attrs))
    logs = LoggerProvider()
    logs.add_log_record_processor(BatchLogRecordProcessor(_Discard(), max_queue_size=QUEUE_SIZE))
    traces = TracerProvider()
    traces.add_span_processor(BatchSpanProcessor(_DiscardSpans(), max_queue_size=QUEUE_SIZE))
    logger, tracer = logs.get_logger("bench"), traces.get_tracer("bench")
    wall, cpu = time.perf_counter(), time.process_time()
    for i, (event, ns, attrs) in enumerate(records):
        logger.emit(
            timestamp=ns, observed_timestamp=ns, body=event, attributes=attrs, event_name=event
        )
        if i % 4096 == 0:
            logs.force_flush()
    for i in range(spans):
        tracer.start_span("sync.table", attributes={"sync.id": "x"}).end()
        if i % 4096 == 0:
            traces.force_flush()
    logs.shutdown()
    traces.shutdown()
    return {"wall_s": time.perf_counter() - wall, "cpu_s": time.process_time() - cpu}


def main() -> None:
    """Run both and report."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--devices", type=int, default=1000)
    parser.add_argument("--days", type=float, default=1.0)
    parser.add_argument("--scenario", default="healthy-week")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "store"
        sim = simulate(store, args.scenario, args.devices, args.days, args.seed)
        sdk = bare_sdk(store, sim["spans"])
    device_days = args.devices * args.days
    items = sim["events"] + sim["spans"]
    rows = [
        {
            "run": "simulate -> store",
            "wall_s": sim["wall_s"],
            "cpu_s": sim["cpu_s"],
            "device_days_per_s": device_days / sim["wall_s"],
            "events_per_s": sim["events"] / sim["wall_s"],
            "events_per_cpu_s": sim["events"] / sim["cpu_s"],
        },
        {
            "run": "bare SDK (ceiling)",
            "wall_s": sdk["wall_s"],
            "cpu_s": sdk["cpu_s"],
            "device_days_per_s": device_days / sdk["wall_s"],
            "events_per_s": sim["events"] / sdk["wall_s"],
            "events_per_cpu_s": sim["events"] / sdk["cpu_s"],
        },
    ]
    ratio = sdk["cpu_s"] / sim["cpu_s"]
    report(
        "simulator",
        rows,
        params={
            "devices": args.devices,
            "days": args.days,
            "scenario": args.scenario,
            "events": sim["events"],
            "spans": sim["spans"],
            "passes": sim["passes"],
            "dropped": sim["dropped"],
        },
        notes=[
            f"events per device-day: {sim['events'] / device_days:,.0f} "
            f"(+ {sim['spans'] / device_days:,.0f} spans); telemetry items: {items:,}",
            f"simulate's throughput is {ratio:.0%} of the bare SDK's (CPU; target >= 50%)",
            f"1,000 device-days target: {sim['wall_s'] * 1000 / device_days:,.0f} s "
            "projected (target < 60 s)",
        ],
    )


if __name__ == "__main__":
    main()
