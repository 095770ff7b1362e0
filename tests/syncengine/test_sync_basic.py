"""First sync, deltas, relationship closure and removals (S1, S3, S5, S9) over both transports."""

from __future__ import annotations

from datetime import timedelta

import pytest

from syncengine.errors import RecordNotFound
from tests.syncengine.helpers import ACCOUNT, BOOKING, PRODUCT, WO, WOP, expected_rows
from vocabulary.contract import DueReason, SyncMode, Trigger


def device_rows(device):
    return {t: device.records(t) for t in device.profile.table_names}


def test_first_sync_brings_exactly_the_profile(transport, server, make_device):
    device = make_device(transport)
    result = device.tick()
    assert result.ok, result.failure
    assert result.mode is SyncMode.FIRST_SYNC
    assert result.trigger is Trigger.SIGN_IN
    assert {d.reason for d in result.due} == {DueReason.FIRST}
    rows = device_rows(device)
    assert set(rows[BOOKING]) == {"b1", "b2"}  # u1's, today or later
    # open ones, plus w3 (completed) pulled in by u1's booking b2
    assert set(rows[WO]) == {"w1", "w2", "w3", "w4", "w5"}
    assert set(rows[ACCOUNT]) == {"a1", "a2", "a3", "a4"}  # pulled by held work orders
    assert set(rows[WOP]) == {"p1", "p2", "p3", "p4"}  # children of held work orders
    assert set(rows[PRODUCT]) == {"prod1", "prod2", "prod3"}
    assert rows == expected_rows(server, device.profile, "u1")


def test_delta_brings_changes_and_removes_rows_that_left_the_filter(
    transport, server, make_device, clock
):
    device = make_device(transport)
    assert device.tick().ok
    server.upsert(WO, "w2", {"status": "completed"})  # leaves the filter, w2 not booked by u1
    server.upsert(WO, "w4", {"start": "10:00"})
    clock.advance(timedelta(minutes=61))
    result = device.tick()
    assert result.ok
    assert result.mode is SyncMode.DELTA_SYNC
    assert "w2" not in device.records(WO)
    assert device.records(WO)["w4"]["start"] == "10:00"
    assert "a2" not in device.records(ACCOUNT)  # only w2 pointed at it
    assert "p3" not in device.records(WOP)  # child of w2
    assert result.counts.records_removed >= 3
    assert device_rows(device) == expected_rows(server, device.profile, "u1")
    with pytest.raises(RecordNotFound):
        device.open_record(WO, "w2")


def test_relative_date_filter_drops_yesterdays_bookings_on_a_new_day(
    transport, server, make_device, clock
):
    device = make_device(transport)
    assert device.tick().ok
    assert "b1" in device.records(BOOKING)
    clock.advance(timedelta(days=1))
    assert device.tick().ok
    assert "b1" not in device.records(BOOKING)  # starttime 2026-01-05 is now in the past
    assert device_rows(device) == expected_rows(server, device.profile, "u1")


def test_server_delete_is_a_removal(transport, server, make_device, clock):
    device = make_device(transport)
    device.tick()
    server.delete(PRODUCT, "prod2")
    clock.advance(timedelta(days=1))
    assert device.tick().ok
    assert "prod2" not in device.records(PRODUCT)


def test_nothing_due_means_no_pass(transport, make_device, clock):
    device = make_device(transport)
    device.tick()
    clock.advance(timedelta(minutes=1))
    result = device.tick()
    assert not result.ran
    assert result.due == []


def test_reset_clears_the_device_and_next_sync_is_first(transport, server, make_device):
    device = make_device(transport)
    device.tick()
    device.reset()
    assert device.records(WO) == {}
    result = device.tick()
    assert result.mode is SyncMode.FIRST_SYNC
    assert result.ok
    assert device_rows(device) == expected_rows(server, device.profile, "u1")
