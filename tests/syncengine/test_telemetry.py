"""The telemetry contract (DESIGN): exact event sequences, common attributes, hashed ids,
spans per pass and table on the engine's clock, metrics; no SDK means no cost, and an SDK
configured later is picked up (S8)."""

from __future__ import annotations

import contextlib
from dataclasses import replace
from datetime import timedelta

import pytest

from emitter.instrument import SyncInstrumentation
from syncengine.clock import to_ns
from syncengine.errors import RecordNotFound
from syncengine.scheduler import UserSettings
from syncengine.transport import Call, FaultKind
from tests.syncengine.helpers import FIELD_PROFILE, START, WO
from vocabulary.contract import COMMON_ATTRIBUTES, Attr, Metric
from vocabulary.identity import DeviceIdentity, pseudonymize

TABLES = list(FIELD_PROFILE.table_names)


def test_first_sync_event_sequence_and_common_attributes(transport, make_device, telemetry):
    device = make_device(transport, telemetry=telemetry)
    device.tick()
    events = telemetry.events()
    assert [e["event"] for e in events] == [
        "sync.started",
        "sync.notification",
        *["sync.table"] * len(TABLES),
        "sync.completed",
    ]
    started, notice, *tables, done = events
    assert started[Attr.MODE] == "FIRST_SYNC"
    assert started[Attr.TRIGGER] == "sign_in"
    assert list(started[Attr.TABLES_DUE]) == TABLES
    assert notice[Attr.NOTIFICATION_KIND] == "initial"
    assert [t[Attr.TABLE] for t in tables] == TABLES
    assert {t[Attr.DUE_REASON] for t in tables} == {"first"}
    assert tables[1][Attr.INTERVAL_MINUTES] == 60
    assert sum(t[Attr.RECORDS_DOWN] for t in tables) == done[Attr.RECORDS_DOWN] > 0
    assert done[Attr.BYTES_DOWN] > 0
    assert {e[Attr.SYNC_ID] for e in events} == {started[Attr.SYNC_ID]}
    for e in events:
        assert set(COMMON_ATTRIBUTES) <= e.keys()
        assert e[Attr.DEVICE_ID] == pseudonymize("d1", "test-salt") != "d1"
        assert e[Attr.USER_ID] == pseudonymize("u1", "test-salt") != "u1"
        assert e[Attr.PROFILE] == FIELD_PROFILE.name
        assert e[Attr.NETWORK_TYPE] == "wifi"
        assert e["ts"] == to_ns(START)  # the engine's clock, not the wall clock


def test_spans_one_per_pass_with_a_child_per_table(transport, make_device, telemetry, clock):
    device = make_device(transport, telemetry=telemetry)
    device.tick()
    spans = telemetry.spans.get_finished_spans()
    (root,) = [s for s in spans if s.name == "sync"]
    children = [s for s in spans if s.name == "sync.table"]
    assert len(children) == len(TABLES)
    assert all(c.parent.span_id == root.context.span_id for c in children)
    assert root.start_time == to_ns(START)
    log = telemetry.logs.get_finished_logs()[0].log_record
    assert log.trace_id == root.context.trace_id  # events correlate with the pass


def test_conflict_event_carries_the_winner(transport, server, make_device, telemetry):
    strict = replace(FIELD_PROFILE, name="Strict", conflict_detection=True)
    device = make_device(transport, profile=strict, telemetry=telemetry)
    device.tick()
    telemetry.clear()
    device.edit(WO, "w1", {"start": "07:00"})
    server.upsert(WO, "w1", {"end": "18:00"})
    device.sync_now()
    (conflict,) = [e for e in telemetry.events() if e["event"] == "sync.conflict"]
    assert conflict[Attr.TABLE] == WO
    assert conflict[Attr.RECORD_ID] == "w1"
    assert conflict[Attr.CONFLICT_DETECTION] == "on"
    assert conflict[Attr.CONFLICT_WINNER] == "server"
    (done,) = [e for e in telemetry.events() if e["event"] == "sync.completed"]
    assert done[Attr.CONFLICTS] == 1
    assert done[Attr.RECORDS_UP] == 1


def test_wifi_only_on_cell_is_skipped_with_its_reason(transport, make_device, telemetry):
    from vocabulary.contract import NetworkType

    device = make_device(transport, telemetry=telemetry, settings=UserSettings(wifi_only=True))
    device.set_network(NetworkType.CELL)
    device.tick()
    (skip,) = telemetry.events()
    assert skip["event"] == "sync.skipped"
    assert skip[Attr.SKIP_REASON] == "wifi_only"
    assert skip[Attr.NETWORK_TYPE] == "cell"


