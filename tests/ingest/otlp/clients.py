"""Raw-socket clients for the hardening tests: requests whose bytes trickle in, and a way to
tell how the receiver ended such a connection."""

from __future__ import annotations

import selectors
import socket
import threading
import time
from dataclasses import dataclass, field


def request_head(path: str = "/v1/logs", length: int = 10_000) -> bytes:
    """The request line and headers of a protobuf ``POST`` with a ``length``-byte body."""
    return (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Content-Type: application/x-protobuf\r\nContent-Length: {length}\r\n\r\n"
    ).encode()


def connect(port: int) -> socket.socket:
    """A connection to the receiver on 127.0.0.1."""
    return socket.create_connection(("127.0.0.1", port), timeout=5)


def read_until_closed(sock: socket.socket, timeout: float) -> tuple[bytes, bool]:
    """Everything the server sends within ``timeout`` seconds, and whether it closed the
    connection (EOF or reset) in that time."""
    deadline = time.monotonic() + timeout
    data = bytearray()
    while (left := deadline - time.monotonic()) > 0:
        sock.settimeout(left)
        try:
            got = sock.recv(65536)
        except TimeoutError:
            break
        except ConnectionError:
            return bytes(data), True
        if not got:
            return bytes(data), True
        data += got
    return bytes(data), False


def status_of(answer: bytes) -> int | None:
    """The status code of a raw HTTP answer, or None when there was none."""
    if not answer.startswith(b"HTTP/1."):
        return None
    return int(answer.split(b" ", 2)[1])


@dataclass
class SlowSenders:
    """``count`` connections that each send a request's headers at once and then its body one
    byte every ``interval`` seconds, until the server answers or closes; :meth:`start`, then
    :meth:`close`."""

    port: int
    count: int
    interval: float = 0.5
    length: int = 10_000
    started_at: float = 0.0
    ended_at: dict[int, float] = field(default_factory=dict)
    """Seconds after :meth:`start` at which the server ended each connection (by index)."""
    answers: dict[int, bytes] = field(default_factory=dict)
    """What the server sent on each connection that it answered."""
    _socks: list[socket.socket] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> SlowSenders:
        """Open every connection, send the headers, and trickle the bodies in the background."""
        self.started_at = time.monotonic()
        for _ in range(self.count):
            sock = connect(self.port)
            sock.sendall(request_head(length=self.length))
            self._socks.append(sock)
        self._thread = threading.Thread(target=self._trickle, daemon=True)
        self._thread.start()
        return self

    def all_ended(self) -> bool:
        """Whether the server ended every connection."""
        return len(self.ended_at) == self.count

    def _end(self, index: int) -> None:
        self.ended_at.setdefault(index, time.monotonic() - self.started_at)

    def _trickle(self) -> None:
        with selectors.DefaultSelector() as sel:
            for i, sock in enumerate(self._socks):
                sock.setblocking(False)
                sel.register(sock, selectors.EVENT_READ, i)
            while not self._stop.is_set() and not self.all_ended():
                for key, _ in sel.select(self.interval):
                    self._read(sel, key.fileobj, key.data)  # type: ignore[arg-type]
                for i, sock in enumerate(self._socks):
                    if i not in self.ended_at:
                        try:
                            sock.send(b"x")
                        except OSError:
                            sel.unregister(sock)
                            self._end(i)

    def _read(self, sel: selectors.BaseSelector, sock: socket.socket, index: int) -> None:
        try:
            got = sock.recv(65536)
        except BlockingIOError:
            return
        except OSError:
            got = b""
        if got:
            self.answers[index] = self.answers.get(index, b"") + got
            return
        sel.unregister(sock)
        self._end(index)

    def close(self) -> None:
        """Stop trickling and close every connection."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(10)
        for sock in self._socks:
            sock.close()
