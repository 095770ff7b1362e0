"""The OTLP/HTTP receiver: ``POST /v1/logs``, ``/v1/traces`` and ``/v1/metrics`` into a store.

Implements the OTLP/HTTP specification's server side: protobuf and JSON bodies, plain or
gzip; a 200 answer with an Export…ServiceResponse, whose ``partial_success`` counts the records
that could not be mapped (they are quarantined); 4xx/5xx answers carry a ``google.rpc.Status``
in the request's encoding; overload answers 429 and a failing store 503, both with
``Retry-After``, so exporters retry. A request is acknowledged only once its rows are durably
in the store (see :mod:`ingest.otlp.writer`). ``GET /healthz`` reports the receiver's health.

A bearer token is required by default whenever the bind address is not loopback, and compared
in constant time. Slow or greedy clients are bounded: each request must arrive within its
deadline (408 otherwise), holds a request slot only once its body is read, and one client
address may keep only so many connections open (further ones are closed at once). Raw device
and user ids are hashed with the store's salt unless the resource is marked pseudonymous
(:mod:`ingest.identities`).
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import socket
import sys
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from http.server import ThreadingHTTPServer
from typing import Any, Final

from ingest.errors import IngestError
from ingest.identities import Pseudonyms, id_salt
from ingest.otlp.decode import DEFAULT_MAX_BODY_BYTES
from ingest.otlp.handler import Handler
from ingest.otlp.records import Mapped
from ingest.otlp.writer import DEFAULT_QUEUE_SIZE, StoreWriter
from ingest.store import Store

DEFAULT_PORT: Final = 4318
"""The OTLP/HTTP port."""
DEFAULT_REQUEST_TIMEOUT_SECONDS: Final = 30.0
"""How long one request's headers and body may take to arrive."""
DEFAULT_MAX_CONNECTIONS_PER_PEER: Final = 32
"""Connections one client address may hold open at once."""
MetricsPage = Callable[[str | None], tuple[bytes, str]]
"""``Accept`` header -> the ``/metrics`` body and its content type."""


class ReceiverConfigError(IngestError):
    """The receiver cannot start with this configuration."""


