"""A freshly simulated store passes every audit, the duplicate event id audit included: the
engine reports one conflict per record and pass, however many of its changes were uploaded."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.sql import audit_names, run_audits
from ingest.store import Store
from synctel.cli import main


@pytest.mark.slow
@pytest.mark.parametrize("seed", [0, 1])
def test_a_conflict_storm_store_passes_every_audit(tmp_path: Path, seed: int) -> None:
    store = tmp_path / "store"
    argv = ["simulate", "--scenario", "conflict-storm", "--devices", "20", "--days", "2"]
    assert main([*argv, "--seed", str(seed), "--quiet", "--store", str(store)]) == 0
    con = Store.open(store, create=False).connect()
    try:
        conflicts = con.execute("SELECT count(*) FROM sync_events WHERE event = 'sync.conflict'")
        assert conflicts.fetchone()[0] > 0, "the storm has conflicts to check"
        assert run_audits(con) == {name: [] for name in audit_names()}
    finally:
        con.close()
