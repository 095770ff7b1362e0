"""The dashboard's query modules, without Streamlit: views under filters, figures, safety."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import duckdb
import polars as pl
import pytest

from dashboards import queries as q
from dashboards import queries_detail as d
from ingest.scope import Filters, view_query
from ingest.sql import view_names
from tests.sql.fleet import LITE_PROFILE, WORK_ORDER
from tests.stores import build

Store = Callable[[str], Path]
EVERYTHING = Filters(start=datetime(2024, 1, 1), end=datetime(2025, 1, 1))
"""A bounded range holding every fixture event: the filtered SQL path, nothing filtered out."""


def catalog_rows(store: Path, sql: str, params: list[object] | None = None) -> list[tuple]:
    """Rows straight from the catalog's views, independently of the dashboard's code."""
    con = duckdb.connect(str(store / "catalog.duckdb"), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def rows(frame: pl.DataFrame) -> list[tuple]:
    return sorted(frame.rows(), key=repr)


@pytest.mark.parametrize("name", ["healthy", "incident"])
@pytest.mark.parametrize("view", view_names())
def test_filtered_sql_over_everything_equals_the_catalog_view(store: Store, name: str, view: str):
    expected = sorted(catalog_rows(store(name), f'SELECT * FROM "{view}"'), key=repr)
    assert rows(q.view(store(name), view, Filters())) == expected
    assert rows(q.view(store(name), view, EVERYTHING)) == expected
    assert expected or name == "healthy"


def test_profile_filter_keeps_only_that_profiles_passes(store: Store):
    s = store("incident")
    daily = q.daily(s, Filters(profiles=(LITE_PROFILE,)))
    ((passes, failures, incomplete),) = catalog_rows(
        s,
        "SELECT count(*), count(*) FILTER (WHERE result = 'failure'), "
        "count(*) FILTER (WHERE result = 'incomplete') FROM sync_runs WHERE profile = ?",
        [LITE_PROFILE],
    )
    assert (daily["syncs"].sum(), daily["failures"].sum()) == (passes, failures) == (4, 3)
    assert daily["incomplete"].sum() == incomplete == 1


def test_mode_filter_keeps_end_events_so_passes_still_finish(store: Store):
    s = store("incident")
    runs = q.view(s, "sync_runs", Filters(modes=("FORCED_SYNC",)))
    assert set(runs["mode"]) == {"FORCED_SYNC"}
    assert runs["result"].to_list().count("incomplete") == 0
    expected = catalog_rows(s, "SELECT count(*) FROM sync_runs WHERE mode = 'FORCED_SYNC'")[0][0]
    assert runs.height == expected == 13


def test_table_filter_narrows_table_rows_and_keeps_whole_passes(store: Store):
    s = store("incident")
    f = Filters(tables=(WORK_ORDER,))
    matrix = q.health_matrix(s, f)
    assert set(matrix["table_name"]) == {WORK_ORDER}
    expected = catalog_rows(
        s,
        "SELECT syncs, conflicts FROM health_by_profile_table WHERE table_name = ? "
        "ORDER BY profile",
        [WORK_ORDER],
    )
    assert list(zip(matrix["syncs"], matrix["conflicts"], strict=True)) == expected
    runs = q.view(s, "sync_runs", f)
    assert runs["result"].to_list().count("incomplete") == 0


def test_time_range_counts_passes_started_inside_it(store: Store):
    s = store("incident")
    f = Filters(start=datetime(2024, 5, 7), end=datetime(2024, 5, 8))
    assert q.daily(s, f)["day"].to_list() == [datetime(2024, 5, 7).date()]
    before = f.previous()
    assert before == Filters(start=datetime(2024, 5, 6), end=datetime(2024, 5, 7))
    assert q.headline(s, before, datetime(2024, 5, 7))["passes"] == 3


def test_headline_matches_the_views(store: Store):
    s = store("incident")
    last = q.clock(s)[1]
    start, end = q.period(last, "7d")
    got = q.headline(s, Filters(start=start, end=end), end)
    ((successes, failures, syncs),) = catalog_rows(
        s, "SELECT sum(successes), sum(failures), sum(syncs) FROM daily_health"
    )
    assert got["success_rate"] == pytest.approx(successes / (successes + failures))
    assert (got["passes"], got["failures"]) == (syncs, failures)
    ((devices, p95),) = catalog_rows(
        s,
        "SELECT count(DISTINCT device_id), "
        "quantile_cont(duration_ms, 0.95) FILTER (WHERE result = 'success') FROM sync_runs",
    )
    assert (got["active_devices"], got["p95_duration_ms"]) == (devices, pytest.approx(p95))
    assert (
        got["conflicts"] == catalog_rows(s, "SELECT sum(conflicts) FROM conflicts_by_table")[0][0]
    )
    assert got["skips"] == catalog_rows(s, "SELECT sum(skips) FROM skips_by_reason")[0][0] == 9
    stale = catalog_rows(
        s,
        "SELECT count(*) FROM device_status WHERE last_success_at IS NULL "
        "OR last_success_at < ?::TIMESTAMP - INTERVAL 24 HOUR",
        [end],
    )[0][0]
    assert got["stale_devices"] == stale > 0


def test_healthy_store_is_healthy_and_the_incident_is_not(store: Store):
    healthy = q.headline(store("healthy"), Filters(), datetime(2024, 5, 10))
    incident = q.headline(store("incident"), Filters(), datetime(2024, 5, 10))
    assert healthy["success_rate"] == 1.0
    assert healthy["failures"] == 0
    assert incident["success_rate"] < 0.9
    assert incident["failures"] == 15


def test_filter_values_are_bound_never_spliced(store: Store):
    s = store("incident")
    evil = "x' OR 1=1 --"
    sql, params = view_query("sync_runs", Filters(profiles=(evil,)))
    assert evil not in sql
    assert evil in params
    assert q.view(s, "sync_runs", Filters(profiles=(evil,))).height == 0
    assert d.devices(s, Filters(), search="' OR 1=1 --").height == 0
    assert d.devices(s, Filters(), search="%").height == 0
    assert d.devices(s, Filters(), search="_").height == 0
    assert set(d.devices(s, Filters(), search="TC52")["device_id"]) == {"dev-x1", "dev-x2"}


def test_only_known_views_and_breakdowns_are_spliced():
    with pytest.raises(ValueError, match="no view named"):
        view_query("sync_runs; DROP TABLE x", Filters())
    with pytest.raises(ValueError, match="cannot break durations down"):
        d.duration_percentiles(Path("."), Filters(), "1; --")


def test_errors_page_reads(store: Store):
    s = store("incident")
    errors = d.errors(s, Filters())
    top = errors.row(0, named=True)
    assert (top["failure_type"], top["error_code"], top["failures"]) == ("SERVER_ERROR", 2005, 12)
    assert top["devices_impacted"] == 2
    assert top["tables"] == [WORK_ORDER]
    assert d.error_timeline(s, Filters())["failures"].sum() == errors["failures"].sum()
    recent = d.recent_errors(s, Filters(), limit=5)
    assert recent.height == 5
    assert recent["time"].is_sorted(descending=True)
    assert d.errors(store("healthy"), Filters()).height == 0


def test_conflict_page_reads(store: Store):
    s = store("incident")
    by_table = d.conflicts(s, Filters())
    assert by_table.select("conflicts", "device_wins", "server_wins").row(0) == (5, 3, 2)
    over_time = d.conflicts_over_time(s, Filters())
    assert dict(zip(over_time["winner"], over_time["conflicts"], strict=True)) == {
        "device": 3,
        "server": 2,
    }
    top = d.top_conflict_records(s, Filters())
    assert top.row(0, named=True)["record_id"] == "wo-1"
    assert top.row(0, named=True)["conflicts"] == 2


def test_performance_page_reads(store: Store):
    s = store("incident")
    by_os = d.duration_percentiles(s, Filters(), "os_name")
    assert set(by_os["group_value"]) == {"Android", "iOS"}
    assert (
        by_os["passes"].sum()
        == catalog_rows(s, "SELECT count(*) FROM sync_runs WHERE result = 'success'")[0][0]
    )
    wall = d.active_vs_wall(s, Filters())
    assert ((wall["background_share"] >= 0) & (wall["background_share"] < 1)).all()
    assert rows(d.payload(s, Filters())) == sorted(
        catalog_rows(s, "SELECT * FROM payload_by_mode"), key=repr
    )
    assert d.records_over_time(s, Filters()).height == 4


def test_device_and_pass_reads(store: Store):
    s = store("incident")
    errors = d.devices(s, Filters(), status=("error",))
    assert set(errors["device_id"]) == {"dev-f", "dev-x1", "dev-x2"}
    timeline = d.device_passes(s, Filters(), "dev-x1")
    assert timeline.height == 6
    assert set(timeline["result"]) == {"failure"}
    assert d.sync_pass(s, "s-a1")["result"].to_list() == ["success"]
    assert d.pass_tables(s, "s-a1")["table_name"].to_list() == [
        "bookableresourcebooking",
        WORK_ORDER,
    ]
    events = d.pass_events(s, "s-c1@9")["event"].to_list()
    assert events[0] == "sync.started"
    assert events.count("sync.conflict") == 3
    assert d.sync_pass(s, "no-such-pass").height == 0


def test_store_states(store: Store, tmp_path: Path):
    assert q.state(store("incident")) is q.StoreState.READY
    assert q.state(store("empty")) is q.StoreState.EMPTY
    assert q.state(tmp_path / "nowhere") is q.StoreState.MISSING
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "catalog.duckdb").write_bytes(b"not a duckdb file at all" * 100)
    assert q.state(broken) is q.StoreState.BROKEN
    assert q.clock(store("empty")) is None


def test_choices_offer_each_filters_values(store: Store):
    got = q.choices(store("incident"))
    assert got["profiles"] == ["Field Service Mobile - Offline Profile", LITE_PROFILE]
    assert got["app_versions"] == ["1.3.2", "1.4.0", "1.5.0"]
    assert "unavailable" in got["networks"]


def test_data_stamp_moves_when_data_arrives(tmp_path: Path):
    folder = build(tmp_path / "s", "empty")
    before = q.data_stamp(folder)
    build(tmp_path / "s", "healthy")
    assert q.data_stamp(folder) > before
    assert q.data_stamp(tmp_path / "none") == 0.0


def test_period_presets_end_after_the_last_event():
    last = datetime(2024, 5, 9, 17, 20, 9)
    assert q.period(last, "24h") == (datetime(2024, 5, 8, 18), datetime(2024, 5, 9, 18))
    assert q.period(last, "7d")[0] == datetime(2024, 5, 2, 18)
    assert q.period(last, "all") is None
    assert q.change(3.0, 1.0) == 2.0
    assert q.change(None, 1.0) is None
