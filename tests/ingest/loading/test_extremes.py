"""The real ``synctel load`` process against hostile input: times at the ends of the calendar
and file names that are not UTF-8. A bad row is quarantined, every other row and file loads,
and nothing prints a traceback."""

from __future__ import annotations

import gzip
import io
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from ingest.loaders import Batch, LoadContext
from ingest.loaders.progress import Progress
from ingest.loaders.runner import load_file, new_context
from ingest.store import Store
from tests.ingest.loading.support import DATA, events, query

OTLP = Path(__file__).parents[2] / "data" / "otlp"
HEADER = "timestamp,name,itemType,customDimensions,duration,id"
PASS = '"{""DataSyncMode"": ""DELTA_SYNC"", ""ScenarioResult"": ""SUCCESS""}"'
RANGE = "is outside 1970-01-01 to 2262-04-11 UTC (what telemetry times can hold)"


def synctel_load(store: Path, *files: Path | bytes) -> subprocess.CompletedProcess[str]:
    """``synctel load --store STORE FILE…`` in its own process (file names may be bytes)."""
    return subprocess.run(
        [sys.executable, "-m", "synctel.cli", "load", "--store", str(store), *files],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_extreme_times_are_quarantined_and_the_other_rows_and_files_load(tmp_path: Path):
    rows = [
        f"9999-12-31T23:59:59Z,Offline.SyncDatabase,dependency,{PASS},100,a1",
        f"0001-01-01T00:00+01:00,Offline.SyncDatabase,dependency,{PASS},100,a2",
        '0001-01-01T00:00+01:00,sync.started,customEvent,"{}",,a3',
        '1969-12-31T23:59:59Z,sync.started,customEvent,"{}",,a4',
        f"2262-04-11T23:00:00Z,Offline.SyncDatabase,dependency,{PASS},1e300,a5",
        f"2262-04-11T23:00:00Z,Offline.SyncDatabase,dependency,{PASS},86400000,a6",
        f"2026-05-01T10:00:00Z,Offline.SyncDatabase,dependency,{PASS},nan,a7",
        f"2026-05-01T10:00:00Z,Offline.SyncDatabase,dependency,{PASS},100,ok",
    ]
    extreme = tmp_path / "extreme.csv"
    extreme.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    store = tmp_path / "store"

    done = synctel_load(store, extreme, DATA / "events_classic.json")
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert (
        f"{extreme} (appinsights): 8 rows read, 2 events loaded, 0 skipped as duplicates, "
        "7 quarantined (time out of range: 6, wrong type: 1)" in done.stdout
    )
    assert "events_classic.json (appinsights): 5 rows read, 4 events loaded" in done.stdout
    reasons = query(store, "SELECT line_number, reason FROM quarantine ORDER BY 1")
    assert reasons == [
        {"line_number": 1, "reason": f"time out of range: '9999-12-31T23:59:59Z' {RANGE}"},
        {
            "line_number": 2,
            "reason": "time out of range: '0001-01-01T00:00+01:00' is before year 1 in UTC",
        },
        {
            "line_number": 3,
            "reason": "time out of range: '0001-01-01T00:00+01:00' is before year 1 in UTC",
        },
        {"line_number": 4, "reason": f"time out of range: '1969-12-31T23:59:59Z' {RANGE}"},
        {
            "line_number": 5,
            "reason": "time out of range: 2262-04-11T23:00:00Z + 1e+300 ms is past year 9999",
        },
        {
            "line_number": 6,
            "reason": f"time out of range: 2262-04-11T23:00:00Z + 8.64e+07 ms {RANGE}",
        },
        {"line_number": 7, "reason": "wrong type: duration 'nan' is not a finite number"},
    ]
    assert len(events(store)) == 2 + 4


def test_a_file_name_that_is_not_utf8_loads(tmp_path: Path) -> None:
    """Names are bytes on Linux: such files load, and are shown with ``\\xff`` escapes."""
    folder = os.fsencode(tmp_path)
    export = folder + b"/export-\xff.csv"
    otlp = folder + b"/otlp-\xfe.jsonl.gz"
    broken = folder + b"/broken-\xff.csv"
    shutil.copyfile(DATA / "events_workspace.csv", export)
    with open(otlp, "wb") as fh:
        fh.write(gzip.compress((OTLP / "sync_pass.jsonl").read_bytes()))
    with open(broken, "w", encoding="utf-8") as fh:
        fh.write(f'{HEADER}\nyesterday,sync.started,customEvent,"{{}}",,b1\n')
    store = tmp_path / "store"

    done = synctel_load(store, export, otlp, broken)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    shown = f"{tmp_path}/export-\\xff.csv"
    assert f"{shown} (appinsights): 5 rows read, 4 events loaded" in done.stdout
    assert (
        f"{tmp_path}/otlp-\\xfe.jsonl.gz (otlp-json): 3 rows read, 3 events loaded" in done.stdout
    )
    assert len(events(store)) == 7
    assert query(store, "SELECT source_file, reason FROM quarantine") == [
        {
            "source_file": f"{tmp_path}/broken-\\xff.csv",
            "reason": "bad timestamp: 'yesterday' is not a time (Invalid isoformat string: "
            "'yesterday')",
        }
    ]


def test_an_unreadable_file_with_such_a_name_gets_one_line(tmp_path: Path) -> None:
    bad = os.fsencode(tmp_path) + b"/missing-\xff.csv"
    with open(bad, "w", encoding="utf-8") as fh:
        fh.write("timestamp,name\n2026-05-01T10:00:00Z,sync.started\n")
    done = synctel_load(tmp_path / "store", bad, DATA / "events_classic.json")
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        f"synctel load: {tmp_path}/missing-\\xff.csv: Application Insights export without a "
        "customDimensions (or Properties) column; export the table with all its columns"
    ]
    assert "events_classic.json (appinsights): 5 rows read, 4 events loaded" in done.stdout


class _UnstorableLoader:
    """A loader whose one row the store cannot take (a time that is not a time)."""

    name = "unstorable"

    def sniff(self, head: bytes, path: Path) -> bool:
        return True

    def read(self, path: Path, context: LoadContext) -> Iterator[Batch]:
        yield Batch(events=[{"event_id": "e1", "ts": "not a time"}], rows_read=1)


def test_a_row_the_store_cannot_take_fails_its_file_with_one_line(tmp_path: Path) -> None:
    """The safety net under every loader: an unforeseen bad row fails its file, not the run."""
    path = tmp_path / "odd.bin"
    path.write_bytes(b"odd")
    store = Store.open(tmp_path / "store")
    progress = Progress("odd", io.StringIO(), enabled=False, bar=False)
    report = load_file(store, path, new_context("s" * 16), progress, _UnstorableLoader())
    assert report.error is not None
    assert report.error.startswith(f"{path}: cannot store a row (Arrow")
    assert report.error.endswith(
        "; the rows before it are loaded, loading again skips them; please report this file"
    )
    assert "\n" not in report.error
