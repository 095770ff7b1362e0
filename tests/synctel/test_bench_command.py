"""``synctel bench``: lists the benchmarks of the checkout and refuses unknown names."""

from __future__ import annotations

from pathlib import Path

import pytest

from synctel.cli import main

BENCH = Path(__file__).parents[2] / "bench"


def test_list_names_every_benchmark_with_its_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "--list"]) == 0
    out = capsys.readouterr().out
    names = sorted(p.stem for p in BENCH.glob("[!_]*.py"))
    assert names
    listed = [line.split()[0] for line in out.splitlines()]
    assert listed == names
    assert "Sync engine benchmark" in out


def test_an_unknown_benchmark_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "nope"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("synctel bench: unknown benchmark 'nope'; known: ")
    assert "\n" not in err
