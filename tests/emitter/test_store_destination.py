"""The store sink as a destination: events reach ``sync_events``, switchable like the others."""

from __future__ import annotations

import pytest

from emitter.config import STORE, TelemetryConfig
from synctel.telemetry import setup_with_store
from tests.emitter.helpers import emit_events, run_sync_span
from vocabulary.contract import Event


def _count(store_path, sql: str) -> int:
    from ingest.store import Store

    with Store.open(store_path).connect() as connection:
        return int(connection.execute(sql).fetchone()[0])


def test_store_destination_writes_events_and_spans(tmp_path):
    config = TelemetryConfig(store=tmp_path, set_global=False, schedule_delay_ms=50.0)
    with setup_with_store(config) as telemetry:
        emit_events(telemetry, [Event.STARTED, Event.COMPLETED])
        telemetry.disable(STORE)
        emit_events(telemetry, [Event.FAILED])
        telemetry.enable(STORE)
        run_sync_span(telemetry)
        assert telemetry.force_flush(10_000)
        status = telemetry.status()[STORE]

    assert status.last_error is None
    assert status.exported >= 4
    assert _count(tmp_path, "select count(*) from sync_events") == 2
    assert _count(tmp_path, "select count(*) from sync_events where event = 'sync.failed'") == 0
    assert _count(tmp_path, "select count(*) from spans") == 2


def test_a_store_in_the_config_without_its_destination_is_a_config_error(tmp_path):
    from emitter.errors import ConfigError
    from emitter.setup import setup_telemetry

    with pytest.raises(ConfigError, match="store_destination"):
        setup_telemetry(TelemetryConfig(store=tmp_path, set_global=False))
