"""Helpers for the OTLP tests: raw HTTP to a receiver, and queries on its store (request
bodies: :mod:`tests.ingest.otlp.requests`)."""

from __future__ import annotations

import http.client
from dataclasses import dataclass

from ingest.otlp.receiver import OtlpReceiver
from ingest.store import Store


@dataclass
class Reply:
    """One HTTP answer."""

    status: int
    headers: dict[str, str]
    body: bytes


def post(
    receiver: OtlpReceiver,
    path: str,
    body: bytes,
    headers: dict[str, str] | None = None,
    method: str = "POST",
) -> Reply:
    """Send one request on a fresh connection (5 s timeout) and read the whole answer."""
    con = http.client.HTTPConnection("127.0.0.1", receiver.port, timeout=5)
    try:
        con.request(method, path, body=body, headers=headers or {})
        resp = con.getresponse()
        return Reply(resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read())
    finally:
        con.close()


def query(store: Store, sql: str) -> list[tuple]:
    """All rows of ``sql`` on a read-only connection to the store's catalog."""
    con = store.connect()
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()
