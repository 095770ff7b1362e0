"""Markdown injection (issue 17, item 4): values from the URL and from stored telemetry reach the
elements that render Markdown escaped, by :func:`dashboards.ui.md` (text) and
:func:`dashboards.ui.code` (paths and commands shown as code).

First the two helpers' properties (Hypothesis), then AppTest on every page of a store whose
free-text telemetry is markup, opened with markup in its query parameters. The browser's side
(no link, image or formatting in the real page) is ``test_browser.py``'s.
"""

from __future__ import annotations

import re
import shlex
import string
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dashboards.ui import code, md
from tests.dashboards.helpers import (
    EVIL,
    EVIL_SYNC,
    RAW_MARKUP,
    hostile_advice_store,
    raw_markup,
    shown,
    sources,
)

TEXT = st.one_of(
    st.text(st.characters(exclude_characters="\u2060")),
    st.text(st.sampled_from([*string.punctuation, "a", "1", " ", "\n", "\r", "\t", "é"])),
)
"""Any text (without word joiners, which md adds), and text made mostly of punctuation."""
ESCAPE_PAIR = re.compile(r"\\[!-/:-@\[-`{-~]")


def one_line(text: str) -> str:
    return re.sub(r"\r\n?|\n", " ", text)


@given(TEXT)
def test_md_shows_the_text_and_leaves_nothing_to_render(text: str) -> None:
    source = md(text)
    assert shown(source) == one_line(text)
    bare = ESCAPE_PAIR.sub("", source)
    assert not set(string.punctuation) & set(bare), "every ASCII punctuation mark is escaped"
    assert not {"\n", "\r"} & set(source), "no second block can start"
    assert source.count("\\:\u2060") == text.count(":"), "no colon can open a shortcode"


@given(TEXT)
def test_code_span_holds_the_text_and_nothing_inside_closes_it(text: str) -> None:
    span = code(text)
    flat = one_line(text)
    if not flat:
        assert span == ""
        return
    fence = re.match("`+", span)
    assert fence is not None
    assert span.endswith(fence.group())
    inner = span[len(fence.group()) : -len(fence.group())]
    assert not inner.startswith("`")
    assert not inner.endswith("`")
    assert len(fence.group()) not in {len(run) for run in re.findall("`+", inner)}
    assert "\n" not in span
    assert "\r" not in span
    stripped = inner.startswith(" ") and inner.endswith(" ") and inner.strip(" ")
    assert (inner[1:-1] if stripped else inner) == flat  # CommonMark's one-space strip


HOSTILE_URL = {
    "range": "custom",
    "from": EVIL,
    "to": "2024-05-09",
    "device": EVIL,
    "sync": EVIL_SYNC,
    "drill_profile": EVIL,
    "drill_table": EVIL,
}
"""Markup in every query parameter a page reads (``from`` is not a day: it is ignored)."""
DAY_NOTE = f"The link's day from={EVIL} is not a day (YYYY-MM-DD): it is ignored."
SHOWN = {
    "app_pages/overview.py": [
        f"**{EVIL}** · profile={EVIL}, table_name={EVIL}: success_rate 0 < 0.95 over 1h",
        DAY_NOTE,
    ],
    "app_pages/profiles_tables.py": [
        f"{EVIL} in {EVIL}",
        f"Download {EVIL}_daily (CSV)",
        DAY_NOTE,
    ],
    "app_pages/errors.py": [DAY_NOTE],
    "app_pages/conflicts.py": [DAY_NOTE],
    "app_pages/performance.py": [DAY_NOTE],
    "app_pages/devices.py": [
        f"Timeline of {EVIL}",
        f"Download passes_{EVIL} (CSV)",
        DAY_NOTE,
    ],
    "app_pages/sync_details.py": [
        f"Device {EVIL} · user {EVIL} · {EVIL} · started 2024-05-09 11:00:00 UTC · {EVIL} {EVIL}",
        f"{EVIL} 2005: {EVIL} (table {EVIL})",
        f"Download tables_{EVIL_SYNC} (CSV)",
        DAY_NOTE,
    ],
    "app_pages/advisor.py": [f"Profiles: {EVIL} (unknown)"],
}
"""Per page, texts a reader must see with the markup as plain characters."""


@pytest.mark.parametrize("page", list(SHOWN))
def test_every_page_shows_hostile_values_as_text(open_app, hostile: Path, page: str) -> None:
    at = open_app(hostile, page, **HOSTILE_URL)
    assert raw_markup(at) == []
    seen = [shown(source) for source in sources(at)]
    for text in SHOWN[page]:
        assert any(text in s for s in seen), f"{text!r} not in {seen!r}"


def test_sync_details_metric_values_are_escaped(open_app, hostile: Path) -> None:
    at = open_app(hostile, "app_pages/sync_details.py", sync=EVIL_SYNC, range="all")
    mode = next(m for m in at.metric if m.label == "Mode")
    assert [piece for piece in RAW_MARKUP if piece in mode.value] == []
    assert shown(mode.value) == EVIL


def test_unknown_sync_id_and_device_in_the_url_are_escaped(open_app, store) -> None:
    s = store("incident")
    at = open_app(s, "app_pages/sync_details.py", sync=EVIL)
    assert [w.value for w in at.warning] == [f"No pass with sync id {md(EVIL)} in this store."]
    assert raw_markup(at) == []
    at = open_app(s, "app_pages/devices.py", device=EVIL)
    assert [h.value for h in at.subheader] == [f"Timeline of {md(EVIL)}"]
    assert "No passes of this device in this filter" in " ".join(i.value for i in at.info)
    assert raw_markup(at) == []


def test_a_store_path_with_backticks_stays_inside_its_code_span(open_app, tmp_path: Path) -> None:
    folder = tmp_path / "st``ore **b** [x](http:127.0.0.1) $x$"
    at = open_app(folder)
    [info] = [i.value for i in at.info]
    quoted = shlex.quote(str(folder))
    assert info.startswith(f"**No store at {code(folder)} yet.**")
    assert f"```synctel demo --store {quoted}```" in info
    assert f"Store: {code(folder)}" in [c.value for c in at.caption]


def test_advice_about_a_hostile_profile_and_table_is_escaped(open_app, tmp_path: Path) -> None:
    at = open_app(hostile_advice_store(tmp_path / "store"), "app_pages/advisor.py")
    assert raw_markup(at) == []
    label = f"1. [warning] interval-longer-than-needed: {EVIL} / {EVIL}"
    assert shown(at.expander[0].label) == label
    texts = [shown(m.value) for m in at.markdown]
    assert any(t.startswith(f"{EVIL} syncs every 5 min but") for t in texts)
    assert any(t.startswith(f"**Action:** set {EVIL}'s interval") for t in texts)
