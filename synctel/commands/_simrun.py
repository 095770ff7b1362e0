"""What ``simulate`` and ``demo`` share: the SDK wired to the store, progress, the health summary.

The simulator emits through the real OpenTelemetry SDK into the store sink
(``setup_with_store(TelemetryConfig(store=…))``). Nothing may be lost: the queues are large, the
run flushes whenever a quarter of a queue has been emitted since the last flush, and the
destination's ``dropped`` counter is checked at the end. Span and trace ids come from a seeded
generator and pass ids from the seed (``syncengine.sim.ids``), so the same seed writes the same
rows, event ids included.
"""

from __future__ import annotations

import random
import sys
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Final, TextIO

from opentelemetry.sdk._logs import LogRecordProcessor, ReadWriteLogRecord
from opentelemetry.sdk.trace.id_generator import IdGenerator

from emitter.config import STORE, TelemetryConfig
from emitter.instrument import SyncInstrumentation
from emitter.setup import Telemetry
from syncengine.clock import Clock
from syncengine.sim.ids import SimInstrumentation, SyncIds
from synctel.telemetry import setup_with_store
from vocabulary.identity import DeviceIdentity

QUEUE_SIZE: Final = 1 << 16
"""Log records or spans each batch processor may hold; the run flushes long before."""
BATCH_SIZE: Final = 8192
"""Rows per export batch (one Parquet file per UTC day per batch)."""
NEVER_MS: Final = 24 * 3600 * 1000.0
"""Metric export interval: metrics are collected only at the end (deterministic points)."""


class SeededIds(IdGenerator):
    """Trace and span ids from a seeded generator: the same seed, the same ids."""

    def __init__(self, seed: int) -> None:
        self._rng = random.Random(seed)  # noqa: S311 -- reproducible ids, not security

    def generate_span_id(self) -> int:
        """A non-zero 64-bit id."""
        return self._rng.getrandbits(64) or 1

    def generate_trace_id(self) -> int:
        """A non-zero 128-bit id."""
        return self._rng.getrandbits(128) or 1


class _EmitCounter(LogRecordProcessor):
    """Counts log records as they are emitted (to know when to flush)."""

    def __init__(self) -> None:
        self.emitted = 0

    def on_emit(self, log_record: ReadWriteLogRecord) -> None:
        self.emitted += 1

    def shutdown(self) -> None:
        """Nothing to release."""

    def force_flush(self, timeout_millis: int = 30_000) -> bool:
        """Nothing buffered."""
        return True


class SimTelemetry:
    """The SDK exporting into a store for one simulated run."""

    def __init__(self, store: Path, seed: int) -> None:
        """Configure providers (not the globals) writing to the store at ``store``."""
        config = TelemetryConfig(
            service_name="synctel-fleet",
            # the SDK would make a random one; a run is identified by its seed
            resource_attributes={"service.instance.id": f"synctel-simulate-seed-{seed}"},
            store=store,
            set_global=False,
            max_queue_size=QUEUE_SIZE,
            max_export_batch_size=BATCH_SIZE,
            schedule_delay_ms=500.0,
            metric_export_interval_ms=NEVER_MS,
        )
        self.telemetry: Telemetry = setup_with_store(config)
        # before any tracer exists: tracers copy the provider's generator when created
        # (the SDK annotates the attribute with its default generator's class)
        self.telemetry.tracer_provider.id_generator = SeededIds(seed)  # type: ignore[assignment]
        self._counter = _EmitCounter()
        self.telemetry.logger_provider.add_log_record_processor(self._counter)
        self._ids = SyncIds(seed)
        self._flushed_at = 0

    @property
    def emitted(self) -> int:
        """Events emitted so far."""
        return self._counter.emitted

    def instrumentation(
        self, clock: Clock, identity: DeviceIdentity, profile: str
    ) -> SyncInstrumentation:
        """A device's instrumentation on these providers, with seeded pass ids."""
        t = self.telemetry
        return SimInstrumentation(
            clock,
            identity,
            profile,
            logger_provider=t.logger_provider,
            tracer_provider=t.tracer_provider,
            meter_provider=t.meter_provider,
        ).with_ids(self._ids)

    def maybe_flush(self, *, now: bool = False) -> None:
        """Flush events and spans once a quarter of a queue was emitted since the last flush
        (or ``now``, so that live readers see what was emitted)."""
        if now or self.emitted - self._flushed_at >= QUEUE_SIZE // 4:
            self.telemetry.logger_provider.force_flush()
            self.telemetry.tracer_provider.force_flush()
            self._flushed_at = self.emitted

    def close(self) -> int:
        """Flush everything, shut down; the number of items the store destination dropped."""
        self.telemetry.force_flush()
        self.telemetry.shutdown()
        return self.telemetry.status()[STORE].dropped


