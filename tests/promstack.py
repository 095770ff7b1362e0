"""Debian's real Prometheus Alertmanager and Prometheus, started on loopback for a test.

Each listens on 127.0.0.1 only (Alertmanager's cluster gossip is switched off with an empty
``--cluster.listen-address``), keeps its data in the test's temp folder, and is stopped (then
killed if need be) when the test ends. Every wait is bounded in tries and in time. The binaries
come from ``make test`` (the Makefile's ``prometheus`` target installs the Debian packages).
"""

from __future__ import annotations

import contextlib
import json
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

ALERTMANAGER = Path("/usr/bin/prometheus-alertmanager")
PROMETHEUS = Path("/usr/bin/prometheus")
PROMTOOL = Path("/usr/bin/promtool")
START_SECONDS = 30.0
T = TypeVar("T")


def free_port() -> int:
    """A port nothing listens on at 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def get_json(url: str, timeout: float = 5.0) -> Any:
    """GET ``url`` and decode its JSON body."""
    with urllib.request.urlopen(url, timeout=timeout) as answer:
        return json.loads(answer.read())


def post_json(url: str, body: Any, timeout: float = 5.0) -> Any:
    """POST ``body`` as JSON to ``url`` and decode the JSON answer."""
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=timeout) as answer:
        return json.loads(answer.read() or b"null")


def poll(probe: Callable[[], T | None], what: str, seconds: float = 15.0, step: float = 0.2) -> T:
    """Call ``probe`` until it returns something other than None (at most ``seconds``, and
    ``seconds / step`` tries); fails the test with ``what`` otherwise."""
    deadline = time.monotonic() + seconds
    last: BaseException | None = None
    for _ in range(int(seconds / step) + 1):
        try:
            found = probe()
        except (OSError, urllib.error.URLError, ValueError, KeyError) as exc:
            last, found = exc, None
        if found is not None:
            return found
        if time.monotonic() >= deadline:
            break
        time.sleep(step)
    raise AssertionError(f"timed out waiting for {what} (last error: {last!r})")


class Server:
    """A started binary listening on ``url``; :meth:`stop` ends it."""

    def __init__(self, argv: list[str], port: int, log: Path) -> None:
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.log = log
        with log.open("wb") as out:
            self.proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT)
        try:
            poll(self._ready, f"{argv[0]} to be ready on {self.url}", START_SECONDS)
        except BaseException:
            self.stop()
            raise

    def _ready(self) -> bool | None:
        if self.proc.poll() is not None:
            tail = self.log.read_text(errors="replace")[-2000:]
            raise AssertionError(f"exited with {self.proc.returncode}:\n{tail}")
        with urllib.request.urlopen(f"{self.url}/-/ready", timeout=2) as answer:
            return True if answer.status == 200 else None

    def stop(self) -> None:
        """Terminate the process (kill it after 10 s)."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)


@contextlib.contextmanager
def alertmanager(folder: Path, config: str, port: int | None = None) -> Iterator[Server]:
    """A real Alertmanager with ``config`` (YAML) on 127.0.0.1, data in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "alertmanager.yml").write_text(config, encoding="utf-8")
    port = port or free_port()
    argv = [
        str(ALERTMANAGER),
        f"--config.file={folder / 'alertmanager.yml'}",
        f"--storage.path={folder / 'data'}",
        f"--web.listen-address=127.0.0.1:{port}",
        "--cluster.listen-address=",
        "--log.level=warn",
    ]
    server = Server(argv, port, folder / "alertmanager.log")
    try:
        yield server
    finally:
        server.stop()


@contextlib.contextmanager
def prometheus(folder: Path, config: str) -> Iterator[Server]:
    """A real Prometheus with ``config`` (YAML) on 127.0.0.1, its TSDB in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "prometheus.yml").write_text(config, encoding="utf-8")
    port = free_port()
    argv = [
        str(PROMETHEUS),
        f"--config.file={folder / 'prometheus.yml'}",
        f"--storage.tsdb.path={folder / 'tsdb'}",
        f"--web.listen-address=127.0.0.1:{port}",
        "--log.level=warn",
    ]
    server = Server(argv, port, folder / "prometheus.log")
    try:
        yield server
    finally:
        server.stop()
