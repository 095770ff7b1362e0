"""The sink's columnar conversion gives exactly the row-wise mapping's table, value for value."""

from __future__ import annotations

import math
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from opentelemetry.sdk._logs import LoggerProvider
from opentelemetry.sdk._logs.export import InMemoryLogRecordExporter, SimpleLogRecordProcessor
from opentelemetry.sdk.resources import Resource

from ingest.convert import log_records_to_events
from ingest.sink._columnar import _columnar, log_records_table
from vocabulary.contract import CUSTOM_EVENT_NAME, Attr, Event

MAPPED = [str(a) for a in (Attr.DURATION_MS, Attr.ERROR_CODE, Attr.RECORDS_DOWN, Attr.DEVICE_ID)]
KEYS = st.sampled_from([*MAPPED, str(Attr.RESULT), str(Attr.TABLES_DUE), "x.other", "é.key"])
SCALARS = st.one_of(
    st.text(max_size=8),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
)
VALUES = st.one_of(SCALARS, st.lists(st.text(max_size=4), max_size=3).map(tuple))
EVENTS = st.sampled_from([None, *(str(e) for e in Event)])


def records(rows: list[tuple[str | None, dict[str, Any]]], resource: Resource) -> list[Any]:
    memory = InMemoryLogRecordExporter()
    provider = LoggerProvider(resource=resource)
    provider.add_log_record_processor(SimpleLogRecordProcessor(memory))
    logger = provider.get_logger("t")
    for i, (event, attributes) in enumerate(rows):
        logger.emit(
            timestamp=1_780_000_000_000_000_000 + i, event_name=event, attributes=attributes
        )
    provider.shutdown()
    return list(memory.get_finished_logs())


def same(a: Any, b: Any) -> bool:
    """Equal, with NaN equal to NaN (Arrow's equals says NaN != NaN)."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return bool(a == b) and type(a) is type(b)


def assert_same_tables(batch: list[Any]) -> None:
    expected = log_records_to_events(batch).to_pylist()
    got = log_records_table(batch).to_pylist()
    assert len(got) == len(expected)
    for g, e in zip(got, expected, strict=True):
        assert same(g, e), (g, e)


def test_engine_shaped_records_take_the_columnar_path_and_match() -> None:
    rows = []
    for i in range(50):
        rows.append(
            (
                str(Event.TABLE),
                {
                    CUSTOM_EVENT_NAME: str(Event.TABLE),
                    str(Attr.SYNC_ID): f"s{i // 5}",
                    str(Attr.TABLE): "account",
                    str(Attr.RESULT): "success",
                    str(Attr.DURATION_MS): 12.5 + i,
                    str(Attr.RECORDS_DOWN): i,
                    str(Attr.INTERVAL_MINUTES): 60,
                    str(Attr.DEVICE_ID): f"d{i % 3}",
                    str(Attr.TABLES_DUE): ("account", "contact"),
                    "note": 'quote " and \\ and \n and ü',
                },
            )
        )
    batch = records(rows, Resource.create({"service.name": "fieldapp", "os.name": "Android"}))
    _columnar(batch)  # raises if the batch would fall back to the row-wise path
    assert_same_tables(batch)


def test_mixed_resources_fall_back_and_still_match() -> None:
    a = records([(str(Event.STARTED), {"k": 1})], Resource.create({"service.name": "a"}))
    b = records([(str(Event.STARTED), {"k": 1})], Resource.create({"device.id": "res"}))
    assert_same_tables(a + b)


def test_values_that_need_coercing_fall_back_and_still_match() -> None:
    rows = [
        (str(Event.FAILED), {str(Attr.ERROR_CODE): "2004", str(Attr.DURATION_MS): "1.5"}),
        (str(Event.FAILED), {str(Attr.ERROR_CODE): 2**40, str(Attr.RECORDS_DOWN): 7.9}),
        (str(Event.TABLE), {str(Attr.RESULT): 3, str(Attr.DEVICE_ID): 12}),
    ]
    assert_same_tables(records(rows, Resource.create({})))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.tuples(EVENTS, st.dictionaries(KEYS, VALUES, max_size=6)), min_size=1, max_size=6),
    st.dictionaries(st.sampled_from([*MAPPED, "service.name"]), SCALARS, max_size=2),
)
def test_any_attributes_give_the_row_wise_table(
    rows: list[tuple[str | None, dict[str, Any]]], resource: dict[str, Any]
) -> None:
    assert_same_tables(records(rows, Resource.create(resource)))
