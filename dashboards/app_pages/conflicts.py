"""Conflicts: by profile, table and winner, over time; the records that conflict most."""

import streamlit as st

from dashboards import charts, queries_detail, ui
from dashboards.context import load

st.title("Sync conflicts")
st.caption(
    "A conflict is per record, never merged field by field (S7). With conflict detection off "
    "the device's whole record wins and overwrites the dispatcher's changes to it; with "
    "detection on the server's whole record wins, the device shows it in the same pass and "
    "what the technician typed is kept in Sync Errors."
)
period = ui.page_period()
by_table = load(queries_detail.conflicts, period.filters)
ui.require(by_table, "conflicts")
cols = st.columns(3)
cols[0].metric("Conflicts", f"{by_table['conflicts'].sum():,}", border=True)
cols[1].metric("Device wins (detection off)", f"{by_table['device_wins'].sum():,}", border=True)
cols[2].metric("Server wins (detection on)", f"{by_table['server_wins'].sum():,}", border=True)
st.subheader("By profile and table")
ui.table(by_table, "conflicts_by_table", key="conflicts_by_table")
st.subheader("Over time, by winner")
st.altair_chart(
    charts.conflicts_over_time(load(queries_detail.conflicts_over_time, period.filters)),
    width="stretch",
)
st.subheader("Records that conflict most")
ui.table(
    load(queries_detail.top_conflict_records, period.filters),
    "conflict_records",
    key="conflict_records",
)
