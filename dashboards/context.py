"""What every page needs: the store, live mode, cached reads, and the period the filters resolve to.

The store folder and the live interval come from environment variables, which
``synctel dashboard`` sets for the Streamlit process. Reads go through :func:`load`, which
caches a query's frame until the store's data changes (:func:`dashboards.queries.data_stamp`),
so a rerun that changes nothing reads nothing, and live mode reads only when new data landed.

A custom range's days are clamped to :data:`FIRST_DAY` … :data:`LAST_DAY` (the sidebar's day
inputs offer no others, and :func:`resolve` clamps again), so no date arithmetic overflows.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, Final, ParamSpec, TypeVar

import streamlit as st

from dashboards import queries
from ingest.scope import Filters
from vocabulary.settings import ENV_DASHBOARD_LIVE, default_store

VIEW_KEY: Final = "_synctel_selection"
"""Session-state key where the sidebar leaves its :class:`Selection` for the pages."""

FIRST_DAY: Final = date(1970, 1, 1)
"""The earliest day a custom range can start; an earlier day is clamped to it (telemetry
timestamps are Unix times: nothing is older)."""
LAST_DAY: Final = date(2999, 12, 31)
"""The latest day a custom range can end; a later day is clamped to it. Far enough from
``date.max`` that the day after the range, the period before it and the slack after it
(:data:`ingest.scope.PASS_SLACK`) are all still dates."""

P = ParamSpec("P")
R = TypeVar("R")


def store_path() -> Path:
    """The store folder the dashboard reads."""
    return default_store().expanduser()


def live_seconds() -> float:
    """The live refresh interval in seconds; 0 when live mode is off (or the value is bad)."""
    try:
        value = float(os.environ.get(ENV_DASHBOARD_LIVE) or 0)
    except ValueError:
        return 0.0
    return value if value > 0 else 0.0


@st.cache_data(show_spinner=False, max_entries=1024)
def _cached(name: str, store: str, stamp: float, args: tuple[Any, ...]) -> Any:
    del stamp  # part of the cache key only: new data, new entry
    module, _, attr = name.rpartition(".")
    fn = getattr(__import__(module, fromlist=[attr]), attr)
    return fn(Path(store), *args)


def load(fn: Callable[..., R], *args: Any) -> R:
    """``fn(store, *args)`` for a query function of :mod:`dashboards.queries` or
    :mod:`dashboards.queries_detail`, cached until the store's data changes."""
    store = store_path()
    result: R = _cached(
        f"{fn.__module__}.{fn.__name__}", str(store), queries.data_stamp(store), args
    )
    return result


@dataclass(frozen=True)
class Selection:
    """What the sidebar widgets hold (resolved against the store's clock by :func:`resolve`)."""

    preset: str
    """Time range preset: ``24h``, ``7d``, ``30d``, ``all`` or ``custom``."""
    first_day: date | None
    """First day of a custom range (UTC)."""
    last_day: date | None
    """Last day of a custom range, included (UTC)."""
    narrowing: Filters
    """The filters other than time (profiles, tables, modes, versions, OS, networks)."""
    notes: tuple[str, ...] = ()
    """Warnings (Markdown, values escaped) about days in the URL that were clamped or ignored,
    shown on every page that reads the range while the day inputs still hold those days."""


@dataclass(frozen=True)
class Period:
    """The filters of one page render and the period before it, for comparisons."""

    filters: Filters
    """Every filter, time range included."""
    previous: Filters | None
    """The same filters over the period just before (None for all time)."""
    as_of: datetime
    """The end of the period (or the last event, for all time): staleness is measured here."""
    label: str
    """The period in words, e.g. ``2024-05-03 09:00 to 2024-05-10 09:00 UTC``."""


def resolve(selection: Selection, last: datetime) -> Period:
    """The period a selection means, given the store's last event ``last``."""
    narrowing = selection.narrowing
    if selection.preset == "custom" and selection.first_day and selection.last_day:
        start = datetime.combine(clamp_day(selection.first_day), time())
        end = datetime.combine(clamp_day(selection.last_day), time()) + timedelta(days=1)
        bounds: tuple[datetime, datetime] | None = (start, end)
    else:
        bounds = queries.period(last, selection.preset)
    if bounds is None:
        return Period(narrowing, None, last, f"all time, to {last:%Y-%m-%d %H:%M} UTC")
    start, end = bounds
    filters = Filters(start, end, *_rest(narrowing))
    label = f"{start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M} UTC"
    return Period(filters, filters.previous(), end, label)


def clamp_day(day: date) -> date:
    """``day``, or the nearer of :data:`FIRST_DAY` and :data:`LAST_DAY` when it is outside them."""
    return min(max(day, FIRST_DAY), LAST_DAY)


def _rest(f: Filters) -> tuple[tuple[str, ...], ...]:
    return (f.profiles, f.tables, f.modes, f.app_versions, f.os_names, f.networks)


def selection() -> Selection:
    """The sidebar's current selection (all time, nothing narrowed, before the sidebar ran)."""
    found = st.session_state.get(VIEW_KEY)
    return found if isinstance(found, Selection) else Selection("all", None, None, Filters())


STAMP_KEY: Final = "_synctel_data_stamp"
"""Session-state key of the data stamp the page was last drawn from."""


def rerun_on_new_data() -> None:
    """Live mode's fragment body: rerun the whole app when the store's data changed.

    Runs every few seconds (``st.fragment(run_every=…)``); it only stats the store's folders,
    so an idle store costs no query, and a rerun reads only what changed (the caches are keyed
    by the data stamp).
    """
    stamp = queries.data_stamp(store_path())
    seen = st.session_state.setdefault(STAMP_KEY, stamp)
    if stamp != seen:
        st.session_state[STAMP_KEY] = stamp
        st.rerun()
