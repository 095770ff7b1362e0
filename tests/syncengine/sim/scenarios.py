"""Scenario text for the simulator's tests: a one-day TOML scenario with knobs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from syncengine.sim.run import RunStats

BASE = """
name = "{name}"
devices = {devices}
days = 1
start = 2026-01-05

{profiles}
[[regions]]
name = "here"
utc_offset = 0
wifi = {wifi}
dead_zone = 0.0
check_timeouts = 0.0

[users]
wifi_only = {wifi_only}
on_demand = 0.0
online_mode = 0.0

[work]
weekend_share = 1.0
edit_chance = {edit_chance}
open_removed_chance = 0.3
"""


PROFILES = (("technicians.toml", 0.5), ("inspectors.toml", 0.3), ("contractors.toml", 0.2))
"""The fleet's profiles and their shares: Technicians detect no conflicts, the others do."""


def scenario_text(
    name: str = "test",
    *,
    devices: int = 6,
    wifi: float = 0.5,
    wifi_only: float = 0.0,
    edit_chance: float = 0.3,
    profiles: tuple[tuple[str, float], ...] = PROFILES,
    extra: str = "",
) -> str:
    """A one-day scenario in UTC with no background noise unless asked."""
    blocks = "".join(
        f'\n[[profiles]]\nfile = "{file}"\nshare = {share}\n' for file, share in profiles
    )
    return (
        BASE.format(
            name=name,
            devices=devices,
            wifi=wifi,
            wifi_only=wifi_only,
            edit_chance=edit_chance,
            profiles=blocks,
        )
        + extra
    )


Simulate = Callable[..., tuple[Path, RunStats]]
