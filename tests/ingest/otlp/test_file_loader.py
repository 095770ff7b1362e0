"""``synctel load`` of OTLP JSON lines (the Collector's file exporter format), plain and gzip."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import shutil
from pathlib import Path

import pytest

from ingest.identities import id_salt
from ingest.loaders import detect
from ingest.store import Store
from synctel.cli import main
from tests.ingest.otlp.helpers import query
from vocabulary.identity import pseudonymize

DATA = Path(__file__).parents[2] / "data" / "otlp"
T0 = dt.datetime(2026, 5, 25, 10, 0)

EVENT_COLUMNS = (
    "event, ts, sync_id, profile, table_name, mode, trigger, result, duration_ms, "
    "active_duration_ms, records_down, records_up, records_removed, bytes_down, conflicts, "
    "interval_minutes, device_id, user_id, os_name, os_version, app_version, network_type, "
    "service_name, source, attributes"
)
PROFILE = "Field Service Mobile - Offline Profile"
COMMON = ("d7a1c0ffee", "Android", "14", "4.2.0")
EXPECTED_EVENTS = [
    (
        "sync.started", T0, "pass-1", PROFILE, None, "DELTA_SYNC", "interval", None,
        None, None, None, None, None, None, None, None,
        COMMON[0], "u9f3", *COMMON[1:], "wifi", "fieldapp", "otel",
        {"sync.tables_due": ["account", "msdyn_workorder"]},
    ),
    (
        "sync.table", T0 + dt.timedelta(seconds=1.5), "pass-1", None, "account", None, None,
        "success", 1480.5, None, 120, None, None, 48213, None, 60,
        COMMON[0], None, *COMMON[1:], None, "fieldapp", "otel",
        {"sync.due_reason": "interval"},
    ),
    (
        "sync.completed", T0 + dt.timedelta(seconds=3), "pass-1", None, None, "DELTA_SYNC", None,
        "success", 3000.0, 2750.25, 120, 2, 1, None, 0, None,
        COMMON[0], None, *COMMON[1:], None, "fieldapp", "otel",
        None,
    ),
]  # fmt: skip


RAW_IDS = ("d7a1c0ffee", "u9f3")
"""The raw ``device.id`` and ``user.id`` in ``sync_pass.jsonl``."""


def hashed(rows: list[tuple], salt: str) -> list[tuple]:
    """``rows`` with the file's raw ids replaced by their pseudonyms."""
    return [tuple(pseudonymize(v, salt) if v in RAW_IDS else v for v in row) for row in rows]


@pytest.fixture
def store_dir(tmp_path: Path) -> Path:
    return tmp_path / "store"


def load(store_dir: Path, *files: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["load", "--store", str(store_dir), *map(str, files)])
    out = capsys.readouterr()
    return code, out.out, out.err


def events(store_dir: Path) -> list[tuple]:
    rows = query(Store.open(store_dir), f"SELECT {EVENT_COLUMNS} FROM sync_events ORDER BY ts")
    return [(*r[:-1], json.loads(r[-1]) if r[-1] else None) for r in rows]


def copy_as(source: Path, tmp_path: Path, name: str) -> Path:
    target = tmp_path / name
    shutil.copyfile(source, target)
    return target


@pytest.mark.parametrize(
    ("fixture", "name"),
    [("sync_pass.jsonl", "telemetry.csv"), ("sync_pass.jsonl.gz", "export.bin")],
    ids=["plain", "gzip"],
)
def test_golden_file_loads_events_spans_and_points(tmp_path, store_dir, capsys, fixture, name):
    path = copy_as(DATA / fixture, tmp_path, name)  # misleading names: detection is by content
    assert detect(path).name == "otlp-json"

    code, out, err = load(store_dir, path, capsys=capsys)
    assert code == 0, err
    assert "(otlp-json): 3 rows read, 3 events loaded, 0 skipped as duplicates" in out
    assert "5 spans/metric points loaded, 0 quarantined" in out
    # the file's resource is not marked pseudonymous: its raw ids are stored as pseudonyms
    assert events(store_dir) == hashed(EXPECTED_EVENTS, id_salt(store_dir))

    store = Store.open(store_dir)
    assert query(
        store,
        "SELECT name, kind, status_code, parent_span_id, duration_ms, service_name "
        "FROM spans ORDER BY start_ts",
    ) == [
        ("sync", "CLIENT", "OK", None, 3000.0, "fieldapp"),
        ("sync.table", "INTERNAL", "UNSET", "eee19b7ec3c1b174", 1480.0, "fieldapp"),
    ]
    assert query(
        store,
        "SELECT name, kind, temporality, unit, value, count, sum, bucket_bounds, bucket_counts, "
        "attributes->>'direction' FROM metric_points ORDER BY name, value",
    ) == [
        (
            "sync.duration",
            "histogram",
            "delta",
            "ms",
            None,
            1,
            3000.0,
            [500, 2000],
            [0, 0, 1],
            None,
        ),
        ("sync.records", "sum", "delta", "{record}", 2.0, None, None, None, None, "up"),
        ("sync.records", "sum", "delta", "{record}", 120.0, None, None, None, None, "down"),
    ]


