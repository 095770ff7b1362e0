"""One call configures the OpenTelemetry SDK for an application: ``setup_telemetry``.

It builds a LoggerProvider, TracerProvider and MeterProvider, connects each requested
destination through switchable, bounded and counted wrappers (``emitter.switch``,
``emitter.guarded``), and returns a ``Telemetry`` handle that owns them.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Sequence
from types import TracebackType
from typing import TypedDict

from opentelemetry import _logs, metrics, trace
from opentelemetry.metrics import CallbackOptions, Observation
from opentelemetry.sdk._logs import LoggerProvider
from opentelemetry.sdk._logs.export import BatchLogRecordProcessor, LogRecordExporter
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import MetricReader, PeriodicExportingMetricReader
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter
from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased

from emitter.config import TelemetryConfig
from emitter.destinations import Destination, built_in_destinations
from emitter.errors import ConfigError, EmitterError
from emitter.guarded import GuardedLogExporter, GuardedSpanExporter, SwitchMetricExporter
from emitter.switch import (
    DestinationState,
    DestinationStatus,
    Gate,
    MasterSwitch,
    SwitchLogRecordProcessor,
    SwitchSampler,
    SwitchSpanProcessor,
)
from vocabulary.identity import IDS_ATTRIBUTE, IDS_PSEUDONYMOUS

_logger = logging.getLogger(__name__)

SELF_METER: str = "synctel.emitter"
"""Instrumentation scope of the emitter's own metrics."""
DROPPED_METRIC: str = "synctel.telemetry.dropped"
"""Observable counter of telemetry items lost, by destination and reason."""
DESTINATION_ATTR: str = "synctel.destination"
"""Attribute of ``synctel.telemetry.dropped``: the destination's name."""
REASON_ATTR: str = "error.type"
"""Attribute of ``synctel.telemetry.dropped``: ``queue_full`` or ``export_failed``."""


class Telemetry:
    """The configured SDK: owns the three providers and switches destinations at run time."""

    def __init__(
        self,
        logger_provider: LoggerProvider,
        tracer_provider: TracerProvider,
        meter_provider: MeterProvider,
        master: MasterSwitch,
        states: dict[str, DestinationState],
        shutdown_timeout_s: float,
    ) -> None:
        self._logger_provider = logger_provider
        self._tracer_provider = tracer_provider
        self._meter_provider = meter_provider
        self._master = master
        self._states = states
        self._shutdown_timeout_s = shutdown_timeout_s
        self._shutdown_lock = threading.Lock()
        self._is_shut_down = False

    @property
    def logger_provider(self) -> LoggerProvider:
        """The LoggerProvider sync events are emitted through."""
        return self._logger_provider

    @property
    def tracer_provider(self) -> TracerProvider:
        """The TracerProvider of the ``sync`` spans."""
        return self._tracer_provider

    @property
    def meter_provider(self) -> MeterProvider:
        """The MeterProvider of the sync metrics and of ``synctel.telemetry.dropped``."""
        return self._meter_provider

    @property
    def destinations(self) -> tuple[str, ...]:
        """Names of the configured destinations."""
        return tuple(self._states)

    @property
    def is_on(self) -> bool:
        """The master switch: whether any telemetry is recorded."""
        return self._master.on

    def turn_on(self) -> None:
        """Master switch on: destinations that are enabled record again."""
        self._master.on = True

    def turn_off(self) -> None:
        """Master switch off: spans are not sampled, loggers report disabled, nothing exports."""
        self._master.on = False

    def enable(self, name: str) -> None:
        """Switch destination ``name`` on, without restarting anything."""
        self._state(name).enabled = True

    def disable(self, name: str) -> None:
        """Switch destination ``name`` off: what it had queued still goes out, nothing new does."""
        self._state(name).enabled = False

    def status(self) -> dict[str, DestinationStatus]:
        """Per destination: enabled, exported, dropped (by reason) and the last export error."""
        return {name: state.status() for name, state in self._states.items()}

    def force_flush(self, timeout_millis: int = 10_000) -> bool:
        """Export everything queued; False if some destination did not finish in time."""
        if self._is_shut_down:
            return False
        logs = self._logger_provider.force_flush(timeout_millis)
        spans = self._tracer_provider.force_flush(timeout_millis)
        meters = self._meter_provider.force_flush(timeout_millis)
        return bool(logs and spans and meters)

    def shutdown(self) -> None:
        """Flush and close every destination; a second call only logs a warning."""
        with self._shutdown_lock:
            if self._is_shut_down:
                _logger.warning("telemetry was already shut down; ignoring the second shutdown")
                return
            self._is_shut_down = True
        timeout_millis = self._shutdown_timeout_s * 1000
        self._tracer_provider.shutdown()
        self._logger_provider.shutdown()
        self._meter_provider.shutdown(timeout_millis=timeout_millis)

    def __enter__(self) -> Telemetry:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.shutdown()

    def _state(self, name: str) -> DestinationState:
        try:
            return self._states[name]
        except KeyError:
            known = ", ".join(self._states) or "none"
            raise EmitterError(
                f"no telemetry destination named {name!r}; configured: {known}"
            ) from None


