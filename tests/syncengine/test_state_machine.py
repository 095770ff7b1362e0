"""Random interleavings of device edits, dispatcher edits, filter moves, network cuts mid-upload
and mid-download, and restarts, for both conflict-detection settings. After the network heals
and a final sync: the device holds exactly the server rows its profile selects; conflicts
ended as the setting says; and no device change was lost (applied, or kept in sync errors)."""

from __future__ import annotations

import json
import tempfile
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, rule

from syncengine.clock import ManualClock
from syncengine.device import DeviceClient
from syncengine.protocol import ChangeStatus
from syncengine.server import SyncServer
from syncengine.transport import Call, FaultKind, Faults, InProcessTransport
from tests.syncengine.helpers import FIELD_PROFILE, START, WO, expected_rows, seed
from vocabulary.contract import SyncErrorType
from vocabulary.identity import DeviceIdentity

WORK_ORDERS = [f"w{i}" for i in range(1, 6)]
VALUES = st.sampled_from(["a", "b", "c", "d"])


class SyncMachine(RuleBasedStateMachine):
    """One device and one dispatcher sharing a server."""

    detection = False

    def __init__(self) -> None:
        super().__init__()
        self._dir = tempfile.TemporaryDirectory()
        self.path = Path(self._dir.name)
        self.clock = ManualClock(START)
        self.profile = replace(FIELD_PROFILE, name="P", conflict_detection=self.detection)
        self.server = SyncServer(self.path / "server.db", self.clock, [self.profile])
        seed(self.server)
        self.faults = Faults(clock=self.clock)
        self.transport = InProcessTransport(self.server, self.faults)
        self.device = self._open()
        self.changes: dict[str, dict] = {}  # change_id -> the fields the technician typed
        self.bases: dict[str, tuple[str, int | None]] = {}  # change_id -> (record, base version)
        self.dispatched: dict[str, list[int]] = {}  # record -> versions the dispatcher wrote

    def _open(self) -> DeviceClient:
        return DeviceClient(
            self.path / "device.db",
            DeviceIdentity("d1", "u1"),
            self.profile,
            self.transport,
            self.clock,
        )

    @initialize()
    def first_sync(self) -> None:
        assert self.device.tick().ok

    @rule(wo=st.sampled_from(WORK_ORDERS), value=VALUES)
    def device_edits(self, wo: str, value: str) -> None:
        if wo in self.device.records(WO):
            change_id = self.device.edit(WO, wo, {"note": value})
            self.changes[change_id] = {"note": value}
            self.bases[change_id] = (wo, self.device.db.outbox()[-1].base_version)

    @rule(value=VALUES)
    def device_creates(self, value: str) -> None:
        self.device.create(WO, {"status": "open", "account_id": "a1", "note": value})

    @rule(wo=st.sampled_from(WORK_ORDERS), value=VALUES)
    def dispatcher_edits(self, wo: str, value: str) -> None:
        if self.server.get(WO, wo):
            self.dispatched.setdefault(wo, []).append(self.server.upsert(WO, wo, {"end": value}))

    @rule(wo=st.sampled_from(WORK_ORDERS), status=st.sampled_from(["open", "completed"]))
    def dispatcher_moves_in_or_out_of_the_filter(self, wo: str, status: str) -> None:
        if self.server.get(WO, wo):
            self.dispatched.setdefault(wo, []).append(
                self.server.upsert(WO, wo, {"status": status})
            )

    @rule(wo=st.sampled_from(WORK_ORDERS))
    def dispatcher_deletes(self, wo: str) -> None:
        self.server.delete(WO, wo)

    @rule(kind=st.sampled_from([FaultKind.DROP_BEFORE, FaultKind.DROP_AFTER]))
    def cut_mid_upload(self, kind: FaultKind) -> None:
        self.faults.fail_next(kind, call=Call.UPLOAD)

    @rule(n=st.integers(1, 3))
    def cut_mid_download(self, n: int) -> None:
        self.faults.fail_next(FaultKind.DROP_AFTER, n, call=Call.DOWNLOAD)

    @rule(minutes=st.sampled_from([1, 5, 61, 600]))
    def time_passes_and_the_scheduler_ticks(self, minutes: int) -> None:
        self.clock.advance(timedelta(minutes=minutes))
        self.device.tick()

    @rule()
    def user_syncs_now(self) -> None:
        self.device.sync_now()

    @rule()
    def app_restarts(self) -> None:
        self.device.close()
        self.device = self._open()

    def teardown(self) -> None:
        try:
            self.faults.clear()
            assert self.device.sync_now().ok
            self._check()
        finally:
            self.device.close()
            self.server.close()
            self._dir.cleanup()

    def _check(self) -> None:
        device, server = self.device, self.server
        assert device.status().pending_uploads == 0
        held = {t: device.records(t) for t in self.profile.table_names}
        assert held == expected_rows(server, self.profile, "u1")
        outcome, result_version = {}, {}
        for cid, status, version in server.execute(
            "SELECT change_id, status, version FROM applied_uploads WHERE device_id='d1'"
        ):
            outcome[cid], result_version[cid] = status, version
        errors = server.sync_errors()
        kept = [(e.type, e.device_values) for e in errors]
        for change_id, fields in self.changes.items():
            status = outcome[change_id]  # every change reached the server exactly once
            if status == ChangeStatus.REJECTED:
                assert self.detection
                assert (SyncErrorType.CONFLICT, fields) in kept
            elif status == ChangeStatus.NOT_FOUND:
                assert (SyncErrorType.RECORD_NOT_FOUND, fields) in kept
            else:
                assert status == ChangeStatus.APPLIED
                record, base = self.bases[change_id]
                overwritten = [
                    v
                    for v in self.dispatched.get(record, [])
                    if base < v < result_version[change_id]
                ]
                # S7: with detection on, a change over a dispatcher's change never applies
                assert not (self.detection and overwritten), (record, base, overwritten)
        if not self.detection:
            assert all(e.type is not SyncErrorType.CONFLICT for e in errors)
        assert all(json.dumps(e.device_values) for e in errors)


class DeviceWinsMachine(SyncMachine):
    detection = False


class ServerWinsMachine(SyncMachine):
    detection = True


_settings = settings(max_examples=40, stateful_step_count=30, deadline=None)
TestDeviceWins = _settings(DeviceWinsMachine).TestCase
TestServerWins = _settings(ServerWinsMachine).TestCase
