"""The loader: names, descriptions, dependency order, and what create_views / run_audits do."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from ingest import sql
from ingest.errors import IngestError
from ingest.sql import (
    SQL_DIR,
    SqlFileError,
    audit_names,
    audit_sql,
    create_views,
    run_audits,
    schema_sql,
    view_description,
    view_names,
    view_sql,
)

EXPECTED_VIEWS = {
    "sync_runs",
    "table_syncs",
    "health_by_profile_table",
    "errors_summary",
    "daily_health",
    "conflicts_by_table",
    "skips_by_reason",
    "payload_by_mode",
    "device_status",
    "table_events",
    "profile_device_days",
}


def _view_files() -> set[str]:
    return {path.stem for path in (SQL_DIR / "views").glob("*.sql")}


def _catalog_views(con: duckdb.DuckDBPyConnection) -> set[str]:
    rows = con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()
    return {row[0] for row in rows}


def test_the_design_views_are_the_view_files() -> None:
    assert _view_files() == EXPECTED_VIEWS
    assert set(view_names()) == EXPECTED_VIEWS


@pytest.mark.parametrize("name", sorted(EXPECTED_VIEWS))
def test_every_view_has_a_one_line_description_and_a_grain(name: str) -> None:
    description = view_description(name)
    assert description
    assert not description.startswith("-")
    header = view_sql(name).split("\nSELECT")[0].split("\nWITH")[0]
    assert "Grain:" in header


@pytest.mark.parametrize("name", sorted(EXPECTED_VIEWS))
def test_views_read_only_sync_events_and_views_never_files(name: str) -> None:
    code = view_sql(name).lower()
    for forbidden in ("read_parquet", "read_csv", "read_json", ".parquet", "'/"):
        assert forbidden not in code


def test_views_come_after_the_views_they_read() -> None:
    order = view_names()
    assert order.index("sync_runs") < order.index("table_syncs")
    assert order.index("table_syncs") < order.index("health_by_profile_table")
    for reader in ("daily_health", "errors_summary", "payload_by_mode", "device_status"):
        assert order.index("sync_runs") < order.index(reader)
    assert order.index("table_events") < order.index("profile_device_days")


def test_create_views_creates_exactly_the_files_present() -> None:
    con = duckdb.connect()
    con.execute(schema_sql())
    created = create_views(con)
    assert created == view_names()
    assert _catalog_views(con) == _view_files()


def test_create_views_replaces_existing_views() -> None:
    con = duckdb.connect()
    con.execute(schema_sql())
    con.execute("CREATE VIEW sync_runs AS SELECT 1 AS stale_definition")
    create_views(con)
    create_views(con)
    columns = [row[0] for row in con.execute("DESCRIBE sync_runs").fetchall()]
    assert "stale_definition" not in columns
    assert "sync_id" in columns


def test_create_views_works_over_a_sync_events_view() -> None:
    con = duckdb.connect()
    con.execute(schema_sql().replace("CREATE TABLE sync_events", "CREATE TABLE raw_events"))
    con.execute("CREATE VIEW sync_events AS SELECT * FROM raw_events")
    assert create_views(con) == view_names()


def test_create_views_without_sync_events_says_what_to_do() -> None:
    con = duckdb.connect()
    with pytest.raises(SqlFileError, match=r"no sync_events table or view; apply schema_sql"):
        create_views(con)
    assert _catalog_views(con) == set()


def test_unknown_view_and_audit_names_list_the_known_ones() -> None:
    with pytest.raises(SqlFileError, match=r"no view named 'sync_run'.*known: conflicts_by_table"):
        view_sql("sync_run")
    with pytest.raises(SqlFileError, match=r"no audit named 'nope'"):
        audit_sql("nope")
    with pytest.raises(SqlFileError, match=r"no view named"):
        view_description("../schema")


def test_sql_file_errors_are_ingest_errors_for_the_cli() -> None:
    assert issubclass(SqlFileError, IngestError)


def test_sql_text_has_no_trailing_semicolon() -> None:
    for name in view_names():
        assert not view_sql(name).endswith(";")
    for name in audit_names():
        assert not audit_sql(name).endswith(";")


def test_run_audits_maps_every_audit_to_its_rows(
    db: duckdb.DuckDBPyConnection,
) -> None:
    assert run_audits(db) == {name: [] for name in audit_names()}
    assert len(audit_names()) >= 5


def _sql_dir(tmp_path: Path, views: dict[str, str]) -> Path:
    (tmp_path / "views").mkdir()
    (tmp_path / "audits").mkdir()
    for name, text in views.items():
        (tmp_path / "views" / f"{name}.sql").write_text(text, encoding="utf-8")
    return tmp_path


def test_dependency_order_ignores_names_in_comments(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _sql_dir(
        tmp_path,
        {
            "a_reads_b": "-- Reads b_base.\nSELECT * FROM b_base",
            "b_base": "-- The base; a_reads_b reads it.\nSELECT 1 AS x FROM sync_events",
        },
    )
    monkeypatch.setattr(sql, "SQL_DIR", folder)
    assert view_names() == ["b_base", "a_reads_b"]


def test_a_cycle_between_views_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _sql_dir(
        tmp_path,
        {"one": "-- One.\nSELECT * FROM two", "two": "-- Two.\nSELECT * FROM one"},
    )
    monkeypatch.setattr(sql, "SQL_DIR", folder)
    with pytest.raises(SqlFileError, match="cycle"):
        view_names()


def test_a_view_without_a_description_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _sql_dir(tmp_path, {"bare": "SELECT 1", "blank": "--\nSELECT 1"})
    monkeypatch.setattr(sql, "SQL_DIR", folder)
    for name in ("bare", "blank"):
        with pytest.raises(SqlFileError, match="must start with a '-- description' comment"):
            view_description(name)
