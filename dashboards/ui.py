"""Widgets the pages share: the page's period (or an empty state), headline figures, tables
with a CSV download, the "no data in this filter" note, and :func:`md` / :func:`code`, through
which every value from outside reaches an element that renders Markdown."""

from __future__ import annotations

import math
import re
import shlex
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final

import polars as pl
import streamlit as st

from dashboards import queries
from dashboards.context import Period, load, resolve, selection, store_path
from dashboards.queries import StoreState

_PUNCTUATION: Final = re.compile(r"[!-/:-@\[-`{-~]")
"""Every ASCII punctuation character (CommonMark shows each literally after a backslash)."""
_LINE_BREAK: Final = re.compile(r"\r\n?|\n")
_WORD_JOINER: Final = "\u2060"


def md(value: object) -> str:
    """``value`` as Markdown source that shows exactly its text, with nothing rendered.

    For every value that came from outside (the URL's query parameters, stored telemetry such
    as profile, table and device names, error messages, alert state, file paths) on its way to
    an element that renders Markdown: ``st.markdown``, ``st.caption``, ``st.subheader``,
    ``st.info``/``warning``/``error``, ``st.metric`` values, ``st.table`` cells, expander and
    button labels. Each ASCII punctuation character gets a backslash, so no link, image, code
    span, emphasis, HTML, heading, list, table, math (``$``) or Streamlit directive
    (``:red[…]``) can form; line breaks become spaces, so no new block starts; and each colon is
    followed by an invisible word joiner, because Streamlit turns ``:streamlit:``,
    ``:material_…:`` and emoji shortcodes into images after the escapes are resolved. Not for
    dataframes and charts, which show text as it is.
    """
    flat = _LINE_BREAK.sub(" ", str(value))
    return _PUNCTUATION.sub(_escape, flat)


def _escape(found: re.Match[str]) -> str:
    mark = found.group()
    return f"\\{mark}{_WORD_JOINER}" if mark == ":" else f"\\{mark}"


def code(value: object) -> str:
    """``value`` as an inline code span that its own backticks cannot close early.

    Backslash escapes do not work inside code spans, so this is :func:`md`'s counterpart for
    text shown as code (a path, a command): the fence is one backtick longer than the longest
    run of backticks in the text, a space pads text that starts or ends with a backtick or a
    space (CommonMark strips one from each side), and line breaks become spaces.
    """
    flat = _LINE_BREAK.sub(" ", str(value))
    if not flat:
        return ""
    fence = "`" * (max((len(run) for run in re.findall("`+", flat)), default=0) + 1)
    pad = " " if flat.strip(" ") and (flat[0] in "` " or flat[-1] in "` ") else ""
    return f"{fence}{pad}{flat}{pad}{fence}"


def empty_state(state: StoreState) -> None:
    """Say why there is nothing to show and what to run to get data."""
    store = store_path()
    where = code(store)
    option = f"--store {shlex.quote(str(store))}"
    if state is StoreState.MISSING:
        st.info(
            f"**No store at {where} yet.** Fill one with a simulated fleet: "
            f"{code(f'synctel demo {option}')}, "
            f"or load telemetry with {code(f'synctel load FILE… {option}')}, or receive it "
            f"with {code(f'synctel serve {option}')}. Then reload this page.",
            icon=":material/database:",
        )
    elif state is StoreState.BROKEN:
        st.error(
            f"**The store's catalog at {where} cannot be read.** Restart "
            f"{code(f'synctel dashboard {option}')} (it rebuilds the catalog), or check the "
            f"store with {code(f'synctel query {option} --list')}.",
            icon=":material/error:",
        )
    else:
        st.info(
            f"**The store at {where} has no events yet.** Simulate a fleet with "
            f"{code(f'synctel simulate {option}')}, load files with "
            f"{code(f'synctel load FILE… {option}')}, or point devices at "
            f"{code(f'synctel serve {option}')}. Live mode (`synctel dashboard --live 5`) "
            "shows them as they arrive.",
            icon=":material/hourglass_empty:",
        )


