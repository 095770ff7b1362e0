"""Runtime on/off for every destination (S8), behind the SDK's own processor and sampler interfaces.

Each destination's log records and spans pass through a switchable processor wrapped around
the SDK's batch processor; its metrics pass through a switchable exporter (``emitter.guarded``)
inside a ``PeriodicExportingMetricReader``. All of them read one ``DestinationState``, so
switching a destination is one flag, whatever the signal. The ``MasterSwitch`` turns telemetry
off as a whole: the sampler then drops every span before it records anything, and the loggers
report ``enabled() == False`` so instrumentation can skip building events.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

from opentelemetry.context import Context
from opentelemetry.sdk._logs import LogRecordProcessor, ReadWriteLogRecord
from opentelemetry.sdk.trace import ReadableSpan, Span, SpanProcessor
from opentelemetry.sdk.trace.sampling import Decision, Sampler, SamplingResult
from opentelemetry.trace import Link, SpanKind
from opentelemetry.trace.span import TraceState
from opentelemetry.util.types import Attributes

_logger = logging.getLogger(__name__)

QUEUE_FULL: Final = "queue_full"
"""Drop reason: the destination's queue was full (its exporter is slow or failing)."""
EXPORT_FAILED: Final = "export_failed"
"""Drop reason: the exporter failed or raised. Azure Monitor may still resend such items from
its offline storage, so for ``azure`` this counts failed attempts, not certain losses."""


class MasterSwitch:
    """Telemetry as a whole, on or off; read on every emit, so a plain attribute."""

    def __init__(self, on: bool) -> None:
        self.on = on
        """Whether any telemetry is recorded at all."""


@dataclass(frozen=True)
class DestinationStatus:
    """A snapshot of one destination, as ``Telemetry.status()`` reports it."""

    name: str
    """The destination's name (``store``, ``azure``, ``otlp``, ``console`` or a custom one)."""
    enabled: bool
    """Its own switch (the master switch is reported separately)."""
    exported: int
    """Log records, spans and metric data points its exporters accepted."""
    dropped: int
    """Items lost: queue full, or the exporter failed or raised (see ``dropped_by_reason``)."""
    dropped_by_reason: dict[str, int]
    """``dropped`` split by reason: ``queue_full`` and ``export_failed``."""
    last_error: str | None
    """The last export error, or ``None`` if there has been none."""


class DestinationState:
    """One destination's switch and counters, shared by its processors and exporter wrappers."""

    def __init__(self, name: str, master: MasterSwitch, *, enabled: bool = True) -> None:
        self.name = name
        """The destination's name."""
        self.enabled = enabled
        """Its own switch; it records only while this and the master switch are on."""
        self._master = master
        self._lock = threading.Lock()
        self._exported = 0
        self._dropped = {QUEUE_FULL: 0, EXPORT_FAILED: 0}
        self._last_error: str | None = None
        self._warned = False

    @property
    def active(self) -> bool:
        """Whether this destination records right now."""
        return self._master.on and self.enabled

    def count_exported(self, count: int) -> None:
        """``count`` items reached the destination."""
        with self._lock:
            self._exported += count

    def count_dropped(self, count: int, reason: str) -> None:
        """``count`` items were lost for ``reason``."""
        with self._lock:
            self._dropped[reason] = self._dropped.get(reason, 0) + count
            first = reason == QUEUE_FULL and not self._warned
            self._warned = self._warned or first
        if first:
            _logger.warning(
                "telemetry destination %r: queue full, dropping items (counted in status())",
                self.name,
            )

    def record_failure(self, count: int, error: str) -> None:
        """An export of ``count`` items failed with ``error``; logged once, then counted."""
        with self._lock:
            self._dropped[EXPORT_FAILED] += count
            first = self._last_error is None
            self._last_error = error
        log = _logger.warning if first else _logger.debug
        log("telemetry destination %r: export failed: %s", self.name, error)

    def dropped_by_reason(self) -> dict[str, int]:
        """A copy of the drop counters."""
        with self._lock:
            return dict(self._dropped)

    def status(self) -> DestinationStatus:
        """A consistent snapshot of the counters."""
        with self._lock:
            return DestinationStatus(
                name=self.name,
                enabled=self.enabled,
                exported=self._exported,
                dropped=sum(self._dropped.values()),
                dropped_by_reason=dict(self._dropped),
                last_error=self._last_error,
            )


class Gate:
    """Bounds what one batch processor holds, so the SDK's own queue never silently overflows.

    An item is admitted while fewer than ``capacity`` wait; the exporter wrapper releases items
    as the batch processor hands them over for export.
    """

    def __init__(self, capacity: int) -> None:
        self._capacity = capacity
        self._waiting = 0
        self._lock = threading.Lock()

    def admit(self) -> bool:
        """Take a place in the queue, or ``False`` when it is full."""
        with self._lock:
            if self._waiting >= self._capacity:
                return False
            self._waiting += 1
            return True

    def release(self, count: int) -> None:
        """``count`` items left the queue."""
        with self._lock:
            self._waiting = max(0, self._waiting - count)


