"""Fixtures for the metrics tests: the alert tests' store (a known bad hour and a good hour)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.insights.alerts.helpers import build_store


@pytest.fixture(scope="session")
def known_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Technicians' booking table fails 6 of 12 passes 11:00-12:00 on 2024-05-09, its work order
    table none; every pass succeeds 13:00-14:00. Read it only."""
    return build_store(tmp_path_factory.mktemp("metrics") / "store")
