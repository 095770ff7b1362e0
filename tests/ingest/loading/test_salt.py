"""The store's own id salt: private (0600), made atomically, and refused when empty or short."""

from __future__ import annotations

import contextlib
import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from ingest.identities import ID_SALT_FILE, MIN_SALT_BYTES, IdSaltError, id_salt
from synctel.cli import main
from tests.ingest.loading.support import DATA, query


@pytest.fixture(autouse=True)
def _no_env_salt(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SYNCTEL_ID_SALT", raising=False)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_salt_file_is_made_private(tmp_path: Path) -> None:
    old = os.umask(0o022)  # the usual umask, under which a plain new file is 0644
    try:
        salt = id_salt(tmp_path)
    finally:
        os.umask(old)
    path = tmp_path / ID_SALT_FILE
    assert _mode(path) == 0o600
    assert len(salt.encode()) >= MIN_SALT_BYTES
    assert path.read_text(encoding="utf-8") == salt + "\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == [ID_SALT_FILE]  # no temporary left


def test_world_readable_salt_file_is_narrowed(tmp_path: Path) -> None:
    path = tmp_path / ID_SALT_FILE
    path.write_text("0123456789abcdef0123456789abcdef\n", encoding="utf-8")
    path.chmod(0o644)
    assert id_salt(tmp_path) == "0123456789abcdef0123456789abcdef"
    assert _mode(path) == 0o600


def test_racing_processes_agree_and_never_see_an_empty_salt(tmp_path: Path) -> None:
    """Eight processes make the salt at once while a thread watches the file: it appears
    whole (never empty or half written) and every process reads the same salt."""
    path = tmp_path / ID_SALT_FILE
    seen: set[int] = set()
    stop = threading.Event()

    def watch() -> None:
        while not stop.is_set():
            with contextlib.suppress(FileNotFoundError):
                seen.add(path.stat().st_size)

    watcher = threading.Thread(target=watch)
    watcher.start()
    script = "import sys; from pathlib import Path; from ingest.identities import id_salt; " + (
        "print(id_salt(Path(sys.argv[1])))"
    )
    try:
        procs = [
            subprocess.Popen(
                [sys.executable, "-c", script, str(tmp_path)], stdout=subprocess.PIPE, text=True
            )
            for _ in range(8)
        ]
        salts = {p.communicate(timeout=60)[0].strip() for p in procs}
    finally:
        stop.set()
        watcher.join()
    assert all(p.returncode == 0 for p in procs)
    assert len(salts) == 1
    assert seen == {33}  # 32 hex digits and a newline, from the first moment it exists
    assert _mode(path) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == [ID_SALT_FILE]


@pytest.mark.parametrize(
    ("content", "what"),
    [(b"", "empty"), (b"\n", "empty"), (b"0123456789\n", "only 10 bytes")],
    ids=["empty", "newline", "short"],
)
def test_empty_or_short_salt_is_refused_with_one_line(tmp_path, capsys, content, what) -> None:
    store = tmp_path / "store"
    store.mkdir()
    path = store / ID_SALT_FILE
    path.write_bytes(content)
    code = main(["load", "--store", str(store), str(DATA / "dynamics_classic.csv")])
    assert code == 1
    err = capsys.readouterr().err
    assert err.splitlines() == [
        f"synctel load: {path}: the id salt is {what} (at least 16 needed; a crash while it was "
        "written?); restore the file from a backup or set $SYNCTEL_ID_SALT to the salt used "
        "before; or delete it to make a new one (ids stored before will not match new ones)"
    ]
    assert path.read_bytes() == content  # left for the operator to decide
    assert query(store, "SELECT count(*) AS n FROM sync_events") == [{"n": 0}]
    with pytest.raises(IdSaltError):
        id_salt(store)
