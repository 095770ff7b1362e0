"""schema.sql: DESIGN's sync_events columns exactly, and a Parquet round trip the views survive."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from ingest.sql import create_views, run_audits, schema_sql, view_names
from tests.sql.fleet import Fleet
from tests.sql.scenarios import SCENARIOS

DESIGN_COLUMNS = [
    "event_id", "ts", "event", "sync_id", "profile", "table_name", "mode", "trigger", "result",
    "error_code", "failure_type", "error_message",
    "duration_ms", "active_duration_ms",
    "records_down", "records_up", "records_removed", "bytes_down", "bytes_up",
    "conflicts", "conflict_winner", "record_id", "interval_minutes", "skip_reason",
    "device_id", "user_id", "os_name", "os_version", "device_model", "app_version", "network_type",
    "service_name", "source", "attributes",
]  # fmt: skip


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, str]:
    return {row[0]: row[1] for row in con.execute(f"DESCRIBE {table}").fetchall()}


def test_sync_events_has_exactly_the_design_columns_in_order() -> None:
    con = duckdb.connect()
    con.execute(schema_sql())
    assert list(_columns(con, "sync_events")) == DESIGN_COLUMNS


def test_column_types() -> None:
    con = duckdb.connect()
    con.execute(schema_sql())
    events = _columns(con, "sync_events")
    assert events["ts"] == "TIMESTAMP"
    assert events["attributes"] == "JSON"
    assert events["error_code"] == events["conflicts"] == events["interval_minutes"] == "INTEGER"
    assert {events[c] for c in DESIGN_COLUMNS if c.startswith(("records_", "bytes_"))} == {"BIGINT"}
    assert events["duration_ms"] == events["active_duration_ms"] == "DOUBLE"
    points = _columns(con, "metric_points")
    assert points["bucket_bounds"] == "DOUBLE[]"
    assert points["bucket_counts"] == "BIGINT[]"
    assert set(_columns(con, "spans")) >= {"trace_id", "span_id", "parent_span_id", "resource"}
    assert list(_columns(con, "quarantine")) == [
        "loaded_at", "source_file", "line_number", "reason", "raw",
    ]  # fmt: skip


def test_schema_is_plain_create_table_statements() -> None:
    con = duckdb.connect()
    con.execute(schema_sql())
    tables = {row[0] for row in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    assert tables == {"sync_events", "spans", "metric_points", "quarantine"}
    assert con.execute("SELECT count(*) FROM duckdb_views() WHERE NOT internal").fetchone() == (0,)


def _all_views(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple[object, ...]]]:
    return {name: sorted(con.execute(f"SELECT * FROM {name}").fetchall(), key=repr)
            for name in view_names()}  # fmt: skip


def test_views_read_the_same_over_parquet_as_over_the_table(tmp_path: Path) -> None:
    table = duckdb.connect()
    table.execute(schema_sql())
    create_views(table)
    fleet = Fleet()
    for scenario in SCENARIOS.values():
        scenario(fleet)
    fleet.load(table)
    expected = _all_views(table)

    # The lake as DuckDB writes it (JSON kept as JSON) and as pyarrow writes it (JSON as string).
    duck_file = tmp_path / "duck.parquet"
    table.execute(f"COPY sync_events TO '{duck_file}' (FORMAT parquet)")
    arrow_file = tmp_path / "arrow.parquet"
    arrow = table.sql("SELECT * FROM sync_events").to_arrow_table()
    assert arrow.schema.field("attributes").type == pa.string()
    pq.write_table(arrow, arrow_file)

    for path in (duck_file, arrow_file):
        lake = duckdb.connect()
        lake.execute(f"CREATE VIEW sync_events AS SELECT * FROM read_parquet('{path}')")
        create_views(lake)
        assert _all_views(lake) == expected
        detection = lake.execute(
            "SELECT DISTINCT attributes->>'sync.conflict.detection' FROM sync_events "
            "WHERE event = 'sync.conflict' ORDER BY 1"
        ).fetchall()
        assert detection == [("off",), ("on",)]
        assert all(rows == [] for rows in run_audits(lake).values())
