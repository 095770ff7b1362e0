"""AppTest per page on the named fixture stores: every figure shown is checked against the view.

Each expected figure is queried from the store's catalog here, independently of the dashboard's
query modules, and compared with what the page shows.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from tests.dashboards.helpers import shown
from tests.sql.fleet import LITE_PROFILE

PAGES = [
    "app_pages/overview.py",
    "app_pages/profiles_tables.py",
    "app_pages/errors.py",
    "app_pages/conflicts.py",
    "app_pages/performance.py",
    "app_pages/devices.py",
    "app_pages/sync_details.py",
]


def one(store: Path, sql: str, params: list[object] | None = None) -> object:
    con = duckdb.connect(str(store / "catalog.duckdb"), read_only=True)
    try:
        row = con.execute(sql, params or []).fetchone()
    finally:
        con.close()
    assert row is not None
    return row[0]


def url(at: AppTest, key: str) -> list[str]:
    """A query parameter's values as a list (AppTest keeps a single value as a string)."""
    value = at.query_params.get(key, [])
    return [value] if isinstance(value, str) else list(value)


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def texts(at: AppTest) -> str:
    """The alerts' and captions' text as the reader sees it (values' escapes resolved)."""
    return shown(" ".join(e.value for e in [*at.info, *at.error, *at.warning, *at.caption]))


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("name", ["healthy", "incident", "empty"])
def test_every_page_renders_on_every_store(open_app, store, name: str, page: str):
    at = open_app(store(name), page)
    if name == "empty":
        assert "has no events yet" in texts(at)
        assert "synctel simulate --store" in texts(at)
        assert not at.metric


@pytest.mark.parametrize("page", ["app_pages/overview.py", "app_pages/devices.py"])
def test_missing_and_broken_stores_say_what_to_run(open_app, tmp_path: Path, page: str):
    at = open_app(tmp_path / "nothing-here", page)
    assert "No store at" in texts(at)
    assert "synctel demo --store" in texts(at)
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "catalog.duckdb").write_bytes(b"garbage" * 500)
    at = open_app(broken, page)
    assert "cannot be read" in texts(at)


def test_overview_figures_match_the_views(open_app, store):
    s = store("incident")
    shown = metrics(open_app(s))
    successes = one(s, "SELECT sum(successes) FROM daily_health")
    failures = one(s, "SELECT sum(failures) FROM daily_health")
    assert shown["Success rate"] == f"{successes / (successes + failures) * 100:.1f} %"
    assert shown["Passes"] == f"{one(s, 'SELECT sum(syncs) FROM daily_health'):,}"
    assert shown["Failures"] == f"{failures:,}"
    assert shown["Active devices"] == str(one(s, "SELECT count(DISTINCT device_id) FROM sync_runs"))
    p95 = one(
        s,
        "SELECT quantile_cont(duration_ms, 0.95) FILTER (WHERE result = 'success') FROM sync_runs",
    )
    assert shown["p95 duration"] == f"{p95 / 1000:.1f} s"
    assert shown["Conflicts"] == str(one(s, "SELECT sum(conflicts) FROM conflicts_by_table"))
    assert shown["Skipped syncs"] == str(one(s, "SELECT sum(skips) FROM skips_by_reason"))
    assert int(shown["Stale devices"]) > 0


def test_overview_compares_with_the_previous_period(open_app, store):
    s = store("incident")
    at = open_app(s, range="24h")
    passes = next(m for m in at.metric if m.label == "Passes")
    now = one(s, "SELECT count(*) FROM sync_runs WHERE started_at >= TIMESTAMP '2024-05-09 09:00'")
    before = one(
        s,
        "SELECT count(*) FROM sync_runs WHERE started_at >= TIMESTAMP '2024-05-08 09:00' "
        "AND started_at < TIMESTAMP '2024-05-09 09:00'",
    )
    assert passes.value == str(now)
    assert passes.delta == f"{now - before:+,}"


def test_healthy_overview_is_all_green(open_app, store):
    shown = metrics(open_app(store("healthy")))
    assert shown["Success rate"] == "100.0 %"
    assert shown["Failures"] == "0"


def test_url_filters_set_the_widgets_and_the_figures(open_app, store):
    s = store("incident")
    at = open_app(s, profile=[LITE_PROFILE, "no such profile"], range="all")
    assert at.multiselect(key="f_profile").value == [LITE_PROFILE]
    passes = one(s, "SELECT count(*) FROM sync_runs WHERE profile = ?", [LITE_PROFILE])
    assert metrics(at)["Passes"] == str(passes) == "4"
    assert url(at, "profile") == [LITE_PROFILE]


