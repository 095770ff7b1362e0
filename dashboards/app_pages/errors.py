"""Errors: failed passes by type, code and message, who they hit, since when; the newest rows."""

import streamlit as st

from dashboards import charts, queries_detail, ui
from dashboards.context import load

st.title("Sync errors")
period = ui.page_period()
summary = load(queries_detail.errors, period.filters)
ui.require(summary, "failed passes")
cols = st.columns(3)
cols[0].metric("Failed passes", f"{summary['failures'].sum():,}", border=True)
cols[1].metric("Distinct errors", f"{summary.height:,}", border=True)
first = summary["first_seen"].min()
cols[2].metric("First failure (UTC)", ui.when(first), border=True)
st.subheader("By failure type, code and message")
ui.table(summary, "errors_summary", key="errors_summary")
st.subheader("Timeline")
st.altair_chart(
    charts.error_timeline(load(queries_detail.error_timeline, period.filters)),
    width="stretch",
)
st.subheader("Newest sync errors")
ui.table(load(queries_detail.recent_errors, period.filters), "sync_errors", key="recent_errors")
