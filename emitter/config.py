"""Typed telemetry configuration and the environment variables it reads, all in one place."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Final, TextIO
from urllib.parse import urlparse

from emitter.errors import ConfigError
from vocabulary.settings import (
    DEFAULT_STORE,
    ENV_AZURE_STORAGE_DIR,
    ENV_DESTINATIONS,
    ENV_STORE,
    ENV_TELEMETRY,
)

ENV_CONNECTION_STRING: Final = "APPLICATIONINSIGHTS_CONNECTION_STRING"
"""Azure Monitor connection string, used when the config does not carry one."""
ENV_OTLP_ENDPOINT: Final = "OTEL_EXPORTER_OTLP_ENDPOINT"
"""The standard OTLP base URL (``/v1/logs`` etc. are appended), used when the config has none."""

AZURE_OFFLINE_FOLDER: Final = ".azure-offline"
"""Folder inside the store where Azure Monitor keeps unsent telemetry, by default."""
DEFAULT_OTLP_ENDPOINT: Final = "http://localhost:4318"
"""The OTLP/HTTP default base URL, as in the OpenTelemetry specification."""

STORE: Final = "store"
"""Name of the store sink destination."""
AZURE: Final = "azure"
"""Name of the Azure Monitor destination."""
OTLP: Final = "otlp"
"""Name of the OTLP/HTTP destination."""
CONSOLE: Final = "console"
"""Name of the console destination."""
BUILT_IN_DESTINATIONS: Final = (STORE, AZURE, OTLP, CONSOLE)
"""The destinations ``setup_telemetry`` knows how to build from a config."""

_TRUE = frozenset({"on", "1", "true", "yes"})
_FALSE = frozenset({"off", "0", "false", "no"})


@dataclass(frozen=True)
class TelemetryConfig:
    """Everything ``setup_telemetry`` needs; every destination is off unless asked for."""

    service_name: str = "synctel"
    """``service.name`` of the resource attached to every log record, span and metric."""
    resource_attributes: Mapping[str, str] = field(default_factory=dict)
    """Extra resource attributes (e.g. ``service.version``, ``deployment.environment``)."""

    store: Path | None = None
    """Store folder for the in-process store sink; ``None`` leaves the sink out."""

    azure: bool = False
    """Export to Azure Monitor (Application Insights)."""
    azure_connection_string: str | None = None
    """Connection string; ``None`` reads ``APPLICATIONINSIGHTS_CONNECTION_STRING``."""
    azure_offline_storage: bool = True
    """Keep telemetry that could not be sent on disk and resend it later (exporter default)."""
    azure_storage_directory: Path | None = None
    """Where offline telemetry is kept; ``None`` means ``<store>/.azure-offline`` when the store
    sink is on, else the exporter's own per-user temp folder."""
    azure_storage_retry_interval_s: float = 60.0
    """Seconds a failed batch waits on disk before the next successful export resends it."""

    otlp: bool = False
    """Export over OTLP/HTTP (protobuf) to a collector."""
    otlp_endpoint: str | None = None
    """Base URL like ``http://collector:4318``; ``None`` reads ``OTEL_EXPORTER_OTLP_ENDPOINT``."""

    console: bool = False
    """Print telemetry with the SDK's console exporters (for debugging)."""
    console_stream: TextIO | None = None
    """Stream the console destination writes to; ``None`` means standard output."""

    enabled: bool = True
    """Master switch at start: ``False`` starts with all telemetry off (switchable later)."""
    start_disabled: frozenset[str] = frozenset()
    """Destinations that are built but start switched off (``Telemetry.enable`` turns them on)."""
    set_global: bool = True
    """Install the providers as the OpenTelemetry globals; tests pass ``False``."""

    export_timeout_s: float = 10.0
    """Network timeout of one export call, in seconds (Azure and OTLP)."""
    max_queue_size: int = 2048
    """Log records or spans held per destination while waiting for export; more are dropped."""
    max_export_batch_size: int = 512
    """Largest batch handed to an exporter at once."""
    schedule_delay_ms: float = 1000.0
    """Milliseconds between two batch exports of log records and spans."""
    metric_export_interval_ms: float = 60_000.0
    """Milliseconds between two metric exports."""

    def __post_init__(self) -> None:
        if not self.service_name.strip():
            raise ConfigError("TelemetryConfig.service_name must not be empty")
        for name in ("export_timeout_s", "schedule_delay_ms", "metric_export_interval_ms"):
            _require_positive(name, getattr(self, name))
        _require_positive(
            "azure_storage_retry_interval_s", self.azure_storage_retry_interval_s, allow_zero=True
        )
        for name in ("max_queue_size", "max_export_batch_size"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                raise ConfigError(
                    f"TelemetryConfig.{name} must be a positive integer, got {value!r}"
                )
        if self.max_export_batch_size > self.max_queue_size:
            raise ConfigError(
                f"TelemetryConfig.max_export_batch_size ({self.max_export_batch_size}) must not "
                f"exceed max_queue_size ({self.max_queue_size})"
            )
        if self.otlp_endpoint is not None:
            check_endpoint(self.otlp_endpoint, "TelemetryConfig.otlp_endpoint")

    @property
    def destinations(self) -> tuple[str, ...]:
        """The built-in destinations this config asks for, in a fixed order."""
        wanted = {
            STORE: self.store is not None,
            AZURE: self.azure,
            OTLP: self.otlp,
            CONSOLE: self.console,
        }
        return tuple(name for name in BUILT_IN_DESTINATIONS if wanted[name])

    def connection_string(self) -> str:
        """The connection string from the config or ``APPLICATIONINSIGHTS_CONNECTION_STRING``."""
        value = self.azure_connection_string or os.environ.get(ENV_CONNECTION_STRING, "")
        if not value.strip():
            raise ConfigError(
                "Azure Monitor needs a connection string: pass azure_connection_string or set "
                f"{ENV_CONNECTION_STRING}"
            )
        return value.strip()

    def azure_storage_path(self) -> Path | None:
        """Folder of Azure's offline storage, ``None`` for the exporter's default."""
        if self.azure_storage_directory is not None:
            return self.azure_storage_directory
        if self.store is not None:
            return self.store / AZURE_OFFLINE_FOLDER
        return None

    def otlp_base_url(self) -> str:
        """The OTLP base URL from the config, ``OTEL_EXPORTER_OTLP_ENDPOINT``, or the default."""
        if self.otlp_endpoint is not None:
            return self.otlp_endpoint
        from_env = os.environ.get(ENV_OTLP_ENDPOINT, "").strip()
        if from_env:
            return check_endpoint(from_env, ENV_OTLP_ENDPOINT)
        return DEFAULT_OTLP_ENDPOINT

    @classmethod
    def from_env(cls, **overrides: Any) -> TelemetryConfig:
        """A config from the ``SYNCTEL_*`` variables, then ``overrides`` (field names) on top."""
        values: dict[str, Any] = {}
        switch = os.environ.get(ENV_TELEMETRY)
        if switch is not None and switch.strip():
            values["enabled"] = _parse_bool(ENV_TELEMETRY, switch)
        for name in _parse_destinations(os.environ.get(ENV_DESTINATIONS, "")):
            if name == STORE:
                values["store"] = Path(os.environ.get(ENV_STORE) or DEFAULT_STORE)
            else:
                values[name] = True
        storage = os.environ.get(ENV_AZURE_STORAGE_DIR, "").strip()
        if storage:
            values["azure_storage_directory"] = Path(storage)
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(overrides) - known)
        if unknown:
            raise ConfigError(f"unknown TelemetryConfig field(s): {', '.join(unknown)}")
        return replace(cls(), **{**values, **overrides})


def check_endpoint(url: str, setting: str) -> str:
    """``url`` if it is an http(s) URL with a host, else a ``ConfigError`` naming ``setting``."""
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ConfigError(f"{setting} must be an http:// or https:// URL with a host, got {url!r}")
    return url


def _require_positive(name: str, value: object, *, allow_zero: bool = False) -> None:
    if (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and (value > 0 or (allow_zero and value == 0))
    ):
        return
    wanted = "a number >= 0" if allow_zero else "a positive number"
    raise ConfigError(f"TelemetryConfig.{name} must be {wanted}, got {value!r}")


def _parse_bool(variable: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ConfigError(f"{variable}={raw!r} is not a switch: use on or off")


def _parse_destinations(raw: str) -> tuple[str, ...]:
    names = tuple(part.strip().lower() for part in raw.split(",") if part.strip())
    unknown = [name for name in names if name not in BUILT_IN_DESTINATIONS]
    if unknown:
        raise ConfigError(
            f"{ENV_DESTINATIONS} names unknown destination(s) {', '.join(unknown)}; "
            f"choose from {', '.join(BUILT_IN_DESTINATIONS)}"
        )
    return names
