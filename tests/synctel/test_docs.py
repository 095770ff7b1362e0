"""The README and the CLI stay in step (STYLE §10): every command and option is documented."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.synctel.cli_tree import command_paths, long_options

README = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"^```(\w*)\n(.*?)^```", README, re.S | re.M)
CODE_BLOCKS = "\n".join(body for lang, body in BLOCKS if lang == "sh")
COMMANDS = list(command_paths())
IDS = [" ".join(path) for path, _ in COMMANDS]


@pytest.mark.parametrize(("path", "parser"), COMMANDS, ids=IDS)
def test_every_command_has_a_runnable_example(path, parser) -> None:
    leaf = not any(p[: len(path)] == path and len(p) > len(path) for p, _ in COMMANDS)
    if leaf:
        assert f"synctel {' '.join(path)}" in CODE_BLOCKS, (
            f"README has no example of `synctel {' '.join(path)}` in a code block"
        )


@pytest.mark.parametrize(("path", "parser"), COMMANDS, ids=IDS)
def test_every_option_is_documented(path, parser) -> None:
    missing = [opt for opt in long_options(parser) if opt not in README]
    assert not missing, f"synctel {' '.join(path)}: README never mentions {missing}"


def test_readme_opens_with_the_two_commands() -> None:
    lang, body = BLOCKS[0]
    assert lang == "sh"
    assert body.split() == ["make", "demo", "make", "test"]
