"""One HTTP POST of JSON with an overall deadline: connecting, sending and reading the answer
together take at most ``deadline`` seconds.

A socket timeout bounds each read, not the request: a receiver trickling a byte every 2 s would
hold a 5 s timeout open forever. Here a watchdog timer shuts the socket down when the deadline
passes, which ends whatever read or write is blocked, and the attempt fails with "no answer
within N s". :func:`abort` ends an attempt early (a run that is out of time).
"""

from __future__ import annotations

import contextlib
import http.client
import json
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Final
from urllib.parse import urlsplit

MAX_ANSWER_BYTES: Final = 64 * 1024
"""How much of an answer's body is read (it is not used, only drained)."""


@dataclass
class Attempt:
    """One POST under way; :meth:`abort` ends it from another thread."""

    deadline: float
    """Seconds the whole attempt may take."""
    _conn: http.client.HTTPConnection | None = None
    _aborted: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def abort(self) -> None:
        """Shut the connection down: a blocked read or write returns at once."""
        with self._lock:
            self._aborted = True
            sock = self._conn.sock if self._conn is not None else None
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    @property
    def aborted(self) -> bool:
        """True once :meth:`abort` ran (the deadline passed, or the run stopped it)."""
        return self._aborted

    def post(self, url: str, payload: Any) -> str | None:
        """POST ``payload`` as JSON to ``url``; None when answered 2xx, else why not."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return f"not an http(s) URL: {url!r}"
        started = time.monotonic()
        cls = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        try:
            conn = cls(parts.hostname, parts.port, timeout=self.deadline)
        except ValueError as exc:  # a port that is not a number
            return f"bad URL ({exc})"
        with self._lock:
            self._conn = conn
        timer = threading.Timer(self.deadline, self.abort)
        timer.daemon = True
        timer.start()
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        body = json.dumps(payload).encode("utf-8")
        headers = {"Content-Type": "application/json", "User-Agent": "synctel-alerts"}
        try:
            conn.request("POST", path, body, headers)
            answer = conn.getresponse()
            answer.read(MAX_ANSWER_BYTES)
            status = int(answer.status)
        except (OSError, http.client.HTTPException, ValueError) as exc:
            if self._aborted:
                spent = time.monotonic() - started
                return f"no answer within {min(spent, self.deadline):.3g} s"
            return f"no answer ({getattr(exc, 'strerror', None) or exc or type(exc).__name__})"
        finally:
            timer.cancel()
            conn.close()
        return None if 200 <= status < 300 else f"HTTP {status}"


def where(url: str) -> str:
    """The URL without its query string or credentials, for messages."""
    parts = urlsplit(url)
    try:
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        port = ""
    return f"{parts.scheme}://{parts.hostname or ''}{port}{parts.path}"
