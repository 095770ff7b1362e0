"""The receiver over raw HTTP: JSON and gzip variants, bad input, partial success, auth."""

from __future__ import annotations

import datetime as dt
import gzip
import http.client
import json

import pytest
from google.rpc.status_pb2 import Status
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceResponse
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceResponse
from opentelemetry.proto.trace.v1.trace_pb2 import Span

from ingest.otlp.receiver import OtlpReceiver, ReceiverConfig, ReceiverConfigError, is_loopback
from tests.ingest.otlp.helpers import post, query
from tests.ingest.otlp.requests import (
    JSON,
    PROTOBUF,
    TS,
    gzip_bomb,
    json_record,
    logs_json,
    logs_request,
    record,
    spans_request,
)

TRACE = "5b8efff798038103d269b633813fc60c"
SPAN = "eee19b7ec3c1b174"


def test_json_body_with_hex_ids_lands_and_gets_a_json_answer(receiver, store) -> None:
    body = logs_json(json_record("sync.started", "s-json", traceId=TRACE, spanId=SPAN))
    reply = post(receiver, "/v1/logs", body, JSON)
    assert reply.status == 200
    assert reply.headers["content-type"] == "application/json"
    assert json.loads(reply.body) == {}  # no partial success to report
    assert query(store, "SELECT event, sync_id, service_name, ts FROM sync_events") == [
        ("sync.started", "s-json", "fieldapp", dt.datetime(2026, 5, 25, 10, 0))
    ]


@pytest.mark.parametrize("fmt", ["protobuf", "json"])
def test_gzip_bodies_are_inflated(receiver, store, fmt) -> None:
    if fmt == "protobuf":
        raw, headers = (
            logs_request(record("sync.completed", sync_id="s-gz")).SerializeToString(),
            PROTOBUF,
        )
    else:
        raw, headers = logs_json(json_record("sync.completed", "s-gz")), JSON
    reply = post(receiver, "/v1/logs", gzip.compress(raw), {**headers, "Content-Encoding": "gzip"})
    assert reply.status == 200, reply.body
    assert query(store, "SELECT event, sync_id, result FROM sync_events") == [
        ("sync.completed", "s-gz", "success")
    ]


def test_chunked_body_is_read(receiver, store) -> None:
    raw = logs_request(record("sync.started", sync_id="s-chunk")).SerializeToString()
    con = http.client.HTTPConnection("127.0.0.1", receiver.port, timeout=5)
    try:
        con.request(
            "POST",
            "/v1/logs",
            body=iter([raw[:10], raw[10:]]),
            headers=PROTOBUF,
            encode_chunked=True,
        )
        assert con.getresponse().status == 200
    finally:
        con.close()
    assert query(store, "SELECT sync_id FROM sync_events") == [("s-chunk",)]


@pytest.mark.parametrize(
    ("body", "headers", "message"),
    [
        (b"\xff\xff\xff\xff", PROTOBUF, "malformed protobuf"),
        (b'{"resourceLogs": [', JSON, "malformed JSON"),
        (b"[1, 2]", JSON, "must be an object"),
        (logs_json(json_record("sync.started", "s", traceId="zz-not-hex")), JSON, "not a hex id"),
        (b'{"resourceLogs": [{"scopeLogs": 7}]}', JSON, "invalid OTLP JSON"),
        (b"not gzip at all", {**PROTOBUF, "Content-Encoding": "gzip"}, "corrupt gzip"),
        (gzip.compress(b"x" * 100)[:-12], {**PROTOBUF, "Content-Encoding": "gzip"}, "truncated"),
    ],
    ids=["protobuf", "json", "json-array", "hex-id", "json-shape", "gzip", "gzip-cut"],
)
def test_malformed_bodies_get_400_with_a_status_message(
    receiver, store, body, headers, message
) -> None:
    reply = post(receiver, "/v1/logs", body, headers)
    assert reply.status == 400
    assert reply.headers["content-type"] == headers["Content-Type"]
    assert message in status_message(reply)
    assert query(store, "SELECT count(*) FROM sync_events") == [(0,)]


