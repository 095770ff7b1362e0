"""``synctel serve``: a real process that prints its URL, checks tokens and stops cleanly."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys

import pytest

from ingest.store import Store
from synctel.cli import main
from tests.ingest.otlp.processes import ROOT, first_line
from tests.ingest.otlp.requests import PROTOBUF, logs_request, record


def http_post(url: str, body: bytes, headers: dict[str, str]) -> int:
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    con = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
    try:
        con.request("POST", "/v1/logs", body=body, headers=headers)
        resp = con.getresponse()
        resp.read()
        return resp.status
    finally:
        con.close()


@pytest.mark.slow
@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_serve_prints_its_url_takes_data_and_stops_cleanly(tmp_path, stop) -> None:
    store_dir = tmp_path / "store"
    env = {**os.environ, "OTLP_TEST_TOKEN": "t0ken"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "synctel.cli", "serve", "--store", str(store_dir), "--port", "0",
         "--token-env", "OTLP_TEST_TOKEN"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        line = first_line(proc)
        found = re.search(r"http://127\.0\.0\.1:\d+", line)
        assert found, line
        assert "bearer token required" in line
        url = found.group(0)
        body = logs_request(record("sync.started", sync_id="via-cli")).SerializeToString()
        assert http_post(url, body, PROTOBUF) == 401
        assert http_post(url, body, {**PROTOBUF, "Authorization": "Bearer t0ken"}) == 200
        proc.send_signal(stop)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    assert "stopped; 1 records stored, 0 quarantined" in out
    con = Store.open(store_dir).connect()
    try:
        assert con.execute("SELECT sync_id FROM sync_events").fetchall() == [("via-cli",)]
    finally:
        con.close()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--host", "0.0.0.0"], "a bearer token is required to listen on 0.0.0.0"),
        (["--token-env", "SYNCTEL_SURELY_UNSET_VAR"], "that variable is unset or empty"),
        (["--token-file", "missing-token.txt"], "--token-file missing-token.txt: cannot read"),
        (["--port", "70000"], "--port 70000: must be between 0 and 65535"),
        (["--max-body-bytes", "0"], "--max-body-bytes 0: must be at least 1"),
        (["--workers", "0"], "--workers 0: must be at least 1"),
        (["--request-timeout", "0"], "--request-timeout 0.0: must be a positive number"),
        (["--request-timeout", "nan"], "--request-timeout nan: must be a positive number"),
        (["--max-connections-per-peer", "0"], "--max-connections-per-peer 0: must be at least 1"),
    ],
    ids=[
        "off-loopback-no-token",
        "unset-env",
        "missing-file",
        "bad-port",
        "bad-limit",
        "workers",
        "request-timeout",
        "request-timeout-nan",
        "connections-per-peer",
    ],
)
def test_bad_options_get_one_line_and_exit_1(tmp_path, capsys, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    code = main(["serve", "--store", str(tmp_path / "store"), "--port", "0", *args])
    err = capsys.readouterr().err
    assert code == 1
    assert message in err
    assert err.count("\n") == 1
    assert err.startswith("synctel serve: ")
    assert not (tmp_path / "store").exists()  # refused before the store was made


def test_port_in_use_is_one_clear_line(tmp_path, capsys) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code = main(["serve", "--store", str(tmp_path / "store"), "--port", str(port)])
    err = capsys.readouterr().err
    assert code == 1
    assert f"cannot listen on 127.0.0.1:{port}" in err


@pytest.mark.slow
def test_serve_with_workers_shares_one_port_and_loses_nothing(tmp_path) -> None:
    store_dir = tmp_path / "store"
    proc = subprocess.Popen(
        [sys.executable, "-m", "synctel.cli", "serve", "--store", str(store_dir), "--port", "0",
         "--workers", "2"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        line = first_line(proc)
        assert "2 worker(s)" in line
        found = re.search(r"http://127\.0\.0\.1:\d+", line)
        assert found, line
        for i in range(12):  # a new connection each: the kernel spreads them over the workers
            body = logs_request(record("sync.started", sync_id=f"w{i}")).SerializeToString()
            assert http_post(found.group(0), body, PROTOBUF) == 200
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    assert "stopped; 12 records stored, 0 quarantined" in out
    con = Store.open(store_dir).connect()
    try:
        assert con.execute("SELECT count(DISTINCT sync_id) FROM sync_events").fetchall() == [(12,)]
    finally:
        con.close()
