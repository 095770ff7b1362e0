"""Fixtures for the OTLP tests: a fresh store and a real receiver on a loopback port (raw HTTP:
:mod:`tests.ingest.otlp.helpers`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from ingest.otlp.receiver import OtlpReceiver, ReceiverConfig
from ingest.store import Store


@pytest.fixture
def store(tmp_path: Path) -> Store:
    """A fresh store with auto-compaction off."""
    return Store.open(tmp_path / "store", auto_compact_every=0)


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