def test_oversize_body_gets_413_and_the_connection_stays_usable(serve, store) -> None:
    receiver = serve(max_body_bytes=1000)
    con = http.client.HTTPConnection("127.0.0.1", receiver.port, timeout=5)
    try:
        con.request("POST", "/v1/logs", body=b"x" * 5000, headers=PROTOBUF)
        resp = con.getresponse()
        assert resp.status == 413
        assert "1000-byte limit" in Status.FromString(resp.read()).message
        ok = logs_request(record("sync.started", sync_id="after")).SerializeToString()
        con.request("POST", "/v1/logs", body=ok, headers=PROTOBUF)
        assert con.getresponse().status == 200
    finally:
        con.close()
    assert query(store, "SELECT sync_id FROM sync_events") == [("after",)]


def test_gzip_bomb_is_refused_with_413(serve, store) -> None:
    receiver = serve(max_body_bytes=64 * 1024)
    bomb = gzip_bomb(32 * 1024 * 1024)
    assert len(bomb) < 64 * 1024
    reply = post(receiver, "/v1/logs", bomb, {**PROTOBUF, "Content-Encoding": "gzip"})
    assert reply.status == 413
    assert "inflated body" in Status.FromString(reply.body).message


@pytest.mark.parametrize(
    "headers",
    [
        {"Content-Type": "text/plain"},
        {},
        {**PROTOBUF, "Content-Encoding": "br"},
    ],
    ids=["text-plain", "none", "brotli"],
)
def test_unknown_content_type_or_encoding_gets_415(receiver, headers) -> None:
    reply = post(receiver, "/v1/logs", b"{}", headers)
    assert reply.status == 415
    assert status_message(reply).startswith("unsupported Content-")


def status_message(reply) -> str:
    """The ``google.rpc.Status`` message of an error answer, in the answer's encoding."""
    if reply.headers["content-type"] == "application/json":
        return str(json.loads(reply.body)["message"])
    return str(Status.FromString(reply.body).message)


def test_unknown_path_and_wrong_method(receiver) -> None:
    assert post(receiver, "/v1/profiles", b"", PROTOBUF).status == 404
    reply = post(receiver, "/v1/logs", b"", method="GET")
    assert reply.status == 405
    assert reply.headers["allow"] == "POST"


def test_records_that_cannot_be_mapped_are_quarantined_as_partial_success(receiver, store) -> None:
    request = logs_request(
        record("sync.started", sync_id="good"),
        record("sync.started", ts=0, sync_id="no-time"),
    )
    reply = post(receiver, "/v1/logs", request.SerializeToString(), PROTOBUF)
    assert reply.status == 200
    answer = ExportLogsServiceResponse.FromString(reply.body)
    assert answer.partial_success.rejected_log_records == 1
    assert "log record without a timestamp" in answer.partial_success.error_message
    assert query(store, "SELECT sync_id FROM sync_events") == [("good",)]
    [(source, reason, raw)] = query(store, "SELECT source_file, reason, raw FROM quarantine")
    assert source == "otlp-http /v1/logs from 127.0.0.1"
    assert reason.startswith("log record without a timestamp: ")
    assert json.loads(raw)["attributes"] == [
        {"key": "sync.id", "value": {"stringValue": "no-time"}}
    ]


def test_invalid_spans_are_rejected_in_json_answers_too(receiver, store) -> None:
    good = Span(
        trace_id=bytes.fromhex(TRACE),
        span_id=bytes.fromhex(SPAN),
        name="sync",
        start_time_unix_nano=TS,
    )
    bad = Span(
        trace_id=b"\x01" * 8,
        span_id=bytes.fromhex(SPAN),
        name="short-trace",
        start_time_unix_nano=TS,
    )
    reply = post(receiver, "/v1/traces", spans_request(good, bad).SerializeToString(), PROTOBUF)
    assert reply.status == 200
    partial = ExportTraceServiceResponse.FromString(reply.body).partial_success
    assert partial.rejected_spans == 1
    assert "trace_id must be 16 bytes" in partial.error_message
    assert query(store, "SELECT name, trace_id FROM spans") == [("sync", TRACE)]
    [(raw,)] = query(store, "SELECT raw FROM quarantine")
    assert json.loads(raw)["traceId"] == "01" * 8  # quarantined as OTLP JSON, hex ids

    body = logs_json(json_record("sync.started", "ok"), {"eventName": "sync.started"})
    answer = json.loads(post(receiver, "/v1/logs", body, JSON).body)
    assert answer["partialSuccess"]["rejectedLogRecords"] == "1"  # int64 as a JSON string


