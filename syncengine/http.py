"""Sync over real HTTP: a loopback server in front of a :class:`SyncServer`, and its client.

JSON bodies (optionally gzip), keep-alive connections. The server injects the server-side
faults of a :class:`~syncengine.transport.Faults` plan as real status codes and real delays;
the client injects connection cuts. Either way the client classifies what it sees (5xx, 401,
timeouts, lost connections) into the same SyncFailures as the in-process transport.
"""

from __future__ import annotations

import gzip
import http.client
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, TypeVar
from urllib.parse import urlsplit

from syncengine.errors import (
    SyncengineError,
    auth_failure,
    config_failure,
    network_failure,
    server_failure,
    timeout_failure,
)
from syncengine.protocol import (
    CheckResponse,
    DownloadRequest,
    DownloadResponse,
    ReadRequest,
    ReadResponse,
    Reply,
    UploadRequest,
    UploadResponse,
)
from syncengine.server import SyncServer
from syncengine.transport import CLIENT_SIDE, SERVER_SIDE, Call, FaultKind, Faults, failure_for

EXPIRED_CHALLENGE = 'Bearer error="invalid_token", error_description="token expired"'
"""The WWW-Authenticate header of a 401 for an expired token (AUTH_ERROR 2009)."""
_PATHS = {f"/{call}": call for call in Call}


class HttpSyncServer:
    """A threaded HTTP server on loopback; use as a context manager."""

    def __init__(
        self,
        server: SyncServer,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        faults: Faults | None = None,
        hold_s: float = 2.0,
    ) -> None:
        """Serve ``server`` on ``host:port`` (0 = any free port); ``faults`` injects 5xx, 401,
        delays and timeouts (a TIMEOUT holds the answer ``hold_s`` seconds)."""
        self.server = server
        self.faults = faults or Faults()
        self.hold_s = hold_s
        self._stop = threading.Event()
        self._httpd = ThreadingHTTPServer((host, port), _handler(self))
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """``http://host:port``."""
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> HttpSyncServer:
        """Start serving in a background thread."""
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def close(self) -> None:
        """Stop serving and release the port (held answers are abandoned)."""
        self._stop.set()
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> HttpSyncServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def handle(self, call: Call, body: bytes) -> tuple[int, dict[str, str], bytes]:
        """Answer one request: ``(status, headers, body)``."""
        fault = self.faults.take(call, SERVER_SIDE)
        if fault is not None:
            if fault.kind is FaultKind.SERVER_ERROR:
                return 503, {}, b'{"error":"service unavailable"}'
            if fault.kind is FaultKind.AUTH_FAILURE:
                return 401, {"WWW-Authenticate": "Bearer"}, b'{"error":"unauthorized"}'
            if fault.kind is FaultKind.AUTH_EXPIRED:
                return 401, {"WWW-Authenticate": EXPIRED_CHALLENGE}, b'{"error":"expired"}'
            wait = self.hold_s if fault.kind is FaultKind.TIMEOUT else fault.seconds
            if self._stop.wait(wait):
                return 503, {}, b'{"error":"shutting down"}'
        try:
            if call is Call.CHECK:
                return 200, {}, self.server.check().to_json().encode()
            if call is Call.UPLOAD:
                return 200, {}, self.server.upload(UploadRequest.from_json(body)).to_json().encode()
            if call is Call.READ:
                return 200, {}, self.server.read(ReadRequest.from_json(body)).to_json().encode()
            reply = self.server.download(DownloadRequest.from_json(body))
            return 200, {}, reply.to_json().encode()
        except SyncengineError as exc:
            return 400, {}, json.dumps({"error": str(exc)}).encode()


