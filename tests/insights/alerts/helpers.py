"""The alert tests' scenario: a store with a known bad hour and a known good hour, a loopback
webhook receiver that records what it is sent, and a clock the tests move by hand.

The store (``Technicians`` profile, tables ``bookableresourcebooking`` and ``msdyn_workorder``):

- 11:00-11:55 on 2024-05-09 (:data:`BAD_HOUR`): a pass every 5 minutes; the booking table fails
  every other pass (success rate 0.5), the work order table always succeeds (1.0);
- 13:00-13:55 (:data:`GOOD_HOUR`): the same passes, every table succeeding.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from ingest.store import Store
from insights.alerts.rules import parse_rules
from insights.alerts.runner import Runner, Settings
from tests.sql.fleet import BOOKING, WORK_ORDER, Fleet
from tests.stores import to_arrow
from vocabulary.contract import ErrorCode, FailureType, Result

PROFILE = "Technicians"
BAD_HOUR = datetime(2024, 5, 9, 11, 0)
GOOD_HOUR = datetime(2024, 5, 9, 13, 0)


def _hour(fleet: Fleet, start: datetime, *, failing: bool) -> None:
    dev = fleet.device("dev-1", "user-1", profile=PROFILE)
    for n in range(12):
        t0 = start + timedelta(minutes=5 * n)
        sid = f"s-{start:%H}-{n}"
        fails = failing and n % 2 == 0
        dev.started(sid, t0)
        dev.table(
            sid,
            t0 + timedelta(seconds=1),
            BOOKING,
            duration_ms=500,
            result=Result.FAILURE if fails else Result.SUCCESS,
        )
        dev.table(sid, t0 + timedelta(seconds=2), WORK_ORDER, duration_ms=500)
        if fails:
            dev.failed(
                sid,
                t0 + timedelta(seconds=3),
                failure_type=FailureType.SERVER_ERROR,
                error_code=ErrorCode.SERVER,
                message="server returned 503",
                duration_ms=3000,
                active_duration_ms=3000,
                table=BOOKING,
            )
        else:
            dev.completed(sid, t0 + timedelta(seconds=3), duration_ms=3000, active_duration_ms=3000)


def build_store(folder: Path) -> Path:
    """The fixture store (the bad hour, then the good hour) in ``folder``; returns the folder."""
    fleet = Fleet()
    _hour(fleet, BAD_HOUR, failing=True)
    _hour(fleet, GOOD_HOUR, failing=False)
    Store.open(folder).append_events(to_arrow(fleet))
    return folder


class Clock:
    """A wall clock the test sets: ``clock.now`` is what the runner reads."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def set(self, hhmm: str) -> None:
        """Move to ``hh:mm`` on the fixture day."""
        hours, minutes = (int(p) for p in hhmm.split(":"))
        self.now = BAD_HOUR.replace(hour=hours, minute=minutes)


class Receiver:
    """A loopback HTTP server recording each POST's JSON body; can answer 500 or be slow."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.answers: list[int] = []  # statuses answered, in order
        self.fail_next = 0
        self.delay = 0.0
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                time.sleep(receiver.delay)
                with receiver._lock:
                    receiver.requests.append(json.loads(body))
                    status = 500 if receiver.fail_next > 0 else 200
                    receiver.fail_next = max(0, receiver.fail_next - 1)
                    receiver.answers.append(status)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self._thread = threading.Thread(target=self.server.serve_forever, args=(0.05,))
        self._thread.start()

    def statuses(self) -> list[tuple[str, int]]:
        """``(payload status, answer)`` of every request, in order."""
        with self._lock:
            return [(r["status"], a) for r, a in zip(self.requests, self.answers, strict=True)]

    def wait_for(self, count: int, timeout: float = 5.0) -> None:
        """Wait until ``count`` requests arrived (fails the test after ``timeout`` s)."""
        deadline = time.monotonic() + timeout
        while len(self.requests) < count:
            assert time.monotonic() < deadline, f"{len(self.requests)} of {count} requests"
            time.sleep(0.01)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(5)


def rules_text(webhook: str | None, *, hold: str = "10m", extra: str = "") -> str:
    """The test rule: the Technicians tables' success rate below 0.95 over an hour."""
    hook = f'webhook = "{webhook}"\n' if webhook else ""
    return (
        "[[alert]]\n"
        'name = "technicians: success rate"\n'
        'view = "health_by_profile_table"\n'
        'metric = "success_rate"\n'
        f'where = {{ profile = "{PROFILE}" }}\n'
        'op = "<"\n'
        "threshold = 0.95\n"
        'window = "1h"\n'
        f'for = "{hold}"\n' + hook + extra
    )


def fire(store: Path, clock: Clock) -> None:
    """One round of the test rule (held ``0s``) at ``clock``: it must fire."""
    runner = Runner(Settings(store, parse_rules(rules_text(None, hold="0s"))), clock=clock)
    assert len(runner.round().firing) == 1
    runner.close(0.5)


class SilentServer:
    """A loopback port whose connections are accepted by the kernel and never answered (a
    webhook that hangs), or answered one byte at a time every ``trickle`` seconds."""

    def __init__(self, trickle: float | None = None) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/hook"
        self.trickle = trickle
        self.connections = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        if trickle is not None:
            self._thread = threading.Thread(target=self._serve, daemon=True)
            self._thread.start()

    def _serve(self) -> None:
        self.sock.settimeout(0.05)
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            threading.Thread(target=self._drip, args=(conn,), daemon=True).start()

    def _drip(self, conn: socket.socket) -> None:
        answer = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
        with conn:
            for byte in answer:
                if self._stop.wait(self.trickle):
                    return
                try:
                    conn.sendall(bytes([byte]))
                except OSError:
                    return

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
        self.sock.close()


INCIDENT_AS_OF = "2026-01-07T11:55"
"""During the ``server-incident`` scenario's 5xx burst (day 3, 10:00-12:00 UTC)."""


def simulate(folder: Path, scenario: str) -> Path:
    """A small run of a built-in scenario (8 devices, 3 days, seed 3) into ``folder``."""
    from synctel.cli import main

    argv = ["simulate", "--scenario", scenario, "--devices", "8", "--days", "3", "--seed", "3"]
    assert main([*argv, "--quiet", "--store", str(folder)]) == 0
    return folder
