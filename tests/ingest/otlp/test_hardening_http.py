"""Hostile clients over real HTTP (issue 17): deeply nested bodies, requests that trickle in,
and one address opening too many connections."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable

import pytest
from google.rpc.status_pb2 import Status

from ingest.otlp.receiver import OtlpReceiver
from ingest.store import Store
from tests.ingest.otlp.clients import (
    SlowSenders,
    connect,
    read_until_closed,
    request_head,
    status_of,
)
from tests.ingest.otlp.helpers import post, query
from tests.ingest.otlp.requests import JSON, PROTOBUF, TS, logs_request, record


def nested_kvlist_json(levels: int) -> bytes:
    """A logs request whose one record's body is a kvlist nested ``levels`` deep (written as
    text: ``json.dumps`` itself gives up on such depths)."""
    value = '{"kvlistValue":{"values":[{"key":"k","value":' * levels
    value += '{"stringValue":"leaf"}' + "}]}}" * levels
    record = f'{{"timeUnixNano":"{TS}","eventName":"sync.started","body":{value}}}'
    return f'{{"resourceLogs":[{{"scopeLogs":[{{"logRecords":[{record}]}}]}}]}}'.encode()


def _field(number: int, payload: bytes) -> bytes:
    """One length-delimited protobuf field (tag, varint length, payload)."""
    size, length = len(payload), bytearray()
    while size > 0x7F:
        length.append(size & 0x7F | 0x80)
        size >>= 7
    length.append(size)
    return bytes([number << 3 | 2]) + bytes(length) + payload


def nested_kvlist_protobuf(levels: int) -> bytes:
    """The protobuf twin of :func:`nested_kvlist_json`, encoded by hand (the protobuf library
    refuses to build a message this deep)."""
    value = _field(1, b"leaf")  # AnyValue.string_value
    for _ in range(levels):
        key_value = _field(1, b"k") + _field(2, value)  # KeyValue.key, KeyValue.value
        value = _field(6, _field(1, key_value))  # AnyValue.kvlist_value, KeyValueList.values
    log_record = _field(5, value)  # LogRecord.body
    return _field(1, _field(2, _field(2, log_record)))  # resource_logs.scope_logs.log_records


DEEP_BODIES = {
    "array-5000": (b'{"resourceLogs":' + b"[" * 5000 + b"]" * 5000 + b"}", JSON),
    "kvlist-300-json": (nested_kvlist_json(300), JSON),
    "objects-300": (b'{"a":' * 300 + b"1" + b"}" * 300, JSON),
    "kvlist-300-protobuf": (nested_kvlist_protobuf(300), PROTOBUF),
}


@pytest.mark.parametrize("name", list(DEEP_BODIES))
def test_deeply_nested_bodies_get_400_and_one_log_line_without_traceback(
    receiver: OtlpReceiver, store: Store, caplog: pytest.LogCaptureFixture, name: str
) -> None:
    body, headers = DEEP_BODIES[name]
    with caplog.at_level(logging.INFO, logger="ingest.otlp"):
        reply = post(receiver, "/v1/logs", body, headers)
    assert reply.status == 400
    message = (
        json.loads(reply.body)["message"]
        if headers is JSON
        else Status.FromString(reply.body).message
    )
    assert ("nested more than 100 levels" if headers is JSON else "MaxDepth") in message
    assert len(reply.body) < 1000
    assert [r.levelno for r in caplog.records] == [logging.WARNING]
    [line] = caplog.records
    assert line.exc_info is None
    assert "400" in line.getMessage()
    assert len(line.getMessage()) < 400
    assert query(store, "SELECT count(*) FROM sync_events") == [(0,)]
    healthy = post(receiver, "/v1/logs", logs_request(record("sync.started")).SerializeToString(),
                   PROTOBUF)  # fmt: skip
    assert healthy.status == 200  # the receiver is unharmed


def test_nesting_within_the_bound_is_stored(receiver: OtlpReceiver, store: Store) -> None:
    reply = post(receiver, "/v1/logs", nested_kvlist_json(20), JSON)
    assert reply.status == 200, reply.body
    assert query(store, "SELECT count(*) FROM sync_events") == [(1,)]


def test_a_stalled_body_gets_408_at_the_request_deadline(
    serve: Callable[..., OtlpReceiver], store: Store
) -> None:
    receiver = serve(request_timeout_seconds=1.0)
    with connect(receiver.port) as sock:
        started = time.monotonic()
        sock.sendall(request_head(length=1000) + b"x" * 10)  # then nothing more
        answer, closed = read_until_closed(sock, timeout=6)
    elapsed = time.monotonic() - started
    assert status_of(answer) == 408, answer
    assert b"not received within 1 s" in answer
    assert closed
    assert 0.9 < elapsed < 4
    assert receiver.statuses[408] == 1


def test_a_trickled_body_is_cut_off_at_the_deadline_not_kept_alive_by_each_byte(
    serve: Callable[..., OtlpReceiver],
) -> None:
    receiver = serve(request_timeout_seconds=1.0)
    senders = SlowSenders(receiver.port, count=3, interval=0.2).start()
    try:
        deadline = time.monotonic() + 8
        while not senders.all_ended() and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        senders.close()
    assert senders.all_ended(), "a byte every 0.2 s kept a connection open past the deadline"
    assert max(senders.ended_at.values()) < 4
    for answer in senders.answers.values():  # answered 408, unless the reset beat the answer
        assert status_of(answer) == 408, answer


def test_headers_trickled_past_the_deadline_are_closed(
    serve: Callable[..., OtlpReceiver],
) -> None:
    receiver = serve(request_timeout_seconds=1.0)
    head = request_head()
    with connect(receiver.port) as sock:
        started = time.monotonic()
        closed_at = None
        for i in range(len(head) - 4):  # never completes the headers
            try:
                sock.sendall(head[i : i + 1])
            except OSError:
                closed_at = time.monotonic()
                break
            answer, closed = read_until_closed(sock, timeout=0.2)
            if closed:
                closed_at = time.monotonic()
                break
            assert answer == b""
            if time.monotonic() - started > 8:
                break
    assert closed_at is not None, "a header byte every 0.2 s kept the connection open"
    assert closed_at - started < 4


def test_slow_bodies_hold_no_request_slot(serve: Callable[..., OtlpReceiver], store: Store) -> None:
    receiver = serve(max_inflight=2, request_timeout_seconds=10.0)
    senders = SlowSenders(receiver.port, count=6, interval=0.3).start()
    try:
        deadline = time.monotonic() + 5
        while receiver.health()[1]["open_connections"] < 6:
            assert time.monotonic() < deadline, "the slow connections were never accepted"
            time.sleep(0.02)
        time.sleep(0.3)  # every slow request is past its headers, reading its body
        body = logs_request(record("sync.started", sync_id="legit")).SerializeToString()
        statuses = [post(receiver, "/v1/logs", body, PROTOBUF).status for _ in range(5)]
        assert not senders.ended_at  # the slow ones were still being read meanwhile
    finally:
        senders.close()
    assert statuses == [200] * 5
    assert query(store, "SELECT count(*) FROM sync_events") == [(5,)]


def test_connections_beyond_the_per_peer_limit_are_closed_unanswered(
    serve: Callable[..., OtlpReceiver], store: Store
) -> None:
    receiver = serve(max_connections_per_peer=3)
    held = [connect(receiver.port) for _ in range(3)]
    try:
        deadline = time.monotonic() + 5
        while receiver.health()[1]["open_connections"] < 3:
            assert time.monotonic() < deadline, "the connections were never accepted"
            time.sleep(0.02)
        body = logs_request(record("sync.started", sync_id="over")).SerializeToString()
        with connect(receiver.port) as extra:
            extra.sendall(request_head(length=len(body)) + body)
            answer, closed = read_until_closed(extra, timeout=5)
        assert (answer, closed) == (b"", True)
        assert receiver.health()[1]["refused_connections"] == 1

        held.pop().close()
        deadline = time.monotonic() + 5
        while receiver.health()[1]["open_connections"] > 2:
            assert time.monotonic() < deadline, "a closed connection was never released"
            time.sleep(0.02)
        assert post(receiver, "/v1/logs", body, PROTOBUF).status == 200
    finally:
        for sock in held:
            sock.close()
    assert query(store, "SELECT count(*) FROM sync_events") == [(1,)]