def _handler(owner: HttpSyncServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body are two writes: no 40 ms stall

        def do_GET(self) -> None:
            self._serve()

        def do_POST(self) -> None:
            self._serve()

        def _serve(self) -> None:
            call = _PATHS.get(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            if self.headers.get("Content-Encoding") == "gzip":
                body = gzip.decompress(body)
            headers: dict[str, str] = {}
            if call is None:
                status, out = 404, b'{"error":"no such endpoint"}'
            else:
                status, headers, out = owner.handle(call, body)
            if "gzip" in (self.headers.get("Accept-Encoding") or "") and len(out) > 1024:
                out = gzip.compress(out, compresslevel=1)
                headers = {**headers, "Content-Encoding": "gzip"}
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            try:
                self.wfile.write(out)
            except OSError:
                self.close_connection = True  # the client gave up (timeout): nothing to do

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the sync server's own records are the log."""

    return Handler


R = TypeVar("R")


class HttpTransport:
    """The device side of HTTP sync, over one keep-alive connection."""

    def __init__(
        self,
        url: str,
        timeout: float = 30.0,
        faults: Faults | None = None,
        *,
        check_timeout: float | None = None,
        gzip_bodies: bool = False,
    ) -> None:
        """Talk to ``url``; requests time out after ``timeout`` seconds (the network check
        after ``check_timeout``, default the same); ``faults`` injects connection cuts;
        ``gzip_bodies`` compresses requests and accepts compressed answers."""
        parts = urlsplit(url)
        if parts.scheme != "http" or not parts.hostname:
            raise ValueError(f"{url!r} is not an http:// URL (e.g. http://127.0.0.1:8080)")
        self.host, self.port = parts.hostname, parts.port or 80
        self.timeout = timeout
        self.check_timeout = check_timeout if check_timeout is not None else timeout
        self.faults = faults or Faults()
        self.gzip_bodies = gzip_bodies
        self._conn: http.client.HTTPConnection | None = None

    def close(self) -> None:
        """Close the connection."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def check(self) -> Reply[CheckResponse]:
        """The network check."""
        sent, body = self._exchange(Call.CHECK, "GET", b"", self.check_timeout)
        return Reply(CheckResponse.from_json(body), sent, len(body))

    def upload(self, request: UploadRequest) -> Reply[UploadResponse]:
        """Send the outbox."""
        sent, body = self._exchange(Call.UPLOAD, "POST", request.to_json().encode(), self.timeout)
        return Reply(UploadResponse.from_json(body), sent, len(body))

    def download(self, request: DownloadRequest) -> Reply[DownloadResponse]:
        """Fetch one table's delta."""
        payload = request.to_json().encode()
        sent, body = self._exchange(Call.DOWNLOAD, "POST", payload, self.timeout)
        return Reply(DownloadResponse.from_json(body), sent, len(body))

    def read(self, request: ReadRequest) -> Reply[ReadResponse]:
        """Read one record online (S4)."""
        payload = request.to_json().encode()
        sent, body = self._exchange(Call.READ, "POST", payload, self.timeout)
        return Reply(ReadResponse.from_json(body), sent, len(body))

    def _exchange(
        self, call: Call, method: str, payload: bytes, timeout: float
    ) -> tuple[int, bytes]:
        fault = self.faults.take(call, CLIENT_SIDE)
        if fault is not None and fault.kind is FaultKind.DROP_BEFORE:
            self.close()
            raise failure_for(fault, call)
        headers = {"Content-Type": "application/json", "Connection": "keep-alive"}
        wire = payload
        if self.gzip_bodies:
            headers["Accept-Encoding"] = "gzip"
            if len(payload) > 1024:
                wire = gzip.compress(payload, compresslevel=1)
                headers["Content-Encoding"] = "gzip"
        try:
            conn = self._connection(timeout)
            conn.request(method, f"/{call}", body=wire or None, headers=headers)
            response = conn.getresponse()
            body = response.read()
        except TimeoutError:
            self.close()
            raise timeout_failure(f"the server did not answer the {call} in {timeout}s") from None
        except (OSError, http.client.HTTPException) as exc:
            self.close()
            raise network_failure(f"the connection was lost during {call}: {exc}") from None
        if fault is not None:  # DROP_AFTER: the server has answered; the answer is lost
            self.close()
            raise failure_for(fault, call)
        if response.getheader("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        _raise_for_status(call, response.status, response.getheader("WWW-Authenticate"), body)
        return len(payload), body

    def _connection(self, timeout: float) -> http.client.HTTPConnection:
        if self._conn is None:
            self._conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        self._conn.timeout = timeout
        if self._conn.sock is not None:
            self._conn.sock.settimeout(timeout)
        return self._conn


def _raise_for_status(call: Call, status: int, challenge: str | None, body: bytes) -> None:
    if status < 400:
        return
    if status == 401:
        expired = "expired" in (challenge or "")
        raise auth_failure(f"the server refused the {call} (HTTP 401)", expired=expired)
    if status >= 500:
        raise server_failure(f"the server answered the {call} with HTTP {status}")
    try:
        message = json.loads(body)["error"]
    except (ValueError, KeyError, TypeError):
        message = body[:200].decode(errors="replace")
    raise config_failure(f"the server rejected the {call} (HTTP {status}): {message}")
