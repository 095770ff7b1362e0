"""S7: conflicts are per record; the conflict-detection setting decides who wins; uploads are
idempotent; changes to vanished records become Record Not Found sync errors."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from syncengine.protocol import Change, ChangeOp, ChangeStatus, UploadRequest
from syncengine.status import DeviceState
from tests.syncengine.helpers import FIELD_PROFILE, WO
from vocabulary.contract import SyncErrorType, Winner

STRICT = replace(FIELD_PROFILE, name="Strict", conflict_detection=True)


def test_different_fields_of_one_record_conflict_and_device_wins_by_default(
    transport, server, make_device
):
    device = make_device(transport)
    device.tick()
    device.edit(WO, "w1", {"start": "07:30"})  # the technician moves the start time
    server.upsert(WO, "w1", {"end": "17:00"})  # the dispatcher moves the end time
    result = device.sync_now()
    assert result.ok
    assert [(c.id, c.conflict_winner) for c in result.conflicts] == [("w1", Winner.DEVICE)]
    assert server.get(WO, "w1").fields["start"] == "07:30"
    assert device.records(WO)["w1"]["start"] == "07:30"
    assert server.sync_errors() == []


def test_conflict_detection_on_server_wins_device_reverted_values_kept(
    transport, server, make_device
):
    device = make_device(transport, profile=STRICT)
    device.tick()
    device.edit(WO, "w1", {"start": "07:30"})
    server.upsert(WO, "w1", {"end": "17:00"})
    result = device.sync_now()
    assert result.ok
    assert [(c.id, c.conflict_winner) for c in result.conflicts] == [("w1", Winner.SERVER)]
    assert server.get(WO, "w1").fields["start"] == "08:00"
    assert device.records(WO)["w1"] == server.get(WO, "w1").fields  # reverted by the download
    (error,) = server.sync_errors()
    assert error.type is SyncErrorType.CONFLICT
    assert (error.tbl, error.record_id, error.action) == (WO, "w1", "update")
    assert error.device_values == {"start": "07:30"}  # nothing the technician typed is lost
    assert device.status().state is DeviceState.WARNING


def test_no_conflict_when_only_the_device_changed(transport, server, make_device):
    device = make_device(transport, profile=STRICT)
    device.tick()
    device.edit(WO, "w1", {"start": "07:30"})
    device.edit(WO, "w1", {"start": "07:45"})  # two edits of the same copy: its own writes
    result = device.sync_now()
    assert result.conflicts == []
    assert server.get(WO, "w1").fields["start"] == "07:45"


def test_edit_of_a_deleted_record_is_record_not_found(transport, server, make_device):
    device = make_device(transport)
    device.tick()
    device.edit(WO, "w4", {"start": "11:00"})
    server.delete(WO, "w4")
    result = device.sync_now()
    assert result.ok
    assert [r.status for r in result.rejected] == [ChangeStatus.NOT_FOUND]
    (error,) = server.sync_errors()
    assert error.type is SyncErrorType.RECORD_NOT_FOUND
    assert error.device_values == {"start": "11:00"}
    assert "w4" not in device.records(WO)


def test_device_create_and_delete_reach_the_server(transport, server, make_device, clock):
    device = make_device(transport)
    device.tick()
    new_id = device.create(WO, {"status": "open", "account_id": "a4"})
    device.delete(WO, "w5")
    assert device.sync_now().ok
    assert server.get(WO, new_id).owner == "u1"
    assert server.get(WO, "w5") is None
    assert new_id in device.records(WO)


def test_a_retried_upload_applies_each_change_once(server):
    change = Change("c-1", WO, "w1", ChangeOp.UPSERT, {"start": "06:00"}, base_version=None)
    request = UploadRequest("d9", "u9", FIELD_PROFILE.name, (change,))
    server.upload(request)
    version = server.get(WO, "w1").version
    again = server.upload(request)
    assert [r.status for r in again.results] == [ChangeStatus.DUPLICATE]
    assert server.get(WO, "w1").version == version


def test_restart_with_pending_outbox_uploads_after_reopen(transport, server, make_device, clock):
    device = make_device(transport, name="d1")
    device.tick()
    device.edit(WO, "w1", {"start": "05:00"})
    device.close()  # the app is killed before it could sync
    reopened = make_device(transport, name="d1")
    assert reopened.status().pending_uploads == 1
    assert reopened.records(WO)["w1"]["start"] == "05:00"
    assert reopened.sync_now().ok
    assert server.get(WO, "w1").fields["start"] == "05:00"
    clock.advance(timedelta(minutes=1))
    assert reopened.status().state is DeviceState.CONNECTED
