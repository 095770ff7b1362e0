"""Destinations: a name and the exporters of each signal that deliver there.

The built-in ones are the store sink, Azure Monitor, OTLP/HTTP and the console. Any other
``Destination`` (exporters implementing the SDK interfaces) can be passed to
``setup_telemetry`` and is switched, bounded and counted exactly like the built-in ones.
"""

from __future__ import annotations

import importlib
import logging
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from opentelemetry.sdk._logs.export import ConsoleLogRecordExporter, LogRecordExporter
from opentelemetry.sdk.metrics.export import ConsoleMetricExporter, MetricExporter
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import ConsoleSpanExporter, SpanExporter

from emitter.config import AZURE, CONSOLE, OTLP, STORE, TelemetryConfig
from emitter.errors import ConfigError, MissingDependencyError

_logger = logging.getLogger(__name__)

_AZURE_EXPORTER_MODULE = "azure.monitor.opentelemetry.exporter"
_SINK_EXPORTERS = ("StoreLogExporter", "StoreSpanExporter", "StoreMetricExporter")


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
        exporters = importlib.import_module(_AZURE_EXPORTER_MODULE)
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


STORE_FLUSH_ROWS = 50_000
"""The store sink writes a file once this many rows are held …"""
STORE_FLUSH_DELAY_S = 1.0
"""… or once the oldest held row is this old."""


def store_destination(folder: Path) -> Destination:
    """The in-process store sink: the ``ingest`` exporters writing into the store at ``folder``."""
    try:
        store_module = importlib.import_module("ingest.store")
        sink = importlib.import_module("ingest.sink")
        exporters = [getattr(sink, name) for name in _SINK_EXPORTERS]
    except (ImportError, AttributeError) as exc:
        raise ConfigError(f"the store sink is not available in this build: {exc}") from exc
    store = store_module.Store.open(folder)
    # Coalesce batches into fewer, larger Parquet files (about 2x the events/s of one file per
    # batch, BENCHMARKS.md "Store"); rows wait at most STORE_FLUSH_DELAY_S, as in the SDK's own
    # batch processors, and force_flush/shutdown write them at once.
    logs, spans, metrics = (
        exporter(store, flush_rows=STORE_FLUSH_ROWS, max_delay_s=STORE_FLUSH_DELAY_S)
        for exporter in exporters
    )
    return Destination(STORE, logs=logs, spans=spans, metrics=metrics)


def built_in_destinations(
    config: TelemetryConfig, tracer_provider: TracerProvider
) -> list[Destination]:
    """The destinations ``config`` asks for, built in a fixed order."""
    built: list[Destination] = []
    try:
        for name in config.destinations:
            if name == STORE and config.store is not None:
                built.append(store_destination(config.store))
            elif name == AZURE:
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
