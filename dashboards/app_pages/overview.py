"""Overview: is sync healthy? Firing alerts with their severity, SLO error budgets and
Alertmanager's silences, headline figures against the previous period, and the trends."""

from typing import Literal

import streamlit as st

from dashboards import charts, queries, ui
from dashboards.context import load, store_path
from insights.alerts.silences import read_silences
from insights.alerts.summary import read_summary

Colour = Literal["normal", "inverse", "off"]
HEADLINES: tuple[tuple[str, str, str, Colour], ...] = (
    ("success_rate", "Success rate", "pct", "normal"),
    ("passes", "Passes", "n", "off"),
    ("active_devices", "Active devices", "n", "off"),
    ("p95_duration_ms", "p95 duration", "s", "inverse"),
    ("failures", "Failures", "n", "inverse"),
    ("conflicts", "Conflicts", "n", "inverse"),
    ("skips", "Skipped syncs", "n", "inverse"),
    ("stale_devices", "Stale devices", "n", "inverse"),
)

st.title("Sync health")
alerts = read_summary(store_path())  # written by `synctel alerts check|watch`
if alerts is not None and alerts.problem:
    st.warning(f"Alert state cannot be read: {ui.md(alerts.problem)}", icon=":material/warning:")
elif alerts is not None and alerts.firing:
    st.subheader(f"Firing alerts ({len(alerts.firing)})")
    for alert in alerts.firing:
        link = f" · [open]({alert.link})" if alert.link else ""
        severity = f"{ui.md(alert.severity)} · " if alert.severity else ""
        st.error(
            f"**{ui.md(alert.name)}** · {severity}{ui.md(alert.describe())}{link}",
            icon=":material/notifications:",
        )
elif alerts is not None:
    st.caption(f"Alerts: none firing (last checked {ui.md(alerts.checked_at)}).")
if alerts is not None and alerts.budgets:
    st.subheader("SLO error budgets")
    st.dataframe(
        [
            {
                "rule": b.rule,
                **{k: str(v) for k, v in b.group.items()},
                "budget left": None if b.remaining is None else f"{b.remaining:.0%}",
                "syncs counted": int(b.counted),
            }
            for b in alerts.budgets
        ],
        hide_index=True,
    )
for base in alerts.alertmanagers if alerts is not None else ():
    silences, problem = read_silences(base, timeout=1.0)
    if problem:
        st.caption(f"Silences cannot be read from Alertmanager {ui.md(problem)}")
    elif not silences:
        st.caption(f"Alertmanager {ui.md(base)}: no active silences.")
    for silence in silences:
        st.info(
            f"Silenced in {ui.md(base)}: {ui.md(silence.matchers)} until "
            f"{ui.md(silence.ends_at)} · {ui.md(silence.created_by)}: {ui.md(silence.comment)}",
            icon=":material/notifications_off:",
        )
period = ui.page_period()
now = load(queries.headline, period.filters, period.as_of)
before = (
    load(queries.headline, period.previous, period.previous.end)
    if period.previous is not None and period.previous.end is not None
    else None
)
for row in (HEADLINES[:4], HEADLINES[4:]):
    for column, (key, label, kind, colour) in zip(st.columns(4), row, strict=True):
        column.metric(
            label,
            ui.fmt(now[key], kind),
            ui.delta(now[key], before[key] if before else None, kind),
            delta_color=colour,
            border=True,
            help=queries.HEADLINE_HELP[key],
        )
if not now["passes"]:
    ui.no_data()
    st.stop()
daily = load(queries.daily, period.filters)
left, right = st.columns(2)
left.subheader("Daily success rate")
left.altair_chart(charts.success_trend(daily), width="stretch")
right.subheader("Sync modes over time")
right.altair_chart(
    charts.modes_over_time(load(queries.modes_over_time, period.filters)), width="stretch"
)
left, right = st.columns(2)
left.subheader("Active devices per day")
left.altair_chart(charts.daily_devices(daily), width="stretch")
skips = load(queries.view, "skips_by_reason", period.filters)
right.subheader("Skipped syncs by reason")
if skips.is_empty():
    right.caption("No skipped syncs in this period.")
else:
    right.altair_chart(charts.skips_by_reason(skips), width="stretch")
st.subheader("Daily health")
ui.table(daily, "daily_health", key="daily")
