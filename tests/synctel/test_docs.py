"""The README and the CLI stay in step (STYLE §10): every command and option is documented."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.synctel.cli_tree import command_paths, long_options

README = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
CODE_BLOCKS = "\n".join(re.findall(r"```(?:sh|bash|console)?\n(.*?)```", README, re.S))
COMMANDS = list(command_paths())


@pytest.mark.parametrize(("path", "parser"), COMMANDS, ids=lambda p: str(p))
def test_every_command_has_a_runnable_example(path, parser) -> None:
    leaf = not any(p[: len(path)] == path and len(p) > len(path) for p, _ in COMMANDS)
    if leaf:
        assert f"synctel {' '.join(path)}" in CODE_BLOCKS, (
            f"README has no example of `synctel {' '.join(path)}` in a code block"
        )


@pytest.mark.parametrize(("path", "parser"), COMMANDS, ids=lambda p: str(p))
def test_every_option_is_documented(path, parser) -> None:
    missing = [opt for opt in long_options(parser) if opt not in README]
    assert not missing, f"synctel {' '.join(path)}: README never mentions {missing}"


def test_readme_opens_with_the_two_commands() -> None:
    first_block = re.search(r"```(?:sh|bash|console)?\n(.*?)```", README, re.S)
    assert first_block is not None
    assert first_block.group(1).split() == ["make", "demo", "make", "test"]
