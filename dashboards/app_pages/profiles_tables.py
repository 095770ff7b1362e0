"""Profiles x tables: one cell per offline profile and table; click a row to drill into it."""

import streamlit as st

from dashboards import charts, queries, ui
from dashboards.context import load

st.title("Profiles × tables")
period = ui.page_period()
matrix = load(queries.health_matrix, period.filters)
ui.require(matrix, "table syncs")
metric = ui.choice("Colour by", charts.MATRIX_METRICS, "success_rate", "matrix_metric")
st.altair_chart(charts.health_matrix(matrix, metric), width="stretch")
st.subheader("Health per profile and table")
st.caption("Select a row to drill into that table.")
picked = ui.table(
    matrix,
    "health_by_profile_table",
    key="matrix_rows",
    select=True,
    column_config={
        "success_rate": st.column_config.ProgressColumn(
            "Success rate", format="percent", min_value=0, max_value=1
        ),
        "p50_duration_ms": st.column_config.NumberColumn("p50 (ms)", format="%.0f"),
        "p95_duration_ms": st.column_config.NumberColumn("p95 (ms)", format="%.0f"),
        "interval_minutes": st.column_config.NumberColumn("Configured interval (min)"),
        "actual_interval_minutes": st.column_config.NumberColumn(
            "Actual interval (min)", format="%.1f"
        ),
        "staleness": st.column_config.NumberColumn("Staleness (x interval)", format="%.2f"),
    },
)
st.subheader("Configured against actual interval")
st.altair_chart(charts.intervals(matrix), width="stretch")
drill = ui.drill_target(matrix, picked)
if drill is not None:
    row = matrix.row(drill, named=True)
    st.subheader(f"{ui.md(row['table_name'])} in {ui.md(row['profile'])}")
    days = load(queries.table_daily, period.filters, row["profile"], row["table_name"])
    cols = st.columns(4)
    cols[0].metric("Table syncs", f"{row['syncs']:,}")
    cols[1].metric("Failures", f"{row['failures']:,}")
    cols[2].metric("Records removed (S9)", f"{row['records_removed'] or 0:,}")
    cols[3].metric("Bytes down", f"{float(row['bytes_down'] or 0) / 1e6:,.2f} MB")
    st.altair_chart(charts.table_trend(days), width="stretch")
    ui.table(days, f"{row['table_name']}_daily", key="drill_rows")
