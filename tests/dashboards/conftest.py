"""Fixture stores for the dashboard tests, built once per session: the named stores
(:mod:`tests.stores`) and the alert tests' store (:mod:`tests.insights.alerts.helpers`)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

from tests.insights.alerts.helpers import BAD_HOUR, Clock, build_store
from tests.stores import STORES, build


@pytest.fixture(scope="session")
def stores(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every named store (healthy, incident, empty), each in its own folder; read them only."""
    root = tmp_path_factory.mktemp("dashboard-stores")
    return {name: build(root / name, name) for name in STORES}


@pytest.fixture
def store(stores: dict[str, Path]) -> Callable[[str], Path]:
    """``store("incident")``: the folder of a named fixture store."""
    return stores.__getitem__


@pytest.fixture(scope="session")
def built_alert_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The alert tests' store (a bad hour, then a good hour), built once; tests copy it."""
    return build_store(tmp_path_factory.mktemp("alerts") / "store")


@pytest.fixture
def alert_store(built_alert_store: Path, tmp_path: Path) -> Path:
    """A private copy of the alert tests' store (alert state is written into it)."""
    return Path(shutil.copytree(built_alert_store, tmp_path / "store"))


@pytest.fixture
def clock() -> Clock:
    """Starts at 12:00 on the alert store's day (the end of the bad hour)."""
    return Clock(BAD_HOUR + timedelta(hours=1))
