"""``synctel dashboard``: options checked before anything starts, the URL printed, no store made."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from synctel.cli import main
from synctel.commands.dashboard import free_port, streamlit_command


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--live", "0"], "--live must be between 0.5 and 3600 seconds, got 0"),
        (["--live", "-3"], "--live must be between"),
        (["--port", "70000"], "--port must be between 0 and 65535, got 70000"),
    ],
)
def test_bad_options_get_one_line(capsys, tmp_path: Path, args: list[str], message: str):
    assert main(["dashboard", "--store", str(tmp_path), *args]) == 1
    err = capsys.readouterr().err
    assert message in err
    assert err.count("\n") == 1
    assert "Traceback" not in err


def test_streamlit_runs_headless_on_the_app():
    cmd = streamlit_command("127.0.0.1", 8765)
    assert Path(cmd[4]).name == "app.py"
    assert Path(cmd[4]).exists()
    assert "--server.headless=true" in cmd
    assert "--server.port=8765" in cmd
    assert "--server.address=127.0.0.1" in cmd
    assert 0 < free_port("127.0.0.1") < 65536


def test_a_missing_store_is_not_created_and_the_url_is_printed(tmp_path: Path):
    store = tmp_path / "not-yet"
    port = free_port("127.0.0.1")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "synctel.cli",
            "dashboard",
            "--store",
            str(store),
            "--port",
            str(port),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        assert server.stdout is not None
        assert server.stderr is not None
        line = server.stdout.readline()
        assert line.startswith(f"synctel dashboard: http://127.0.0.1:{port}/")
        assert "no store at" in server.stderr.readline()
        assert not store.exists()
    finally:
        os.killpg(os.getpgid(server.pid), signal.SIGTERM)
        server.wait(10)
        server.stdout.close()
        server.stderr.close()
    assert not store.exists()
