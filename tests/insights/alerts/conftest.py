"""Fixtures for the alert tests: a copy of the fixture store, a loopback webhook receiver, and a
clock the tests move by hand (the scenario and the helpers: :mod:`tests.insights.alerts.helpers`).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from tests.insights.alerts.helpers import (
    BAD_HOUR,
    Clock,
    Receiver,
    SilentServer,
    build_store,
    simulate,
)


@pytest.fixture(scope="session")
def built_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture store, built once; tests copy it (:func:`store`)."""
    return build_store(tmp_path_factory.mktemp("alerts") / "store")


@pytest.fixture(scope="session")
def incident_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small ``server-incident`` simulation (tests copy it before writing alert state)."""
    return simulate(tmp_path_factory.mktemp("incident") / "store", "server-incident")


@pytest.fixture(scope="session")
def healthy_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small ``healthy-week`` simulation with the same fleet and seed."""
    return simulate(tmp_path_factory.mktemp("healthy") / "store", "healthy-week")


@pytest.fixture
def store(built_store: Path, tmp_path: Path) -> Path:
    """A private copy of the fixture store (alert state is written into it)."""
    return Path(shutil.copytree(built_store, tmp_path / "store"))


@pytest.fixture
def clock() -> Clock:
    """Starts at 12:00 on the fixture day (the end of the bad hour)."""
    return Clock(BAD_HOUR + timedelta(hours=1))


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A webhook receiver on 127.0.0.1 (a free port), stopped after the test."""
    found = Receiver()
    try:
        yield found
    finally:
        found.stop()


@pytest.fixture
def hanging() -> Iterator[SilentServer]:
    """A webhook on 127.0.0.1 that accepts connections and never answers."""
    found = SilentServer()
    try:
        yield found
    finally:
        found.stop()


@pytest.fixture
def trickling() -> Iterator[SilentServer]:
    """A webhook on 127.0.0.1 that answers one byte every 0.3 s."""
    found = SilentServer(trickle=0.3)
    try:
        yield found
    finally:
        found.stop()
