"""Fixture stores for the dashboard tests, built once per session (tests.dashboards.stores)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.dashboards.stores import STORES, build


@pytest.fixture(scope="session")
def stores(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every named store (healthy, incident, empty), each in its own folder; read them only."""
    root = tmp_path_factory.mktemp("dashboard-stores")
    return {name: build(root / name, name) for name in STORES}


@pytest.fixture
def store(stores: dict[str, Path]) -> Callable[[str], Path]:
    """``store("incident")``: the folder of a named fixture store."""
    return stores.__getitem__
