"""``synctel simulate`` and ``synctel demo``: bad input gets one line and a non-zero exit; a run
prints progress on stderr and a summary read back from the store."""

from __future__ import annotations

from pathlib import Path

import pytest

from syncengine.sim.scenario import builtin_names
from synctel.cli import main
from synctel.commands._common import CommandError
from synctel.commands.demo import MARKER, next_steps, prepare


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--devices", "-3"], "--devices must be at least 1, got -3"),
        (["--devices", "0"], "--devices must be at least 1, got 0"),
        (["--days", "0"], "--days must be more than 0 and at most 366, got 0"),
    ],
)
def test_bad_sizes_get_one_line(capsys, tmp_path: Path, argv: list[str], message: str) -> None:
    code, _, err = _run(capsys, "simulate", *argv, "--store", str(tmp_path / "s"))
    assert code == 1
    assert err == f"synctel simulate: {message}\n"
    assert not (tmp_path / "s").exists()


def test_an_unknown_scenario_lists_the_known_ones(capsys, tmp_path: Path) -> None:
    code, _, err = _run(capsys, "simulate", "--scenario", "nope", "--store", str(tmp_path))
    assert code == 1
    assert err.count("\n") == 1
    assert "no scenario 'nope'" in err
    assert all(name in err for name in builtin_names())


def test_a_scenario_file_with_errors_names_each_line(capsys, tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "bad"\ndevices = -1\n[[regions]]\nname = "x"\nwifi = 2\n')
    code, _, err = _run(capsys, "simulate", "--scenario", str(bad), "--store", str(tmp_path / "s"))
    assert code == 1
    assert f"{bad} line 2: devices must be at least 1, got -1 [value]" in err
    assert f"{bad} line 5: wifi must be between 0 and 1, got 2 [value]" in err
    assert "missing required key 'profiles'" in err
    assert "Traceback" not in err


def test_simulate_prints_progress_and_a_summary_from_the_store(capsys, tmp_path: Path) -> None:
    store = tmp_path / "s"
    argv = ["simulate", "--scenario", "dead-zone", "--devices", "3", "--days", "0.5"]
    code, out, err = _run(capsys, *argv, "--seed", "4", "--store", str(store))
    assert code == 0
    assert "simulating dead-zone: 100%" in err  # not a terminal: plain progress lines
    assert out.startswith("Fleet health 2026-01-05 00:00 to 2026-01-05 12:00 UTC (3 devices")
    for label in ("passes", "p95 duration", "conflicts", "failures", "skipped passes"):
        assert f"  {label}" in out
    assert "warning" not in err
    # the same window again would mix two runs' events: refused
    code, _, err = _run(capsys, *argv, "--quiet", "--store", str(store))
    assert code == 1
    assert "already holds" in err
    assert "use another --store" in err


def test_demo_replaces_only_a_store_it_made(tmp_path: Path) -> None:
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "data.parquet").write_text("precious")
    with pytest.raises(CommandError, match="holds data the demo did not create"):
        prepare(foreign)
    assert (foreign / "data.parquet").exists()
    previous = tmp_path / "demo"
    previous.mkdir()
    (previous / MARKER).write_text("")
    (previous / "old").write_text("")
    prepare(previous)
    assert not previous.exists()
    prepare(tmp_path / "absent")  # nothing to do
    empty = tmp_path / "empty"
    empty.mkdir()
    prepare(empty)
    assert empty.exists()


def test_demo_suggests_queries_for_its_store() -> None:
    assert "synctel query 'FROM daily_health'" in next_steps(Path("synctel-data"))
    assert "synctel query --store /x 'FROM errors_summary'" in next_steps(Path("/x"))
