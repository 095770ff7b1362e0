"""The composition root of telemetry: the emitter's SDK setup with the store sink wired in."""

from __future__ import annotations

from collections.abc import Sequence

from emitter.config import TelemetryConfig
from emitter.destinations import Destination
from emitter.setup import Telemetry, setup_telemetry
from ingest.sink import store_destination


def setup_with_store(
    config: TelemetryConfig | None = None,
    *,
    destinations: Sequence[Destination] = (),
    sample_ratio: float = 1.0,
) -> Telemetry:
    """``setup_telemetry``, with the store sink of ``config.store`` passed in when it is set."""
    config = config if config is not None else TelemetryConfig.from_env()
    sink = [store_destination(config.store)] if config.store is not None else []
    return setup_telemetry(config, destinations=[*sink, *destinations], sample_ratio=sample_ratio)