def test_failed_pass_names_the_table_and_the_taxonomy(transport, faults, make_device, telemetry):
    device = make_device(transport, telemetry=telemetry)
    device.tick()
    telemetry.clear()
    faults.fail_next(FaultKind.SERVER_ERROR, call=Call.DOWNLOAD)
    device.sync_now()
    names = telemetry.names()
    assert names == ["sync.started", "sync.table", "sync.failed"]
    table, failed = telemetry.events()[1:]
    assert table[Attr.RESULT] == "failure"
    assert failed[Attr.FAILURE_TYPE] == "SERVER_ERROR"
    assert failed[Attr.ERROR_CODE] == 2005
    assert failed[Attr.TABLE] == TABLES[0]
    assert failed[Attr.ERROR_MESSAGE]


def test_record_not_found_event(transport, server, make_device, telemetry, clock):
    device = make_device(transport, telemetry=telemetry)
    device.tick()
    server.upsert(WO, "w2", {"status": "completed"})
    clock.advance(timedelta(hours=1))
    device.tick()
    telemetry.clear()
    with contextlib.suppress(RecordNotFound):
        device.open_record(WO, "w2")
    (event,) = telemetry.events()
    assert event["event"] == "record.not_found"
    assert (event[Attr.TABLE], event[Attr.RECORD_ID]) == (WO, "w2")


def test_refresh_notification_and_grid_mode(transport, make_device, telemetry):
    device = make_device(transport, telemetry=telemetry)
    device.tick()
    telemetry.clear()
    device.refresh(WO)
    started, notice = telemetry.events()[:2]
    assert started[Attr.MODE] == "GRID_SYNC"
    assert notice[Attr.NOTIFICATION_KIND] == "refresh"


def test_large_incremental_after_the_app_was_unused(
    server, transport, make_device, telemetry, clock
):
    from syncengine.scheduler import AppState

    device = make_device(transport, telemetry=telemetry)
    device.tick()
    device.set_app_state(AppState.BACKGROUND)
    server.load("product", ((f"np{i}", {"name": "n"}, None) for i in range(1000)))
    clock.advance(timedelta(days=1))
    device.set_app_state(AppState.ACTIVE)
    telemetry.clear()
    device.tick()
    kinds = [
        e[Attr.NOTIFICATION_KIND] for e in telemetry.events() if e["event"] == "sync.notification"
    ]
    assert kinds == ["large_incremental"]


def test_metrics_count_passes_records_and_failures(transport, faults, make_device, telemetry):
    device = make_device(transport, telemetry=telemetry)
    device.tick()
    faults.fail_next(FaultKind.AUTH_EXPIRED, call=Call.DOWNLOAD)
    device.sync_now()
    data = telemetry.metrics.get_metrics_data()
    points = {
        m.name: m.data.data_points
        for rm in data.resource_metrics
        for sm in rm.scope_metrics
        for m in sm.metrics
    }
    assert sum(p.count for p in points[Metric.DURATION]) == 2
    downs = [p.value for p in points[Metric.RECORDS] if p.attributes[Attr.DIRECTION] == "down"]
    assert sum(downs) > 0
    (failure,) = points[Metric.FAILURES]
    assert failure.attributes[Attr.FAILURE_TYPE] == "AUTH_ERROR"


def test_without_an_sdk_nothing_is_built_and_an_sdk_configured_later_is_used(clock, telemetry):
    from opentelemetry import _logs, metrics, trace

    if any(
        type(p).__name__
        not in ("ProxyLoggerProvider", "ProxyTracerProvider", "_ProxyMeterProvider")
        for p in (
            _logs.get_logger_provider(),
            trace.get_tracer_provider(),
            metrics.get_meter_provider(),
        )
    ):
        pytest.skip("another test configured a global SDK in this process")
    identity = DeviceIdentity("d1", "u1")
    instr = SyncInstrumentation(clock, identity, "p")
    assert not instr.enabled  # the test run has no global SDK
    handle = instr.pass_started("s1", *_mode_trigger(), ["t"])
    assert handle.span is None
    # S8: switch on at run time, without rebuilding the engine's instrumentation
    _logs.set_logger_provider(telemetry.logger_provider)
    try:
        assert instr.enabled
        instr.skipped(*_skip())
        assert telemetry.names() == ["sync.skipped"]
    finally:
        _reset_global_logger_provider()


def _mode_trigger():
    from vocabulary.contract import SyncMode, Trigger

    return SyncMode.DELTA_SYNC, Trigger.SCHEDULE


def _skip():
    from vocabulary.contract import SkipReason, SyncMode, Trigger

    return SkipReason.OFFLINE, SyncMode.DELTA_SYNC, Trigger.SCHEDULE, ["t"]


def _reset_global_logger_provider():
    """The API sets a global once; tests put it back so other tests see no SDK."""
    from opentelemetry._logs import _internal

    _internal._LOGGER_PROVIDER = None
    _internal._LOGGER_PROVIDER_SET_ONCE._done = False
