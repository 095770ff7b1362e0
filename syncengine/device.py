"""The device client: the technician's app with its offline database (S2-S9).

Edits land in the local database and the outbox at once; sync passes (scheduled, forced,
refresh, push) move them up and the profile's rows down. Tests and the fleet simulator set the
app state and the network; the device reports its status as the status page would (S6).
"""

from __future__ import annotations

import contextlib
import json
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from emitter.instrument import SyncInstrumentation
from syncengine.clock import Clock
from syncengine.errors import RecordNotFound, SyncFailure
from syncengine.offline_db import OfflineDatabase
from syncengine.profile.limits import MAX_DEVICE_RECORDS
from syncengine.profile.model import Profile
from syncengine.protocol import Change, ChangeOp, ChangeStatus, ReadRequest
from syncengine.scheduler import ActiveTimer, AppState, UserSettings, skip_reason
from syncengine.status import NETWORK_UNAVAILABLE, DeviceState, DeviceStatus, PassResult
from syncengine.syncpass import run_pass
from syncengine.transport import Transport
from vocabulary.contract import NetworkType, SkipReason, Trigger
from vocabulary.identity import DeviceIdentity


class DeviceClient:
    """One device: its offline database, its settings, its sync passes."""

    def __init__(
        self,
        path: str | Path,
        device: DeviceIdentity,
        profile: Profile,
        transport: Transport,
        clock: Clock,
        settings: UserSettings | None = None,
        *,
        instrumentation: SyncInstrumentation | None = None,
        max_records: int = MAX_DEVICE_RECORDS,
    ) -> None:
        """Open (or create) the offline database at ``path``; re-opening it is a restart."""
        self.identity = device
        self.profile = profile
        self.transport = transport
        self.clock = clock
        self.max_records = max_records
        """More records than this fails the sync (S10)."""
        self.db = OfflineDatabase(path)
        self.db.set_info(
            {
                "device_id": device.device_id,
                "user_id": device.user_id,
                "os_name": device.os_name,
                "os_version": device.os_version,
                "model": device.model,
                "app_version": device.app_version,
            }
        )
        self.instrumentation = instrumentation or SyncInstrumentation(clock, device, profile.name)
        self._settings = settings or UserSettings()
        self._app = AppState.ACTIVE
        self._network = NetworkType.WIFI
        self.instrumentation.network = self._network
        self.service_unavailable = False
        """The last network check got no answer in time (S6)."""
        self.network_checked = False
        """A network check has answered since the app started: until then the device does
        not know it is online and shows "Network or Service Unavailable" (S6)."""
        self._timer: ActiveTimer | None = None
        self._left_active_at: datetime | None = None
        self._idle: timedelta | None = None
        self.last_result: PassResult | None = None
        """The last pass that ran."""

    def close(self) -> None:
        """Close the offline database (the app is killed)."""
        self.db.close()

    # --- environment ------------------------------------------------------------------------

    @property
    def settings(self) -> UserSettings:
        """The user's settings as honoured: choices the admin does not allow are off (S4)."""
        return self._settings.effective(self.profile.settings)

    def set_settings(self, settings: UserSettings) -> None:
        """The user changed their sync settings.

        An out-of-range value never gets here: ``UserSettings`` refuses it where it is built
        (``InvalidSetting``, naming the allowed range), and these settings stay in force.
        """
        self._settings = settings

    @property
    def app_state(self) -> AppState:
        """Active, background or closed."""
        return self._app

    def set_app_state(self, state: AppState) -> None:
        """The app moved to the front or away (a running pass keeps going: S2)."""
        now = self.clock.now()
        if self._app is AppState.ACTIVE and state is not AppState.ACTIVE:
            self._left_active_at = now
        elif self._app is not AppState.ACTIVE and state is AppState.ACTIVE:
            self._idle = now - self._left_active_at if self._left_active_at else None
        self._app = state
        if self._timer is not None:
            self._timer.app_changed(state)

    @property
    def network(self) -> NetworkType:
        """Wi-Fi, cellular or none."""
        return self._network

    def set_network(self, network: NetworkType) -> None:
        """The device's connection changed."""
        self._network = network
        self.instrumentation.network = network
        self.service_unavailable = False

    def check_network(self) -> bool:
        """Ask the server's network check endpoint; whether it answered in time (S6).

        Until a check answers after the app starts, and whenever the last one got no
        answer, the status page shows "Network or Service Unavailable".
        """
        try:
            self.transport.check()
        except SyncFailure:
            self.service_unavailable = True
            return False
        self.service_unavailable = False
        self.network_checked = True
        return True

    @property
    def network_available(self) -> bool:
        """Connected, and the network check answered: network-only features may run (S6)."""
        return (
            self._network is not NetworkType.UNAVAILABLE
            and self.network_checked
            and not self.service_unavailable
        )

    def take_idle_time(self) -> timedelta | None:
        """How long the app was unused before it last came to the front (once per resume)."""
        idle, self._idle = self._idle, None
        return idle

    # --- records ----------------------------------------------------------------------------

    def open_record(self, tbl: str, id: str) -> dict[str, Any]:
        """The record's fields; RecordNotFound (and ``record.not_found``) if it left (S9).

        In online mode with the network up (S4) this reads the server's current version and
        refreshes the offline copy with it; a record with local changes not uploaded yet, or
        a read the server does not answer, is read from the offline copy.
        """
        record = self.db.get(tbl, id)
        if (
            tbl in self.profile.table_names
            and self._reads_online()
            and not self.db.has_pending(tbl, id)
        ):
            request = ReadRequest(
                self.identity.device_id, self.identity.user_id, self.profile.name, tbl, id
            )
            try:
                online = self.transport.read(request).body.record
            except SyncFailure:
                self.instrumentation.online_read(tbl, ok=False)
            else:
                self.instrumentation.online_read(tbl, ok=True)
                # a copy the disk could not take is sent again by the table's next download
                with contextlib.suppress(SyncFailure):
                    if online is not None:
                        self.db.refresh(tbl, online)
                    elif record is not None:
                        self.db.forget(tbl, id)  # gone on the server: the copy goes too
                if online is not None:
                    return dict(json.loads(online[3]))
                record = None
        if record is None:
            self.instrumentation.record_not_found(tbl, id)
            raise RecordNotFound(tbl, id)
        return record.fields

    def _reads_online(self) -> bool:
        """Online mode is on and the network is up, as for its edits (S4, S6)."""
        settings = self.settings
        return (
            settings.online_mode
            and not self.service_unavailable
            and skip_reason(self._app, self._network, settings, Trigger.PUSH) is None
        )

    def records(self, tbl: str) -> dict[str, dict[str, Any]]:
        """Every record of ``tbl`` on the device: id → fields."""
        return {i: r.fields for i, r in self.db.rows(tbl).items()}

    def edit(self, tbl: str, id: str, fields: dict[str, Any]) -> str:
        """Change fields of a record on the device; the change's id (queued for upload)."""
        record = self.db.get(tbl, id)
        if record is None:
            self.instrumentation.record_not_found(tbl, id)
            raise RecordNotFound(tbl, id)
        return self._change(
            Change(_new_id(), tbl, id, ChangeOp.UPSERT, dict(fields), record.version)
        )

    def create(self, tbl: str, fields: dict[str, Any], id: str | None = None) -> str:
        """Create a record on the device (owned by the user); its id."""
        self.profile.table(tbl)
        id = id or _new_id()
        self._change(Change(_new_id(), tbl, id, ChangeOp.UPSERT, dict(fields), None))
        return id

    def delete(self, tbl: str, id: str) -> str:
        """Delete a record on the device; the change's id (queued for upload)."""
        record = self.db.get(tbl, id)
        if record is None:
            self.instrumentation.record_not_found(tbl, id)
            raise RecordNotFound(tbl, id)
        return self._change(Change(_new_id(), tbl, id, ChangeOp.DELETE, {}, record.version))

    def _change(self, change: Change) -> str:
        self.db.record_change(change, self.identity.user_id)
        if self.settings.online_mode and self._network is not NetworkType.UNAVAILABLE:
            self._sync(Trigger.PUSH, change.tbl)  # online mode: the server hears at once
        return change.change_id

    def reset(self) -> None:
        """Clear the offline database; the next sync is a FIRST_SYNC (S9)."""
        self.db.clear()
        self.last_result = None

    # --- sync -------------------------------------------------------------------------------

    def tick(self) -> PassResult:
        """The scheduler's heartbeat: sync the tables that are due, if allowed (S2, S3).

        A heartbeat with nothing due still runs the network check while none has answered
        since the app started (S6: the status leaves "Network or Service Unavailable" only
        when a check answers).
        """
        result = self._sync(Trigger.SCHEDULE)
        if (
            not self.network_checked
            and not result.ran
            and result.skipped is not SkipReason.NETWORK_CHECK_TIMEOUT  # it just asked
            and self._app is AppState.ACTIVE
            and self._network is not NetworkType.UNAVAILABLE
        ):
            self.check_network()
        return result

    def sync_now(self) -> PassResult:
        """ "Sync now" on the status page: every table (FORCED_SYNC)."""
        return self._sync(Trigger.USER)

    def refresh(self, tbl: str) -> PassResult:
        """Refresh on one table's grid (GRID_SYNC)."""
        return self._sync(Trigger.REFRESH, tbl)

    def on_push(self, tbl: str, id: str) -> PassResult:
        """A push notification says record ``id`` of ``tbl`` changed (SINGLE_RECORD_SYNC)."""
        del id  # the table's delta brings the record
        return self._sync(Trigger.PUSH, tbl)

    def _sync(self, trigger: Trigger, table: str | None = None) -> PassResult:
        result = run_pass(self, trigger, table)
        return result

    def begin_pass(self, timer: ActiveTimer) -> None:
        """Called by the pass when it starts (status: syncing)."""
        self._timer = timer

    def end_pass(self, result: PassResult) -> None:
        """Called by the pass when it ends."""
        self._timer = None
        self.last_result = result

    # --- status -----------------------------------------------------------------------------

    def status(self) -> DeviceStatus:
        """The device status page (S6)."""
        pending = self.db.pending()
        last = {t: None for t in self.profile.table_names} | {
            t: timing.last_success_at for t, timing in self.db.timings().items()
        }
        result = self.last_result
        if self._timer is not None:
            state, message = DeviceState.SYNCING, "Syncing"
        elif not self.network_available:
            state, message = DeviceState.NOT_CONNECTED, NETWORK_UNAVAILABLE
        elif result is not None and result.failure is not None:
            state, message = DeviceState.ERROR, result.failure.message
        elif result is not None and result.rejected:
            kinds = {r.status for r in result.rejected}
            what = "sync conflicts" if ChangeStatus.REJECTED in kinds else "sync errors"
            state, message = DeviceState.WARNING, f"{len(result.rejected)} {what}: see Sync Errors"
        elif pending:
            state, message = DeviceState.PENDING_UPLOADS, f"{pending} changes waiting to upload"
        else:
            state, message = DeviceState.CONNECTED, "Connected"
        return DeviceStatus(state, message, pending, last)


def _new_id() -> str:
    return str(uuid.uuid4())
