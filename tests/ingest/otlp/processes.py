"""``synctel serve`` as a real process for the OTLP tests: start it, read its URL, find its
worker processes."""

from __future__ import annotations

import http.client
import json
import os
import re
import selectors
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).parents[3]


def first_line(proc: subprocess.Popen[str], timeout: float = 30) -> str:
    """The first line ``proc`` prints (failing the test when nothing comes in time)."""
    assert proc.stdout is not None
    with selectors.DefaultSelector() as sel:
        sel.register(proc.stdout, selectors.EVENT_READ)
        assert sel.select(timeout), "synctel serve printed nothing in time"
    return proc.stdout.readline()


def start_serve(store_dir: Path, *options: str) -> tuple[subprocess.Popen[str], str]:
    """``synctel serve --store store_dir`` with ``options``, and the URL it printed."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "synctel.cli", "serve", "--store", str(store_dir), *options],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    line = first_line(proc)
    found = re.search(r"http://127\.0\.0\.1:\d+", line)
    if found is None:
        proc.kill()
        _, err = proc.communicate(timeout=30)
        raise AssertionError(f"synctel serve did not start: {line!r} {err}")
    return proc, found.group(0)


def stop(proc: subprocess.Popen[str]) -> None:
    """Kill ``proc`` if it still runs, reap it and close its pipes (not waiting for them to
    end: a child it left behind may hold them open)."""
    if proc.poll() is None:
        proc.kill()
    proc.wait(30)
    for pipe in (proc.stdout, proc.stderr):
        if pipe is not None:
            pipe.close()


def port_of(url: str) -> int:
    """The port of ``http://127.0.0.1:PORT``."""
    return int(url.rsplit(":", 1)[1])


def request(
    url: str, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
) -> int:
    """The status of one request on a fresh connection (5 s timeout)."""
    con = http.client.HTTPConnection("127.0.0.1", port_of(url), timeout=5)
    try:
        con.request(method, path, body=body, headers=headers or {})
        resp = con.getresponse()
        resp.read()
        return resp.status
    finally:
        con.close()


def health(url: str) -> dict[str, Any]:
    """The ``/healthz`` answer of the receiver at ``url``."""
    con = http.client.HTTPConnection("127.0.0.1", port_of(url), timeout=5)
    try:
        con.request("GET", "/healthz")
        answer: dict[str, Any] = json.loads(con.getresponse().read())
        return answer
    finally:
        con.close()


def _stat(pid: int) -> tuple[str, int] | None:
    """The state letter and parent pid of process ``pid`` (None when it is gone)."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    state, ppid = text.rsplit(")", 1)[1].split()[:2]
    return state, int(ppid)


def children_of(pid: int) -> list[int]:
    """The pids of the running processes whose parent is ``pid``."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (stat := _stat(int(entry))) is not None and stat[1] == pid:
            found.append(int(entry))
    return found


def running(pid: int) -> bool:
    """Whether process ``pid`` exists and is not a zombie waiting to be reaped."""
    stat = _stat(pid)
    return stat is not None and stat[0] != "Z"
