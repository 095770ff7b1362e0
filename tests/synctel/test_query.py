"""``synctel query`` and ``synctel compact`` against a real store, through the real CLI."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pytest

from ingest.sql import view_names
from ingest.store import Store
from synctel.cli import main


@pytest.fixture
def store(tmp_path: Path) -> Path:
    """A store with three events, one of them failed."""
    s = Store.open(tmp_path / "store", auto_compact_every=0)
    for i, event in enumerate(["sync.started", "sync.failed", "sync.started"]):
        s.append_events(
            pa.table(
                {
                    "event_id": [f"e{i}"],
                    "ts": pa.array([1_777_000_000_000_000 + i], pa.timestamp("us")),
                    "event": [event],
                    "error_code": pa.array([2004 if event == "sync.failed" else None], pa.int32()),
                }
            )
        )
    return s.path


def synctel(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "synctel.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_table_output_is_aligned(store: Path, capsys) -> None:
    sql = "SELECT event_id, error_code FROM sync_events ORDER BY event_id"
    assert main(["query", sql, "--store", str(store)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["event_id", "error_code"]
    assert set(lines[1]) == {"-", " "}
    assert lines[3].split() == ["e1", "2004"]
    assert lines[2].split() == ["e0", "NULL"]
    assert len({len(line) for line in lines[:2]}) == 1, "header and rule line up"
    assert lines[-1] == "(3 rows)"


def test_csv_output(store: Path, capsys) -> None:
    sql = "SELECT event_id, event FROM sync_events ORDER BY event_id"
    assert main(["query", sql, "--store", str(store), "--format", "csv"]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert rows == [
        ["event_id", "event"],
        ["e0", "sync.started"],
        ["e1", "sync.failed"],
        ["e2", "sync.started"],
    ]


def test_json_output_keeps_types(store: Path, capsys) -> None:
    sql = "SELECT event_id, ts, error_code FROM sync_events WHERE event = 'sync.failed'"
    assert main(["query", sql, "--store", str(store), "--format", "json"]) == 0
    [row] = json.loads(capsys.readouterr().out)
    assert row["error_code"] == 2004
    assert row["ts"].startswith("2026-04-24T")


def test_bad_sql_is_one_line_exit_1_from_any_directory(store: Path, tmp_path: Path) -> None:
    done = synctel("query", "SELEC nonsense", "--store", str(store), cwd=tmp_path)
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1
    assert "syntax error" in done.stderr
    assert "Traceback" not in done.stderr


def test_writes_are_refused_read_only(store: Path, capsys) -> None:
    sql = "INSERT INTO quarantine (reason) VALUES ('x')"
    assert main(["query", sql, "--store", str(store)]) == 1
    assert "synctel query:" in capsys.readouterr().err


def test_missing_store_says_how_to_make_one(tmp_path: Path, capsys) -> None:
    assert main(["query", "SELECT 1", "--store", str(tmp_path / "none")]) == 1
    err = capsys.readouterr().err
    assert "synctel simulate" in err
    assert not (tmp_path / "none").exists(), "a query never creates a store"


def test_store_from_environment(store: Path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("SYNCTEL_STORE", str(store))
    assert main(["query", "SELECT count(*) AS n FROM sync_events", "--format", "csv"]) == 0
    assert capsys.readouterr().out == "n\n3\n"


def test_list_names_every_table_and_view(store: Path, capsys) -> None:
    assert main(["query", "--list", "--store", str(store)]) == 0
    listed = {line.split()[0]: line for line in capsys.readouterr().out.splitlines()}
    assert {"sync_events", "spans", "metric_points", "quarantine", *view_names()} == set(listed)
    assert all(len(line.split()) > 2 for line in listed.values()), "each has a description"


def test_no_sql_and_no_list_is_a_usage_error(store: Path, capsys) -> None:
    assert main(["query", "--store", str(store)]) == 1
    assert "--list" in capsys.readouterr().err


def test_compact_prints_what_it_merged(store: Path) -> None:
    done = synctel("compact", "--store", str(store), cwd=store.parent)
    assert done.returncode == 0, done.stderr
    assert "sync_events: 3 files into 1 (1 day(s))" in done.stdout
    again = synctel("compact", "--store", str(store), cwd=store.parent)
    assert "nothing to compact" in again.stdout
    counted = synctel(
        "query",
        "SELECT count(*) FROM sync_events",
        "--store",
        str(store),
        "--format",
        "csv",
        cwd=store.parent,
    )
    assert counted.stdout.splitlines()[1] == "3"