class ProgressBar:
    """Progress on stderr: a redrawn bar on a terminal, else a line every 10%."""

    def __init__(self, label: str, stream: TextIO | None = None, *, enabled: bool = True) -> None:
        """Report for ``label`` on ``stream`` (stderr by default)."""
        self._out = stream if stream is not None else sys.stderr
        self._tty = self._out.isatty()
        self._label = label
        self._enabled = enabled
        self._last = -1
        self._started = time.perf_counter()

    def update(self, done: float, events: int) -> None:
        """``done`` (0..1) of the run is behind us, ``events`` emitted so far."""
        if not self._enabled:
            return
        pct = int(done * 100)
        if self._tty:
            if pct == self._last:
                return
            bar = "#" * (pct // 4)
            self._out.write(f"\r{self._label} [{bar:<25}] {pct:3d}%  {events:,} events")
            self._out.flush()
        elif pct // 10 > self._last // 10 or self._last < 0:
            elapsed = time.perf_counter() - self._started
            self._out.write(f"{self._label}: {pct}% ({events:,} events, {elapsed:.1f}s)\n")
            self._out.flush()
        self._last = pct

    def finish(self) -> None:
        """End the bar's line."""
        if self._enabled and self._tty:
            self._out.write("\n")
            self._out.flush()


@dataclass(frozen=True)
class Window:
    """The simulated time a run covered (UTC, naive as the store's ``ts``)."""

    start: datetime
    """First simulated instant."""
    end: datetime
    """Last simulated instant (exclusive)."""


def events_in_window(store: Path, window: Window) -> int:
    """How many events the store already holds in ``window`` (0 when there is no store)."""
    from ingest.catalog import CATALOG_FILE
    from ingest.store import Store

    if not (store / CATALOG_FILE).exists():
        return 0
    con = Store.open(store, create=False).connect()
    try:
        row = con.execute(
            "SELECT count(*) FROM sync_events WHERE ts >= ? AND ts < ?",
            [window.start, window.end],
        ).fetchone()
    finally:
        con.close()
    return int(row[0]) if row else 0


def health_summary(store: Path, window: Window) -> str:
    """A short health report of the run, computed from the store's views over ``window``."""
    from ingest.store import Store

    con = Store.open(store, create=False).connect()
    span = [window.start, window.end]
    try:
        passes, ok, p95, removed = _one(
            con,
            "SELECT count(*), count(*) FILTER (WHERE result = 'success'), "
            "quantile_cont(duration_ms, 0.95), coalesce(sum(records_removed), 0) "
            "FROM sync_runs WHERE started_at >= ? AND started_at < ?",
            span,
        )
        devices, conflicts, not_found, events = _one(
            con,
            "SELECT count(DISTINCT device_id), count(*) FILTER (WHERE event = 'sync.conflict'), "
            "count(*) FILTER (WHERE event = 'record.not_found'), count(*) "
            "FROM sync_events WHERE ts >= ? AND ts < ?",
            span,
        )
        failures = con.execute(
            "SELECT failure_type, error_code, count(*) FROM sync_runs "
            "WHERE result = 'failure' AND started_at >= ? AND started_at < ? "
            "GROUP BY ALL ORDER BY 3 DESC, 1",
            span,
        ).fetchall()
        skips = con.execute(
            "SELECT skip_reason, sum(skips) FROM skips_by_reason "
            "WHERE day BETWEEN CAST(? AS DATE) AND CAST(? AS DATE) GROUP BY ALL ORDER BY 2 DESC",
            span,
        ).fetchall()
    finally:
        con.close()
    rate = f"{ok / passes:.1%}" if passes else "n/a"
    lines = [
        f"Fleet health {window.start:%Y-%m-%d %H:%M} to {window.end:%Y-%m-%d %H:%M} UTC "
        f"({devices:,} devices, {events:,} events)",
        f"  passes         {passes:,} ({rate} succeeded)",
        f"  p95 duration   {_ms(p95)}",
        f"  conflicts      {conflicts:,}",
        f"  removed        {removed:,} records left devices; {not_found:,} Record Not Found",
        "  failures       "
        + (", ".join(f"{t} {c} x{n:,}" for t, c, n in failures) if failures else "none"),
        "  skipped passes " + (", ".join(f"{r} {int(n):,}" for r, n in skips) if skips else "none"),
    ]
    return "\n".join(lines)


def _one(con: Any, sql: str, params: list[datetime]) -> tuple[Any, ...]:
    row = con.execute(sql, params).fetchone()
    return tuple(row) if row else ()


def _ms(value: float | None) -> str:
    if value is None:
        return "n/a"
    return f"{value / 1000:.1f} s" if value >= 1000 else f"{value:.0f} ms"