def call_bounded(function: Callable[[], object], timeout_s: float, what: str) -> bool:
    """Run ``function`` on a daemon thread and wait at most ``timeout_s``.

    True if it finished in time without raising and did not return ``False``. A slow exporter
    can then delay a flush or a shutdown by at most ``timeout_s``, never forever.
    """
    done = threading.Event()
    outcome = [False]

    def run() -> None:
        try:
            outcome[0] = function() is not False
        except Exception:
            _logger.warning("%s failed", what, exc_info=True)
        finally:
            done.set()

    threading.Thread(target=run, name=f"synctel {what}", daemon=True).start()
    if not done.wait(max(timeout_s, 0.0)):
        _logger.warning("%s did not finish within %.1f s; carrying on", what, timeout_s)
        return False
    return outcome[0]


class _Switched:
    """What the log and span wrappers share: the switch, the gate, bounded flush and shutdown."""

    def __init__(self, state: DestinationState, gate: Gate, shutdown_timeout_s: float) -> None:
        self._state = state
        self._gate = gate
        self._shutdown_timeout_s = shutdown_timeout_s
        self._closed = False

    def _admit(self) -> bool:
        if self._closed or not self._state.active:
            return False
        if self._gate.admit():
            return True
        self._state.count_dropped(1, QUEUE_FULL)
        return False

    def _forward(self, forward: Callable[[], None]) -> None:
        try:
            forward()
        except Exception as exc:  # noqa: BLE001 - telemetry must never raise into its host
            self._gate.release(1)
            self._state.record_failure(1, repr(exc))

    def _flush(self, flush: Callable[[], bool], timeout_millis: float, signal: str) -> bool:
        if self._closed:
            return True
        return call_bounded(flush, timeout_millis / 1000, f"{self._state.name} {signal} flush")

    def _shutdown(self, shutdown: Callable[[], None], signal: str) -> None:
        if self._closed:
            return
        self._closed = True
        call_bounded(shutdown, self._shutdown_timeout_s, f"{self._state.name} {signal} shutdown")


class SwitchLogRecordProcessor(_Switched, LogRecordProcessor):
    """Forwards log records to one destination's batch processor while that destination is on."""

    def __init__(
        self,
        state: DestinationState,
        inner: LogRecordProcessor,
        gate: Gate,
        shutdown_timeout_s: float,
    ) -> None:
        super().__init__(state, gate, shutdown_timeout_s)
        self._inner = inner

    def on_emit(self, log_record: ReadWriteLogRecord) -> None:
        """Queue the record for export, or drop it (switched off, or the queue is full)."""
        if self._admit():
            self._forward(lambda: self._inner.on_emit(log_record))

    def enabled(self, **_: object) -> bool:
        """Whether a record emitted now would be kept: lets instrumentation skip the work."""
        return not self._closed and self._state.active

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        """Export what is queued, waiting at most ``timeout_millis``."""
        return self._flush(lambda: self._inner.force_flush(timeout_millis), timeout_millis, "log")

    def shutdown(self) -> None:
        """Stop accepting records and shut the batch processor down, bounded in time."""
        self._shutdown(self._inner.shutdown, "log")


class SwitchSpanProcessor(_Switched, SpanProcessor):
    """Forwards ended spans to one destination's batch processor while that destination is on."""

    def __init__(
        self,
        state: DestinationState,
        inner: SpanProcessor,
        gate: Gate,
        shutdown_timeout_s: float,
    ) -> None:
        super().__init__(state, gate, shutdown_timeout_s)
        self._inner = inner

    def on_start(self, span: Span, parent_context: Context | None = None) -> None:
        """Nothing to do: spans are exported when they end."""

    def on_end(self, span: ReadableSpan) -> None:
        """Queue the span for export, or drop it (switched off, or the queue is full)."""
        if self._admit():
            self._forward(lambda: self._inner.on_end(span))

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        """Export what is queued, waiting at most ``timeout_millis``."""
        return self._flush(lambda: self._inner.force_flush(timeout_millis), timeout_millis, "span")

    def shutdown(self) -> None:
        """Stop accepting spans and shut the batch processor down, bounded in time."""
        self._shutdown(self._inner.shutdown, "span")


class SwitchSampler(Sampler):
    """Drops every span while the master switch is off, before anything is recorded."""

    def __init__(self, master: MasterSwitch, inner: Sampler) -> None:
        self._master = master
        self._inner = inner

    def should_sample(
        self,
        parent_context: Context | None,
        trace_id: int,
        name: str,
        kind: SpanKind | None = None,
        attributes: Attributes = None,
        links: Sequence[Link] | None = None,
        trace_state: TraceState | None = None,
    ) -> SamplingResult:
        """``DROP`` while telemetry is off, else what the inner sampler decides."""
        if not self._master.on:
            return SamplingResult(Decision.DROP)
        return self._inner.should_sample(
            parent_context, trace_id, name, kind, attributes, links, trace_state
        )

    def get_description(self) -> str:
        """Names the inner sampler."""
        return f"SwitchSampler{{{self._inner.get_description()}}}"
