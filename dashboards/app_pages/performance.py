"""Performance: duration percentiles by mode, device, OS, network and app; active against wall
time; payload by mode; records over time."""

import streamlit as st

from dashboards import charts, queries_detail, ui
from dashboards.context import load

st.title("Sync performance")
period = ui.page_period()
payload = load(queries_detail.payload, period.filters)
ui.require(payload, "successful passes")
by = ui.choice("Break durations down by", queries_detail.BREAKDOWNS, "mode", "perf_by")
durations = load(queries_detail.duration_percentiles, period.filters, by)
st.subheader(f"Pass duration by {queries_detail.BREAKDOWNS[by].lower()}")
st.altair_chart(
    charts.duration_percentiles(durations, queries_detail.BREAKDOWNS[by]), width="stretch"
)
ui.table(durations, f"duration_by_{by}", key="durations")
left, right = st.columns(2)
wall = load(queries_detail.active_vs_wall, period.filters)
left.subheader("Active against wall time")
left.altair_chart(charts.active_vs_wall(wall), width="stretch")
right.subheader("Payload by mode")
right.altair_chart(charts.payload_by_mode(payload), width="stretch")
st.subheader("Records synced over time")
st.altair_chart(
    charts.records_over_time(load(queries_detail.records_over_time, period.filters)),
    width="stretch",
)
ui.table(wall, "active_vs_wall", key="wall")
ui.table(payload, "payload_by_mode", key="payload")
