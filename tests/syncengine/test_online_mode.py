"""S4 online mode: "work online: reads and writes go to the server while sync keeps the offline
copy current". Opening a record reads the server's current version and refreshes the offline
copy; without the network (or the setting) the offline copy is read, as S9 has it."""

from __future__ import annotations

from dataclasses import replace

import pytest

from syncengine.errors import RecordNotFound
from syncengine.profile.model import AdminSettings
from syncengine.scheduler import UserSettings
from syncengine.transport import Call, FaultKind
from tests.syncengine.helpers import FIELD_PROFILE, WO, expected_rows
from vocabulary.contract import Attr, Metric, NetworkType

ONLINE = UserSettings(online_mode=True)


def reads(telemetry) -> dict[tuple[str, str], int]:
    """``sync.online_reads`` by (table, result)."""
    return {
        (p.attributes[Attr.TABLE], p.attributes[Attr.RESULT]): p.value
        for p in telemetry.points(Metric.ONLINE_READS)
    }


def test_opening_a_record_online_reads_the_servers_version_and_refreshes_the_copy(
    transport, server, make_device, telemetry
):
    device = make_device(transport, settings=ONLINE, telemetry=telemetry)
    device.tick()
    version = server.upsert(WO, "w1", {"end": "17:00"})  # the dispatcher, after the sync
    opened = device.open_record(WO, "w1")
    assert opened == server.get(WO, "w1").fields
    assert opened["end"] == "17:00"
    assert device.records(WO)["w1"] == opened  # the offline copy is refreshed
    assert device.db.get(WO, "w1").version == version
    assert reads(telemetry) == {(WO, "success"): 1}
    # the offline copy keeps syncing: the next pass leaves it exactly as the profile selects
    assert device.sync_now().ok
    assert {t: device.records(t) for t in FIELD_PROFILE.table_names} == expected_rows(
        server, FIELD_PROFILE, "u1"
    )


def test_edits_in_online_mode_go_to_the_server_at_once_and_read_back(
    transport, server, make_device
):
    device = make_device(transport, settings=ONLINE)
    device.tick()
    device.edit(WO, "w2", {"start": "06:15"})
    assert server.get(WO, "w2").fields["start"] == "06:15"
    assert device.status().pending_uploads == 0
    assert device.open_record(WO, "w2") == server.get(WO, "w2").fields


def test_without_online_mode_or_when_the_admin_forbids_it_the_offline_copy_is_read(
    transport, server, make_device, telemetry
):
    locked = replace(FIELD_PROFILE, settings=AdminSettings(allow_online_mode=False))
    offline = make_device(transport, name="d1", telemetry=telemetry)
    forbidden = make_device(transport, name="d2", profile=locked, settings=ONLINE)
    offline.tick()
    forbidden.tick()
    server.upsert(WO, "w1", {"end": "17:00"})
    assert "end" not in offline.open_record(WO, "w1")
    assert "end" not in forbidden.open_record(WO, "w1")
    assert reads(telemetry) == {}


def test_with_the_network_down_online_mode_reads_the_offline_copy(
    transport, server, make_device, telemetry
):
    device = make_device(transport, settings=ONLINE, telemetry=telemetry)
    device.tick()
    server.upsert(WO, "w1", {"end": "17:00"})
    device.set_network(NetworkType.UNAVAILABLE)
    assert "end" not in device.open_record(WO, "w1")
    assert reads(telemetry) == {}
    device.set_network(NetworkType.CELL)
    assert device.open_record(WO, "w1")["end"] == "17:00"
    assert reads(telemetry) == {(WO, "success"): 1}


def test_a_read_the_server_does_not_answer_falls_back_to_the_offline_copy(
    transport, server, faults, make_device, telemetry
):
    device = make_device(transport, settings=ONLINE, telemetry=telemetry)
    device.tick()
    server.upsert(WO, "w1", {"end": "17:00"})
    faults.fail_next(FaultKind.SERVER_ERROR, call=Call.READ)
    assert "end" not in device.open_record(WO, "w1")
    assert reads(telemetry) == {(WO, "failure"): 1}
    assert "end" not in device.records(WO)["w1"]


def test_a_record_deleted_on_the_server_is_not_found_online_and_leaves_the_copy(
    transport, server, make_device, telemetry
):
    device = make_device(transport, settings=ONLINE, telemetry=telemetry)
    device.tick()
    server.delete(WO, "w4")
    with pytest.raises(RecordNotFound):
        device.open_record(WO, "w4")
    assert "w4" not in device.records(WO)
    assert [e[Attr.RECORD_ID] for e in telemetry.events() if e["event"] == "record.not_found"] == [
        "w4"
    ]
    assert device.sync_now().ok
    assert device.records(WO) == expected_rows(server, FIELD_PROFILE, "u1")[WO]


def test_a_record_outside_the_profile_opens_online_without_joining_the_offline_copy(
    transport, server, make_device
):
    device = make_device(transport, settings=ONLINE)
    device.tick()
    server.upsert(WO, "w2", {"status": "completed"})  # no longer meets the filter
    assert device.sync_now().ok
    assert "w2" not in device.records(WO)  # it left the device (S9)
    assert device.open_record(WO, "w2") == server.get(WO, "w2").fields
    assert "w2" not in device.records(WO)
    device.set_settings(UserSettings())
    with pytest.raises(RecordNotFound):
        device.open_record(WO, "w2")


def test_a_record_with_changes_not_uploaded_yet_opens_with_what_the_user_typed(
    transport, server, faults, make_device, telemetry
):
    device = make_device(transport, settings=ONLINE, telemetry=telemetry)
    device.tick()
    faults.fail_next(FaultKind.DROP_BEFORE, call=Call.UPLOAD)  # the at-once upload is lost
    device.edit(WO, "w1", {"start": "06:15"})
    assert device.status().pending_uploads == 1
    server.upsert(WO, "w1", {"end": "17:00"})
    opened = device.open_record(WO, "w1")
    assert (opened["start"], "end" in opened) == ("06:15", False)
    assert reads(telemetry) == {}