def test_token_is_required_and_checked(serve, store) -> None:
    receiver = serve(token="s3cret", require_token=True)
    body = logs_request(record("sync.started", sync_id="auth")).SerializeToString()

    missing = post(receiver, "/v1/logs", body, PROTOBUF)
    assert missing.status == 401
    assert missing.headers["www-authenticate"].startswith("Bearer")
    wrong = post(receiver, "/v1/logs", body, {**PROTOBUF, "Authorization": "Bearer s3creT"})
    assert wrong.status == 401
    basic = post(receiver, "/v1/logs", body, {**PROTOBUF, "Authorization": "Basic s3cret"})
    assert basic.status == 401
    assert query(store, "SELECT count(*) FROM sync_events") == [(0,)]

    right = post(receiver, "/v1/logs", body, {**PROTOBUF, "Authorization": "Bearer s3cret"})
    assert right.status == 200
    assert query(store, "SELECT sync_id FROM sync_events") == [("auth",)]
    assert post(receiver, "/healthz", b"", method="GET").status == 200  # health needs no token


def test_a_token_is_required_off_loopback(store) -> None:
    with pytest.raises(
        ReceiverConfigError, match=r"bearer token is required to listen on 0\.0\.0\.0"
    ):
        OtlpReceiver(store, ReceiverConfig(host="0.0.0.0", port=0))
    assert OtlpReceiver(store, ReceiverConfig(port=0)).token_required is False


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.8.0.1", True),
        ("::1", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.1.20", False),
        ("example.org", False),
    ],
)
def test_is_loopback(host, loopback) -> None:
    assert is_loopback(host) is loopback


def test_healthz_reports_ok(receiver) -> None:
    reply = post(receiver, "/healthz", b"", method="GET")
    assert reply.status == 200
    health = json.loads(reply.body)
    assert health["status"] == "ok"
    assert health["queue_capacity"] == 64


def test_integers_too_large_for_their_column_stay_in_attributes(receiver, store) -> None:
    body = logs_request(
        record("sync.failed", sync_id="big", sync_error_code=2**40, sync_conflicts=3)
    ).SerializeToString()
    assert post(receiver, "/v1/logs", body, PROTOBUF).status == 200
    [(code, conflicts, attributes)] = query(
        store, "SELECT error_code, conflicts, attributes FROM sync_events"
    )
    assert (code, conflicts) == (None, 3)
    assert json.loads(attributes) == {"sync.error.code": 2**40}


def test_counts_too_large_for_the_store_are_rejected_points(receiver, store) -> None:
    huge_count = {
        "resourceMetrics": [
            {
                "scopeMetrics": [
                    {
                        "metrics": [
                            {
                                "name": "sync.duration",
                                "histogram": {
                                    "aggregationTemporality": 1,
                                    "dataPoints": [
                                        {"timeUnixNano": "5", "count": str(2**64 - 1), "sum": 1}
                                    ],
                                },
                            }
                        ]
                    }
                ]
            }
        ]
    }
    reply = post(receiver, "/v1/metrics", json.dumps(huge_count).encode(), JSON)
    assert reply.status == 200
    partial = json.loads(reply.body)["partialSuccess"]
    assert partial["rejectedDataPoints"] == "1"
    assert "does not fit a signed 64-bit integer" in partial["errorMessage"]
    [(reason,)] = query(store, "SELECT reason FROM quarantine")
    assert reason.startswith("data point out of range: sync.duration")
