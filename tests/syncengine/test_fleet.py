"""The minimal fleet: deterministic for a seed, and it exercises passes, edits and skips."""

from __future__ import annotations

from syncengine.clock import ManualClock
from syncengine.fleet import run_fleet
from syncengine.profile.load import default_profile
from tests.syncengine.conftest import START


def test_fleet_is_deterministic_and_busy():
    first = run_fleet(
        devices=3, hours=3, seed=7, profile=default_profile(), clock=ManualClock(START)
    )
    again = run_fleet(
        devices=3, hours=3, seed=7, profile=default_profile(), clock=ManualClock(START)
    )
    assert first == again
    assert first.passes > 5
    assert first.successes == first.passes - sum(first.failures.values())
    assert set(first.skips) <= {
        "offline",
        "wifi_only",
        "on_demand",
        "inactive",
        "network_check_timeout",
    }
    assert sum(first.skips.values()) > 0  # networks came and went
    other = run_fleet(
        devices=3, hours=3, seed=8, profile=default_profile(), clock=ManualClock(START)
    )
    assert other != first
