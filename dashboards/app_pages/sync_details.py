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
    st.warning(f"No pass with sync id `{sync_id}` in this store.")
    st.stop()
row = run.row(0, named=True)
cols = st.columns([1, 2, 1, 1])
cols[0].metric("Result", row["result"], border=True)
cols[1].metric("Mode", row["mode"] or "–", border=True)
cols[2].metric("Wall duration", ui.fmt(row["duration_ms"], "s"), border=True)
cols[3].metric("Active duration", ui.fmt(row["active_duration_ms"], "s"), border=True)
st.caption(
    f"Device `{row['device_id']}` · user `{row['user_id']}` · {row['profile']} · "
    f"started {row['started_at']:%Y-%m-%d %H:%M:%S} UTC · {row['os_name']} "
    f"{row['os_version']} · {row['device_model']} · app {row['app_version']} · "
    f"{row['network_type']}"
)
if row["result"] == "failure":
    st.error(
        f"{row['failure_type']} {row['error_code']}: {row['error_message']}"
        + (f" (table {row['failed_table']})" if row["failed_table"] else "")
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
