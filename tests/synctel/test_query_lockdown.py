"""``synctel query`` reads the store's snapshot and cannot change the store (issue 17, item 1).

Every probe of the attack run is repeated through the real CLI: each is refused with one
line and exit 1, and afterwards the store holds exactly the files and rows it held before.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pyarrow as pa
import pytest

from ingest.store import Store
from synctel.cli import main


@pytest.fixture
def store(tmp_path: Path) -> Path:
    """A store with 482 events over two days."""
    s = Store.open(tmp_path / "store", auto_compact_every=0)
    base = 1_777_000_000_000_000
    s.append_events(
        pa.table(
            {
                "event_id": [f"e{i}" for i in range(482)],
                "ts": pa.array([base + i * 600_000_000 for i in range(482)], pa.timestamp("us")),
                "event": ["sync.started"] * 482,
                "sync_id": [f"s{i}" for i in range(482)],
            }
        )
    )
    return s.path


def _fingerprint(store: Path) -> dict[str, str]:
    return {
        str(p.relative_to(store)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(store.rglob("*"))
        if p.is_file() and p.name != ".writer.lock"
    }


def _data_file(store: Path) -> Path:
    return next((store / "events").glob("day=*/*.parquet"))


def probes(store: Path, tmp_path: Path) -> list[str]:
    """The write paths of the attack run, aimed at the store and around it."""
    day = _data_file(store).parent
    return [
        f"COPY (SELECT * FROM sync_events) TO '{day}/x.parquet' (FORMAT parquet)",
        f"COPY (SELECT * FROM sync_events WHERE false) TO '{_data_file(store)}' (FORMAT parquet)",
        f"COPY (SELECT 1 AS x) TO '{_data_file(store)}' (FORMAT csv, USE_TMP_FILE false)",
        f"COPY (SELECT 1 AS x) TO '{tmp_path}/outside.csv'",
        f"ATTACH '{store}/catalog.duckdb' AS c",
        f"ATTACH '{tmp_path}/new.duckdb' AS n",
        "INSTALL httpfs",
        "LOAD httpfs",
        "SET enable_external_access = true",
        "SET lock_configuration = false",
        f"SELECT * FROM read_parquet('{_data_file(store)}')",
        "SELECT * FROM read_csv('/etc/passwd')",
        f"SELECT 1; COPY (SELECT 1) TO '{day}/y.parquet'",
    ]


def test_every_write_path_is_refused_and_the_store_is_unchanged(
    store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _fingerprint(store)
    for sql in probes(store, tmp_path):
        code = main(["query", sql, "--store", str(store)])
        err = capsys.readouterr().err
        assert code == 1, f"not refused: {sql}"
        assert err.count("\n") == 1, f"not one line: {err!r}"
    assert _fingerprint(store) == before
    assert not (tmp_path / "outside.csv").exists()
    assert not (tmp_path / "new.duckdb").exists()
    assert (
        main(
            [
                "query",
                "SELECT count(*) AS n FROM sync_events",
                "--store",
                str(store),
                "--format",
                "csv",
            ]
        )
        == 0
    )
    assert capsys.readouterr().out.splitlines()[1] == "482"


def test_reading_the_views_still_works_after_the_lock(
    store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sql = "SELECT result, count(*) AS n FROM sync_runs GROUP BY ALL"
    assert main(["query", sql, "--store", str(store), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == [{"result": "incomplete", "n": 482}]


def test_json_output_has_no_infinity_or_nan(
    store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sql = "SELECT 'inf'::DOUBLE AS a, '-inf'::DOUBLE AS b, 'nan'::DOUBLE AS c, 1.5 AS d"
    assert main(["query", sql, "--store", str(store), "--format", "json"]) == 0
    out = capsys.readouterr().out
    assert "Infinity" not in out
    assert "NaN" not in out
    assert json.loads(out) == [{"a": None, "b": None, "c": None, "d": 1.5}]