def test_changing_a_filter_updates_the_url_and_the_figures(open_app, store):
    s = store("incident")
    at = open_app(s)
    at.multiselect(key="f_app").set_value(["1.5.0"]).run()
    assert url(at, "app") == ["1.5.0"]
    failed = one(s, "SELECT count(*) FROM sync_runs WHERE app_version = '1.5.0'")
    assert metrics(at)["Failures"] == str(failed)
    assert metrics(at)["Success rate"] == "0.0 %"
    at.selectbox(key="f_range").set_value("custom").run()
    at.date_input(key="f_from").set_value("2023-01-01").run()
    at.date_input(key="f_to").set_value("2023-01-02").run()
    assert url(at, "range") == ["custom"]
    assert url(at, "from") == ["2023-01-01"]
    assert "No passes in this filter" in texts(at)


def test_profiles_tables_matrix_and_drill_down(open_app, store):
    s = store("incident")
    at = open_app(
        s,
        "app_pages/profiles_tables.py",
        drill_profile=LITE_PROFILE,
        drill_table="bookableresourcebooking",
    )
    shown = at.dataframe[0].value
    assert len(shown) == one(s, "SELECT count(*) FROM health_by_profile_table")
    assert shown["syncs"].sum() == one(s, "SELECT sum(syncs) FROM health_by_profile_table")
    assert shown["records_removed"].sum() == one(
        s, "SELECT sum(records_removed) FROM health_by_profile_table"
    )
    assert any(h.value == f"bookableresourcebooking in {LITE_PROFILE}" for h in at.subheader)
    assert metrics(at)["Failures"] == str(
        one(
            s,
            "SELECT failures FROM health_by_profile_table WHERE profile = ? AND table_name = ?",
            [LITE_PROFILE, "bookableresourcebooking"],
        )
    )


def test_errors_page_matches_errors_summary(open_app, store):
    s = store("incident")
    at = open_app(s, "app_pages/errors.py")
    assert metrics(at)["Failed passes"] == str(one(s, "SELECT sum(failures) FROM errors_summary"))
    summary = at.dataframe[0].value
    assert len(summary) == one(s, "SELECT count(*) FROM errors_summary")
    top = summary.iloc[0]
    assert (top["failure_type"], top["users_impacted"]) == ("SERVER_ERROR", 2)
    assert len(at.dataframe[1].value) == one(
        s, "SELECT count(*) FROM sync_runs WHERE result = 'failure'"
    )
    assert "No failed passes" in texts(open_app(store("healthy"), "app_pages/errors.py"))


def test_conflicts_page_matches_conflicts_by_table(open_app, store):
    s = store("incident")
    at = open_app(s, "app_pages/conflicts.py")
    shown = metrics(at)
    assert shown["Conflicts"] == str(one(s, "SELECT sum(conflicts) FROM conflicts_by_table"))
    assert shown["Server wins (detection on)"] == str(
        one(s, "SELECT sum(server_wins) FROM conflicts_by_table")
    )
    # S7: the page says what a win means, per whole record
    assert "device's whole record wins and overwrites the dispatcher's changes" in texts(at)


def test_performance_page_breakdowns(open_app, store):
    s = store("incident")
    at = open_app(s, "app_pages/performance.py")
    durations = at.dataframe[0].value
    assert durations["passes"].sum() == one(
        s, "SELECT count(*) FROM sync_runs WHERE result = 'success'"
    )
    at.segmented_control(key="perf_by").set_value("os_name").run()
    assert set(at.dataframe[0].value["group_value"]) == {"Android", "iOS"}
    payload = at.dataframe[2].value
    assert payload["passes"].sum() == one(s, "SELECT sum(passes) FROM payload_by_mode")


def test_devices_page_search_and_timeline(open_app, store):
    s = store("incident")
    at = open_app(s, "app_pages/devices.py")
    assert len(at.dataframe[0].value) == one(s, "SELECT count(*) FROM device_status")
    at.text_input(key="device_search").set_value("TC52").run()
    assert set(at.dataframe[0].value["device_id"]) == {"dev-x1", "dev-x2"}
    at = open_app(s, "app_pages/devices.py", device="dev-x1")
    timeline = at.dataframe[1].value
    assert len(timeline) == one(s, "SELECT count(*) FROM sync_runs WHERE device_id = 'dev-x1'")


def test_sync_details_shows_one_pass(open_app, store):
    s = store("incident")
    at = open_app(s, "app_pages/sync_details.py", sync="s-c1@9")
    assert metrics(at)["Result"] == one(s, "SELECT result FROM sync_runs WHERE sync_id = 's-c1@9'")
    assert len(at.dataframe[0].value) == one(
        s, "SELECT count(*) FROM table_syncs WHERE sync_id = 's-c1@9'"
    )
    events = at.dataframe[1].value
    assert list(events["event"]).count("sync.conflict") == 3
    at = open_app(s, "app_pages/sync_details.py", sync="x-1-12")
    assert "SERVER_ERROR 2005: server returned 503 (table msdyn_workorder)" in texts(at)
    at = open_app(s, "app_pages/sync_details.py", sync="no-such-pass")
    assert "No pass with sync id" in texts(at)


def test_every_table_offers_a_csv_download(open_app, store):
    at = open_app(store("incident"), "app_pages/errors.py")
    buttons = at.get("download_button")
    assert len(buttons) == len(at.dataframe) >= 2
