"""The engine's only telemetry surface: events, spans and metrics through the OpenTelemetry API.

Providers are looked up through the API globals (or injected), so an SDK configured later — or
switched at runtime by the emitter — is picked up without restarting the engine (S8). With no
SDK configured, each call costs an ``isinstance`` check: no attribute dicts are built. Every
timestamp comes from the engine's clock, so simulated time is what the telemetry shows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Protocol

from opentelemetry import _logs, metrics, trace
from opentelemetry._logs import NoOpLoggerProvider, SeverityNumber
from opentelemetry._logs._internal import ProxyLoggerProvider
from opentelemetry.context import Context, get_current
from opentelemetry.metrics import NoOpMeterProvider
from opentelemetry.metrics._internal import _ProxyMeterProvider
from opentelemetry.trace import NoOpTracerProvider, ProxyTracerProvider, Status, StatusCode
from opentelemetry.util.types import AttributeValue

from emitter.instrument_types import PassTrace, failure_attributes
from vocabulary.contract import (
    CUSTOM_EVENT_NAME,
    INSTRUMENTATION_SCOPE,
    Attr,
    Counts,
    DueReason,
    Event,
    FailureInfo,
    Metric,
    NetworkType,
    NotificationKind,
    Result,
    SkipReason,
    Span,
    SyncMode,
    Trigger,
    Winner,
)
from vocabulary.identity import DeviceIdentity, pseudonymize

_NOOP_PROVIDERS = (
    ProxyLoggerProvider,
    NoOpLoggerProvider,
    ProxyTracerProvider,
    NoOpTracerProvider,
    _ProxyMeterProvider,
    NoOpMeterProvider,
)


class Clock(Protocol):
    """Where timestamps come from (``syncengine.clock.Clock`` satisfies it)."""

    def now(self) -> datetime:
        """The current time, timezone-aware."""
        ...


def _ns(when: datetime) -> int:
    return int(when.timestamp()) * 1_000_000_000 + when.microsecond * 1_000


def _ms(start: datetime, end: datetime) -> float:
    # Exact microsecond arithmetic, the same as ActiveTimer's: active never exceeds wall.
    return (end - start) / timedelta(milliseconds=1)


class SyncInstrumentation:
    """Emits the telemetry contract of DESIGN for one device."""

    def __init__(
        self,
        clock: Clock,
        identity: DeviceIdentity,
        profile: str,
        *,
        logger_provider: _logs.LoggerProvider | None = None,
        tracer_provider: trace.TracerProvider | None = None,
        meter_provider: metrics.MeterProvider | None = None,
        salt: str | None = None,
    ) -> None:
        """Emit for ``identity`` under ``profile``; providers default to the API globals."""
        self.clock = clock
        self.profile = profile
        self.network = NetworkType.WIFI
        """``network.connection.type`` of the next events (the device keeps it current)."""
        self._device_hash = pseudonymize(identity.device_id, salt)
        self._user_hash = pseudonymize(identity.user_id, salt)
        self._identity = identity
        self._injected = (logger_provider, tracer_provider, meter_provider)
        self._logger = _logs.get_logger(INSTRUMENTATION_SCOPE, logger_provider=logger_provider)
        self._tracer = trace.get_tracer(INSTRUMENTATION_SCOPE, tracer_provider=tracer_provider)
        meter = metrics.get_meter(INSTRUMENTATION_SCOPE, meter_provider=meter_provider)
        self._duration = meter.create_histogram(
            Metric.DURATION, unit="ms", description="Duration of a sync pass"
        )
        self._records = meter.create_counter(
            Metric.RECORDS, unit="{record}", description="Records moved, by direction"
        )
        self._bytes = meter.create_counter(
            Metric.BYTES, unit="By", description="Payload bytes, by direction"
        )
        self._conflicts = meter.create_counter(
            Metric.CONFLICTS, unit="{conflict}", description="Records changed on both sides"
        )
        self._failures = meter.create_counter(
            Metric.FAILURES, unit="{pass}", description="Failed passes, by failure type"
        )
        self._online_reads = meter.create_counter(
            Metric.ONLINE_READS, unit="{read}", description="Records read online, by result"
        )
        self._on = [p is not None for p in self._injected]
        # per-event work done once: the common attributes (rebuilt when the network changes)
        # and the context of the pass span that a pass's records and child spans point at
        self._common: tuple[tuple[NetworkType, str] | None, dict[str, AttributeValue]] = (None, {})
        self._parent: tuple[trace.Span | None, Context | None, Context | None] = (None, None, None)

    def _common_attributes(self) -> dict[str, AttributeValue]:
        key, attrs = self._common
        if key != (self.network, self.profile):
            ident = self._identity
            attrs = {
                Attr.DEVICE_ID: self._device_hash,
                Attr.USER_ID: self._user_hash,
                Attr.OS_NAME: ident.os_name,
                Attr.OS_VERSION: ident.os_version,
                Attr.DEVICE_MODEL: ident.model,
                Attr.APP_VERSION: ident.app_version,
                Attr.NETWORK_TYPE: self.network.value,
                Attr.PROFILE: self.profile,
            }
            self._common = ((self.network, self.profile), attrs)
        return attrs

    def _context(self, span: trace.Span | None) -> Context | None:
        if span is None:
            return None
        ambient = get_current()
        if self._parent[0] is not span or self._parent[1] is not ambient:
            self._parent = (span, ambient, trace.set_span_in_context(span, ambient))
        return self._parent[2]

    def _signal(self, i: int) -> bool:
        if not self._on[i]:
            current = (
                _logs.get_logger_provider(),
                trace.get_tracer_provider(),
                metrics.get_meter_provider(),
            )[i]
            # the API's globals can be set once: once real, always real
            self._on[i] = not isinstance(current, _NOOP_PROVIDERS)
        return self._on[i]

    @property
    def enabled(self) -> bool:
        """True when any signal reaches a configured SDK."""
        return self._signal(0) or self._signal(1) or self._signal(2)

    @property
    def device_hash(self) -> str:
        """The pseudonymous ``device.id``."""
        return self._device_hash

    @property
    def user_hash(self) -> str:
        """The pseudonymous ``user.id``."""
        return self._user_hash

    # --- events -----------------------------------------------------------------------------

    def _emit(
        self,
        event: Event,
        attributes: Mapping[str, AttributeValue],
        when: datetime,
        span: trace.Span | None = None,
        severity: SeverityNumber = SeverityNumber.INFO,
    ) -> None:
        attrs: dict[str, AttributeValue] = {
            CUSTOM_EVENT_NAME: event.value,
            **self._common_attributes(),
            **attributes,
        }
        ns = _ns(when)
        self._logger.emit(
            timestamp=ns,
            observed_timestamp=ns,
            context=self._context(span),
            severity_number=severity,
            severity_text=severity.name,
            body=event.value,
            attributes=attrs,
            event_name=event.value,
        )

    def pass_started(
        self, sync_id: str, mode: SyncMode, trigger: Trigger, tables_due: Sequence[str]
    ) -> PassTrace:
        """A pass begins: ``sync.started`` and the ``sync`` span."""
        now = self.clock.now()
        handle = PassTrace(sync_id, mode, trigger, now)
        if self._signal(1):
            handle.span = self._tracer.start_span(
                Span.SYNC,
                start_time=_ns(now),
                attributes={
                    Attr.SYNC_ID: sync_id,
                    Attr.MODE: mode.value,
                    Attr.TRIGGER: trigger.value,
                    Attr.PROFILE: self.profile,
                    Attr.DEVICE_ID: self._device_hash,
                },
            )
        if self._signal(0):
            self._emit(
                Event.STARTED,
                {
                    Attr.SYNC_ID: sync_id,
                    Attr.MODE: mode.value,
                    Attr.TRIGGER: trigger.value,
                    Attr.TABLES_DUE: tuple(tables_due),
                },
                now,
                handle.span,
            )
        return handle

    def table_done(
        self,
        handle: PassTrace,
        table: str,
        due_reason: DueReason,
        interval_minutes: int,
        started_at: datetime,
        counts: Counts,
        failure: FailureInfo | None = None,
    ) -> None:
        """One table's part of a pass ended: ``sync.table`` and its child span."""
        ended = self.clock.now()
        if not self.enabled:
            return
        result = Result.FAILURE if failure else Result.SUCCESS
        if self._signal(1):
            span = self._tracer.start_span(
                Span.TABLE,
                context=self._context(handle.span),
                start_time=_ns(started_at),
                attributes={
                    Attr.SYNC_ID: handle.sync_id,
                    Attr.TABLE: table,
                    Attr.DUE_REASON: due_reason.value,
                    Attr.RESULT: result.value,
                },
            )
            if failure:
                span.set_status(Status(StatusCode.ERROR, failure.message))
            span.end(end_time=_ns(ended))
        if self._signal(0):
            attrs: dict[str, AttributeValue] = {
                Attr.SYNC_ID: handle.sync_id,
                Attr.MODE: handle.mode.value,
                Attr.TABLE: table,
                Attr.RESULT: result.value,
                Attr.DUE_REASON: due_reason.value,
                Attr.INTERVAL_MINUTES: interval_minutes,
                Attr.DURATION_MS: _ms(started_at, ended),
                **counts.attributes(),
            }
            if failure:
                attrs.update(failure_attributes(failure))
            self._emit(Event.TABLE, attrs, ended, handle.span)

    def conflict(
        self, handle: PassTrace, table: str, record_id: str, detection: bool, winner: Winner
    ) -> None:
        """A record changed on both sides (S7): ``sync.conflict``."""
        handle.conflicts += 1
        if self._signal(2):
            self._conflicts.add(
                1,
                {Attr.PROFILE: self.profile, Attr.TABLE: table, Attr.CONFLICT_WINNER: winner.value},
            )
        if self._signal(0):
            self._emit(
                Event.CONFLICT,
                {
                    Attr.SYNC_ID: handle.sync_id,
                    Attr.TABLE: table,
                    Attr.RECORD_ID: record_id,
                    Attr.CONFLICT_DETECTION: "on" if detection else "off",
                    Attr.CONFLICT_WINNER: winner.value,
                },
                self.clock.now(),
                handle.span,
                SeverityNumber.WARN,
            )

    def pass_ended(
        self,
        handle: PassTrace,
        active_ms: float,
        counts: Counts,
        failure: FailureInfo | None = None,
    ) -> None:
        """The pass ended: ``sync.completed`` or ``sync.failed``, the span, the metrics."""
        ended = self.clock.now()
        duration = _ms(handle.started_at, ended)
        result = Result.FAILURE if failure else Result.SUCCESS
        if self._signal(2):
            labels: dict[str, AttributeValue] = {
                Attr.PROFILE: self.profile,
                Attr.MODE: handle.mode.value,
            }
            self._duration.record(duration, {**labels, Attr.RESULT: result.value})
            for direction, n in (
                ("down", counts.records_down),
                ("up", counts.records_up),
                ("removed", counts.records_removed),
            ):
                if n:
                    self._records.add(n, {**labels, Attr.DIRECTION: direction})
            for direction, n in (("down", counts.bytes_down), ("up", counts.bytes_up)):
                if n:
                    self._bytes.add(n, {**labels, Attr.DIRECTION: direction})
            if failure:
                self._failures.add(1, {**labels, Attr.FAILURE_TYPE: failure.failure_type})
        if self._signal(0):
            attrs: dict[str, AttributeValue] = {
                Attr.SYNC_ID: handle.sync_id,
                Attr.MODE: handle.mode.value,
                Attr.TRIGGER: handle.trigger.value,
                Attr.RESULT: result.value,
                Attr.DURATION_MS: duration,
                Attr.ACTIVE_DURATION_MS: active_ms,
                Attr.CONFLICTS: handle.conflicts,
                **counts.attributes(),
            }
            if failure:
                attrs.update(failure_attributes(failure))
            event, severity = (
                (Event.FAILED, SeverityNumber.ERROR)
                if failure
                else (Event.COMPLETED, SeverityNumber.INFO)
            )
            self._emit(event, attrs, ended, handle.span, severity)
        if handle.span is not None:
            if failure:
                handle.span.set_status(Status(StatusCode.ERROR, failure.message))
            handle.span.set_attribute(Attr.RESULT, result.value)
            handle.span.end(end_time=_ns(ended))

    def skipped(
        self, reason: SkipReason, mode: SyncMode, trigger: Trigger, tables_due: Sequence[str]
    ) -> None:
        """A due sync did not run: ``sync.skipped``."""
        if self._signal(0):
            self._emit(
                Event.SKIPPED,
                {
                    Attr.SKIP_REASON: reason.value,
                    Attr.MODE: mode.value,
                    Attr.TRIGGER: trigger.value,
                    Attr.TABLES_DUE: tuple(tables_due),
                },
                self.clock.now(),
            )

    def notification(self, kind: NotificationKind, handle: PassTrace | None = None) -> None:
        """An in-app notification was raised (S5): ``sync.notification``."""
        if self._signal(0):
            attrs: dict[str, AttributeValue] = {Attr.NOTIFICATION_KIND: kind.value}
            if handle is not None:
                attrs[Attr.SYNC_ID] = handle.sync_id
            self._emit(Event.NOTIFICATION, attrs, self.clock.now(), handle.span if handle else None)

    def online_read(self, table: str, *, ok: bool) -> None:
        """Online mode read a record from the server (S4): ``sync.online_reads``; ``ok`` False
        when the server did not answer and the offline copy was read instead."""
        if self._signal(2):
            result = Result.SUCCESS if ok else Result.FAILURE
            self._online_reads.add(
                1, {Attr.PROFILE: self.profile, Attr.TABLE: table, Attr.RESULT: result.value}
            )

    def record_not_found(self, table: str, record_id: str) -> None:
        """The user opened a record that left the device (S9): ``record.not_found``."""
        if self._signal(0):
            self._emit(
                Event.RECORD_NOT_FOUND,
                {Attr.TABLE: table, Attr.RECORD_ID: record_id},
                self.clock.now(),
                severity=SeverityNumber.WARN,
            )


__all__ = ["PassTrace", "SyncInstrumentation"]
