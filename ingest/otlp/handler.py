"""The HTTP request handler of :class:`~ingest.otlp.receiver.OtlpReceiver`.

Checks run cheapest first and before the body is read: path (404/405), token (401), media
type (415); then the body is read within the size limit (411/413) and the request's deadline
(408); only then does the request take one of the receiver's slots (429 when none is free), so
a slow sender holds no slot. The body is inflated (413 past the limit, 400 when corrupt),
decoded (400), mapped, queued (429 when full) and acknowledged only once written (503 with
``Retry-After`` when the store fails or is slow).

Every read of a connection is bounded: waiting for the next request by the idle timeout
(:attr:`Handler.timeout`), receiving one request's headers and body by its overall deadline
(:attr:`~ingest.otlp.receiver.ReceiverConfig.request_timeout_seconds`), however the bytes
trickle in. Past the deadline the body gets 408 and the connection is closed; a request whose
headers did not arrive in time is closed without an answer.
"""

from __future__ import annotations

import io
import json
import socket
import time
from collections import Counter
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any, Final

from ingest.otlp.decode import (
    SIGNALS,
    Format,
    OtlpRequestError,
    Signal,
    body_format,
    encode,
    inflate,
    parse_request,
    status_body,
)
from ingest.otlp.records import Mapped, map_request
from ingest.otlp.writer import make_job

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

    from ingest.otlp.receiver import OtlpReceiver

HEALTH_PATH: Final = "/healthz"
"""``GET`` this path for the receiver's health (no token needed; it reveals no data)."""
METRICS_PATH: Final = "/metrics"
"""``GET`` this path for the fleet's Prometheus metrics (the bearer token when one is required:
it reveals fleet figures)."""
_CHUNK: Final = 64 * 1024
_LOGGED_STATUSES: Final = frozenset({HTTPStatus.BAD_REQUEST, HTTPStatus.REQUEST_TIMEOUT})
_PARTIAL_FIELDS: Final = {
    "logs": "rejected_log_records",
    "traces": "rejected_spans",
    "metrics": "rejected_data_points",
}


class _DeadlineReader(io.RawIOBase):
    """A connection's raw reads, each bounded by the idle timeout and, while a request is
    being received, by what is left of its deadline (a socket timeout alone bounds one read,
    which a client sending a byte at a time never lets expire)."""

    def __init__(self, sock: socket.socket, idle_seconds: float | None) -> None:
        self._sock = sock
        self._idle = idle_seconds
        self.deadline: float | None = None
        """``time.monotonic()`` by which the request must be received, or None when idle."""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        timeout = self._idle
        if self.deadline is not None:
            left = self.deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("the request deadline passed")
            timeout = left if timeout is None else min(timeout, left)
        self._sock.settimeout(timeout)
        return self._sock.recv_into(buffer)


