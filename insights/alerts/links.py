"""Links from an alert to the dashboard page showing its view, with the sidebar's filters set.

The dashboard keeps its filters in the query string (:mod:`dashboards.filters`): ``range``
(``custom`` with ``from``/``to`` UTC days, so the link shows the alert's window however late it
is opened), and one parameter per multi-select (``profile``, ``table``, ``mode``, ``app``,
``os``, ``net``). Both take the names from :mod:`ingest.scope` (importing
:mod:`dashboards.filters` would import Streamlit).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, Final
from urllib.parse import urlencode

from ingest.scope import FROM_PARAM, QUERY_PARAMS, RANGE_PARAM, TO_PARAM

DEFAULT_DASHBOARD_URL: Final = "http://127.0.0.1:8501"
"""Where ``synctel dashboard`` serves by default."""
PAGES: Final = {
    "health_by_profile_table": "profiles-tables",
    "table_syncs": "profiles-tables",
    "errors_summary": "errors",
    "conflicts_by_table": "conflicts",
    "payload_by_mode": "performance",
    "device_status": "devices",
    "sync_runs": "sync-details",
    "daily_health": "overview",
    "skips_by_reason": "overview",
}
"""View -> the ``url_path`` of the dashboard page that shows it (others: the Overview)."""
FILTER_PARAMS: Final = {
    "profile": QUERY_PARAMS["profiles"],
    "table_name": QUERY_PARAMS["tables"],
    "mode": QUERY_PARAMS["modes"],
    "app_version": QUERY_PARAMS["app_versions"],
    "os_name": QUERY_PARAMS["os_names"],
    "network_type": QUERY_PARAMS["networks"],
}
"""View column -> the dashboard's query parameter that filters on it."""


def dashboard_link(
    base: str,
    view: str,
    columns: Iterable[tuple[str, Any]],
    start: dt.datetime,
    end: dt.datetime,
) -> str:
    """The page of ``view`` over the UTC days ``start`` .. ``end`` touches, filtered on the
    ``columns`` (the alert's ``where`` and instance key) the dashboard has a filter for."""
    last = (end - dt.timedelta(microseconds=1)).date() if end > start else end.date()
    params: list[tuple[str, str]] = [
        (RANGE_PARAM, "custom"),
        (FROM_PARAM, start.date().isoformat()),
        (TO_PARAM, last.isoformat()),
    ]
    for column, value in columns:
        param = FILTER_PARAMS.get(column)
        if param is not None and value is not None and (param, str(value)) not in params:
            params.append((param, str(value)))
    page = PAGES.get(view, "overview")
    return f"{base.rstrip('/')}/{page}?{urlencode(params)}"
