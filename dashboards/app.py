"""The synctel dashboard: sync health per offline profile and table (``streamlit run``).

``synctel dashboard`` starts it with the store in ``$SYNCTEL_STORE`` and, for live mode, the
refresh interval in ``$SYNCTEL_DASHBOARD_LIVE``. The pages only lay out widgets; reads are in
:mod:`dashboards.queries` and :mod:`dashboards.queries_detail`, charts in
:mod:`dashboards.charts`.
"""

from __future__ import annotations

import sys
from pathlib import Path

# `streamlit run dashboards/app.py` puts dashboards/ on sys.path, not the repository root.
ROOT = str(Path(__file__).resolve().parent.parent)
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

import streamlit as st  # noqa: E402

from dashboards import context, filters, queries, ui  # noqa: E402

# Not named pages/: that folder name turns on Streamlit's older multipage mode.
PAGES = Path(__file__).resolve().parent / "app_pages"

st.set_page_config(page_title="synctel — sync health", page_icon=":material/sync:", layout="wide")
navigation = st.navigation(
    [
        st.Page(
            PAGES / "overview.py",
            title="Overview",
            icon=":material/monitoring:",
            url_path="overview",
            default=True,
        ),
        st.Page(
            PAGES / "profiles_tables.py",
            title="Profiles × tables",
            icon=":material/grid_on:",
            url_path="profiles-tables",
        ),
        st.Page(PAGES / "errors.py", title="Errors", icon=":material/error:", url_path="errors"),
        st.Page(
            PAGES / "conflicts.py", title="Conflicts", icon=":material/merge:", url_path="conflicts"
        ),
        st.Page(
            PAGES / "performance.py",
            title="Performance",
            icon=":material/speed:",
            url_path="performance",
        ),
        st.Page(
            PAGES / "devices.py", title="Devices", icon=":material/smartphone:", url_path="devices"
        ),
        st.Page(
            PAGES / "sync_details.py",
            title="Sync details",
            icon=":material/receipt_long:",
            url_path="sync-details",
        ),
        st.Page(
            PAGES / "advisor.py",
            title="Advisor",
            icon=":material/tips_and_updates:",
            url_path="advisor",
        ),
    ]
)
store = context.store_path()
ready = queries.state(store) is queries.StoreState.READY
filters.sidebar(store, ready)
st.sidebar.caption(f"Store: {ui.code(store)}")
live = context.live_seconds()
if live:
    st.sidebar.caption(f"Live: checking for new data every {live:g} s")
    st.fragment(run_every=live)(context.rerun_on_new_data)()
navigation.run()
