"""Decoding bodies: the bounded inflate, OTLP JSON's rules, the mapping of every signal."""

from __future__ import annotations

import gzip
import json
import tracemalloc
from http import HTTPStatus

import pytest
from opentelemetry.proto.metrics.v1 import metrics_pb2

from ingest.identities import Pseudonyms
from ingest.otlp.decode import (
    LOGS,
    MAX_JSON_DEPTH,
    METRICS,
    Format,
    OtlpRequestError,
    body_format,
    inflate,
    json_depth,
    parse_json_object,
    parse_request,
)
from ingest.otlp.records import any_value, map_request
from tests.ingest.otlp.requests import gzip_bomb

MB = 1024 * 1024
IDS = Pseudonyms("decode-test-salt-0123456789")


def test_gzip_bomb_is_refused_without_inflating_past_the_limit() -> None:
    bomb = gzip_bomb(256 * MB)  # 256 MiB of zeros in about 250 KiB
    assert len(bomb) < MB
    tracemalloc.start()
    try:
        with pytest.raises(OtlpRequestError) as refused:
            inflate(bomb, "gzip", limit=1 * MB)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert refused.value.status == HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    assert peak < 4 * MB  # a few copies of the 1 MiB limit, never the 256 MiB


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        (b"1", 0),
        (b"{}", 1),
        (b'{"a":[1,{"b":[]}],"c":{}}', 4),
        (b'{"a":"[[[{{{"}', 1),  # brackets inside strings do not count
        (b'["\\"[[[", "x"]', 1),  # an escaped quote does not end the string
        (b'["\\\\", [[1]]]', 3),  # an escaped backslash does not escape the quote
        (b'["\\\\\\"[["]', 1),  # nor do three: the third escapes the quote
        (b'"unterminated [[[[', 0),
        (b"[" * 5000, MAX_JSON_DEPTH + 1),  # counting stops past the bound
        (b'{"k":' * 99 + b"[]" + b"}" * 99, 100),
    ],
)
def test_json_depth_counts_nesting_outside_strings(text: bytes, depth: int) -> None:
    found = json_depth(text)
    assert found == depth if depth <= MAX_JSON_DEPTH else found > MAX_JSON_DEPTH


def test_json_depth_carries_string_state_across_its_windows() -> None:
    # A string that opens in one 1 MiB window and closes in the next hides its brackets.
    text = b'["' + b"x" * (1 << 20) + b'[[[[", ' + b"[" * 3 + b"]" * 3 + b"]"
    assert json_depth(text) == 4


def nested_array_value(levels: int) -> bytes:
    """A logs request whose record body nests ``levels`` array values (8 + 3 per level deep)."""
    value = b'{"arrayValue":{"values":[' * levels + b'{"stringValue":"x"}' + b"]}}" * levels
    record = b'{"timeUnixNano":"1","body":' + value + b"}"
    return b'{"resourceLogs":[{"scopeLogs":[{"logRecords":[' + record + b"]}]}]}"


def test_json_within_the_depth_bound_parses_deeper_is_refused() -> None:
    within = nested_array_value(30)
    assert json_depth(within) == 98
    [record] = parse_request(LOGS, within, Format.JSON).resource_logs[0].scope_logs[0].log_records
    assert record.body.HasField("array_value")
    deeper = nested_array_value(31)
    assert json_depth(deeper) == 101
    with pytest.raises(OtlpRequestError, match="nested more than 100 levels") as refused:
        parse_request(LOGS, deeper, Format.JSON)
    assert refused.value.status == HTTPStatus.BAD_REQUEST


def test_inflate_limits() -> None:
    data = b"a" * 1000
    assert inflate(gzip.compress(data), "gzip", limit=1000) == data
    assert inflate(gzip.compress(data), "GZIP", limit=1000) == data
    assert inflate(gzip.compress(b"ab") + gzip.compress(b"cd"), "gzip", 10) == b"abcd"
    with pytest.raises(OtlpRequestError, match="inflated body is larger than the 999-byte"):
        inflate(gzip.compress(data), "gzip", limit=999)
    with pytest.raises(OtlpRequestError, match="body is larger than the 999-byte"):
        inflate(data, None, limit=999)
    assert inflate(data, "identity", limit=1000) == data


@pytest.mark.parametrize(
    ("content_type", "expected"),
    [
        ("application/x-protobuf", Format.PROTOBUF),
        ("application/json; charset=utf-8", Format.JSON),
        ("Application/JSON", Format.JSON),
    ],
)
def test_body_format(content_type, expected) -> None:
    assert body_format(content_type) is expected


def test_body_format_refuses_others() -> None:
    with pytest.raises(OtlpRequestError) as refused:
        body_format("application/grpc")
    assert refused.value.status == HTTPStatus.UNSUPPORTED_MEDIA_TYPE


