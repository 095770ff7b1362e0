"""Fixtures for profile tests: write profile files, validate inline TOML."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from textwrap import dedent

import pytest

from syncengine.profile import ValidationReport, validate_text
from syncengine.schema import Schema


@pytest.fixture
def check() -> Callable[..., ValidationReport]:
    """Validate dedented TOML as ``p.toml`` (optionally against another schema)."""

    def run(text: str, schema: Schema | None = None) -> ValidationReport:
        return validate_text(dedent(text).lstrip("\n"), source="p.toml", schema=schema)

    return run


@pytest.fixture
def write_profile(tmp_path: Path) -> Callable[[str, str], Path]:
    """Write dedented TOML to a file in a fresh folder and return its path."""

    def write(text: str, name: str = "profile.toml") -> Path:
        path = tmp_path / name
        path.write_text(dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    return write
