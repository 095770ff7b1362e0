"""Fixtures for the OTLP tests: a fresh store, a real receiver on a loopback port, raw HTTP."""

from __future__ import annotations

import http.client
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from ingest.otlp.receiver import OtlpReceiver, ReceiverConfig
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


@pytest.fixture
def store(tmp_path: Path) -> Store:
    """A fresh store with auto-compaction off."""
    return Store.open(tmp_path / "store", auto_compact_every=0, grace_seconds=0)


@pytest.fixture
def serve(store: Store) -> Iterator[Callable[..., OtlpReceiver]]:
    """Start a receiver on a free loopback port (``ReceiverConfig`` fields as keywords); every
    receiver started is closed at the end of the test."""
    started: list[OtlpReceiver] = []

    def start(target: Store | None = None, **config: object) -> OtlpReceiver:
        settings = {"port": 0, "ack_timeout_seconds": 10.0, **config}
        receiver = OtlpReceiver(target or store, ReceiverConfig(**settings)).start()  # type: ignore[arg-type]
        started.append(receiver)
        return receiver

    yield start
    for receiver in started:
        receiver.close()


@pytest.fixture
def receiver(serve: Callable[..., OtlpReceiver]) -> OtlpReceiver:
    """A receiver with the default configuration."""
    return serve()
