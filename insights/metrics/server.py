"""``synctel metrics``: a small HTTP server answering ``GET /metrics`` for Prometheus.

It binds the address it is given (loopback by default) without a reverse DNS lookup, serves
each request in its own thread, and answers ``/metrics`` with 200 whatever the store's state (a
missing store is ``synctel_store_up 0``); any other path gets 404.
"""

from __future__ import annotations

import socket
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Final

from prometheus_client.registry import CollectorRegistry

from insights.metrics.exporter import render

METRICS_PATH: Final = "/metrics"
"""Where the page is served."""


class _Handler(BaseHTTPRequestHandler):
    server_version = "synctel-metrics"

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        if path == METRICS_PATH:
            registry: CollectorRegistry = self.server.registry  # type: ignore[attr-defined]
            body, content_type = render(registry, self.headers.get("Accept"))
            self._send(HTTPStatus.OK, body, content_type)
        elif path == "/":
            self._send(HTTPStatus.OK, b'<a href="/metrics">/metrics</a>\n', "text/html")
        else:
            self._send(HTTPStatus.NOT_FOUND, b"not found: try /metrics\n", "text/plain")

    def _send(self, status: HTTPStatus, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # one line per scrape would drown the terminal


class MetricsServer(ThreadingHTTPServer):
    """Serves ``registry`` on ``host:port`` (0: a free port); :meth:`start`, then :meth:`close`."""

    daemon_threads = True

    def __init__(self, host: str, port: int, registry: CollectorRegistry) -> None:
        """Bind ``host:port`` (raises OSError when it cannot)."""
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.registry = registry
        """What ``/metrics`` shows."""
        self._thread: threading.Thread | None = None
        super().__init__((host.strip("[]"), port), _Handler)

    def server_bind(self) -> None:
        """Bind without ``HTTPServer``'s reverse DNS lookup of the host."""
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.socket.bind(self.server_address)
        self.server_address = self.socket.getsockname()
        self.server_name = str(self.server_address[0])
        self.server_port = int(self.server_address[1])

    @property
    def url(self) -> str:
        """``http://host:port/metrics``."""
        host = self.server_name
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{self.server_port}{METRICS_PATH}"

    def start(self) -> MetricsServer:
        """Serve in a background thread; returns self."""
        self._thread = threading.Thread(
            target=self.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
        )
        self._thread.start()
        return self

    def close(self) -> None:
        """Stop serving and release the port."""
        if self._thread is not None:
            self.shutdown()
            self._thread.join(5)
        self.server_close()
