"""The README's examples run as written (STYLE §10), in order, against one fresh store.

Every ``synctel`` line of the README's ``sh`` blocks runs in a subprocess from the repository
root with ``$SYNCTEL_STORE`` pointing at a temporary store; every ``python`` block runs in the
folder holding that store (the examples use ``synctel-data``). Long-running servers (``serve``,
``dashboard``), the demo (which opens the dashboard) and the benchmarks (minutes each) are
left to their own tests.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"^```(\w*)\n(.*?)^```", README, re.S | re.M)
LONG_RUNNING = ("serve", "dashboard", "demo", "bench")
EXIT_CODES = {("alerts", "check"): (0, 3)}
"""Documented exit codes other than 0 (``alerts check`` exits 3 when alerts fire)."""


def _commands() -> list[list[str]]:
    commands = []
    for lang, body in BLOCKS:
        if lang != "sh":
            continue
        for line in body.splitlines():
            words = shlex.split(line, comments=True)
            if len(words) >= 2 and words[0] == "synctel" and words[1] not in LONG_RUNNING:
                commands.append(words)
    return commands


@pytest.mark.slow
def test_readme_examples_run(tmp_path: Path) -> None:
    store = tmp_path / "synctel-data"
    env = {**os.environ, "SYNCTEL_STORE": str(store), "SYNCTEL_ID_SALT": "readme"}
    commands = _commands()
    assert any(c[1] == "simulate" for c in commands), "the README shows no simulation"
    for words in commands:
        done = subprocess.run(
            [sys.executable, "-m", "synctel.cli", *words[1:]],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
        )
        allowed = EXIT_CODES.get(tuple(words[1:3]), (0,))
        assert done.returncode in allowed, (
            f"README example failed: {shlex.join(words)}\n{done.stderr}"
        )
        assert done.stdout.strip(), f"README example printed nothing: {shlex.join(words)}"
    python_blocks = [body for lang, body in BLOCKS if lang == "python"]
    assert python_blocks
    for body in python_blocks:
        done = subprocess.run(
            [sys.executable, "-c", body],
            cwd=tmp_path,
            env={**env, "PYTHONPATH": str(ROOT)},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, f"README python example failed:\n{body}\n{done.stderr}"
