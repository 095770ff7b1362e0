"""S2-S4: when sync runs, which tables are due and why, and which user settings are honoured."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from syncengine.profile.model import AdminSettings
from syncengine.scheduler import (
    ActiveTimer,
    AppState,
    TableTiming,
    UserSettings,
    due_tables,
    intervals,
    skip_reason,
)
from tests.syncengine.helpers import ACCOUNT, BOOKING, FIELD_PROFILE, PRODUCT, START, WO, WOP
from vocabulary.contract import DueReason, NetworkType, SkipReason, SyncMode, Trigger


def synced_at(when, tables=FIELD_PROFILE.table_names):
    return {t: TableTiming(True, when) for t in tables}


def reasons(due):
    return {d.table: d.reason for d in due}


def test_never_synced_tables_are_first():
    due = due_tables(FIELD_PROFILE, {}, START, Trigger.SCHEDULE)
    assert reasons(due) == dict.fromkeys(FIELD_PROFILE.table_names, DueReason.FIRST)
    assert [d.table for d in due] == [BOOKING, WO, ACCOUNT, WOP, PRODUCT]  # sources first


def test_interval_elapsed_makes_a_table_due_and_pulls_related_longer_interval_tables():
    timings = synced_at(START)
    due = due_tables(FIELD_PROFILE, timings, START + timedelta(minutes=5), Trigger.SCHEDULE)
    # bookings (5 min) are due; the work orders they relate to (60 min) come along although
    # their own interval has not elapsed, and so do the work orders' related tables (S3)
    assert reasons(due) == {
        BOOKING: DueReason.INTERVAL,
        WO: DueReason.RELATED,
        ACCOUNT: DueReason.RELATED,
        WOP: DueReason.RELATED,
    }


def test_a_table_with_a_shorter_interval_than_the_due_one_is_not_pulled():
    timings = synced_at(START) | {WOP: TableTiming(True, START - timedelta(hours=3))}
    due = due_tables(FIELD_PROFILE, timings, START + timedelta(minutes=1), Trigger.SCHEDULE)
    # products of work orders (120 min) are overdue; work orders (60 min) are not pulled
    assert reasons(due) == {WOP: DueReason.INTERVAL}


def test_nothing_due_before_any_interval_elapses():
    assert (
        due_tables(FIELD_PROFILE, synced_at(START), START + timedelta(minutes=4), Trigger.SCHEDULE)
        == []
    )


def test_forced_refresh_and_push():
    timings = synced_at(START)
    forced = due_tables(FIELD_PROFILE, timings, START, Trigger.USER)
    assert set(reasons(forced).values()) == {DueReason.FORCED}
    assert len(forced) == len(FIELD_PROFILE.tables)
    refresh = due_tables(FIELD_PROFILE, timings, START, Trigger.REFRESH, table=WO)
    assert reasons(refresh) == {
        WO: DueReason.REFRESH,
        ACCOUNT: DueReason.RELATED,
        WOP: DueReason.RELATED,
    }
    push = due_tables(FIELD_PROFILE, timings, START, Trigger.PUSH, table=PRODUCT)
    assert reasons(push) == {PRODUCT: DueReason.FORCED}


def test_user_frequency_only_when_admin_allows():
    settings = UserSettings(sync_interval_minutes=30)
    assert intervals(FIELD_PROFILE, settings)[PRODUCT] == 30
    locked = replace(FIELD_PROFILE, settings=AdminSettings(allow_user_sync_frequency=False))
    assert intervals(locked, settings)[PRODUCT] == 1440


@pytest.mark.parametrize(
    ("app", "network", "settings", "trigger", "expected"),
    [
        (
            AppState.BACKGROUND,
            NetworkType.WIFI,
            UserSettings(),
            Trigger.SCHEDULE,
            SkipReason.INACTIVE,
        ),
        (AppState.CLOSED, NetworkType.WIFI, UserSettings(), Trigger.USER, SkipReason.INACTIVE),
        (
            AppState.ACTIVE,
            NetworkType.UNAVAILABLE,
            UserSettings(),
            Trigger.USER,
            SkipReason.OFFLINE,
        ),
        (
            AppState.ACTIVE,
            NetworkType.CELL,
            UserSettings(wifi_only=True),
            Trigger.SCHEDULE,
            SkipReason.WIFI_ONLY,
        ),
        (AppState.ACTIVE, NetworkType.WIFI, UserSettings(wifi_only=True), Trigger.SCHEDULE, None),
        (
            AppState.ACTIVE,
            NetworkType.CELL,
            UserSettings(on_demand=True),
            Trigger.SCHEDULE,
            SkipReason.ON_DEMAND,
        ),
        (AppState.ACTIVE, NetworkType.CELL, UserSettings(on_demand=True), Trigger.USER, None),
        (AppState.ACTIVE, NetworkType.CELL, UserSettings(), Trigger.SCHEDULE, None),
    ],
)
def test_skip_reasons(app, network, settings, trigger, expected):
    assert skip_reason(app, network, settings, trigger) is expected


def test_admin_toggles_switch_user_choices_off():
    chosen = UserSettings(wifi_only=True, on_demand=True, online_mode=True)
    none_allowed = AdminSettings(False, False, False)
    assert chosen.effective(none_allowed) == UserSettings()
    assert chosen.effective(AdminSettings()) == chosen


def test_wifi_only_device_on_cell_skips_unless_admin_forbids_wifi_only(transport, make_device):
    device = make_device(transport, settings=UserSettings(wifi_only=True))
    device.set_network(NetworkType.CELL)
    assert device.tick().skipped is SkipReason.WIFI_ONLY
    locked = replace(FIELD_PROFILE, settings=AdminSettings(allow_wifi_only=False))
    other = make_device(transport, name="d2", profile=locked, settings=UserSettings(wifi_only=True))
    other.set_network(NetworkType.CELL)
    assert other.tick().ok


def test_on_demand_syncs_only_when_asked(transport, make_device, clock):
    device = make_device(transport, settings=UserSettings(on_demand=True))
    assert device.tick().mode is SyncMode.FIRST_SYNC  # the sign-in download still happens
    clock.advance(timedelta(hours=2))
    assert device.tick().skipped is SkipReason.ON_DEMAND
    result = device.sync_now()
    assert result.ok
    assert result.mode is SyncMode.FORCED_SYNC


def test_background_app_does_not_start_a_sync_but_a_started_one_finishes(
    transport, make_device, faults, clock, telemetry
):
    device = make_device(transport, telemetry=telemetry)
    device.set_app_state(AppState.BACKGROUND)
    assert device.tick().skipped is SkipReason.INACTIVE
    device.set_app_state(AppState.ACTIVE)

    def go_background_during_download(call):
        if call == "download" and device.app_state is AppState.ACTIVE:
            clock.advance(timedelta(seconds=2))
            device.set_app_state(AppState.BACKGROUND)
            clock.advance(timedelta(seconds=3))
        return None

    faults.policy = go_background_during_download
    result = device.tick()
    assert result.ok  # S2: the pass finished in the background
    (done,) = [e for e in telemetry.events() if e["event"] == "sync.completed"]
    assert done["sync.duration_ms"] == 5000
    assert done["sync.active_duration_ms"] == 2000  # active for 2 s of the 5 s pass


def test_active_timer_counts_only_active_time(clock):
    timer = ActiveTimer(clock, AppState.BACKGROUND)
    clock.advance(timedelta(seconds=1))
    timer.app_changed(AppState.ACTIVE)
    clock.advance(timedelta(seconds=2))
    timer.app_changed(AppState.CLOSED)
    clock.advance(timedelta(seconds=4))
    assert timer.active_ms() == 2000


def test_online_mode_uploads_an_edit_at_once_when_allowed(transport, server, make_device):
    device = make_device(transport, settings=UserSettings(online_mode=True))
    device.tick()
    device.edit(WO, "w1", {"start": "06:15"})
    assert server.get(WO, "w1").fields["start"] == "06:15"
    locked = replace(FIELD_PROFILE, settings=AdminSettings(allow_online_mode=False))
    other = make_device(
        transport, name="d2", profile=locked, settings=UserSettings(online_mode=True)
    )
    other.sync_now()
    other.edit(WO, "w1", {"start": "06:30"})
    assert server.get(WO, "w1").fields["start"] == "06:15"  # offline-first: waits for a sync
    assert other.status().pending_uploads == 1
