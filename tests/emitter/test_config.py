"""Typed configuration: defaults, environment variables, and clear messages for bad values."""

from __future__ import annotations

from pathlib import Path

import pytest

from emitter.config import (
    DEFAULT_OTLP_ENDPOINT,
    ENV_CONNECTION_STRING,
    ENV_OTLP_ENDPOINT,
    TelemetryConfig,
)
from emitter.errors import ConfigError, EmitterError, MissingDependencyError
from emitter.setup import setup_telemetry
from vocabulary.settings import ENV_AZURE_STORAGE_DIR, ENV_DESTINATIONS, ENV_STORE, ENV_TELEMETRY


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for variable in (
        ENV_CONNECTION_STRING,
        ENV_OTLP_ENDPOINT,
        ENV_STORE,
        ENV_TELEMETRY,
        ENV_DESTINATIONS,
        ENV_AZURE_STORAGE_DIR,
    ):
        monkeypatch.delenv(variable, raising=False)


def test_defaults_ask_for_no_destination():
    config = TelemetryConfig()
    assert config.destinations == ()
    assert config.enabled
    assert config.set_global
    assert config.azure_offline_storage


def test_destinations_are_listed_in_a_fixed_order(tmp_path):
    config = TelemetryConfig(console=True, azure=True, store=tmp_path, otlp=True)
    assert config.destinations == ("store", "azure", "otlp", "console")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"max_queue_size": 0}, r"max_queue_size must be a positive integer, got 0"),
        ({"max_export_batch_size": 2.5}, r"max_export_batch_size must be a positive integer"),
        ({"max_queue_size": 10, "max_export_batch_size": 20}, r"must not exceed max_queue_size"),
        ({"export_timeout_s": -1}, r"export_timeout_s must be a positive number, got -1"),
        ({"schedule_delay_ms": True}, r"schedule_delay_ms must be a positive number"),
        ({"azure_storage_retry_interval_s": -3}, r"must be a number >= 0, got -3"),
        ({"otlp_endpoint": "collector:4318"}, r"otlp_endpoint must be an http:// or https:// URL"),
        ({"service_name": " "}, r"service_name must not be empty"),
    ],
)
def test_bad_values_get_a_clear_message(overrides, message):
    with pytest.raises(ConfigError, match=message):
        TelemetryConfig(**overrides)


def test_from_env_reads_the_switch_destinations_and_store(monkeypatch, tmp_path):
    monkeypatch.setenv(ENV_TELEMETRY, "off")
    monkeypatch.setenv(ENV_DESTINATIONS, "store, console")
    monkeypatch.setenv(ENV_STORE, str(tmp_path))
    monkeypatch.setenv(ENV_AZURE_STORAGE_DIR, str(tmp_path / "offline"))
    config = TelemetryConfig.from_env(set_global=False)
    assert config.enabled is False
    assert config.destinations == ("store", "console")
    assert config.store == tmp_path
    assert config.azure_storage_directory == tmp_path / "offline"
    assert config.set_global is False


def test_from_env_overrides_win(monkeypatch):
    monkeypatch.setenv(ENV_TELEMETRY, "on")
    assert TelemetryConfig.from_env(enabled=False).enabled is False


def test_from_env_store_defaults_to_the_cli_default(monkeypatch):
    monkeypatch.setenv(ENV_DESTINATIONS, "store")
    assert TelemetryConfig.from_env().store == Path("synctel-data")


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        (ENV_TELEMETRY, "maybe", r"SYNCTEL_TELEMETRY='maybe' is not a switch: use on or off"),
        (ENV_DESTINATIONS, "azure,kafka", r"unknown destination\(s\) kafka; choose from"),
        (ENV_OTLP_ENDPOINT, "not a url", r"OTEL_EXPORTER_OTLP_ENDPOINT must be an http"),
    ],
)
def test_bad_environment_values_name_the_variable(monkeypatch, variable, value, message):
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError, match=message):
        TelemetryConfig.from_env(otlp=True).otlp_base_url()


def test_from_env_rejects_unknown_fields():
    with pytest.raises(ConfigError, match="unknown TelemetryConfig field"):
        TelemetryConfig.from_env(colour="blue")


def test_otlp_endpoint_order_config_then_env_then_default(monkeypatch):
    assert TelemetryConfig().otlp_base_url() == DEFAULT_OTLP_ENDPOINT
    monkeypatch.setenv(ENV_OTLP_ENDPOINT, "http://collector:4318")
    assert TelemetryConfig().otlp_base_url() == "http://collector:4318"
    assert TelemetryConfig(otlp_endpoint="https://x:1").otlp_base_url() == "https://x:1"


def test_azure_offline_storage_goes_under_the_store_unless_given(tmp_path):
    assert TelemetryConfig(azure=True).azure_storage_path() is None
    under_store = TelemetryConfig(azure=True, store=tmp_path).azure_storage_path()
    assert under_store == tmp_path / ".azure-offline"
    given = TelemetryConfig(store=tmp_path, azure_storage_directory=tmp_path / "x")
    assert given.azure_storage_path() == tmp_path / "x"


def test_sample_ratio_is_checked():
    with pytest.raises(ConfigError, match="sample_ratio must be between 0 and 1"):
        setup_telemetry(TelemetryConfig(set_global=False), sample_ratio=1.5)


def test_errors_share_the_base_the_cli_catches():
    assert issubclass(ConfigError, EmitterError)
    assert issubclass(MissingDependencyError, EmitterError)
