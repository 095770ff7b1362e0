"""The global sidebar filters, kept in the URL's query string so a link reproduces the view.

On a session's first run each widget starts from its query parameter (unknown values are
dropped); on every run the widgets' values are written back to ``st.query_params``. Values
chosen here reach SQL only as bound parameters (:mod:`ingest.scope`).

A custom range's ``from``/``to`` days are clamped, or refused, never an error: a day before
:data:`~dashboards.context.FIRST_DAY` or after :data:`~dashboards.context.LAST_DAY` is
clamped to that bound, and text that is not a ``YYYY-MM-DD`` day is ignored (the day input
starts empty). Either way the page renders and warns, naming the parameter and its value.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Final

import streamlit as st

from dashboards import queries
from dashboards.context import FIRST_DAY, LAST_DAY, VIEW_KEY, Selection, clamp_day, load
from dashboards.ui import md
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
NOTES_KEY: Final = "_synctel_day_notes"
"""Session-state key: day input key -> (warning about the URL's day, the day it set)."""


def url_day(param: str, text: str | None) -> tuple[date | None, str | None]:
    """The day that URL parameter ``param`` (text ``text``) sets a day input to, and a warning
    when the text could not be used as it is: clamped into ``FIRST_DAY`` … ``LAST_DAY``, or
    refused (None) when it is not a ``YYYY-MM-DD`` day."""
    if not text:
        return None, None
    shown = f"{param}={md(text)}"
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return None, (
            f"The link's day {shown} is not a day (YYYY-MM-DD): it is ignored. "
            "Pick the day in the sidebar."
        )
    kept = clamp_day(day)
    if kept != day:
        return kept, (
            f"The link's day {shown} is outside {FIRST_DAY} to {LAST_DAY}: {kept} is used instead."
        )
    return day, None


def _day_input(label: str, key: str, param: str) -> tuple[date | None, str | None]:
    """A day input that starts (first run) from URL parameter ``param``: its day, and the
    warning about the URL's day while the input still holds the day that warning is about."""
    notes: dict[str, tuple[str, date | None]] = st.session_state.setdefault(NOTES_KEY, {})
    if key not in st.session_state:
        day, note = url_day(param, st.query_params.get(param))
        st.session_state[key] = day
        if note:
            notes[key] = (note, day)
    picked = st.sidebar.date_input(label, key=key, min_value=FIRST_DAY, max_value=LAST_DAY)
    day = picked if isinstance(picked, date) else None
    note, about = notes.get(key, (None, None))
    return day, note if about == day else None


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
    notes: tuple[str, ...] = ()
    if choice == "custom":
        first, from_note = _day_input("From (UTC day)", "f_from", FROM_PARAM)
        last, to_note = _day_input("To (UTC day, included)", "f_to", TO_PARAM)
        notes = tuple(note for note in (from_note, to_note) if note)
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
        first,
        last,
        Filters(
            profiles=chosen["profiles"],
            tables=chosen["tables"],
            modes=chosen["modes"],
            app_versions=chosen["app_versions"],
            os_names=chosen["os_names"],
            networks=chosen["networks"],
        ),
        notes,
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
