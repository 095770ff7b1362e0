"""``--help`` works everywhere, and every option explains itself."""

from __future__ import annotations

import argparse

import pytest

from synctel.cli import main
from tests.synctel.cli_tree import command_paths

PATHS = [path for path, _ in command_paths()]


def test_top_level_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    for path in PATHS:
        if len(path) == 1:
            assert path[0] in out


@pytest.mark.parametrize("path", PATHS, ids=" ".join)
def test_help_everywhere(path: tuple[str, ...], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main([*path, "--help"])
    assert exc.value.code == 0
    assert "usage: synctel " + " ".join(path) in capsys.readouterr().out


@pytest.mark.parametrize(
    ("path", "parser"), list(command_paths()), ids=[" ".join(p) for p in PATHS]
)
def test_every_option_has_help(path: tuple[str, ...], parser: argparse.ArgumentParser) -> None:
    for action in parser._actions:
        if action.option_strings and action.dest != "help":
            assert action.help, f"synctel {' '.join(path)} {action.option_strings} has no help"


def test_no_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main([])
    assert exc.value.code == 2
    assert "COMMAND" in capsys.readouterr().err