def setup_telemetry(
    config: TelemetryConfig | None = None,
    *,
    destinations: Sequence[Destination] = (),
    sample_ratio: float = 1.0,
) -> Telemetry:
    """Configure the SDK for the application and return the handle that owns it.

    ``config`` defaults to ``TelemetryConfig.from_env()``. ``destinations`` adds custom ones to
    the built-in destinations the config asks for; the store sink is one of them
    (``ingest.sink.store_destination``), required when ``config.store`` is set.
    ``sample_ratio`` is the share of new traces kept (a child follows its parent).

    The Resource carries ``synctel.ids = "pseudonymous"``: the device and user ids in this
    telemetry are already pseudonyms (``SyncInstrumentation`` hashes them), so ingest stores
    them as sent. Other code emitting ``device.id`` / ``user.id`` through these providers must
    pass ``vocabulary.identity.pseudonymize`` d values too.
    """
    config = config if config is not None else TelemetryConfig.from_env()
    if not 0.0 <= sample_ratio <= 1.0:
        raise ConfigError(f"sample_ratio must be between 0 and 1, got {sample_ratio!r}")
    # SyncInstrumentation hashes device and user ids before it emits: say so, so the OTLP
    # receiver and loader store them as sent instead of hashing them a second time
    resource = Resource.create(
        {
            **config.resource_attributes,
            SERVICE_NAME: config.service_name,
            IDS_ATTRIBUTE: IDS_PSEUDONYMOUS,
        }
    )
    master = MasterSwitch(config.enabled)
    tracer_provider = TracerProvider(
        resource=resource,
        sampler=SwitchSampler(master, ParentBased(TraceIdRatioBased(sample_ratio))),
    )
    logger_provider = LoggerProvider(resource=resource)
    given = {destination.name for destination in destinations}
    chosen = [*built_in_destinations(config, tracer_provider, given), *destinations]
    states = _states(chosen, config, master)
    # room for an export in progress and the final one, each bounded by the export timeout
    shutdown_timeout_s = 2 * config.export_timeout_s + 1.0
    readers: list[MetricReader] = []
    for destination in chosen:
        state = states[destination.name]
        if destination.logs is not None:
            _add_log_exporter(logger_provider, destination.logs, state, config, shutdown_timeout_s)
        if destination.spans is not None:
            _add_span_exporter(
                tracer_provider, destination.spans, state, config, shutdown_timeout_s
            )
        if destination.metrics is not None:
            readers.append(
                PeriodicExportingMetricReader(
                    SwitchMetricExporter(destination.metrics, state),
                    export_interval_millis=config.metric_export_interval_ms,
                    export_timeout_millis=config.export_timeout_s * 1000,
                )
            )
    meter_provider = MeterProvider(resource=resource, metric_readers=readers)
    meter_provider.get_meter(SELF_METER).create_observable_counter(
        DROPPED_METRIC,
        callbacks=[lambda options: _observe_dropped(states.values(), options)],
        unit="{item}",
        description="Telemetry items lost, by destination and reason",
    )
    telemetry = Telemetry(
        logger_provider, tracer_provider, meter_provider, master, states, shutdown_timeout_s
    )
    if config.set_global and not _set_globals(logger_provider, tracer_provider, meter_provider):
        telemetry.shutdown()
        raise EmitterError(
            "OpenTelemetry global providers were already set in this process and cannot be "
            "replaced; call setup_telemetry once per process, or pass set_global=False"
        )
    return telemetry


def _states(
    chosen: Sequence[Destination], config: TelemetryConfig, master: MasterSwitch
) -> dict[str, DestinationState]:
    names = [destination.name for destination in chosen]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise ConfigError(f"telemetry destination name(s) used twice: {', '.join(duplicates)}")
    unknown = sorted(config.start_disabled - set(names))
    if unknown:
        raise ConfigError(
            f"start_disabled names destination(s) that are not configured: {', '.join(unknown)}"
        )
    return {
        name: DestinationState(name, master, enabled=name not in config.start_disabled)
        for name in names
    }


class _BatchOptions(TypedDict):
    schedule_delay_millis: float
    max_export_batch_size: int
    export_timeout_millis: float
    max_queue_size: int


def _batch_options(config: TelemetryConfig) -> _BatchOptions:
    """The SDK batch processor's settings, the same for events and spans."""
    return _BatchOptions(
        schedule_delay_millis=config.schedule_delay_ms,
        max_export_batch_size=config.max_export_batch_size,
        export_timeout_millis=config.export_timeout_s * 1000,
        max_queue_size=config.max_queue_size,
    )


def _add_log_exporter(
    provider: LoggerProvider,
    exporter: LogRecordExporter,
    state: DestinationState,
    config: TelemetryConfig,
    shutdown_timeout_s: float,
) -> None:
    gate = Gate(config.max_queue_size)
    batch = BatchLogRecordProcessor(
        GuardedLogExporter(exporter, state, gate), **_batch_options(config)
    )
    provider.add_log_record_processor(
        SwitchLogRecordProcessor(state, batch, gate, shutdown_timeout_s)
    )


def _add_span_exporter(
    provider: TracerProvider,
    exporter: SpanExporter,
    state: DestinationState,
    config: TelemetryConfig,
    shutdown_timeout_s: float,
) -> None:
    gate = Gate(config.max_queue_size)
    batch = BatchSpanProcessor(GuardedSpanExporter(exporter, state, gate), **_batch_options(config))
    provider.add_span_processor(SwitchSpanProcessor(state, batch, gate, shutdown_timeout_s))


def _observe_dropped(
    states: Iterable[DestinationState], _options: CallbackOptions
) -> list[Observation]:
    return [
        Observation(count, {DESTINATION_ATTR: state.name, REASON_ATTR: reason})
        for state in states
        for reason, count in state.dropped_by_reason().items()
    ]


def _set_globals(
    logger_provider: LoggerProvider, tracer_provider: TracerProvider, meter_provider: MeterProvider
) -> bool:
    _logs.set_logger_provider(logger_provider)
    trace.set_tracer_provider(tracer_provider)
    metrics.set_meter_provider(meter_provider)
    return (
        _logs.get_logger_provider() is logger_provider
        and trace.get_tracer_provider() is tracer_provider
        and metrics.get_meter_provider() is meter_provider
    )
