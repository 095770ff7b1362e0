"""Overload and store failures: 429/503 with Retry-After, acknowledgement only once stored."""

from __future__ import annotations

import errno
import json
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pytest
from deltalake import DeltaTable
from google.rpc.status_pb2 import Status

from ingest.delta_table import append_batch
from ingest.otlp.receiver import OtlpReceiver
from ingest.store import Store
from tests.ingest.otlp.helpers import Reply, post, query
from tests.ingest.otlp.requests import PROTOBUF, logs_request, record


class GatedWrites:
    """A real store's file writer that, once :attr:`armed`, holds every write until
    :attr:`gate` opens, or fails with ENOSPC while :attr:`failing` is set."""

    def __init__(self) -> None:
        self.armed = False
        self.started = threading.Event()
        self.gate = threading.Event()
        self.failing = False

    def __call__(self, table: DeltaTable, rows: pa.Table) -> None:
        if not self.armed:
            append_batch(table, rows)
            return
        self.started.set()
        if self.failing:
            raise OSError(errno.ENOSPC, "No space left on device")
        if not self.gate.wait(10):
            raise TimeoutError("test gate never opened")
        append_batch(table, rows)


@pytest.fixture
def writes() -> GatedWrites:
    return GatedWrites()


@pytest.fixture
def gated_store(tmp_path: Path, writes: GatedWrites) -> Store:
    store = Store.open(tmp_path / "gated", auto_compact_every=0, append=writes)
    writes.armed = True
    return store


def body(sync_id: str) -> bytes:
    return logs_request(record("sync.started", sync_id=sync_id)).SerializeToString()


def in_background(call: Callable[[], Reply]) -> tuple[threading.Thread, list[Reply]]:
    replies: list[Reply] = []
    thread = threading.Thread(target=lambda: replies.append(call()))
    thread.start()
    return thread, replies


def wait_until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.01)


def test_full_queue_answers_429_with_retry_after_and_acks_only_once_stored(
    serve: Callable[..., OtlpReceiver], gated_store: Store, writes: GatedWrites
) -> None:
    receiver = serve(gated_store, queue_size=1, retry_after_seconds=2)
    first, first_reply = in_background(lambda: post(receiver, "/v1/logs", body("a"), PROTOBUF))
    assert writes.started.wait(5)  # the writer took "a" and is stuck writing it
    second, second_reply = in_background(lambda: post(receiver, "/v1/logs", body("b"), PROTOBUF))
    wait_until(lambda: receiver.writer.depth == 1)  # "b" waits in the (full) queue

    refused = post(receiver, "/v1/logs", body("c"), PROTOBUF)
    assert refused.status == 429
    assert refused.headers["retry-after"] == "2"
    health = post(receiver, "/healthz", b"", method="GET")
    assert health.status == 503
    assert health.headers["retry-after"] == "2"
    assert json.loads(health.body)["status"] == "overloaded"

    time.sleep(0.2)
    assert first.is_alive()  # not acknowledged while its write is not done
    assert not first_reply

    writes.gate.set()
    first.join(10)
    second.join(10)
    assert [r.status for r in first_reply + second_reply] == [200, 200]
    assert query(gated_store, "SELECT sync_id FROM sync_events ORDER BY sync_id") == [
        ("a",),
        ("b",),
    ]
    assert post(receiver, "/healthz", b"", method="GET").status == 200


def test_failing_store_answers_503_and_nothing_is_acknowledged(
    serve: Callable[..., OtlpReceiver], gated_store: Store, writes: GatedWrites
) -> None:
    receiver = serve(gated_store)
    writes.failing = True
    reply = post(receiver, "/v1/logs", body("lost?"), PROTOBUF)
    assert reply.status == 503
    assert reply.headers["retry-after"] == "1"
    health = post(receiver, "/healthz", b"", method="GET")
    assert health.status == 503
    assert json.loads(health.body)["status"] == "store failing"
    assert "No space left on device" in json.loads(health.body)["last_error"]

    writes.failing = False
    writes.gate.set()
    assert post(receiver, "/v1/logs", body("retried"), PROTOBUF).status == 200
    assert query(gated_store, "SELECT sync_id FROM sync_events") == [("retried",)]
    assert post(receiver, "/healthz", b"", method="GET").status == 200


def test_slow_store_answers_503_after_the_ack_timeout(
    serve: Callable[..., OtlpReceiver], gated_store: Store, writes: GatedWrites
) -> None:
    receiver = serve(gated_store, ack_timeout_seconds=0.3)
    reply = post(receiver, "/v1/logs", body("slow"), PROTOBUF)
    assert reply.status == 503
    assert "did not confirm the write in time" in Status.FromString(reply.body).message
    writes.gate.set()
    # at-least-once: the late write still lands; the exporter's retry may add it again
    wait_until(lambda: receiver.writer.rows_written == 1)
    assert query(gated_store, "SELECT sync_id FROM sync_events") == [("slow",)]


def test_too_many_requests_at_once_get_429(
    serve: Callable[..., OtlpReceiver], gated_store: Store, writes: GatedWrites
) -> None:
    receiver = serve(gated_store, max_inflight=1)
    first, replies = in_background(lambda: post(receiver, "/v1/logs", body("a"), PROTOBUF))
    assert writes.started.wait(5)
    refused = post(receiver, "/v1/logs", body("b"), PROTOBUF)
    assert refused.status == 429
    assert "retry-after" in refused.headers
    writes.gate.set()
    first.join(10)
    assert replies[0].status == 200


def test_close_writes_everything_queued_before_stopping(
    serve: Callable[..., OtlpReceiver], gated_store: Store, writes: GatedWrites
) -> None:
    receiver = serve(gated_store, queue_size=4)
    first, first_reply = in_background(lambda: post(receiver, "/v1/logs", body("a"), PROTOBUF))
    assert writes.started.wait(5)
    second, second_reply = in_background(lambda: post(receiver, "/v1/logs", body("b"), PROTOBUF))
    wait_until(lambda: receiver.writer.depth == 1)

    closed: list[bool] = []
    closer = threading.Thread(target=lambda: closed.append(receiver.close()))
    closer.start()
    wait_until(lambda: receiver.closing)
    writes.gate.set()
    closer.join(15)
    first.join(5)
    second.join(5)
    assert closed == [True]
    assert [r.status for r in first_reply + second_reply] == [200, 200]
    assert query(gated_store, "SELECT count(*) FROM sync_events") == [(2,)]
