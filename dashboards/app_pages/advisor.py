"""Advisor: the profile advisor's recommendations with their evidence, change and effect."""

import streamlit as st

from dashboards import queries, queries_advice, ui
from dashboards.context import load, store_path
from insights.advisor.report import effect_words

st.title("Profile advisor")
current = queries.state(store_path())
if current is not queries.StoreState.READY:
    ui.empty_state(current)
    st.stop()
report = load(queries_advice.report)
if report.window is None:
    ui.empty_state(queries.StoreState.EMPTY)
    st.stop()
st.caption(
    f"Evidence: the {report.window.describe()}. The advisor reads whole profiles: the sidebar "
    "filters do not apply here."
)
known = ", ".join(f"{ui.md(name)} ({ui.md(source)})" for name, source in report.profiles.items())
st.caption(f"Profiles: {known}")
if not report.recommendations:
    st.success("No recommendations: every rule is within its thresholds.", icon=":material/check:")
    st.stop()
st.metric("Recommendations", len(report.recommendations), border=True)
ui.table(
    queries_advice.overview(report),
    "advice",
    key="advice",
    column_config={"link": st.column_config.LinkColumn("Data", display_text="open")},
)
for n, rec in enumerate(report.recommendations, 1):
    where = ui.md(rec.profile) + (f" / {ui.md(rec.table)}" if rec.table else "")
    with st.expander(f"{n}. [{rec.severity}] {rec.kind}: {where}", expanded=n == 1):
        st.markdown(ui.md(rec.summary))
        st.table({"evidence": [ui.md(e.label) for e in rec.evidence]})  # cells render Markdown
        st.markdown(f"**Expected effect:** {ui.md(effect_words(rec.effect))}")
        if rec.action:
            st.markdown(f"**Action:** {ui.md(rec.action)}")
        if rec.change is not None and rec.change.diff:
            st.code(rec.change.diff, language="diff")
        elif rec.change is not None:
            st.caption("The profile's text is not known; add this to its TOML:")
            st.code(rec.change.snippet, language="toml")
        st.markdown(f"[See the data]({rec.link})")
