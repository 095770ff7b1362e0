"""Destinations: a name and the exporters of each signal that deliver there.

The built-in ones are Azure Monitor, OTLP/HTTP and the console; the store sink is
``ingest.sink.store_destination``, passed in by the caller. Any other
``Destination`` (exporters implementing the SDK interfaces) can be passed to
``setup_telemetry`` and is switched, bounded and counted exactly like the built-in ones.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, TextIO

from opentelemetry.sdk._logs.export import ConsoleLogRecordExporter, LogRecordExporter
from opentelemetry.sdk.metrics.export import ConsoleMetricExporter, MetricExporter
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import ConsoleSpanExporter, SpanExporter

from emitter.config import AZURE, CONSOLE, OTLP, STORE, TelemetryConfig
from emitter.errors import ConfigError, MissingDependencyError

_logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Destination:
    """Where telemetry goes: a unique name and an exporter per signal (``None`` skips a signal)."""

    name: str
    """Unique name, used by ``Telemetry.enable``/``disable``/``status``."""
    logs: LogRecordExporter | None = None
    """Exporter of log records (the sync events)."""
    spans: SpanExporter | None = None
    """Exporter of spans (``sync`` and its per-table children)."""
    metrics: MetricExporter | None = None
    """Exporter of metrics, run by its own periodic reader."""

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise ConfigError("a telemetry destination needs a non-empty name")


def console_destination(stream: TextIO | None = None) -> Destination:
    """The SDK's console exporters, writing to ``stream`` (standard output by default)."""
    out = stream if stream is not None else sys.stdout
    return Destination(
        CONSOLE,
        logs=ConsoleLogRecordExporter(out=out),
        spans=ConsoleSpanExporter(out=out),
        metrics=ConsoleMetricExporter(out=out),
    )


def otlp_destination(base_url: str, timeout_s: float) -> Destination:
    """OTLP/HTTP protobuf exporters posting to ``base_url`` + ``/v1/logs``, ``/v1/traces``, …"""
    from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter
    from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    base = base_url.rstrip("/")
    return Destination(
        OTLP,
        logs=OTLPLogExporter(endpoint=f"{base}/v1/logs", timeout=timeout_s),
        spans=OTLPSpanExporter(endpoint=f"{base}/v1/traces", timeout=timeout_s),
        metrics=OTLPMetricExporter(endpoint=f"{base}/v1/metrics", timeout=timeout_s),
    )


def azure_destination(config: TelemetryConfig, tracer_provider: TracerProvider) -> Destination:
    """Azure Monitor's exporters, added to our own providers (not ``configure_azure_monitor``).

    Log records carrying ``microsoft.custom_event.name`` become customEvents; spans of kind
    INTERNAL, CLIENT or PRODUCER become dependencies. A batch that fails with a retryable status
    is kept in offline storage and resent by a later successful export, so the exporter makes
    no in-process HTTP retries (``retry_total=0``) and its export thread never sleeps in backoff.
    """
    try:
        import azure.monitor.opentelemetry.exporter as exporters
    except ImportError as exc:
        raise MissingDependencyError(
            "Azure Monitor export", "azure", "azure-monitor-opentelemetry"
        ) from exc
    options: dict[str, Any] = {
        "connection_string": config.connection_string(),
        "disable_offline_storage": not config.azure_offline_storage,
        "storage_min_retry_interval": config.azure_storage_retry_interval_s,
        "timeout": config.export_timeout_s,
        "read_timeout": config.export_timeout_s,
        "retry_total": 0,
    }
    storage = config.azure_storage_path()
    if storage is not None:
        options["storage_directory"] = str(storage)
    try:
        return Destination(
            AZURE,
            logs=exporters.AzureMonitorLogExporter(**options),
            spans=exporters.AzureMonitorTraceExporter(tracer_provider=tracer_provider, **options),
            metrics=exporters.AzureMonitorMetricExporter(**options),
        )
    except ValueError as exc:
        raise ConfigError(f"Azure Monitor connection string is not valid: {exc}") from exc


def built_in_destinations(
    config: TelemetryConfig, tracer_provider: TracerProvider, given: Collection[str] = ()
) -> list[Destination]:
    """The destinations ``config`` asks for and ``given`` does not hold, in a fixed order.

    The store sink lives in ``ingest``, which builds on this package: the caller passes it in
    (``ingest.sink.store_destination``; the ``synctel`` command line does), never this module.
    """
    if STORE in config.destinations and STORE not in given:
        raise ConfigError(
            f"the telemetry config names a store ({config.store}) but no {STORE!r} destination "
            "was passed; pass destinations=[ingest.sink.store_destination(folder)] "
            "to setup_telemetry, or use synctel.telemetry.setup_with_store"
        )
    built: list[Destination] = []
    try:
        for name in config.destinations:
            if name == AZURE:
                built.append(azure_destination(config, tracer_provider))
            elif name == OTLP:
                built.append(otlp_destination(config.otlp_base_url(), config.export_timeout_s))
            elif name == CONSOLE:
                built.append(console_destination(config.console_stream))
    except BaseException:
        for destination in built:  # do not leave half a setup's exporters running
            close(destination)
        raise
    return built


def close(destination: Destination) -> None:
    """Shut down a destination's exporters that were never attached to a provider."""
    for exporter in (destination.logs, destination.spans, destination.metrics):
        if exporter is None:
            continue
        try:
            exporter.shutdown()
        except Exception:
            _logger.debug("closing %s exporter failed", destination.name, exc_info=True)
