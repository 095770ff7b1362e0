"""Progress on stderr, the store's id salt, and the closing summary."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

import pytest

from ingest.identities import ID_SALT_FILE, id_salt
from ingest.loaders.progress import Progress
from synctel.cli import main
from tests.ingest.loading.support import DATA, events


def test_bar_overwrites_itself_and_ends_its_line() -> None:
    out = io.StringIO()
    progress = Progress("f.csv", out, enabled=True, bar=True)
    progress.advance(5, total=10)
    progress.advance(5)
    progress.close()
    text = out.getvalue()
    assert text.startswith("\rf.csv [###############---------------]  50% 5/10 rows")
    assert text.endswith("\rf.csv [##############################] 100% 10/10 rows\n")


def test_counter_lines_when_not_a_terminal() -> None:
    out = io.StringIO()
    progress = Progress("f.csv", out, enabled=True, bar=False)
    progress.advance(3, total=None)
    progress.advance(2, total=5)
    progress.close()
    assert out.getvalue() == "f.csv: 3 rows\nf.csv: 5/5 rows\n"


def test_disabled_progress_prints_nothing() -> None:
    out = io.StringIO()
    progress = Progress("f.csv", out, enabled=False, bar=True)
    progress.advance(3, total=3)
    progress.close()
    assert out.getvalue() == ""


def test_progress_flag_prints_counter_on_a_non_terminal(load) -> None:
    path = DATA / "events_classic.json"
    assert load("--progress", path).err == f"{path}: 5/5 rows\n"
    assert load(path).err == ""  # default: only on a terminal
    assert load("--no-progress", path).err == ""


def test_summary_counts_loaded_duplicates_and_ignored(load) -> None:
    path = DATA / "dynamics_classic.csv"
    first = load(path).out
    assert first == (
        f"{path} (appinsights): 5 rows read, 6 events loaded, 0 skipped as duplicates, "
        "0 quarantined, 1 ignored as not sync telemetry (GET /api/data/v9.2/WhoAmI: 1)\n"
    )


def test_salt_comes_from_the_environment_first(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("SYNCTEL_ID_SALT", "from-env")
    assert id_salt(tmp_path) == "from-env"
    assert not (tmp_path / ID_SALT_FILE).exists()


def test_store_salt_is_made_once_and_kept(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("SYNCTEL_ID_SALT")
    first = id_salt(tmp_path)
    assert len(first) == 32
    assert id_salt(tmp_path) == first
    assert (tmp_path / ID_SALT_FILE).read_text() == first + "\n"


def test_without_env_salt_reloading_still_dedupes(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.delenv("SYNCTEL_ID_SALT")
    store = tmp_path / "store"
    args = ["load", "--store", str(store), str(DATA / "dynamics_workspace.json")]
    assert main(args) == 0
    first = {e["device_id"] for e in events(store)}
    assert main(args) == 0
    assert "0 events loaded, 6 skipped as duplicates" in capsys.readouterr().out
    assert {e["device_id"] for e in events(store)} == first


@pytest.mark.parametrize("option", ["--store", "--progress"])
def test_help_lists_every_option(option: str, capsys) -> None:
    with pytest.raises(SystemExit):
        main(["load", "--help"])
    assert option in capsys.readouterr().out


def test_small_batches_give_the_same_rows_and_counts(tmp_path: Path) -> None:
    """Batch boundaries change nothing: rows, ignored counts and progress all add up."""
    from ingest.loaders.runner import load_file, new_context
    from ingest.store import Store

    whole, sliced = tmp_path / "whole", tmp_path / "sliced"
    path = DATA / "dynamics_classic.csv"
    out = io.StringIO()
    for folder, rows in ((whole, 50_000), (sliced, 2)):
        context = replace(new_context("s"), batch_rows=rows)
        progress = Progress("f", out, enabled=folder == sliced, bar=False)
        report = load_file(Store.open(folder), path, context, progress)
        assert (report.rows_read, report.loaded, dict(report.ignored)) == (
            5,
            6,
            {"GET /api/data/v9.2/WhoAmI": 1},
        )
    assert out.getvalue() == "f: 2/5 rows\nf: 4/5 rows\nf: 5/5 rows\n"
    assert events(whole) == events(sliced)
