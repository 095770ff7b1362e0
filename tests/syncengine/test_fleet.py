"""The fleet's front door: deterministic for a seed, busy, and different for another seed."""

from __future__ import annotations

from syncengine.fleet import builtin_names, run_fleet


def test_fleet_is_deterministic_and_busy():
    first = run_fleet("healthy-week", devices=4, days=1, seed=7)
    again = run_fleet("healthy-week", devices=4, days=1, seed=7)
    assert first == again
    assert first.passes > 10
    assert first.successes == first.passes - sum(first.failures.values())
    assert set(first.skips) <= {
        "offline",
        "wifi_only",
        "on_demand",
        "inactive",
        "network_check_timeout",
    }
    other = run_fleet("healthy-week", devices=4, days=1, seed=8)
    assert other != first


def test_the_five_built_in_scenarios_and_the_demo_exist():
    assert {
        "healthy-week",
        "server-incident",
        "conflict-storm",
        "bad-rollout",
        "dead-zone",
        "demo",
    } <= set(builtin_names())
