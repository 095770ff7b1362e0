"""Fleets in known states (STYLE §7), all on Monday 2024-05-06 UTC unless noted.

- healthy:         dev-a and dev-b sign in and sync cleanly; dev-a then runs a delta sync.
- conflict_storm:  dev-c (detection off: the device wins) and dev-d (detection on: the server
                   wins) hit five work-order conflicts between them.
- never_synced:    dev-e and dev-f (profile "Technician Lite") never finish a first sync:
                   auth and network failures, and one pass that never ends.
- offline_all_day: dev-g has no network all day and every due sync is skipped; dev-h is on
                   cellular with Wi-Fi-only sync on. dev-g is still offline the next morning.
"""

from __future__ import annotations

from tests.sql.fleet import BOOKING, LITE_PROFILE, WORK_ORDER, Fleet, at
from vocabulary.contract import (
    DueReason,
    ErrorCode,
    FailureType,
    NetworkType,
    Result,
    SkipReason,
    SyncMode,
    Trigger,
)


def healthy(fleet: Fleet) -> None:
    """Two devices, three successful passes, six successful table syncs."""
    a = fleet.device("dev-a", "user-a")
    a.started("s-a1", at("08:00:00"), mode=SyncMode.FIRST_SYNC, trigger=Trigger.SIGN_IN)
    a.table(
        "s-a1",
        at("08:00:20"),
        BOOKING,
        duration_ms=20000,
        due_reason=DueReason.FIRST,
        down=40,
        bytes_down=40000,
    )
    a.table(
        "s-a1",
        at("08:00:50"),
        WORK_ORDER,
        duration_ms=30000,
        due_reason=DueReason.FIRST,
        down=10,
        bytes_down=20000,
    )
    a.completed(
        "s-a1",
        at("08:01:00"),
        duration_ms=60000,
        active_duration_ms=60000,
        down=50,
        bytes_down=60000,
        pending_uploads=None,
    )
    a.started("s-a2", at("09:00:00"))
    a.table(
        "s-a2",
        at("09:00:05"),
        BOOKING,
        duration_ms=5000,
        down=2,
        up=1,
        removed=1,
        bytes_down=2000,
        bytes_up=500,
    )
    a.table("s-a2", at("09:00:09"), WORK_ORDER, duration_ms=4000, down=1, bytes_down=1000)
    a.completed(
        "s-a2",
        at("09:00:10"),
        duration_ms=10000,
        active_duration_ms=8000,
        down=3,
        up=1,
        removed=1,
        bytes_down=3000,
        bytes_up=500,
    )

    b = fleet.device(
        "dev-b",
        "user-b",
        os_name="iOS",
        os_version="17.4",
        device_model="iPhone 15",
        network_type=NetworkType.CELL,
    )
    b.started("s-b1", at("08:30:00"), mode=SyncMode.FIRST_SYNC, trigger=Trigger.SIGN_IN)
    b.table(
        "s-b1",
        at("08:30:30"),
        BOOKING,
        duration_ms=30000,
        due_reason=DueReason.FIRST,
        down=60,
        bytes_down=60000,
    )
    b.table(
        "s-b1",
        at("08:31:00"),
        WORK_ORDER,
        duration_ms=30000,
        due_reason=DueReason.FIRST,
        down=20,
        bytes_down=40000,
    )
    b.completed(
        "s-b1",
        at("08:31:00"),
        duration_ms=60000,
        active_duration_ms=45000,
        down=80,
        bytes_down=100000,
    )


