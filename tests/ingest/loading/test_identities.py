"""Quarantined Application Insights rows keep what was wrong with them, but not raw identities:
user id columns, the client address and ``DeviceInfo_Id`` hold their pseudonyms."""

from __future__ import annotations

import json
from pathlib import Path

from tests.ingest.loading.support import DATA, RAW_DEVICE, RAW_USER, SALT, events, query
from vocabulary.identity import pseudonymize

DEVICE = pseudonymize(RAW_DEVICE, SALT)
USER = pseudonymize(RAW_USER, SALT)


def _quarantine(store_dir: Path) -> list[dict]:
    return query(store_dir, "SELECT line_number, reason, raw FROM quarantine ORDER BY 1")


def test_quarantined_json_rows_hold_pseudonyms_not_raw_ids(load, store_dir) -> None:
    assert load(DATA / "malformed_rows.json").code == 0
    rows = _quarantine(store_dir)
    assert len(rows) == 9
    for row in rows:
        assert RAW_DEVICE not in row["raw"], row
        assert RAW_USER not in row["raw"], row
        assert '"0.0.0.0"' not in row["raw"], row
    turbo = json.loads(rows[0]["raw"])  # the rest of the row is kept as found
    assert (turbo["id"], turbo["user_Id"], turbo["user_AuthenticatedId"]) == ("|m.2", USER, USER)
    assert turbo["client_IP"] == pseudonymize("0.0.0.0", SALT)
    assert turbo["session_Id"] == "s-1"
    dims = json.loads(turbo["customDimensions"])
    assert (dims["DeviceInfo_Id"], dims["DataSyncMode"]) == (DEVICE, "TURBO_SYNC")
    assert json.loads(rows[2]["raw"])["customDimensions"].count(DEVICE) == 1  # ErrorCode row
    # the loaded rows carry the same pseudonyms
    assert {(e["device_id"], e["user_id"]) for e in events(store_dir)} == {(DEVICE, USER)}


def test_a_row_whose_values_do_not_line_up_has_its_id_columns_hashed(load, store_dir, tmp_path):
    doc = json.loads((DATA / "malformed_rows.json").read_text(encoding="utf-8"))
    table = doc["tables"][0]
    names = [c["name"] for c in table["columns"]]
    good = table["rows"][0]
    shifted = good[1:]  # the first value lost: every later value stands one column early
    extra = [*good, "surplus"]
    table["rows"] = [shifted, extra]
    path = tmp_path / "shifted.json"
    path.write_text(json.dumps(doc), encoding="utf-8")

    assert load(path).code == 0
    rows = _quarantine(store_dir)
    assert [r["reason"] for r in rows] == [
        f"bad row: {len(names) - 1} values for {len(names)} columns",
        f"bad row: {len(names) + 1} values for {len(names)} columns",
    ]
    user = names.index("user_Id")
    first, second = (json.loads(r["raw"]) for r in rows)
    assert first[user - 1] == first[user] == USER  # read from the end
    assert second[user] == USER  # read from the start
    for raw in (first, second):
        assert RAW_USER not in json.dumps(raw)
        assert RAW_DEVICE not in json.dumps(raw)
        assert "|m.1" in raw  # the rest is kept


def test_broken_csv_rows_keep_their_text_with_ids_hashed(load, store_dir, tmp_path) -> None:
    path = tmp_path / "broken.csv"
    lines = [
        "timestamp,name,itemType,customDimensions,user_Id",
        f'2026-05-01T10:00:00Z,Offline.SyncDatabase,dependency,"{{DeviceInfo_Id: {RAW_DEVICE}, '
        f'DataSyncMode: DELTA",{RAW_USER}',
        f"2026-05-01T10:01:00Z,Offline.SyncDatabase,dependency,"
        f"DeviceInfo_Id={RAW_DEVICE};ScenarioResult=SUCCESS,{RAW_USER}",
        f'yesterday,Offline.SyncDatabase,dependency,"{{""DeviceInfo_Id"": ""{RAW_DEVICE}""}}",'
        f"{RAW_USER}",
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    run = load(path)
    assert run.code == 0, run.err
    rows = _quarantine(store_dir)
    assert [r["reason"].split(":")[0] for r in rows] == [
        "customDimensions is not JSON",
        "customDimensions is not JSON",
        "bad timestamp",
    ]
    for row in rows:
        assert RAW_DEVICE not in row["raw"], row
        assert RAW_USER not in row["raw"], row
        assert json.loads(row["raw"])["user_Id"] == USER
    dims = [json.loads(r["raw"])["customDimensions"] for r in rows]
    assert dims[0] == f"{{DeviceInfo_Id: {DEVICE}, DataSyncMode: DELTA"
    assert dims[1] == f"DeviceInfo_Id={DEVICE};ScenarioResult=SUCCESS"
    assert json.loads(dims[2]) == {"DeviceInfo_Id": DEVICE}


def test_unreadable_csv_file_is_kept_with_ids_hashed(load, store_dir, tmp_path) -> None:
    path = tmp_path / "no_dims.csv"
    path.write_text(
        f"timestamp,name,user_Id,client_IP\n2026-05-01T10:00:00Z,sync.started,{RAW_USER},"
        "10.1.2.3\n",
        encoding="utf-8",
    )
    run = load(path)
    assert run.code == 1
    [row] = _quarantine(store_dir)
    assert row["raw"] == (
        "timestamp,name,user_Id,client_IP\n"
        f"2026-05-01T10:00:00Z,sync.started,{USER},{pseudonymize('10.1.2.3', SALT)}\n"
    )
