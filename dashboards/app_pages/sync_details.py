"""Sync details: one pass from start to end, with its tables, conflicts and errors."""

import streamlit as st

from dashboards import charts, queries_detail, ui
from dashboards.context import load

st.title("Sync details")
period = ui.page_period()
recent = load(queries_detail.recent_passes, period.filters)
wanted = st.query_params.get("sync")
options = recent["sync_id"].to_list()
if wanted and wanted not in options:
    options.insert(0, wanted)
if not options:
    ui.no_data()
    st.stop()
sync_id = st.selectbox(
    "Pass (sync id)",
    options,
    index=options.index(wanted) if wanted else 0,
    key="sync_pick",
    help="The newest passes in the filter; open one from Devices or Errors by its id.",
)
st.query_params["sync"] = sync_id
run = load(queries_detail.sync_pass, sync_id)
if run.is_empty():
    st.warning(f"No pass with sync id {ui.md(sync_id)} in this store.")
    st.stop()
row = run.row(0, named=True)
cols = st.columns([1, 2, 1, 1])
cols[0].metric("Result", ui.md(row["result"]), border=True)
cols[1].metric("Mode", ui.md(row["mode"] or "–"), border=True)
cols[2].metric("Wall duration", ui.fmt(row["duration_ms"], "s"), border=True)
cols[3].metric("Active duration", ui.fmt(row["active_duration_ms"], "s"), border=True)
st.caption(
    f"Device {ui.md(row['device_id'])} · user {ui.md(row['user_id'])} · "
    f"{ui.md(row['profile'])} · started {row['started_at']:%Y-%m-%d %H:%M:%S} UTC · "
    f"{ui.md(row['os_name'])} {ui.md(row['os_version'])} · {ui.md(row['device_model'])} · "
    f"app {ui.md(row['app_version'])} · {ui.md(row['network_type'])}"
)
if row["result"] == "failure":
    st.error(
        f"{ui.md(row['failure_type'])} {ui.md(row['error_code'])}: "
        f"{ui.md(row['error_message'])}"
        + (f" (table {ui.md(row['failed_table'])})" if row["failed_table"] else "")
    )
tables = load(queries_detail.pass_tables, sync_id)
st.subheader("Tables")
if tables.is_empty():
    st.caption("No table synced in this pass.")
else:
    st.altair_chart(charts.pass_gantt(tables), width="stretch")
    ui.table(tables, f"tables_{sync_id}", key="pass_tables")
st.subheader("Events, start to end (conflicts and errors included)")
ui.table(load(queries_detail.pass_events, sync_id), f"events_{sync_id}", key="pass_events")