def page_period() -> Period:
    """The period this render shows; draws the empty state and stops when there is no data,
    and warns about days in the URL that were clamped or ignored (:mod:`dashboards.filters`)."""
    state = queries.state(store_path())
    if state is not StoreState.READY:
        empty_state(state)
        st.stop()
    found = load(queries.clock)
    assert found is not None  # a ready store has events
    chosen = selection()
    for note in chosen.notes:
        st.warning(note, icon=":material/event_busy:")
    period = resolve(chosen, found[1])
    st.caption(f"Period: {period.label}")
    return period


def no_data(what: str = "passes") -> None:
    """The note shown when the filters leave nothing to show."""
    st.info(
        f"No {what} in this filter. Widen the time range or clear some filters in the sidebar.",
        icon=":material/filter_alt_off:",
    )


def require(frame: pl.DataFrame, what: str = "passes") -> None:
    """Stop the page with the no-data note when the filters leave ``frame`` empty."""
    if frame.is_empty():
        no_data(what)
        st.stop()


def choice(label: str, options: dict[str, str], default: str, key: str) -> str:
    """A segmented control over ``options`` (value → label); ``default`` when none is picked."""
    picked: str | None = st.segmented_control(
        label, list(options), format_func=options.__getitem__, default=default, key=key
    )
    return picked or default


def _csv(frame: pl.DataFrame) -> bytes:
    flat = frame.with_columns(
        pl.col(c).cast(pl.List(pl.String)).list.join(", ")
        for c, t in frame.schema.items()
        if isinstance(t, pl.List)
    )
    return flat.write_csv().encode()


def table(
    frame: pl.DataFrame,
    name: str,
    *,
    key: str,
    select: bool = False,
    column_config: Mapping[str, Any] | None = None,
) -> list[int]:
    """Show ``frame`` with a CSV download button; with ``select``, one row can be picked and
    its index is returned (empty when none is)."""
    event = st.dataframe(
        frame,
        hide_index=True,
        column_config=dict(column_config or {}),
        key=key,
        on_select="rerun" if select else "ignore",
        selection_mode="single-row",
    )
    st.download_button(
        f"Download {md(name)} (CSV)",
        _csv(frame),
        file_name=f"{name}.csv",
        mime="text/csv",
        key=f"{key}_csv",
        icon=":material/download:",
    )
    if not select:
        return []
    rows: list[int] = list(event.selection.rows)  # type: ignore[union-attr]
    return rows


def fmt(value: float | None, kind: str) -> str:
    """A headline figure in words: ``pct`` (a 0..1 rate), ``s`` (from ms) or ``n`` (a count)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if kind == "pct":
        return f"{value * 100:.1f} %"
    if kind == "s":
        return f"{value / 1000:.1f} s"
    return f"{value:,.0f}"


def when(value: object) -> str:
    """A timestamp to the minute (``2024-05-09 07:00``), or a dash when there is none."""
    return value.strftime("%Y-%m-%d %H:%M") if isinstance(value, datetime) else "–"


def delta(now: float | None, before: float | None, kind: str) -> str | None:
    """The change against the previous period, in the figure's unit (None when unknown)."""
    diff = queries.change(now, before)
    if diff is None:
        return None
    if kind == "pct":
        return f"{diff * 100:+.1f} pt"
    if kind == "s":
        return f"{diff / 1000:+.1f} s"
    return f"{diff:+,.0f}"


DRILL_PARAMS = ("drill_profile", "drill_table")
"""Query parameters naming the profile and table the Profiles x tables page drills into."""


def drill_target(matrix: pl.DataFrame, picked: list[int]) -> int | None:
    """The matrix row to drill into: the selected row (remembered in the URL), else the row the
    URL names; None when neither is."""
    params = st.query_params
    if picked:
        row = matrix.row(picked[0], named=True)
        params[DRILL_PARAMS[0]] = row["profile"]
        params[DRILL_PARAMS[1]] = row["table_name"]
        return picked[0]
    profile, table = (params.get(name) for name in DRILL_PARAMS)
    for index, cell in enumerate(matrix.select("profile", "table_name").iter_rows()):
        if cell == (profile, table):
            return index
    return None
