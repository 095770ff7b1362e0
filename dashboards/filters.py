"""The global sidebar filters, kept in the URL's query string so a link reproduces the view.

On a session's first run each widget starts from its query parameter (unknown values are
dropped); on every run the widgets' values are written back to ``st.query_params``. Values
chosen here reach SQL only as bound parameters (:mod:`ingest.scope`).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Final

import streamlit as st

from dashboards import queries
from dashboards.context import VIEW_KEY, Selection, load
from ingest.scope import FROM_PARAM, QUERY_PARAMS, RANGE_PARAM, TO_PARAM, Filters

PRESETS: Final = {
    "24h": "Last 24 hours",
    "7d": "Last 7 days",
    "30d": "Last 30 days",
    "all": "All time",
    "custom": "Custom days",
}
"""Time range presets (query value -> label); ranges end at the store's last event."""
DEFAULT_PRESET: Final = "7d"
"""The time range when the URL names none."""
MULTI: Final = {
    "profiles": (QUERY_PARAMS["profiles"], "Profile"),
    "tables": (QUERY_PARAMS["tables"], "Table"),
    "modes": (QUERY_PARAMS["modes"], "Sync mode"),
    "app_versions": (QUERY_PARAMS["app_versions"], "App version"),
    "os_names": (QUERY_PARAMS["os_names"], "OS"),
    "networks": (QUERY_PARAMS["networks"], "Network"),
}
"""Filter field -> (query parameter, label); the parameter names (and ``RANGE_PARAM``,
``FROM_PARAM``, ``TO_PARAM``) are :mod:`ingest.scope`'s, which alert links use too."""


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _init(key: str, value: object) -> None:
    if key not in st.session_state:
        st.session_state[key] = value


def sidebar(store: Path, ready: bool) -> Selection:
    """Draw the filters in the sidebar, sync them with the URL, and return the selection."""
    params = st.query_params
    preset = params.get(RANGE_PARAM, DEFAULT_PRESET)
    _init("f_range", preset if preset in PRESETS else DEFAULT_PRESET)
    side = st.sidebar
    side.header("Filters")
    choice = side.selectbox(
        "Time range",
        list(PRESETS),
        format_func=PRESETS.__getitem__,
        key="f_range",
        help="Ranges end at the store's newest event, so loaded history reads the same later.",
    )
    first = last = None
    if choice == "custom":
        _init("f_from", _day(params.get(FROM_PARAM)))
        _init("f_to", _day(params.get(TO_PARAM)))
        first = side.date_input("From (UTC day)", key="f_from")
        last = side.date_input("To (UTC day, included)", key="f_to")
    chosen: dict[str, tuple[str, ...]] = {}
    options = load(queries.choices) if ready else {name: [] for name in MULTI}
    for name, (param, label) in MULTI.items():
        key = f"f_{param}"
        _init(key, [v for v in params.get_all(param) if v in options[name]])
        picked = side.multiselect(label, options[name], key=key, placeholder="All")
        chosen[name] = tuple(picked)
    _write_params(choice, first, last, chosen)
    found = Selection(
        choice,
        first if isinstance(first, date) else None,
        last if isinstance(last, date) else None,
        Filters(
            profiles=chosen["profiles"],
            tables=chosen["tables"],
            modes=chosen["modes"],
            app_versions=chosen["app_versions"],
            os_names=chosen["os_names"],
            networks=chosen["networks"],
        ),
    )
    st.session_state[VIEW_KEY] = found
    return found


def _write_params(
    preset: str, first: object, last: object, chosen: dict[str, tuple[str, ...]]
) -> None:
    params = st.query_params
    wanted: dict[str, str | list[str]] = {RANGE_PARAM: preset}
    if preset == "custom":
        if isinstance(first, date):
            wanted[FROM_PARAM] = first.isoformat()
        if isinstance(last, date):
            wanted[TO_PARAM] = last.isoformat()
    for name, (param, _) in MULTI.items():
        if chosen[name]:
            wanted[param] = list(chosen[name])
    ours = {RANGE_PARAM, FROM_PARAM, TO_PARAM} | {param for param, _ in MULTI.values()}
    for key in ours - set(wanted):
        if key in params:
            del params[key]
    for key, value in wanted.items():
        current = params.get_all(key)
        if current != (value if isinstance(value, list) else [value]):
            params[key] = value
