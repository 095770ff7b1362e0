"""One sync pass: network check → upload the outbox → download the due tables → update state.

Failures are classified (SyncFailure), end the pass with ``sync.failed`` (naming the table when
one caused it), and leave the outbox for the next attempt.
"""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import timedelta
from typing import TYPE_CHECKING, Final

from emitter.instrument import PassTrace
from syncengine.errors import SyncFailure
from syncengine.protocol import ChangeStatus, DownloadRequest, UploadRequest
from syncengine.relations import dependency_order
from syncengine.scheduler import ActiveTimer, Due, due_tables, intervals, mode_for, skip_reason
from syncengine.status import PassResult
from vocabulary.contract import (
    Counts,
    DueReason,
    FailureInfo,
    NotificationKind,
    SkipReason,
    SyncMode,
    Trigger,
)

if TYPE_CHECKING:
    from syncengine.device import DeviceClient

LARGE_INCREMENTAL_RECORDS: Final = 1_000
"""An incremental pass bringing at least this many records may raise a notification (S5)."""
UNUSED_FOR: Final = timedelta(hours=8)
"""…when the app had not been used for at least this long before it."""


def run_pass(device: DeviceClient, trigger: Trigger, table: str | None = None) -> PassResult:
    """Run one pass of ``device`` if anything is due and allowed; report what happened."""
    profile, clock = device.profile, device.clock
    now = clock.now()
    timings = device.db.timings()
    minutes = intervals(profile, device.settings)
    due = due_tables(profile, timings, now, trigger, table=table, minutes=minutes)
    if trigger is Trigger.SCHEDULE and not any(t.synced for t in timings.values()):
        trigger = Trigger.SIGN_IN
    result = PassResult(trigger, mode_for(trigger, due, len(profile.tables)), due)
    if not due:
        result.mode = None
        return result
    assert result.mode is not None
    names = [d.table for d in due]
    reason = skip_reason(device.app_state, device.network, device.settings, trigger)
    if reason is None and not device.check_network():
        reason = SkipReason.NETWORK_CHECK_TIMEOUT
    if reason is not None:
        result.skipped = reason
        device.instrumentation.skipped(reason, result.mode, trigger, names)
        return result
    handle = device.instrumentation.pass_started(str(uuid.uuid4()), result.mode, trigger, names)
    result.sync_id = handle.sync_id
    timer = ActiveTimer(clock, device.app_state)
    device.begin_pass(timer)
    try:
        _notify(device, handle, result, _opening_notice(result.mode))
        _run(device, handle, result, due, minutes)
        idle = device.take_idle_time()
        if (
            result.mode is SyncMode.DELTA_SYNC
            and idle is not None
            and idle >= UNUSED_FOR
            and result.counts.records_down >= LARGE_INCREMENTAL_RECORDS
        ):
            _notify(device, handle, result, NotificationKind.LARGE_INCREMENTAL)
        device.instrumentation.pass_ended(handle, timer.active_ms(), result.counts)
    except SyncFailure as failure:
        result.failure = failure
        info = FailureInfo(failure.failure_type, failure.error_code, failure.message, failure.table)
        device.instrumentation.pass_ended(handle, timer.active_ms(), result.counts, info)
    finally:
        device.end_pass(result)
    return result


def _opening_notice(mode: SyncMode) -> NotificationKind | None:
    if mode is SyncMode.FIRST_SYNC:
        return NotificationKind.INITIAL
    if mode is SyncMode.GRID_SYNC:
        return NotificationKind.REFRESH
    return None


def _notify(
    device: DeviceClient, handle: PassTrace, result: PassResult, kind: NotificationKind | None
) -> None:
    if kind is not None:
        result.notifications.append(kind)
        device.instrumentation.notification(kind, handle)


def _run(
    device: DeviceClient,
    handle: PassTrace,
    result: PassResult,
    due: list[Due],
    minutes: dict[str, int],
) -> None:
    instr, ident, profile = device.instrumentation, device.identity, device.profile
    uploaded: Counter[str] = Counter()
    changes = device.db.outbox()
    if changes:
        up = device.transport.upload(
            UploadRequest(ident.device_id, ident.user_id, profile.name, tuple(changes))
        )
        device.db.ack([r.change_id for r in up.body.results])
        uploaded.update(c.tbl for c in changes)
        # uploads are not one table's part: they count towards the pass as a whole
        result.counts.add(Counts(records_up=len(changes), bytes_up=up.bytes_up))
        reported: set[tuple[str, str]] = set()
        for r in up.body.results:
            if r.conflict_winner is not None and (r.tbl, r.id) not in reported:
                # one record, one conflict (S7), however many of its changes were uploaded
                reported.add((r.tbl, r.id))
                result.conflicts.append(r)
                instr.conflict(handle, r.tbl, r.id, profile.conflict_detection, r.conflict_winner)
            if r.status in (ChangeStatus.REJECTED, ChangeStatus.NOT_FOUND):
                result.rejected.append(r)
        due = _with_lost_tables(device, result, due)
    for item in due:
        started = device.clock.now()
        counts = Counts()
        try:
            request = DownloadRequest(
                ident.device_id,
                ident.user_id,
                profile.name,
                item.table,
                None if item.reason is DueReason.FIRST else device.db.token(item.table),
            )
            reply = device.transport.download(request)
            applied = device.db.apply(reply.body, device.clock.now(), device.max_records)
        except SyncFailure as failure:
            failure = failure if failure.table else failure.for_table(item.table)
            info = FailureInfo(
                failure.failure_type, failure.error_code, failure.message, item.table
            )
            instr.table_done(
                handle, item.table, item.reason, minutes[item.table], started, counts, info
            )
            raise failure from None
        counts = Counts(
            records_down=applied.upserts,
            records_removed=applied.removals,
            bytes_down=reply.bytes_down,
            bytes_up=reply.bytes_up,
        )
        result.counts.add(counts)
        counts.records_up = uploaded[item.table]
        instr.table_done(handle, item.table, item.reason, minutes[item.table], started, counts)


def _with_lost_tables(device: DeviceClient, result: PassResult, due: list[Due]) -> list[Due]:
    """``due`` plus the tables of records the upload lost (S7): the device shows the server's
    version in this pass, whether or not the table was due (``rejected``), sources first."""
    lost = {r.tbl for r in result.rejected} - {d.table for d in due}
    if not lost:
        return due
    reasons = {d.table: d.reason for d in due} | dict.fromkeys(lost, DueReason.REJECTED)
    due = [Due(t, reasons[t]) for t in dependency_order(device.profile, reasons)]
    result.due = due
    return due
