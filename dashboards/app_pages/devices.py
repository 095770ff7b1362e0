"""Devices: one row per device, searchable; select one for its timeline of passes."""

import streamlit as st

from dashboards import charts, queries_detail, ui
from dashboards.context import load

STATUSES = ["connected", "not_connected", "syncing", "pending_uploads", "error", "warning"]

st.title("Devices")
period = ui.page_period()
left, right = st.columns([2, 3])
search = left.text_input(
    "Search devices", key="device_search", placeholder="device, user, model, OS or app version"
)
status = right.multiselect("Status", STATUSES, key="device_status", placeholder="All")
frame = load(queries_detail.devices, period.filters, search, tuple(status))
ui.require(frame, "devices")
st.caption(f"{frame.height:,} devices. Select a row for its timeline of passes.")
picked = ui.table(frame, "device_status", key="devices", select=True)
device = frame["device_id"][picked[0]] if picked else st.query_params.get("device")
if device:
    st.query_params["device"] = device
    passes = load(queries_detail.device_passes, period.filters, device)
    st.subheader(f"Timeline of {ui.md(device)}")
    if passes.is_empty():
        ui.no_data("passes of this device")
    else:
        st.altair_chart(charts.device_timeline(passes), width="stretch")
        ui.table(passes, f"passes_{device}", key="device_passes")
        st.page_link(
            "app_pages/sync_details.py",
            label="Open a pass in Sync details",
            icon=":material/receipt_long:",
            query_params={"sync": passes["sync_id"][0]},
        )
