"""Fleets for the advisor's golden tests: a few devices syncing a small profile every 5 minutes.

:func:`routine` records the healthy base (no rule fires on it); each knob turns one rule's
trigger on. Events use the store's columns through :class:`tests.sql.fleet.Fleet`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from tests.sql.fleet import Device, Fleet
from vocabulary.contract import Attr, DueReason, Event, Result, SkipReason, SyncMode, Trigger

PROFILE = "Advisor Test"
WORK_ORDER = "msdyn_workorder"
ACCOUNT = "account"
ASSET = "msdyn_customerasset"
PROFILE_TOML = f'''# a small profile for the advisor's tests
name = "{PROFILE}"
conflict_detection = false    # S7

[settings]
allow_user_sync_frequency = true
allow_wifi_only = false
allow_online_mode = true

[[tables]]
name = "{WORK_ORDER}"
interval_minutes = 5
filter = {{ owner = "user" }}
relationships = [{{ table = "{ACCOUNT}", column = "msdyn_serviceaccount" }}]

[[tables]]
name = "{ACCOUNT}"
interval_minutes = 60
filter = {{ owner = "user" }}

[[tables]]
name = "{ASSET}"
interval_minutes = 5
filter = {{ owner = "user" }}
'''
INTERVALS = {WORK_ORDER: 5, ACCOUNT: 60, ASSET: 5}
START = datetime(2026, 1, 5)
"""Monday; passes run 08:00 to 16:00 UTC each day."""
PASSES_PER_DAY = 96


def write_profile(folder: Path) -> Path:
    """The test profile as a file in ``folder``."""
    path = folder / "advisor-test.toml"
    path.write_text(PROFILE_TOML, encoding="utf-8")
    return path


@dataclass
class Knobs:
    """What the routine fleet does; the defaults are healthy."""

    devices: int = 4
    days: int = 4
    asset_change_every: int = 4
    """An asset pass downloads something every this many passes (96 = once a day)."""
    account_bytes: int = 150
    """Bytes of each related pull of account (it rides with every work-order pass)."""
    work_order_bytes: int = 2_000
    """Bytes of each work-order pass."""
    quiet_accounts: bool = False
    """Accounts never change (else an own-interval pass brings one every other hour)."""
    network: str = "wifi"
    not_found_per_day: int = 1
    conflicts_per_day: int = 1
    detection: str = "off"
    first_sync_records: int = 5_000
    first_sync_bytes: int = 10_000_000
    failing_device: bool = False
    """The last device's work-order syncs all fail from noon of the last day."""
    skip_user_choice: bool = False
    """The last device skips every pass of the last day (Wi-Fi only on cellular)."""


def routine(fleet: Fleet, k: Knobs) -> None:
    """Every device signs in on the first day, then runs a pass every 5 minutes of its shift."""
    for n in range(k.devices):
        dev = fleet.device(f"dev-{n}", f"user-{n}", profile=PROFILE, network_type=k.network)
        first = START + timedelta(hours=7, minutes=55)
        dev.started(f"p{n}-first", first, mode=SyncMode.FIRST_SYNC, trigger=Trigger.SIGN_IN)
        for i, table in enumerate((WORK_ORDER, ACCOUNT, ASSET)):
            share = k.first_sync_records // 3 + (k.first_sync_records % 3 if i == 0 else 0)
            _table(
                fleet,
                dev,
                f"p{n}-first",
                first,
                table,
                DueReason.FIRST,
                share,
                k.first_sync_bytes // 3,
            )
        dev.completed(
            f"p{n}-first",
            first + timedelta(seconds=30),
            duration_ms=30000,
            active_duration_ms=30000,
        )
        for day in range(k.days):
            _day(fleet, dev, n, day, k)


def _day(fleet: Fleet, dev: Device, n: int, day: int, k: Knobs) -> None:
    last_device = n == k.devices - 1
    last_day = day == k.days - 1
    for i in range(PASSES_PER_DAY):
        ts = START + timedelta(days=day, hours=8, minutes=5 * i, seconds=n)
        if k.skip_user_choice and last_device and last_day:
            dev.skipped(ts, SkipReason.WIFI_ONLY)
            continue
        sid = f"p{n}-{day}-{i}"
        dev.started(sid, ts)
        failing = k.failing_device and last_device and last_day and i >= 48
        _table(
            fleet,
            dev,
            sid,
            ts,
            WORK_ORDER,
            DueReason.INTERVAL,
            i % 3 == 0,
            k.work_order_bytes,
            result=Result.FAILURE if failing else Result.SUCCESS,
        )
        reason = DueReason.INTERVAL if i % 12 == 0 else DueReason.RELATED
        _table(
            fleet,
            dev,
            sid,
            ts,
            ACCOUNT,
            reason,
            k.account_bytes > 1000 or (i % 24 == 0 and not k.quiet_accounts),
            k.account_bytes,
        )
        _table(
            fleet,
            dev,
            sid,
            ts,
            ASSET,
            DueReason.INTERVAL,
            1 if i % k.asset_change_every == 0 else 0,
            120,
        )
        if i < k.not_found_per_day:
            dev.event(
                Event.RECORD_NOT_FOUND,
                ts + timedelta(seconds=5),
                table_name=WORK_ORDER,
                record_id=f"wo-{n}-{day}-{i}",
            )
        if i < k.conflicts_per_day:
            dev.conflict(
                sid,
                ts + timedelta(seconds=2),
                WORK_ORDER,
                f"wo-{n}-{day}-{i}",
                detection=k.detection,
            )
        if failing:
            dev.failed(
                sid,
                ts + timedelta(seconds=3),
                failure_type="SERVER_ERROR",
                error_code=2005,
                message="server returned 503",
                duration_ms=3000,
                active_duration_ms=3000,
                table=WORK_ORDER,
            )
        else:
            dev.completed(sid, ts + timedelta(seconds=3), duration_ms=3000, active_duration_ms=3000)


def _table(
    fleet: Fleet,
    dev: object,
    sid: str,
    ts: datetime,
    table: str,
    reason: DueReason,
    down: int,
    nbytes: int,
    result: Result = Result.SUCCESS,
) -> None:
    from tests.sql.fleet import Device

    assert isinstance(dev, Device)
    dev.event(
        Event.TABLE,
        ts + timedelta(seconds=1),
        sync_id=sid,
        table_name=table,
        result=str(result),
        interval_minutes=INTERVALS[table],
        duration_ms=1000,
        records_down=int(down),
        records_up=0,
        records_removed=0,
        bytes_down=nbytes,
        bytes_up=0,
        attributes={Attr.DUE_REASON: str(reason)},
    )
