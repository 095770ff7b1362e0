"""Fixtures for the emitter: loopback ingestion servers that speak the real wire formats.

- ``ingestion``: Azure Monitor's Track API (``POST /v2.1/track``, JSON or gzip JSON bodies,
  ``{"itemsReceived", "itemsAccepted", "errors"}`` answers), with scripted failure statuses.
- ``collector``: an OTLP/HTTP collector recording ``/v1/logs``, ``/v1/traces``, ``/v1/metrics``
  requests, decoded with the ``opentelemetry.proto`` types.
Both bind 127.0.0.1 on a free port, serve from daemon threads and stop at teardown
(:mod:`tests.emitter.endpoints`; the tests' helpers are in :mod:`tests.emitter.helpers`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from emitter.config import TelemetryConfig
from tests.emitter.endpoints import FakeIngestion, OtlpCollector


@pytest.fixture
def ingestion() -> Iterator[FakeIngestion]:
    """A fake Application Insights ingestion endpoint on loopback."""
    server = FakeIngestion()
    yield server
    server.close()


@pytest.fixture
def collector() -> Iterator[OtlpCollector]:
    """A fake OTLP/HTTP collector on loopback."""
    server = OtlpCollector()
    yield server
    server.close()


@pytest.fixture
def azure_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep the Azure exporter on loopback: no statsbeat, SDK stats or OneSettings calls out."""
    for variable in (
        "APPLICATIONINSIGHTS_STATSBEAT_DISABLED_ALL",
        "APPLICATIONINSIGHTS_SDKSTATS_DISABLED",
        "APPLICATIONINSIGHTS_CONTROLPLANE_DISABLED",
    ):
        monkeypatch.setenv(variable, "true")
    monkeypatch.delenv("APPLICATIONINSIGHTS_CONNECTION_STRING", raising=False)


@pytest.fixture
def azure_config(
    ingestion: FakeIngestion, azure_env: None, tmp_path: Path
) -> Callable[..., TelemetryConfig]:
    """A config factory exporting to ``ingestion``, with offline storage under ``tmp_path``."""

    def make(**overrides: Any) -> TelemetryConfig:
        values: dict[str, Any] = {
            "azure": True,
            "azure_connection_string": ingestion.connection_string,
            "azure_storage_directory": tmp_path / "azure-offline",
            "set_global": False,
            "export_timeout_s": 3.0,
            "schedule_delay_ms": 50.0,
            "metric_export_interval_ms": 600_000.0,
        }
        values.update(overrides)
        return TelemetryConfig(**values)

    return make