def test_loading_twice_adds_no_events(store_dir, capsys) -> None:
    assert load(store_dir, DATA / "sync_pass.jsonl", capsys=capsys)[0] == 0
    code, out, _ = load(store_dir, DATA / "sync_pass.jsonl.gz", capsys=capsys)
    assert code == 0
    assert "0 events loaded, 3 skipped as duplicates" in out
    assert len(events(store_dir)) == 3


def test_loading_twice_adds_no_spans_or_points(store_dir, capsys) -> None:
    load(store_dir, DATA / "sync_pass.jsonl", capsys=capsys)
    load(store_dir, DATA / "sync_pass.jsonl", capsys=capsys)
    store = Store.open(store_dir)
    assert query(store, "SELECT (SELECT count(*) FROM spans), count(*) FROM metric_points") == [
        (2, 3)
    ]


def test_malformed_lines_are_quarantined_with_line_and_reason(store_dir, capsys) -> None:
    code, out, _ = load(store_dir, DATA / "malformed.jsonl", capsys=capsys)
    assert code == 0
    assert "1 events loaded" in out
    assert "4 quarantined" in out
    store = Store.open(store_dir)
    assert query(store, "SELECT event, skip_reason FROM sync_events") == [
        ("sync.skipped", "offline")
    ]
    got = query(
        store, "SELECT line_number, reason, raw, source_file FROM quarantine ORDER BY line_number"
    )
    assert [(n, reason.split(":")[0]) for n, reason, _, _ in got] == [
        (1, "log record without a timestamp"),
        (2, "malformed JSON"),
        (4, "not an OTLP export request"),
        (5, "invalid OTLP JSON"),
    ]
    assert "'not-hex' is not a hex id" in got[3][1]
    assert json.loads(got[0][2])["attributes"][0]["value"] == {"stringValue": "wifi_only"}
    assert got[1][2] == '{"resourceLogs": [ this is not json'
    assert {source for *_, source in got} == {str(DATA / "malformed.jsonl")}


def test_truncated_gzip_keeps_what_was_read_and_fails_the_file(tmp_path, store_dir, capsys):
    whole = gzip.compress((DATA / "sync_pass.jsonl").read_bytes() * 50)
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(whole[: len(whole) // 2])
    code, _, err = load(store_dir, cut, capsys=capsys)
    assert code == 1
    assert "corrupt or truncated" in err
    store = Store.open(store_dir)
    [(reason,)] = query(store, "SELECT reason FROM quarantine")
    assert reason.startswith("unreadable file: the gzip stream is corrupt or truncated")


def test_zstd_files_are_recognised_and_refused_with_advice(tmp_path, store_dir, capsys):
    path = tmp_path / "otlp.zst"
    path.write_bytes(b"\x28\xb5\x2f\xfd" + b"\0" * 32)
    code, _, err = load(store_dir, path, capsys=capsys)
    assert code == 1
    assert "zstd -d" in err


def test_other_json_is_not_taken_for_otlp(tmp_path) -> None:
    from ingest.loaders.otlp_json import OtlpJsonLoader

    loader = OtlpJsonLoader()
    assert not loader.sniff(b'{"tables": [{"name": "PrimaryResult"}]}', tmp_path)
    assert not loader.sniff(b'{"hello": {"resourceLogs": []}}', tmp_path)
    assert loader.sniff(b' {"resource_spans": []}', tmp_path)
    assert loader.sniff(gzip.compress(b'{"resourceMetrics":[]}'), tmp_path)


def test_a_deeply_nested_line_is_quarantined_and_the_rest_load(
    tmp_path: Path, store_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = (
        '{"resourceLogs":[{"resource":{"attributes":[]},"scopeLogs":[{"logRecords":'
        '[{"timeUnixNano":"1777000000000000000","eventName":"sync.started",'
        '"attributes":[{"key":"sync.id","value":{"stringValue":"s1"}}]}]}]}]}'
    )
    deep = '{"resourceLogs":' + "[" * 5000 + "]" * 5000 + "}"
    path = tmp_path / "export.jsonl"
    path.write_text(good + "\n" + deep + "\n" + good.replace("s1", "s2") + "\n")
    code, _, err = load(store_dir, path, capsys=capsys)
    assert code == 0, err
    assert "Traceback" not in err
    store = Store.open(store_dir)
    assert query(store, "SELECT count(*) FROM sync_events") == [(2,)]
    reasons = query(store, "SELECT reason FROM quarantine")
    assert len(reasons) == 1
    assert "nested more than" in reasons[0][0]