def test_otlp_json_rules_camel_and_snake_case_int64_strings_hex_ids_unknown_fields() -> None:
    record = {
        "time_unix_nano": 1_779_703_200_000_000_000,  # proto name, int64 as a number
        "observedTimeUnixNano": "1779703200000000001",  # camelCase, int64 as a string
        "traceId": "5b8efff798038103d269b633813fc60c",
        "span_id": "EEE19B7EC3C1B174",  # upper-case hex is still hex
        "severityNumber": "SEVERITY_NUMBER_INFO",  # enum by name
        "futureField": {"anything": 1},  # unknown fields are ignored
        "attributes": [{"key": "n", "value": {"intValue": "42"}}],
    }
    message = parse_json_object(LOGS, {"resourceLogs": [{"scopeLogs": [{"logRecords": [record]}]}]})
    parsed = message.resource_logs[0].scope_logs[0].log_records[0]
    assert parsed.time_unix_nano == 1_779_703_200_000_000_000
    assert parsed.observed_time_unix_nano == 1_779_703_200_000_000_001
    assert parsed.trace_id.hex() == "5b8efff798038103d269b633813fc60c"
    assert parsed.span_id.hex() == "eee19b7ec3c1b174"
    assert parsed.severity_number == 9
    assert any_value(parsed.attributes[0].value) == 42


def test_any_values_become_python_values() -> None:
    body = {
        "resourceLogs": [
            {
                "scopeLogs": [
                    {
                        "logRecords": [
                            {
                                "timeUnixNano": "1",
                                "attributes": [
                                    {"key": "b", "value": {"boolValue": True}},
                                    {"key": "d", "value": {"doubleValue": 1.5}},
                                    {"key": "x", "value": {"bytesValue": "AQI="}},
                                    {"key": "e", "value": {}},
                                    {
                                        "key": "a",
                                        "value": {"arrayValue": {"values": [{"intValue": "1"}]}},
                                    },
                                    {
                                        "key": "m",
                                        "value": {
                                            "kvlistValue": {
                                                "values": [
                                                    {"key": "k", "value": {"stringValue": "v"}}
                                                ]
                                            }
                                        },
                                    },
                                ],
                            }
                        ]
                    }
                ]
            }
        ]
    }
    [row] = map_request(parse_json_object(LOGS, body), IDS).events
    assert json.loads(row["attributes"]) == {
        "a": [1],
        "b": True,
        "d": 1.5,
        "e": None,
        "m": {"k": "v"},
        "x": "0102",
    }


def test_metrics_map_sums_gauges_histograms_and_reject_summaries() -> None:
    point = {"timeUnixNano": "1779703260000000000", "asDouble": 2.5}
    body = {
        "resourceMetrics": [
            {
                "resource": {
                    "attributes": [{"key": "service.name", "value": {"stringValue": "fieldapp"}}]
                },
                "scopeMetrics": [
                    {
                        "metrics": [
                            {"name": "g", "gauge": {"dataPoints": [point]}},
                            {
                                "name": "s",
                                "sum": {
                                    "aggregationTemporality": 2,
                                    "dataPoints": [
                                        {"timeUnixNano": "1779703260000000000", "asInt": "3"}
                                    ],
                                },
                            },
                            {
                                "name": "e",
                                "exponentialHistogram": {
                                    "aggregationTemporality": 1,
                                    "dataPoints": [{"timeUnixNano": "1", "count": "4", "sum": 8}],
                                },
                            },
                            {"name": "q", "summary": {"dataPoints": [{"timeUnixNano": "1"}]}},
                            {"name": "t", "gauge": {"dataPoints": [{"asDouble": 1.0}]}},
                        ]
                    }
                ],
            }
        ]
    }
    mapped = map_request(parse_json_object(METRICS, body), IDS)
    summary = [
        (r["name"], r["kind"], r["temporality"], r["value"], r["count"], r["sum"])
        for r in mapped.metrics
    ]
    assert summary == [
        ("g", "gauge", None, 2.5, None, None),
        ("s", "sum", "cumulative", 3.0, None, None),
        ("e", "histogram", "delta", None, 4, 8.0),
    ]
    assert {r["service_name"] for r in mapped.metrics} == {"fieldapp"}
    assert [r.kind for r in mapped.rejected] == [
        "summary metric not stored",
        "data point without a timestamp",
    ]


def test_empty_protobuf_request_is_valid_and_empty() -> None:
    mapped = map_request(parse_request(LOGS, b"", Format.PROTOBUF), IDS)
    assert mapped.accepted == 0
    assert mapped.rejected == []


def test_exemplar_ids_in_json_are_hex_too() -> None:
    body = {
        "resourceMetrics": [
            {
                "scopeMetrics": [
                    {
                        "metrics": [
                            {
                                "name": "g",
                                "gauge": {
                                    "dataPoints": [
                                        {
                                            "timeUnixNano": "5",
                                            "asDouble": 1,
                                            "exemplars": [
                                                {"traceId": "ab" * 16, "spanId": "cd" * 8}
                                            ],
                                        }
                                    ]
                                },
                            }
                        ]
                    }
                ]
            }
        ]
    }
    message = parse_json_object(METRICS, body)
    exemplar = message.resource_metrics[0].scope_metrics[0].metrics[0].gauge.data_points[0]
    assert isinstance(exemplar, metrics_pb2.NumberDataPoint)
    assert exemplar.exemplars[0].trace_id == b"\xab" * 16


@pytest.mark.parametrize("content", [{}, {"ts": 5, "text": "é"}, {"a": [1, "z"], "b": None}])
def test_event_ids_are_uuid5_of_the_canonical_content(content) -> None:
    import uuid

    from ingest import convert

    canonical = json.dumps(content, sort_keys=True, default=str)
    expected = uuid.uuid5(uuid.UUID("5d6e0f1c-4f0a-4b1e-9a57-53796e6374e1"), canonical)
    assert convert.event_id(content) == str(expected)
