"""``synctel demo``, the README's first command, end to end: a populated store, its health,
and the dashboard served over it."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).parents[2]


def _synctel(*args: str, **kwargs) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "synctel.cli", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        **kwargs,
    )


@pytest.mark.slow
def test_demo_fills_the_store_and_prints_health(tmp_path: Path) -> None:
    store = tmp_path / "demo"
    out, err = _synctel("demo", "--no-dashboard", "--quiet", "--store", str(store)).communicate(
        timeout=120
    )
    assert "Fleet health" in out, err
    assert f"synctel query --store {store} --list" in out
    with duckdb.connect(str(store / "catalog.duckdb"), read_only=True) as con:
        passes, successes = con.execute(
            "SELECT count(*), count(*) FILTER (result = 'success') FROM sync_runs"
        ).fetchone()
    assert passes > 100
    assert 0 < successes < passes  # a realistic fleet: mostly healthy, never perfect
    assert re.search(rf"passes\s+{passes:,}\b", out)


@pytest.mark.slow
def test_demo_serves_the_dashboard_until_stopped(tmp_path: Path) -> None:
    store = tmp_path / "demo"
    proc = _synctel("demo", "--quiet", "--port", "0", "--store", str(store))
    try:
        deadline = time.monotonic() + 120
        url = None
        assert proc.stdout is not None
        while url is None and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            found = re.search(r"synctel dashboard: (http://\S+)", line)
            url = found.group(1) if found else None
        assert url, "demo never printed the dashboard's URL"
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(url + "_stcore/health", timeout=2) as answer:
                    assert answer.read() == b"ok"
                    break
            except OSError:
                time.sleep(0.3)
        else:
            pytest.fail("the dashboard never answered")
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == 0
