"""Unhappy paths: bad rows go to the quarantine with their reason; a file that is not telemetry
or cannot be read as a whole gets one error line and exit 1, while the good files still load."""

from __future__ import annotations

import json
from pathlib import Path

from tests.ingest.loading.support import DATA, RAW_DEVICE, RAW_USER, SALT, events, query
from vocabulary.identity import pseudonymize

QUARANTINED = [
    (2, "unknown DataSyncMode: 'TURBO_SYNC'"),
    (
        3,
        "eventContext is not JSON: {ProfileId: 7e2d (Expecting property name enclosed in double "
        "quotes)",
    ),
    (4, "wrong type: ErrorCode 'net-down' is not a number"),
    (5, "wrong type: duration 'slow' is not a number"),
    (6, "bad row: 10 values for 38 columns"),
    (7, "bad timestamp: 'yesterday' is not a time (Invalid isoformat string: 'yesterday')"),
    (8, "customDimensions is not JSON: ScenarioResult=SUCCESS (Expecting value)"),
    (9, "missing table: Offline.DdsClient.GetRecords row without eventContext.entityName"),
    (10, "unknown ScenarioResult: 'MAYBE' on Offline.SyncDatabase"),
]


def test_bad_rows_are_quarantined_with_reason_and_row(load, store_dir) -> None:
    run = load(DATA / "malformed_rows.json")
    assert run.code == 0  # the file was read; its bad rows are kept, not fatal
    assert run.err == ""
    rows = query(
        store_dir,
        "SELECT line_number, reason, raw, source_file FROM quarantine ORDER BY line_number",
    )
    assert [(r["line_number"], r["reason"]) for r in rows] == QUARANTINED
    assert {r["source_file"] for r in rows} == {str(DATA / "malformed_rows.json")}
    raw = json.loads(rows[0]["raw"])  # the whole row is kept, by column
    assert raw["id"] == "|m.2"
    assert json.loads(raw["customDimensions"])["DataSyncMode"] == "TURBO_SYNC"
    assert json.loads(rows[4]["raw"])[1] == "|m.6"  # a short row is kept as its values
    # the one good row loads: its pass, start and end
    assert [(e["event"], e["mode"]) for e in events(store_dir)] == [
        ("sync.started", "FIRST_SYNC"),
        ("sync.completed", "FIRST_SYNC"),
    ]
    assert (
        "9 quarantined (bad row: 1, bad timestamp: 1, customDimensions is not JSON: 1, "
        "eventContext is not JSON: 1, missing table: 1, unknown DataSyncMode: 1, "
        "unknown ScenarioResult: 1, wrong type: 2)" in run.out
    )


def test_reloading_keeps_events_once_and_records_each_quarantine(load, store_dir) -> None:
    load(DATA / "malformed_rows.json")
    again = load(DATA / "malformed_rows.json")
    assert "0 events loaded, 2 skipped as duplicates" in again.out
    assert len(events(store_dir)) == 2
    counts = query(store_dir, "SELECT count(DISTINCT loaded_at) AS loads FROM quarantine")
    assert counts == [{"loads": 2}]


def test_truncated_json_is_one_error_line_and_one_quarantine_row(load, store_dir) -> None:
    path = DATA / "truncated.json"
    run = load(path)
    assert run.code == 1
    lines = run.err.splitlines()
    assert lines == [
        f"synctel load: {path}: truncated or invalid JSON at line 270 column 6 "
        "(Unterminated string starting at); export the query result again"
    ]
    rows = query(store_dir, "SELECT line_number, reason, raw FROM quarantine")
    assert len(rows) == 1
    assert rows[0]["line_number"] is None
    assert rows[0]["reason"].startswith("unreadable file: truncated or invalid JSON")
    # the file is kept as found, but for its identities: the user id columns, the client
    # address and the DeviceInfo_Id inside customDimensions hold their pseudonyms
    expected = path.read_text(encoding="utf-8")
    for raw in (RAW_DEVICE, RAW_USER, '"0.0.0.0"'):
        hashed = pseudonymize(raw.strip('"'), SALT)
        expected = expected.replace(raw, f'"{hashed}"' if raw.startswith('"') else hashed)
    assert rows[0]["raw"] == expected
    assert events(store_dir) == []


