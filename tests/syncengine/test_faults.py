"""Unhappy paths over both transports: cuts mid-upload and mid-download, 5xx, auth, timeouts,
network check timeouts, disk full, and the S10 record limit."""

from __future__ import annotations

import pytest

from syncengine.status import NETWORK_UNAVAILABLE, DeviceState
from syncengine.transport import Call, FaultKind
from tests.syncengine.helpers import BOOKING, WO, expected_rows
from vocabulary.contract import ErrorCode, FailureType, SkipReason


def rows(device):
    return {t: device.records(t) for t in device.profile.table_names}


def test_cut_after_the_server_applied_the_upload_applies_it_once(
    transport, server, faults, make_device
):
    device = make_device(transport)
    device.tick()
    device.edit(WO, "w1", {"qty": 1})
    faults.fail_next(FaultKind.DROP_AFTER, call=Call.UPLOAD)
    result = device.sync_now()
    assert result.failure.failure_type is FailureType.NETWORK_ERROR
    assert result.failure.error_code == ErrorCode.NETWORK
    assert device.status().pending_uploads == 1  # not acknowledged: kept for retry
    applied = server.get(WO, "w1").version
    assert server.get(WO, "w1").fields["qty"] == 1  # ...but the server had applied it
    assert device.sync_now().ok
    assert server.get(WO, "w1").version == applied  # the retry was acknowledged, not re-applied
    assert device.status().pending_uploads == 0


def test_cut_before_the_server_saw_the_upload(transport, server, faults, make_device):
    device = make_device(transport)
    device.tick()
    device.edit(WO, "w1", {"qty": 2})
    faults.fail_next(FaultKind.DROP_BEFORE, call=Call.UPLOAD)
    assert device.sync_now().failure.failure_type is FailureType.NETWORK_ERROR
    assert "qty" not in server.get(WO, "w1").fields
    assert device.sync_now().ok
    assert server.get(WO, "w1").fields["qty"] == 2


def test_cut_mid_download_recovers_with_a_full_resend(transport, server, faults, make_device):
    device = make_device(transport)
    device.tick()
    server.upsert(WO, "w2", {"status": "completed"})
    server.upsert(WO, "w4", {"start": "12:00"})
    faults.fail_next(FaultKind.DROP_AFTER, call=Call.DOWNLOAD)  # server moved its holdings
    result = device.sync_now()
    assert result.failure.failure_type is FailureType.NETWORK_ERROR
    assert result.failure.table == BOOKING  # the first table pulled
    assert device.sync_now().ok
    assert rows(device) == expected_rows(server, device.profile, "u1")


@pytest.mark.parametrize(
    ("kind", "failure_type", "code"),
    [
        (FaultKind.SERVER_ERROR, FailureType.SERVER_ERROR, ErrorCode.SERVER),
        (FaultKind.AUTH_FAILURE, FailureType.AUTH_ERROR, ErrorCode.AUTH),
        (FaultKind.AUTH_EXPIRED, FailureType.AUTH_ERROR, ErrorCode.AUTH_EXPIRED),
        (FaultKind.TIMEOUT, FailureType.ERROR, ErrorCode.SERVER_TIMEOUT),
    ],
)
def test_server_side_failures_are_classified(
    transport, faults, make_device, kind, failure_type, code
):
    device = make_device(transport)
    device.tick()
    device.edit(WO, "w1", {"qty": 3})
    faults.fail_next(kind, call=Call.UPLOAD)
    result = device.sync_now()
    assert result.failure.failure_type is failure_type
    assert result.failure.error_code == code
    assert device.status().state is DeviceState.ERROR
    assert device.status().pending_uploads == 1
    assert device.sync_now().ok
    assert device.status().pending_uploads == 0


def test_download_failure_names_the_table(transport, faults, make_device):
    device = make_device(transport)
    device.tick()
    faults.fail_next(FaultKind.SERVER_ERROR, call=Call.DOWNLOAD)
    result = device.sync_now()
    assert result.failure.table == BOOKING
    assert result.failure.failure_type is FailureType.SERVER_ERROR


def test_network_check_timeout_skips_and_shows_unavailable(transport, faults, make_device):
    device = make_device(transport)
    faults.fail_next(FaultKind.TIMEOUT, call=Call.CHECK)
    result = device.tick()
    assert result.skipped is SkipReason.NETWORK_CHECK_TIMEOUT
    assert not result.ran
    status = device.status()
    assert status.state is DeviceState.NOT_CONNECTED
    assert status.message == NETWORK_UNAVAILABLE
    assert status.network_unavailable
    assert device.tick().ok  # the next check answers
    assert device.status().state is DeviceState.CONNECTED


def test_slow_answer_within_the_timeout_still_syncs(transport, faults, make_device):
    device = make_device(transport)
    faults.delay_next(0.05, call=Call.DOWNLOAD)
    assert device.tick().ok


def test_disk_full_is_device_error_and_keeps_the_outbox(transport, server, make_device):
    device = make_device(transport)
    device.tick()
    device.edit(WO, "w1", {"qty": 4})
    for i in range(300):
        server.upsert(WO, f"big{i}", {"status": "open", "notes": "x" * 400})
    device.db.limit_storage(full=True)
    result = device.sync_now()
    assert result.failure.failure_type is FailureType.DEVICE_ERROR
    assert result.failure.error_code == ErrorCode.DISK_FULL
    assert result.failure.table == WO
    assert server.get(WO, "w1").fields["qty"] == 4  # the upload went through before
    device.db.limit_storage(full=False)
    assert device.sync_now().ok
    assert rows(device) == expected_rows(server, device.profile, "u1")


def test_more_records_than_the_device_limit_fails_the_sync(transport, server, make_device):
    device = make_device(transport, max_records=10)
    result = device.tick()
    assert result.failure.failure_type is FailureType.CONFIG_ERROR
    assert "over the limit of 10" in result.failure.message
    assert result.failure.table is not None


def test_unknown_profile_is_a_config_error(transport, make_device):
    from dataclasses import replace

    from tests.syncengine.helpers import FIELD_PROFILE

    device = make_device(transport, profile=replace(FIELD_PROFILE, name="Nobody knows me"))
    result = device.tick()
    assert result.failure.failure_type is FailureType.CONFIG_ERROR
