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


def _events(store: Path) -> int:
    try:
        with duckdb.connect(str(store / "catalog.duckdb"), read_only=True) as con:
            return con.execute("SELECT count(*) FROM sync_events").fetchone()[0]
    except duckdb.Error:
        return 0  # the catalog is not there yet


@pytest.mark.slow
def test_live_demo_keeps_the_store_growing_under_the_dashboard(tmp_path: Path) -> None:
    store = tmp_path / "live"
    proc = _synctel(
        "demo", "--live", "--speed", "20000", "--quiet", "--port", "0", "--store", str(store)
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert "synctel dashboard: http://" in line, line
        seen = []
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and len(set(seen)) < 3:
            seen.append(_events(store))
            time.sleep(1)
        growth = sorted(set(seen))
        assert len(growth) >= 3, f"the store did not keep growing: {seen}"
        assert seen == sorted(seen), f"a reader saw the store shrink: {seen}"
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            _, err = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            raise
    assert proc.returncode == 0, err
    assert "stopped; the store keeps what was simulated" in err
    assert _events(store) >= growth[-1]
