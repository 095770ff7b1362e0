"""A user's own sync interval stays within 5 minutes and 1 day (S1, S4): within the range it
is honoured; outside it is refused where it is set, with the range, and the previous settings
stay in force."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from syncengine.errors import InvalidSetting, SyncengineError
from syncengine.profile.model import AdminSettings
from syncengine.scheduler import UserSettings, intervals
from tests.syncengine.helpers import FIELD_PROFILE, PRODUCT
from vocabulary.contract import DueReason

RANGE = "a user's own sync interval is 5 to 1440 whole minutes (S1, S4); the previous setting stays"


@pytest.mark.parametrize(
    ("minutes", "message"),
    [
        (2, f"sync interval 2 minutes is below 5: {RANGE}"),
        (0, f"sync interval 0 minutes is below 5: {RANGE}"),
        (-30, f"sync interval -30 minutes is below 5: {RANGE}"),
        (1441, f"sync interval 1441 minutes is above 1440: {RANGE}"),
        (4000, f"sync interval 4000 minutes is above 1440: {RANGE}"),
        (7.5, f"sync interval 7.5 is not whole minutes: {RANGE}"),
        (True, f"sync interval True is not whole minutes: {RANGE}"),
    ],
)
def test_an_interval_outside_5_to_1440_minutes_is_refused_with_the_range(minutes, message):
    with pytest.raises(InvalidSetting) as info:
        UserSettings(sync_interval_minutes=minutes)
    assert str(info.value) == message
    assert info.value.setting == "sync_interval_minutes"
    assert isinstance(info.value, SyncengineError)  # the CLI's one error line, exit 1


@pytest.mark.parametrize("minutes", [5, 1440])
def test_the_bounds_are_allowed(minutes):
    settings = UserSettings(sync_interval_minutes=minutes)
    assert intervals(FIELD_PROFILE, settings)[PRODUCT] == minutes


def test_changing_another_setting_keeps_the_interval_checked():
    settings = UserSettings(sync_interval_minutes=30)
    assert replace(settings, wifi_only=True).sync_interval_minutes == 30
    with pytest.raises(InvalidSetting):
        replace(settings, sync_interval_minutes=1)


def due_after(device, clock, minutes):
    clock.advance(timedelta(minutes=minutes))
    return {d.table: d.reason for d in device.tick().due}


def test_a_one_day_user_interval_makes_every_table_due_within_a_day(transport, make_device, clock):
    device = make_device(transport, settings=UserSettings(sync_interval_minutes=1440))
    assert device.tick().ok
    assert due_after(device, clock, 1439) == {}  # the profile's 5-minute bookings wait too
    due = due_after(device, clock, 1)
    assert set(due) == set(FIELD_PROFILE.table_names)
    assert set(due.values()) == {DueReason.INTERVAL}


def test_a_refused_interval_leaves_the_previous_one_in_force(transport, make_device, clock):
    device = make_device(transport, settings=UserSettings(sync_interval_minutes=30))
    assert device.tick().ok
    with pytest.raises(InvalidSetting, match="sync interval 2 minutes is below 5"):
        device.set_settings(UserSettings(sync_interval_minutes=2))
    assert device.settings.sync_interval_minutes == 30
    assert due_after(device, clock, 5) == {}  # not every 2 (nor 5) minutes
    assert set(due_after(device, clock, 25)) == set(FIELD_PROFILE.table_names)
    device.set_settings(UserSettings(sync_interval_minutes=5))  # within range: taken
    assert set(due_after(device, clock, 5)) == set(FIELD_PROFILE.table_names)


def test_an_admin_who_does_not_allow_it_keeps_the_profile_intervals(transport, make_device, clock):
    locked = replace(FIELD_PROFILE, settings=AdminSettings(allow_user_sync_frequency=False))
    device = make_device(transport, profile=locked, settings=UserSettings(sync_interval_minutes=5))
    assert device.tick().ok
    due = due_after(device, clock, 5)
    assert PRODUCT not in due  # the profile's 1440 minutes, not the user's 5
    assert due  # the profile's own 5-minute bookings are due