@dataclass(frozen=True)
class ReceiverConfig:
    """How the receiver listens and how much it takes on."""

    host: str = "127.0.0.1"
    """Bind address; anything but loopback requires a token unless ``require_token=False``."""
    port: int = DEFAULT_PORT
    """TCP port; 0 picks a free one (see :attr:`OtlpReceiver.port`)."""
    token: str | None = None
    """The bearer token clients must send (``Authorization: Bearer …``), or None."""
    require_token: bool | None = None
    """Whether requests need the token; None means: whenever ``host`` is not loopback."""
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    """Largest body accepted, as sent and once inflated; larger ones get 413."""
    queue_size: int = DEFAULT_QUEUE_SIZE
    """Requests that may wait for the store writer; beyond it requests get 429."""
    max_inflight: int = 64
    """Requests decoded and written at the same time, each taken once its body is read;
    beyond it requests get 429."""
    request_timeout_seconds: float = DEFAULT_REQUEST_TIMEOUT_SECONDS
    """Deadline for one request's headers and body to arrive, however slowly they trickle;
    past it the request gets 408 (or, still in its headers, is closed) and its connection
    is closed."""
    max_connections_per_peer: int = DEFAULT_MAX_CONNECTIONS_PER_PEER
    """Connections one client address may hold open at once; further ones are closed
    without an answer (exporters retry). Devices behind one NAT share an address."""
    ack_timeout_seconds: float = 30.0
    """How long a request waits for the store before it gets 503 (never acknowledged)."""
    retry_after_seconds: int = 1
    """The ``Retry-After`` of 429 and 503 answers."""
    reuse_port: bool = False
    """Bind with ``SO_REUSEPORT``, so several worker processes share the port (the kernel
    spreads connections among them; see :mod:`ingest.otlp.workers`)."""
    metrics_page: MetricsPage | None = None
    """Renders ``GET /metrics`` (Prometheus): the request's ``Accept`` header in, the body and
    its content type out. None: no ``/metrics`` (404). The CLI passes
    :func:`insights.metrics.exporter.render` over the store, so ingest imports no insights."""

    @property
    def token_required(self) -> bool:
        """Whether requests must carry the bearer token."""
        return not is_loopback(self.host) if self.require_token is None else self.require_token

    def check(self) -> None:
        """Raise :class:`ReceiverConfigError` for a configuration the receiver refuses."""
        if self.token_required and not self.token:
            raise ReceiverConfigError(
                f"a bearer token is required to listen on {self.host} (not loopback): pass "
                "--token-env NAME or --token-file FILE, or listen on 127.0.0.1"
            )
        if (
            self.max_body_bytes < 1
            or self.queue_size < 1
            or self.max_inflight < 1
            or self.max_connections_per_peer < 1
        ):
            raise ReceiverConfigError(
                "max body bytes, queue size, max in-flight and max connections per peer must be ≥ 1"
            )
        if not self.request_timeout_seconds > 0:
            raise ReceiverConfigError(
                f"request timeout must be more than 0 seconds, not {self.request_timeout_seconds}"
            )


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and loopback IP addresses (127.0.0.0/8, ::1)."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class OtlpReceiver:
    """An OTLP/HTTP server writing into a store; :meth:`start` it, :meth:`close` it."""

    def __init__(self, store: Store, config: ReceiverConfig | None = None) -> None:
        self.config = config or ReceiverConfig()
        """The configuration it runs with."""
        cfg = self.config
        cfg.check()
        self.token_required = cfg.token_required
        """Whether requests must carry the bearer token."""
        self.statuses: Counter[int] = Counter()
        """Answers given so far, by HTTP status."""
        self.accepted = 0
        """Records acknowledged as stored (events, spans and data points)."""
        self.rejected = 0
        """Records acknowledged as rejected (quarantined)."""
        self.closing = False
        """True once :meth:`close` began: new requests get 503."""
        self.inflight = threading.BoundedSemaphore(cfg.max_inflight)
        """Requests being read or decoded; a request that cannot take one gets 429."""
        self.log = logging.getLogger(__name__)
        """Where request lines are logged (debug level)."""
        self.ids = Pseudonyms(id_salt(store.path))  # before listening: a bad salt stops here
        """How raw device and user ids of unmarked resources are hashed (the store's salt)."""
        self._counts_lock = threading.Lock()
        self._active = 0
        self._idle = threading.Condition()
        try:
            self._server = _Server(cfg.host, cfg.port, self)
        except OSError as exc:
            raise ReceiverConfigError(
                f"cannot listen on {cfg.host}:{cfg.port}: {exc.strerror or exc}"
            ) from exc
        self.writer = StoreWriter(store, queue_size=cfg.queue_size)
        """The queue and thread that append to the store."""
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        """The port actually bound."""
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """``http://host:port`` (exporters append ``/v1/logs`` etc.)."""
        host = self.config.host
        return f"http://[{host}]:{self.port}" if ":" in host else f"http://{host}:{self.port}"

    def start(self) -> OtlpReceiver:
        """Serve in a background thread; returns self."""
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.1},
            name="otlp-receiver",
            daemon=True,
        )
        self._thread.start()
        return self

    def close(self) -> bool:
        """Stop listening, let requests in progress finish, write everything acknowledged or
        queued, stop. True when all of it finished in time. Closing twice is harmless."""
        if self.closing:
            return True
        self.closing = True
        if self._thread is not None:
            self._server.shutdown()
        self._server.server_close()
        with self._idle:
            idle = self._idle.wait_for(
                lambda: self._active == 0, self.config.ack_timeout_seconds + 5
            )
        return self.writer.close() and idle

    def __enter__(self) -> OtlpReceiver:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def health(self) -> tuple[HTTPStatus, dict[str, Any]]:
        """The ``/healthz`` answer: 200 when it takes requests, 503 when not (and why)."""
        writer = self.writer
        body: dict[str, Any] = {
            "queue_depth": writer.depth,
            "queue_capacity": writer.capacity,
            "rows_written": writer.rows_written,
            "failed_writes": writer.failed_writes,
            "last_error": writer.last_error,
            "open_connections": self._server.open_connections,
            "refused_connections": self._server.refused_connections,
        }
        if self.closing or not writer.running:
            status = "stopping"
        elif writer.last_error is not None:
            status = "store failing"
        elif writer.depth >= writer.capacity:
            status = "overloaded"
        else:
            return HTTPStatus.OK, {"status": "ok", **body}
        return HTTPStatus.SERVICE_UNAVAILABLE, {"status": status, **body}

    def record(self, status: HTTPStatus, mapped: Mapped | None = None) -> None:
        """Count one answer (and, for 200, its accepted and rejected records)."""
        with self._counts_lock:
            self.statuses[status] += 1
            if mapped is not None:
                self.accepted += mapped.accepted
                self.rejected += len(mapped.rejected)

    def request_started(self) -> None:
        """A handler began a request (:meth:`close` waits for every one to finish)."""
        with self._idle:
            self._active += 1

    def request_finished(self) -> None:
        """A handler finished a request."""
        with self._idle:
            self._active -= 1
            self._idle.notify_all()

    def authorized(self, header: str | None) -> bool:
        """Whether an ``Authorization`` header value carries the token (constant-time)."""
        if not self.token_required:
            return True
        scheme, _, credentials = (header or "").partition(" ")
        expected = (self.config.token or "").encode()
        given = credentials.strip().encode()
        return hmac.compare_digest(given, expected) and scheme.lower() == "bearer"


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # idle keep-alive connections must not hold up shutdown
    request_queue_size = 128

    def __init__(self, host: str, port: int, receiver: OtlpReceiver) -> None:
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.receiver = receiver
        self.refused_connections = 0
        self._per_peer: Counter[str] = Counter()
        self._peer_of: dict[Any, str] = {}
        self._peers_lock = threading.Lock()
        super().__init__((host.strip("[]"), port), Handler)

    @property
    def open_connections(self) -> int:
        with self._peers_lock:
            return len(self._peer_of)

    def verify_request(self, request: Any, client_address: Any) -> bool:
        # socketserver's hook between accept and handling: False closes the connection.
        peer = str(client_address[0])
        with self._peers_lock:
            if self._per_peer[peer] >= self.receiver.config.max_connections_per_peer:
                self.refused_connections += 1
                refused = True
            else:
                self._per_peer[peer] += 1
                self._peer_of[request] = peer
                refused = False
        if refused:
            self.receiver.log.debug("closed a connection from %s: too many from it", peer)
        return not refused

    def shutdown_request(self, request: Any) -> None:
        try:
            super().shutdown_request(request)
        finally:
            with self._peers_lock:
                peer = self._peer_of.pop(request, None)
                if peer is not None:
                    self._per_peer[peer] -= 1
                    if not self._per_peer[peer]:
                        del self._per_peer[peer]

    def handle_error(self, request: Any, client_address: Any) -> None:
        # socketserver prints a traceback to stderr for any error; a client that went away or
        # stalled while being answered is not worth one.
        error = sys.exception()
        if isinstance(error, ConnectionError | TimeoutError):
            self.receiver.log.debug("connection from %s: %r", client_address[0], error)
        else:
            self.receiver.log.error(
                "unexpected error on a connection from %s", client_address[0], exc_info=error
            )

    def server_bind(self) -> None:
        # HTTPServer.server_bind resolves the host's FQDN, which can stall without DNS.
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if self.receiver.config.reuse_port:
            self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        self.socket.bind(self.server_address)
        self.server_address = self.socket.getsockname()
        self.server_name = str(self.server_address[0])
        self.server_port = int(self.server_address[1])
