"""Fixtures for the loader tests: real store folders and an in-process ``synctel load``."""

from __future__ import annotations

from pathlib import Path

import pytest

from synctel.cli import main
from tests.ingest.loading.support import SALT, Run


@pytest.fixture(autouse=True)
def _salt(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SYNCTEL_ID_SALT", SALT)


@pytest.fixture
def store_dir(tmp_path: Path) -> Path:
    """Where the test's store lives (created by the first load)."""
    return tmp_path / "store"


@pytest.fixture
def load(store_dir: Path, capsys: pytest.CaptureFixture[str]):
    """Run ``synctel load --store <store_dir> ARGS…`` in-process."""

    def run(*args: str | Path) -> Run:
        code = main(["load", "--store", str(store_dir), *map(str, args)])
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run
