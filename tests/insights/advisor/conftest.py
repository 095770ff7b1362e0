"""Fixtures for the advisor: advice over hand-written fleets on an in-memory DuckDB (helpers:
:mod:`tests.insights.advisor.helpers`)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from insights.advisor import Report
from tests.insights.advisor.fleets import Knobs, routine, write_profile
from tests.insights.advisor.helpers import advise_fleet
from tests.sql.fleet import Fleet


@pytest.fixture
def advise(tmp_path: Path) -> Callable[..., Report]:
    """``advise(**knobs)``: the advice over the routine fleet with those knobs, given the test
    profile's file (``profile=False``: without it)."""

    def run(profile: bool = True, **knobs: object) -> Report:
        fleet = Fleet()
        routine(fleet, Knobs(**knobs))  # type: ignore[arg-type]
        return advise_fleet(fleet, write_profile(tmp_path) if profile else None)

    return run
