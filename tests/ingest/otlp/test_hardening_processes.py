"""``synctel serve`` under chaos, as real processes (issue 17): its parent killed, slow clients
by the dozen, ``kill -9`` while devices send."""

from __future__ import annotations

import os
import signal
import socket
import threading
import time
from pathlib import Path

import pytest

from ingest.store import Store
from tests.ingest.otlp.clients import SlowSenders, status_of
from tests.ingest.otlp.processes import (
    children_of,
    health,
    port_of,
    request,
    running,
    start_serve,
    stop,
)
from tests.ingest.otlp.requests import PROTOBUF, logs_request, record

pytestmark = pytest.mark.slow


def sync_ids(store_dir: Path) -> set[str]:
    con = Store.open(store_dir).connect()
    try:
        return {row[0] for row in con.execute("SELECT sync_id FROM sync_events").fetchall()}
    finally:
        con.close()


def body(sync_id: str) -> bytes:
    return logs_request(record("sync.started", sync_id=sync_id)).SerializeToString()


def refuses_connections(port: int) -> bool:
    """Whether nothing listens on ``port`` any more (a reset means a listener is closing)."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return False
    except ConnectionRefusedError:
        return True
    except ConnectionResetError:
        return False


def test_workers_exit_when_serve_is_killed_and_a_restart_takes_the_port(tmp_path) -> None:
    store_dir = tmp_path / "store"
    proc, url = start_serve(store_dir, "--port", "0", "--workers", "2")
    workers = children_of(proc.pid)
    try:
        assert len(workers) >= 2, workers  # the two workers (and maybe a resource tracker)
        for i in range(6):
            assert request(url, "POST", "/v1/logs", body(f"before-{i}"), PROTOBUF) == 200
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)

        deadline = time.monotonic() + 15
        while not refuses_connections(port_of(url)):
            assert time.monotonic() < deadline, "orphaned workers still answer on the port"
            time.sleep(0.1)
        while any(running(pid) for pid in workers):
            assert time.monotonic() < deadline, "orphaned workers are still running"
            time.sleep(0.1)

        again, again_url = start_serve(store_dir, "--port", str(port_of(url)))
        try:
            assert again_url == url
            assert request(url, "GET", "/healthz") == 200
            assert request(url, "POST", "/v1/logs", body("after"), PROTOBUF) == 200
            again.send_signal(signal.SIGTERM)
            _, err = again.communicate(timeout=30)
            assert again.returncode == 0, err
        finally:
            stop(again)
    finally:
        for pid in workers:  # only if the test failed: the orphans it started
            if running(pid):
                os.kill(pid, signal.SIGKILL)
        stop(proc)
    assert sync_ids(store_dir) == {f"before-{i}" for i in range(6)} | {"after"}


def test_slow_body_clients_do_not_starve_legitimate_requests(tmp_path) -> None:
    # 66 connections sending their bodies a byte at a time: more than the 64 request slots.
    proc, url = start_serve(
        tmp_path / "store", "--port", "0", "--request-timeout", "8",
        "--max-connections-per-peer", "100",
    )  # fmt: skip
    senders = SlowSenders(port_of(url), count=66, interval=0.5)
    try:
        senders.start()
        deadline = time.monotonic() + 5
        while health(url)["open_connections"] < 67:  # the 66, and the one asking
            assert time.monotonic() < deadline, health(url)
            time.sleep(0.05)

        statuses = [
            request(url, "POST", "/v1/logs", body(f"legit-{i}"), PROTOBUF) for i in range(34)
        ]
        cut_off_meanwhile = dict(senders.ended_at)
        deadline = time.monotonic() + 15
        while not senders.all_ended():
            assert time.monotonic() < deadline, f"{66 - len(senders.ended_at)} never cut off"
            time.sleep(0.1)
    finally:
        senders.close()
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
        stop(proc)
    assert statuses == [200] * 34
    assert cut_off_meanwhile == {}  # the slow ones were all still being read meanwhile
    assert max(senders.ended_at.values()) < 8 + 5  # cut off at the deadline, not kept alive
    for answer in senders.answers.values():
        assert status_of(answer) == 408, answer
    assert "Traceback" not in err
    assert "34 records stored" in out


def test_acknowledged_records_survive_kill_9_of_serve(tmp_path) -> None:
    store_dir = tmp_path / "store"
    proc, url = start_serve(store_dir, "--port", "0")
    acknowledged: list[str] = []
    stopping = threading.Event()

    def send(name: str) -> None:
        for i in range(10_000):
            if stopping.is_set():
                return
            try:
                if request(url, "POST", "/v1/logs", body(f"{name}-{i}"), PROTOBUF) == 200:
                    acknowledged.append(f"{name}-{i}")
            except OSError:
                return  # the receiver is gone

    senders = [threading.Thread(target=send, args=(f"c{n}",)) for n in range(3)]
    try:
        for thread in senders:
            thread.start()
        deadline = time.monotonic() + 30
        while len(acknowledged) < 40:
            assert time.monotonic() < deadline, "too few requests acknowledged"
            time.sleep(0.01)
        os.kill(proc.pid, signal.SIGKILL)  # mid-stream: requests in flight, writes under way
        proc.wait(10)
    finally:
        stopping.set()
        for thread in senders:
            thread.join(30)
        stop(proc)
    stored = sync_ids(store_dir)
    assert set(acknowledged) <= stored
    assert len(acknowledged) >= 40
