"""S7: conflicts are per record; the conflict-detection setting decides who wins; uploads are
idempotent; changes to vanished records become Record Not Found sync errors."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import timedelta

from syncengine.protocol import Change, ChangeOp, ChangeStatus, UploadRequest
from syncengine.status import DeviceState
from tests.syncengine.helpers import FIELD_PROFILE, PRODUCT, WO
from vocabulary.contract import Attr, DueReason, SyncErrorType, Winner

STRICT = replace(FIELD_PROFILE, name="Strict", conflict_detection=True)


def test_different_fields_of_one_record_conflict_and_the_devices_whole_record_wins(
    transport, server, make_device, telemetry
):
    # S7: "The system doesn't try to merge changes field by field. Instead, it looks at the
    # entire record and decides which one to keep." Detection off: the device's record.
    server.upsert(WO, "w1", {"end": "16:00"})
    device = make_device(transport, telemetry=telemetry)
    device.tick()
    device.edit(WO, "w1", {"start": "07:30"})  # the technician moves the start time
    server.upsert(WO, "w1", {"end": "17:00", "priority": "high"})  # the dispatcher: end time
    result = device.sync_now()
    assert result.ok
    assert [(c.id, c.conflict_winner) for c in result.conflicts] == [("w1", Winner.DEVICE)]
    held = {"status": "open", "account_id": "a1", "start": "07:30", "end": "16:00"}
    assert server.get(WO, "w1").fields == held  # the dispatcher's end time is overwritten
    assert device.records(WO)["w1"] == held
    assert server.sync_errors() == []
    (event,) = [e for e in telemetry.events() if e["event"] == "sync.conflict"]
    assert (event[Attr.RECORD_ID], event[Attr.CONFLICT_DETECTION]) == ("w1", "off")
    assert event[Attr.CONFLICT_WINNER] == "device"


def test_the_devices_whole_record_after_several_edits_wins(transport, server, make_device):
    device = make_device(transport)
    device.tick()
    device.edit(WO, "w2", {"start": "07:30"})
    device.edit(WO, "w2", {"note": "gate code 1234"})
    server.upsert(WO, "w2", {"start": "09:00", "end": "17:00"})
    result = device.sync_now()
    assert [(c.id, c.conflict_winner) for c in result.conflicts] == [("w2", Winner.DEVICE)]
    expected = {"status": "open", "account_id": "a2", "start": "07:30", "note": "gate code 1234"}
    assert server.get(WO, "w2").fields == expected == device.records(WO)["w2"]


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


def test_a_lost_record_shows_the_servers_version_in_the_same_pass_though_not_due(
    transport, server, make_device, telemetry
):
    # S7, detection on: the server's whole record wins and the device shows it in the same
    # pass; the Refresh of another table is the pass, and the work orders were not due in it
    device = make_device(transport, profile=STRICT, telemetry=telemetry)
    device.tick()
    device.edit(WO, "w1", {"start": "07:30"})
    version = server.upsert(WO, "w1", {"end": "17:00"})
    telemetry.clear()
    result = device.refresh(PRODUCT)
    assert result.ok
    assert {d.table: d.reason for d in result.due} == {
        PRODUCT: DueReason.REFRESH,
        WO: DueReason.REJECTED,
    }
    assert [(c.id, c.conflict_winner) for c in result.conflicts] == [("w1", Winner.SERVER)]
    assert device.records(WO)["w1"] == server.get(WO, "w1").fields
    assert device.records(WO)["w1"]["start"] == "08:00"
    assert device.db.get(WO, "w1").version == version
    (error,) = server.sync_errors()
    assert error.device_values == {"start": "07:30"}  # what the technician typed
    # the telemetry counts the record brought down, in the table's event and the pass's
    events = telemetry.events()
    (table,) = [e for e in events if e["event"] == "sync.table" and e[Attr.TABLE] == WO]
    assert table[Attr.DUE_REASON] == "rejected"
    assert table[Attr.RECORDS_DOWN] == 1
    (done,) = [e for e in events if e["event"] == "sync.completed"]
    tables = [e for e in events if e["event"] == "sync.table"]
    assert done[Attr.RECORDS_DOWN] == sum(e[Attr.RECORDS_DOWN] for e in tables) == 1
    (conflict,) = [e for e in events if e["event"] == "sync.conflict"]
    assert (conflict[Attr.CONFLICT_DETECTION], conflict[Attr.CONFLICT_WINNER]) == ("on", "server")
    # the technician's next edit is of the winning copy: no second conflict, no second error
    device.edit(WO, "w1", {"start": "07:45"})
    again = device.refresh(PRODUCT)
    assert again.conflicts == []
    assert [d.table for d in again.due] == [PRODUCT]
    assert server.get(WO, "w1").fields == {**device.records(WO)["w1"], "start": "07:45"}
    assert len(server.sync_errors()) == 1


def test_an_edit_of_a_record_deleted_on_the_server_leaves_the_device_in_the_same_pass(
    transport, server, make_device
):
    device = make_device(transport)
    device.tick()
    device.edit(WO, "w4", {"start": "11:00"})
    server.delete(WO, "w4")
    result = device.on_push(PRODUCT, "prod1")
    assert result.ok
    assert [r.status for r in result.rejected] == [ChangeStatus.NOT_FOUND]
    assert (WO, DueReason.REJECTED) in [(d.table, d.reason) for d in result.due]
    assert "w4" not in device.records(WO)
    assert result.counts.records_removed == 1
    assert [e.device_values for e in server.sync_errors()] == [{"start": "11:00"}]


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


def test_an_outbox_written_before_whole_record_uploads_still_uploads(
    transport, server, make_device, tmp_path
):
    device = make_device(transport, name="d1")
    device.tick()
    device.edit(WO, "w1", {"start": "05:00"})
    device.close()
    with sqlite3.connect(tmp_path / "d1.db") as old:  # the file as an earlier version left it
        old.execute("ALTER TABLE outbox DROP COLUMN record")
    old.close()
    server.upsert(WO, "w1", {"end": "17:00"})
    reopened = make_device(transport, name="d1")
    assert reopened.status().pending_uploads == 1
    result = reopened.sync_now()
    assert [(c.id, c.conflict_winner) for c in result.conflicts] == [("w1", Winner.DEVICE)]
    # with no whole record on file, the typed fields are what the device's change carries
    assert server.get(WO, "w1").fields["start"] == "05:00"