def conflict_storm(fleet: Fleet) -> None:
    """Three device wins (detection off) and two server wins (detection on) on work orders."""
    c = fleet.device("dev-c", "user-c")
    c.started("s-c1", at("10:00:00"), tables_due=(WORK_ORDER,))
    for record in ("wo-1", "wo-2", "wo-3"):
        c.conflict("s-c1", at("10:00:05"), WORK_ORDER, record, detection="off")
    c.table("s-c1", at("10:00:10"), WORK_ORDER, duration_ms=10000, up=3, bytes_up=3000)
    c.completed(
        "s-c1",
        at("10:00:10"),
        duration_ms=10000,
        active_duration_ms=10000,
        up=3,
        bytes_up=3000,
        conflicts=3,
    )

    d = fleet.device("dev-d", "user-d")
    d.started(
        "s-d1",
        at("10:05:00"),
        mode=SyncMode.FORCED_SYNC,
        trigger=Trigger.USER,
        tables_due=(WORK_ORDER,),
    )
    for record in ("wo-1", "wo-4"):
        d.conflict("s-d1", at("10:05:02"), WORK_ORDER, record, detection="on")
    d.table(
        "s-d1",
        at("10:05:06"),
        WORK_ORDER,
        duration_ms=6000,
        due_reason=DueReason.FORCED,
        down=2,
        bytes_down=2000,
    )
    d.completed(
        "s-d1",
        at("10:05:06"),
        duration_ms=6000,
        active_duration_ms=6000,
        down=2,
        bytes_down=2000,
        conflicts=2,
        pending_uploads=1,
    )


def never_synced(fleet: Fleet) -> None:
    """Three failed first syncs and one that never ends; no success at all."""
    e = fleet.device("dev-e", "user-e", profile=LITE_PROFILE, app_version="1.3.2")
    e.started("s-e1", at("07:00:00"), mode=SyncMode.FIRST_SYNC, trigger=Trigger.SIGN_IN)
    e.table(
        "s-e1",
        at("07:00:04"),
        BOOKING,
        duration_ms=4000,
        result=Result.FAILURE,
        due_reason=DueReason.FIRST,
    )
    e.failed(
        "s-e1",
        at("07:00:05"),
        failure_type=FailureType.AUTH_ERROR,
        error_code=ErrorCode.AUTH,
        message="token expired",
        duration_ms=5000,
        active_duration_ms=5000,
        table=BOOKING,
    )
    e.started("s-e2", at("07:30:00"), mode=SyncMode.FIRST_SYNC, trigger=Trigger.SIGN_IN)
    e.failed(
        "s-e2",
        at("07:30:02"),
        failure_type=FailureType.NETWORK_ERROR,
        error_code=ErrorCode.NETWORK,
        message="connection reset",
        duration_ms=2000,
        active_duration_ms=2000,
    )
    e.started("s-e3", at("08:00:00"), mode=SyncMode.FIRST_SYNC, trigger=Trigger.SIGN_IN)

    f = fleet.device("dev-f", "user-f", profile=LITE_PROFILE, app_version="1.3.2")
    f.started("s-f1", at("07:45:00"), mode=SyncMode.FIRST_SYNC, trigger=Trigger.SIGN_IN)
    f.failed(
        "s-f1",
        at("07:45:30"),
        failure_type=FailureType.AUTH_ERROR,
        error_code=ErrorCode.AUTH,
        message="token expired",
        duration_ms=30000,
        active_duration_ms=20000,
    )


def offline_all_day(fleet: Fleet) -> None:
    """Only sync.skipped events: no pass ever starts."""
    g = fleet.device("dev-g", "user-g", network_type=NetworkType.UNAVAILABLE)
    for hour in ("08", "09", "10", "11"):
        g.skipped(at(f"{hour}:00:00"), SkipReason.OFFLINE)
    g.skipped(at("12:00:00"), SkipReason.NETWORK_CHECK_TIMEOUT)
    g.skipped(at("08:00:00", day=7), SkipReason.OFFLINE)

    h = fleet.device("dev-h", "user-h", network_type=NetworkType.CELL)
    h.skipped(at("09:00:00"), SkipReason.WIFI_ONLY)
    h.skipped(at("10:00:00"), SkipReason.OFFLINE, network_type=str(NetworkType.UNAVAILABLE))
    h.skipped(at("10:30:00"), SkipReason.WIFI_ONLY, pending_uploads=4)


SCENARIOS = {
    "healthy": healthy,
    "conflict_storm": conflict_storm,
    "never_synced": never_synced,
    "offline_all_day": offline_all_day,
}
"""Every named scenario, by name."""
