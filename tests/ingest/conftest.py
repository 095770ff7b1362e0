"""Fixtures for the store tests: fresh stores (batches of rows: :mod:`tests.ingest.helpers`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.store import Store


@pytest.fixture
def store(tmp_path: Path) -> Store:
    """A fresh store with auto-compaction off."""
    return Store.open(tmp_path / "store", auto_compact_every=0)