def test_missing_required_column_fails_the_file(load, store_dir) -> None:
    path = DATA / "missing_columns.csv"
    run = load(path)
    assert run.code == 1
    assert run.err.splitlines() == [
        f"synctel load: {path}: Application Insights export without a customDimensions "
        "(or Properties) column; export the table with all its columns"
    ]
    assert query(store_dir, "SELECT count(*) AS n FROM quarantine") == [{"n": 1}]


def test_not_telemetry_is_one_line_exit_1_and_no_store(load, store_dir) -> None:
    path = DATA / "not_telemetry.csv"
    run = load(path)
    assert run.code == 1
    assert run.out == ""
    assert run.err.splitlines() == [
        f"synctel load: {path}: not a telemetry file (no loader recognises its content); "
        "expected an Application Insights export (portal CSV or query API JSON) or another "
        "format `synctel load --help` lists"
    ]
    assert not store_dir.exists()


def test_bad_files_are_each_reported_and_good_ones_still_load(load, store_dir, tmp_path) -> None:
    missing = tmp_path / "nowhere.json"
    run = load(
        DATA / "not_telemetry.csv", DATA / "events_classic.json", missing, DATA / "truncated.json"
    )
    assert run.code == 1
    errors = run.err.splitlines()
    assert len(errors) == 3
    assert "not_telemetry.csv: not a telemetry file" in errors[0]
    assert errors[1] == f"synctel load: {missing}: cannot read: No such file or directory"
    assert "truncated.json: truncated or invalid JSON" in errors[2]
    assert len(events(store_dir)) == 4
    assert run.out.splitlines()[-1].startswith("total (2 files): 5 rows read, 4 events loaded")


def test_empty_and_binary_files_are_not_telemetry(load, tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"\n \n")
    binary = tmp_path / "export.csv"
    binary.write_bytes(bytes(range(256)) * 4)
    run = load(empty, binary)
    assert run.code == 1
    assert run.err.splitlines() == [
        f"synctel load: {empty}: not a telemetry file (the file is empty); expected an "
        "Application Insights export (portal CSV or query API JSON) or another format "
        "`synctel load --help` lists",
        f"synctel load: {binary}: not a telemetry file (no loader recognises its content); "
        "expected an Application Insights export (portal CSV or query API JSON) or another "
        "format `synctel load --help` lists",
    ]


def test_local_time_export_is_refused(load, tmp_path: Path) -> None:
    path = tmp_path / "local.csv"
    path.write_text(
        'timestamp [Local Time],name,customDimensions\n5/1/2026 10:00:00 AM,sync.started,"{}"\n',
        encoding="utf-8",
    )
    run = load(path)
    assert run.code == 1
    assert run.err.splitlines() == [
        f"synctel load: {path}: column 'timestamp [Local Time]' holds local times; export "
        "again with times in UTC (portal: Settings > Time zone > UTC)"
    ]


def test_unknown_mode_and_result_of_our_events_are_quarantined(load, store_dir, tmp_path) -> None:
    path = tmp_path / "ours.csv"
    good = {"sync.id": "s1", "sync.mode": "DELTA_SYNC"}
    rows = [
        ("sync.started", good),
        ("sync.started", {"sync.id": "s2", "sync.mode": "WARP_SYNC"}),
        ("sync.table", {"sync.id": "s1", "sync.table": "account", "sync.result": "meh"}),
    ]
    lines = ["timestamp,name,itemType,customDimensions"]
    for i, (name, dims) in enumerate(rows):
        quoted = json.dumps(dims).replace('"', '""')
        lines.append(f'2026-05-01T10:00:0{i}Z,{name},customEvent,"{quoted}"')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    run = load(path)
    assert run.code == 0
    reasons = query(store_dir, "SELECT line_number, reason FROM quarantine ORDER BY 1")
    assert reasons == [
        {"line_number": 2, "reason": "unknown sync mode: sync.mode 'WARP_SYNC'"},
        {"line_number": 3, "reason": "unknown result: sync.result 'meh'"},
    ]
    assert [e["sync_id"] for e in events(store_dir)] == ["s1"]