class Handler(BaseHTTPRequestHandler):
    """One connection's requests (HTTP/1.1 keep-alive)."""

    protocol_version = "HTTP/1.1"
    timeout = 30  # seconds an idle keep-alive connection (or a single read or write) may stall
    server_version = "synctel-otlp"

    @property
    def receiver(self) -> OtlpReceiver:
        """The receiver this handler serves."""
        return self.server.receiver  # type: ignore[attr-defined,no-any-return]

    def log_message(self, format: str, *args: Any) -> None:
        """Request lines go to the debug log, not stderr."""
        self.receiver.log.debug(format, *args)

    def setup(self) -> None:
        """Read the connection through a :class:`_DeadlineReader`."""
        super().setup()
        self.rfile.close()  # the socket's own buffered reader, replaced by one with deadlines
        self._reader = _DeadlineReader(self.connection, self.timeout)
        self._buffered = io.BufferedReader(self._reader)
        self.rfile = self._buffered

    def handle_one_request(self) -> None:
        """Wait (at most the idle timeout) for a request to begin, then give its headers and
        body :attr:`~ingest.otlp.receiver.ReceiverConfig.request_timeout_seconds` to arrive."""
        self._reader.deadline = None
        try:
            started = self._buffered.peek(1)
        except OSError:  # idle too long (TimeoutError), or the client reset the connection
            started = b""
        if not started:
            self.close_connection = True
            return
        deadline = time.monotonic() + self.receiver.config.request_timeout_seconds
        self._reader.deadline = deadline
        try:
            super().handle_one_request()  # a deadline passed in the headers: closed, no answer
        finally:
            self._end_reading()

    def _end_reading(self) -> None:
        """The request is received (or refused): lift its deadline; writes get the idle
        timeout again."""
        self._reader.deadline = None
        self.connection.settimeout(self.timeout)

    # -- GET -------------------------------------------------------------------------------

    def do_GET(self) -> None:
        """``/healthz``, ``/metrics``; 405 on the OTLP paths, 404 elsewhere."""
        self._end_reading()
        path = self.path.split("?", 1)[0]
        page = self.receiver.config.metrics_page
        if path == HEALTH_PATH:
            status, body = self.receiver.health()
            headers = _retry_headers(status, self.receiver)
            self._send(status, json.dumps(body).encode(), "application/json", headers)
        elif path == METRICS_PATH and page is not None:
            if not self.receiver.authorized(self.headers.get("Authorization")):
                self._error(HTTPStatus.UNAUTHORIZED, "missing or wrong bearer token", Format.JSON)
                return
            text, content_type = page(self.headers.get("Accept"))
            self._send(HTTPStatus.OK, text, content_type, {})
        elif path in SIGNALS:
            self._error(HTTPStatus.METHOD_NOT_ALLOWED, "use POST", Format.JSON, {"Allow": "POST"})
        else:
            self._error(HTTPStatus.NOT_FOUND, f"no such path {path!r}", Format.JSON)

    # -- POST ------------------------------------------------------------------------------

    def do_POST(self) -> None:
        """An OTLP export request."""
        self._body_read = False
        receiver = self.receiver
        receiver.request_started()
        fmt = Format.JSON
        try:
            signal = SIGNALS.get(self.path.split("?", 1)[0])
            if signal is None:
                raise OtlpRequestError(HTTPStatus.NOT_FOUND, f"no such path {self.path!r}")
            if not receiver.authorized(self.headers.get("Authorization")):
                raise OtlpRequestError(HTTPStatus.UNAUTHORIZED, "missing or wrong bearer token")
            fmt = body_format(self.headers.get("Content-Type"))
            if receiver.closing:
                raise OtlpRequestError(HTTPStatus.SERVICE_UNAVAILABLE, "the receiver is stopping")
            body = self._receive_body(receiver.config.max_body_bytes)
            if not receiver.inflight.acquire(blocking=False):
                raise OtlpRequestError(HTTPStatus.TOO_MANY_REQUESTS, "too many requests at once")
            try:
                self._export(signal, fmt, body)
            finally:
                receiver.inflight.release()
        except OtlpRequestError as exc:
            if exc.status in _LOGGED_STATUSES:  # one line, no traceback: the client's fault
                receiver.log.warning(
                    "refused %s from %s: %d %s",
                    self.path[:64],
                    self.client_address[0],
                    exc.status,
                    str(exc)[:240],
                )
            self._error(exc.status, str(exc), fmt, _retry_headers(exc.status, receiver))
        except ConnectionError:  # the client went away mid-request: nobody to answer
            self.close_connection = True
            receiver.log.debug(
                "%s from %s: the client went away", self.path[:64], self.client_address[0]
            )
        except Exception as exc:  # a bug must answer 500, not drop the connection
            receiver.log.exception("unexpected error in an OTLP request")
            self.close_connection = True
            self._error(HTTPStatus.INTERNAL_SERVER_ERROR, f"internal error: {exc!r}", fmt)
        finally:
            receiver.request_finished()

    def _export(self, signal: Signal, fmt: Format, body: bytes) -> None:
        receiver = self.receiver
        limit = receiver.config.max_body_bytes
        data = inflate(body, self.headers.get("Content-Encoding"), limit)
        mapped = map_request(parse_request(signal, data, fmt), receiver.ids)
        if mapped.accepted or mapped.rejected:
            job = make_job(mapped, f"otlp-http {signal.path} from {self.client_address[0]}")
            if not receiver.writer.submit(job):
                raise OtlpRequestError(
                    HTTPStatus.TOO_MANY_REQUESTS, "the store writer's queue is full"
                )
            if not job.done.wait(receiver.config.ack_timeout_seconds):
                raise OtlpRequestError(
                    HTTPStatus.SERVICE_UNAVAILABLE, "the store did not confirm the write in time"
                )
            if job.error is not None:
                raise OtlpRequestError(HTTPStatus.SERVICE_UNAVAILABLE, job.error)
        receiver.record(HTTPStatus.OK, mapped)
        self._send(HTTPStatus.OK, encode(_response(signal, mapped), fmt), fmt.value)

    def _receive_body(self, limit: int) -> bytes:
        try:
            body = self._read_body(limit)
        except TimeoutError as exc:
            self._body_read = True  # what is left of it will not be read: close
            self.close_connection = True
            seconds = self.receiver.config.request_timeout_seconds
            raise OtlpRequestError(
                HTTPStatus.REQUEST_TIMEOUT,
                f"the request was not received within {seconds:g} s: send it faster or smaller",
            ) from exc
        self._end_reading()
        return body

    def _read_body(self, limit: int) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._read_chunked(limit)
        header = self.headers.get("Content-Length")
        if header is None:
            raise OtlpRequestError(HTTPStatus.LENGTH_REQUIRED, "Content-Length is required")
        try:
            length = int(header)
        except ValueError:
            length = -1
        if length < 0:
            self.close_connection = True
            raise OtlpRequestError(HTTPStatus.BAD_REQUEST, f"bad Content-Length {header!r}")
        if length > limit:
            raise OtlpRequestError(
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                f"body of {length} bytes is larger than the {limit}-byte limit: "
                "send smaller batches",
            )
        body = self.rfile.read(length)
        self._body_read = True
        if len(body) != length:
            self.close_connection = True
            raise OtlpRequestError(HTTPStatus.BAD_REQUEST, "body shorter than Content-Length")
        return body

    def _read_chunked(self, limit: int) -> bytes:
        body = bytearray()
        self.close_connection = True  # until the last chunk is read cleanly
        while True:
            line = self.rfile.readline(1024)
            try:
                size = int(line.split(b";", 1)[0].strip(), 16)
            except ValueError as exc:
                raise OtlpRequestError(HTTPStatus.BAD_REQUEST, "malformed chunked body") from exc
            if size == 0:
                while self.rfile.readline(1024).strip():  # trailers
                    pass
                break
            if len(body) + size > limit:
                raise OtlpRequestError(
                    HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                    f"chunked body is larger than the {limit}-byte limit: send smaller batches",
                )
            body += self.rfile.read(size)
            self.rfile.read(2)
        self._body_read = True
        self.close_connection = False
        return bytes(body)

    # -- answers ---------------------------------------------------------------------------

    def _error(
        self, status: HTTPStatus, message: str, fmt: Format, headers: dict[str, str] | None = None
    ) -> None:
        self.receiver.record(status)
        self._discard_unread_body()
        self._end_reading()
        self._send(status, status_body(message, fmt), fmt.value, headers or {})

    def _discard_unread_body(self) -> None:
        """Keep the connection usable after refusing before the body was read: skip a body
        of known, bounded length; otherwise close the connection after answering."""
        if getattr(self, "_body_read", True) or self.command != "POST":
            return
        self._body_read = True
        try:
            length = int(self.headers.get("Content-Length", "-1"))
        except ValueError:
            length = -1
        chunked = "chunked" in self.headers.get("Transfer-Encoding", "").lower()
        if chunked or length < 0 or length > 4 * self.receiver.config.max_body_bytes:
            self.close_connection = True
            return
        try:
            while length > 0:
                got = self.rfile.read(min(length, _CHUNK))
                if not got:
                    break
                length -= len(got)
        except OSError:  # the deadline passed (TimeoutError) or the client went away
            self.close_connection = True

    def _send(
        self,
        status: HTTPStatus,
        body: bytes,
        content_type: str,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)


def _retry_headers(status: HTTPStatus, receiver: OtlpReceiver) -> dict[str, str]:
    if status in (HTTPStatus.TOO_MANY_REQUESTS, HTTPStatus.SERVICE_UNAVAILABLE):
        return {"Retry-After": str(receiver.config.retry_after_seconds)}
    if status == HTTPStatus.UNAUTHORIZED:
        return {"WWW-Authenticate": 'Bearer realm="synctel"'}
    return {}


def _response(signal: Signal, mapped: Mapped) -> Any:
    response = signal.response()
    if mapped.rejected:
        partial = response.partial_success
        setattr(partial, _PARTIAL_FIELDS[signal.name], len(mapped.rejected))
        counts = Counter(r.kind for r in mapped.rejected)
        details: dict[str, str] = {}
        for rejected in mapped.rejected:
            details.setdefault(rejected.kind, rejected.detail)
        reasons = "; ".join(f"{n} {kind}: {details[kind]}" for kind, n in counts.items())
        partial.error_message = f"rejected and quarantined: {reasons}"
    return response
