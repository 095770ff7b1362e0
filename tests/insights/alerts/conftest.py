"""Fixtures for the alert tests: a store with a known bad hour and a known good hour, a loopback
webhook receiver that records what it is sent, and a clock the tests move by hand.

The store (``Technicians`` profile, tables ``bookableresourcebooking`` and ``msdyn_workorder``):

- 11:00-11:55 on 2024-05-09 (:data:`BAD_HOUR`): a pass every 5 minutes; the booking table fails
  every other pass (success rate 0.5), the work order table always succeeds (1.0);
- 13:00-13:55 (:data:`GOOD_HOUR`): the same passes, every table succeeding.
"""

from __future__ import annotations

import json
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from ingest.store import Store
from tests.dashboards.stores import to_arrow
from tests.sql.fleet import BOOKING, WORK_ORDER, Fleet
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


@pytest.fixture(scope="session")
def built_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture store, built once; tests copy it (:func:`store`)."""
    folder = tmp_path_factory.mktemp("alerts") / "store"
    fleet = Fleet()
    _hour(fleet, BAD_HOUR, failing=True)
    _hour(fleet, GOOD_HOUR, failing=False)
    Store.open(folder).append_events(to_arrow(fleet))
    return folder


@pytest.fixture
def store(built_store: Path, tmp_path: Path) -> Path:
    """A private copy of the fixture store (alert state is written into it)."""
    return Path(shutil.copytree(built_store, tmp_path / "store"))


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


@pytest.fixture
def clock() -> Clock:
    """Starts at 12:00 on the fixture day (the end of the bad hour)."""
    return Clock(BAD_HOUR + timedelta(hours=1))


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


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A webhook receiver on 127.0.0.1 (a free port), stopped after the test."""
    found = Receiver()
    try:
        yield found
    finally:
        found.stop()


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


Reports = list[str]
ReportFn = Callable[[str], None]
