"""Plain helpers for the dashboard tests: what a reader sees of a Markdown element, every
Markdown source an AppTest page holds, and the hostile telemetry of the injection tests.

:func:`shown` decodes by CommonMark's rule on its own (a backslash before ASCII punctuation
stands for that character), so a test that compares ``shown(value)`` with the raw text checks
:func:`dashboards.ui.md` against the rule, not against itself.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from streamlit.testing.v1 import AppTest

from ingest.store import Store
from insights.alerts.rules import parse_rules
from insights.alerts.runner import Runner, Settings
from tests.insights.advisor.fleets import ASSET, PROFILE, Knobs, routine
from tests.insights.alerts.helpers import Clock
from tests.sql.fleet import Fleet
from tests.stores import to_arrow
from vocabulary.contract import ErrorCode, Event, Result, SyncMode

APP = str(Path(__file__).parents[2] / "dashboards" / "app.py")
"""The dashboard's main script, for ``AppTest.from_file``."""

ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
"""A backslash escape of one ASCII punctuation character (CommonMark, "Backslash escapes")."""

EVIL = (
    "[x](http://127.0.0.1/evil) ![i](http://127.0.0.1/i.png) `code` **b** "
    ":red[c] :streamlit: :material/home: :smile: <b>h</b> $x^2$"
)
"""A value that renders as a link, an image, code, bold, a coloured span, the Streamlit logo,
an icon, an emoji, HTML and math if it reaches Markdown unescaped (every address is loopback)."""
RAW_MARKUP = (
    "[x](http://127.0.0.1/evil)",
    "![i](http://127.0.0.1/i.png)",
    "`code`",
    "**b**",
    ":red[",
    ":streamlit:",
    ":material/home:",
    ":material_home:",
    ":smile:",
    "<b>",
    "$x^2$",
)
"""Pieces of :data:`EVIL` that must never appear as they are in a Markdown source."""
EVIL_SYNC = "s-[x](http://127.0.0.1/evil)"
"""A stored pass's sync id (sync ids are telemetry too)."""
EVIL_DAY = datetime(2024, 5, 9, 11, 0)
"""When the hostile store's passes start."""


def shown(source: str) -> str:
    """The text a reader sees of Markdown source whose values went through ``ui.md``: escapes
    resolved and invisible word joiners dropped (the page's own markup, such as ``**``, stays)."""
    return ESCAPE.sub(r"\1", source).replace("\u2060", "")


def sources(at: AppTest) -> list[str]:
    """Every Markdown source on the page: texts, headings, alerts, metric labels and values,
    expander and button labels, and ``st.table`` cells (all of them render Markdown)."""
    found: list[str] = []
    for kind in ("markdown", "caption", "title", "header", "subheader"):
        found += [e.value for e in at.get(kind)]
    for kind in ("info", "warning", "error", "success"):
        found += [e.value for e in at.get(kind)]
    for m in at.metric:
        found += [m.label, m.value]
    found += [e.label for e in at.expander]
    found += [b.proto.label for b in at.get("download_button")]
    for table in at.table:
        found += [str(cell) for cell in table.value.to_numpy().ravel()]
    return found


def raw_markup(at: AppTest) -> list[tuple[str, str]]:
    """``(piece, source)`` for every piece of :data:`RAW_MARKUP` found unescaped on the page."""
    return [(piece, s) for s in sources(at) for piece in RAW_MARKUP if piece in s]


def hostile_store(folder: Path) -> Path:
    """A store whose telemetry is :data:`EVIL` wherever it is free text: profile, table, device,
    user, OS, model, app version, network, sync mode, failure type and error message. One pass
    (:data:`EVIL_SYNC`) fails on the evil table, another succeeds; then an alert rule named
    :data:`EVIL` fires on the evil profile and table (its state is kept in the store)."""
    fleet = Fleet()
    device = fleet.device(
        EVIL,
        EVIL,
        profile=EVIL,
        os_name=EVIL,
        os_version=EVIL,
        device_model=EVIL,
        app_version=EVIL,
        network_type=EVIL,
    )
    t0 = EVIL_DAY
    device.started(EVIL_SYNC, t0, mode=EVIL)  # type: ignore[arg-type]
    table: dict[str, Any] = {"sync_id": EVIL_SYNC, "table_name": EVIL, "interval_minutes": 15}
    device.event(Event.TABLE, t0 + timedelta(seconds=1), result=str(Result.FAILURE), **table)
    device.failed(
        EVIL_SYNC,
        t0 + timedelta(seconds=2),
        failure_type=EVIL,
        error_code=ErrorCode.SERVER,
        message=EVIL,
        duration_ms=2000,
        active_duration_ms=2000,
        table=EVIL,
    )
    ok = "s-ok"
    device.started(ok, t0 + timedelta(minutes=5), mode=SyncMode.DELTA_SYNC)
    done = t0 + timedelta(minutes=5, seconds=3)
    device.completed(ok, done, duration_ms=3000, active_duration_ms=3000)
    Store.open(folder).append_events(to_arrow(fleet))
    rule = (
        f'[[alert]]\nname = {json.dumps(EVIL)}\nview = "health_by_profile_table"\n'
        'metric = "success_rate"\nop = "<"\nthreshold = 0.95\nwindow = "1h"\nfor = "0s"\n'
    )
    runner = Runner(Settings(folder, parse_rules(rule)), clock=Clock(t0 + timedelta(hours=1)))
    assert len(runner.round().firing) == 1
    runner.close(0.5)
    return folder


def hostile_advice_store(folder: Path) -> Path:
    """The advisor tests' fleet whose assets sync every 5 minutes but change once a day (one
    recommendation), with :data:`EVIL` as the profile's and the asset table's names."""
    fleet = Fleet()
    routine(fleet, Knobs(asset_change_every=96))
    renames = {"profile": {PROFILE: EVIL}, "table_name": {ASSET: EVIL}}
    for row in fleet.events:
        for column, names in renames.items():
            row[column] = names.get(row.get(column), row.get(column))
    Store.open(folder).append_events(to_arrow(fleet))
    return folder
