"""Each scenario leaves its signature in the store's views; every store passes the audits; the
same seed writes the same store."""

from __future__ import annotations

from datetime import datetime

import pytest

from ingest.sql import run_audits
from ingest.store import Store
from tests.syncengine.sim.scenarios import scenario_text

INCIDENT = """
[[incidents]]
kind = "server_error"
day = 1
from = "10:00"
to = "12:00"
rate = 0.9
"""
BULK_EDIT = """
[[incidents]]
kind = "bulk_edit"
day = 1
from = "{at}"
share = 1.0
"""
ROLLOUT = """
[[incidents]]
kind = "rollout"
profile = "technicians_v2.toml"
day = 1
from = "09:00"
to = "13:00"
share = 1.0
"""


def test_a_server_incident_fails_passes_only_in_its_window(simulate, query) -> None:
    store, stats = simulate(scenario_text(extra=INCIDENT))
    rows = query(
        store,
        "SELECT started_at, error_code FROM sync_runs WHERE failure_type = 'SERVER_ERROR'",
    )
    assert len(rows) == stats.failures["SERVER_ERROR"] > 0
    for started, code in rows:
        assert datetime(2026, 1, 5, 10) <= started < datetime(2026, 1, 5, 12)
        assert code == 2005
    (outside,) = query(
        store,
        "SELECT count(*) FROM sync_runs WHERE result = 'success' "
        "AND (started_at < '2026-01-05 10:00' OR started_at >= '2026-01-05 12:00')",
    )
    assert outside[0] > 0


def test_a_wifi_only_fleet_on_cellular_skips_with_wifi_only(simulate, query) -> None:
    store, _ = simulate(scenario_text(wifi=0.0, wifi_only=1.0))
    skips = dict(query(store, "SELECT skip_reason, sum(skips) FROM skips_by_reason GROUP BY ALL"))
    assert skips.get("wifi_only", 0) > 0
    cell = query(
        store, "SELECT DISTINCT profile FROM sync_runs WHERE network_type = 'cell' ORDER BY 1"
    )
    # S4: the Contractors' admin does not allow Wi-Fi only, so only they sync on cellular
    assert cell in ([], [("Contractors",)])
    (wifi,) = query(store, "SELECT count(*) FROM sync_runs WHERE network_type = 'wifi'")
    assert wifi[0] > 0  # the others synced at the depot, on Wi-Fi


def test_a_bulk_edit_makes_conflicts_whose_winners_follow_each_profile(simulate, query) -> None:
    extra = BULK_EDIT.format(at="10:00") + BULK_EDIT.format(at="13:00")
    store, stats = simulate(scenario_text(devices=10, edit_chance=0.9, extra=extra))
    rows = dict(
        query(
            store,
            "SELECT profile, list(DISTINCT conflict_winner ORDER BY conflict_winner) "
            "FROM sync_events WHERE event = 'sync.conflict' GROUP BY ALL",
        )
    )
    assert sum(1 for _ in rows) >= 2
    assert rows.get("Technicians", ["device"]) == ["device"]  # detection off: the device wins
    for profile in ("Inspectors", "Contractors"):
        assert rows.get(profile, ["server"]) == ["server"]  # detection on: the server wins
    assert {"device", "server"} <= {w for winners in rows.values() for w in winners}
    (total,) = query(store, "SELECT sum(conflicts) FROM conflicts_by_table")
    assert total[0] == stats.conflicts


@pytest.mark.parametrize(
    ("profile", "winner"), [("technicians.toml", "device"), ("inspectors.toml", "server")]
)
def test_a_bulk_edit_is_overwritten_by_devices_only_without_conflict_detection(
    simulate, query, profile: str, winner: str
) -> None:
    # S7: per record, never merged field by field. Detection off (Technicians): each device's
    # whole record wins, so the dispatcher's re-planned fields leave the server; detection on
    # (Inspectors): the server's record wins and every dispatcher value stays.
    extra = BULK_EDIT.format(at="10:00") + BULK_EDIT.format(at="13:00")
    text = scenario_text(devices=8, edit_chance=0.9, profiles=((profile, 1.0),), extra=extra)
    store, stats = simulate(text)
    sql = "SELECT DISTINCT conflict_winner FROM sync_events WHERE event = 'sync.conflict'"
    assert query(store, sql) == [(winner,)]
    assert stats.conflicts > 0
    if winner == "device":
        assert 0 < stats.dispatcher_overwritten <= stats.conflicts
    else:
        assert stats.dispatcher_overwritten == 0


def test_completed_work_leaves_devices_and_reopening_it_is_record_not_found(
    simulate, query
) -> None:
    # today's bookings hold their work orders; both leave on the next day's first sync (S9)
    store, _ = simulate(scenario_text(), days=1.5)
    (removed,) = query(store, "SELECT sum(records_removed) FROM sync_runs")
    assert removed[0] > 0
    rows = query(
        store,
        "SELECT DISTINCT table_name FROM sync_events WHERE event = 'record.not_found'",
    )
    assert rows == [("msdyn_workorder",)]


def test_a_bad_rollout_fails_with_config_error_while_it_lasts(simulate, query) -> None:
    store, _ = simulate(scenario_text(extra=ROLLOUT))
    rows = query(
        store,
        "SELECT profile, started_at, error_code, failed_table FROM sync_runs "
        "WHERE failure_type = 'CONFIG_ERROR'",
    )
    assert rows
    for profile, started, code, table in rows:
        assert profile == "Technicians"
        assert datetime(2026, 1, 5, 9) <= started < datetime(2026, 1, 5, 13)
        assert (code, table) == (2017, "msdyn_timeentry")


@pytest.mark.parametrize("name", ["server-incident", "dead-zone"])
def test_built_in_scenarios_pass_every_audit(simulate, name: str) -> None:
    store, stats = simulate(name, devices=6, days=1)
    assert stats.passes > 0
    con = Store.open(store, create=False).connect()
    try:
        assert run_audits(con) == {name: [] for name in run_audits(con)}
        (skips,) = con.execute(
            "SELECT count(*) FROM sync_events WHERE event = 'sync.skipped'"
        ).fetchall()
    finally:
        con.close()
    assert skips[0] == sum(stats.skips.values())


def test_the_same_seed_writes_the_same_store(simulate, query) -> None:
    text = scenario_text(extra=INCIDENT)
    first, _ = simulate(text, seed=5)
    again, _ = simulate(text, seed=5)
    other, _ = simulate(text, seed=6)
    for table in ("sync_events", "spans"):
        sql = f"SELECT * FROM {table} ORDER BY ALL"
        assert query(first, sql) == query(again, sql)
    points = "SELECT * EXCLUDE (ts) FROM metric_points ORDER BY ALL"  # ts: the SDK's wall clock
    assert query(first, points) == query(again, points)
    ids = "SELECT event_id FROM sync_events ORDER BY ALL"
    assert query(first, ids) != query(other, ids)
