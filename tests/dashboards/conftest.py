"""Fixture stores for the dashboard tests, built once per session: the named stores
(:mod:`tests.stores`), the alert tests' store (:mod:`tests.insights.alerts.helpers`) and the
hostile store (:mod:`tests.dashboards.helpers`); and ``open_app``, the app under AppTest."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.dashboards.helpers import APP, hostile_store
from tests.insights.alerts.helpers import BAD_HOUR, Clock, build_store
from tests.stores import STORES, build
from vocabulary.settings import ENV_STORE


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
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store whose free-text telemetry is Markdown and HTML, with an alert firing on it
    (:func:`tests.dashboards.helpers.hostile_store`); read it only."""
    return hostile_store(tmp_path_factory.mktemp("hostile") / "store")


@pytest.fixture
def open_app(monkeypatch: pytest.MonkeyPatch) -> Callable[..., AppTest]:
    """``open_app(store, page=…, **query_params)``: the app run once (on the Overview) with
    those query parameters, then once on ``page``; fails on any exception on the page."""

    def opener(store: Path, page: str | None = None, **params: str | list[str]) -> AppTest:
        monkeypatch.setenv(ENV_STORE, str(store))
        at = AppTest.from_file(APP, default_timeout=60)
        for key, value in params.items():
            at.query_params[key] = value
        at.run()
        if page is not None:
            at.switch_page(page)
            at.run()
        assert not at.exception, at.exception
        return at

    return opener


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
