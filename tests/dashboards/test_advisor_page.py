"""AppTest of the Advisor page: the advisor's recommendations, their evidence and data links."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboards import queries_advice
from ingest.store import Store
from insights.advisor import advise_store
from tests.dashboards.helpers import shown
from tests.insights.advisor.fleets import Knobs, routine
from tests.sql.fleet import Fleet
from tests.stores import to_arrow
from vocabulary.settings import ENV_STORE

APP = str(Path(__file__).parents[2] / "dashboards" / "app.py")


@pytest.fixture(scope="module")
def advised(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store whose assets sync every 5 minutes but change once a day (one recommendation)."""
    folder = tmp_path_factory.mktemp("advised")
    fleet = Fleet()
    routine(fleet, Knobs(asset_change_every=96))
    Store.open(folder).append_events(to_arrow(fleet))
    return folder


def run_page(monkeypatch: pytest.MonkeyPatch, store: Path) -> AppTest:
    monkeypatch.setenv(ENV_STORE, str(store))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page("app_pages/advisor.py")
    at.run()
    assert not at.exception, at.exception
    return at


def test_the_page_lists_each_recommendation_with_its_evidence_and_link(
    monkeypatch: pytest.MonkeyPatch, advised: Path
) -> None:
    at = run_page(monkeypatch, advised)
    assert [m.value for m in at.metric] == ["1"]
    (rec,) = advise_store(advised).recommendations
    assert shown(at.expander[0].label) == (
        "1. [warning] interval-longer-than-needed: Advisor Test / msdyn_customerasset"
    )
    text = " ".join(m.value for m in at.markdown)
    assert rec.summary in shown(text)
    assert f"[See the data]({rec.link})" in text
    assert rec.link.startswith("profiles-tables?profile=Advisor+Test&table=msdyn_customerasset")
    # the profile is not a built-in: the change is shown as a TOML snippet
    assert rec.change is not None
    assert at.code[0].value == rec.change.snippet.rstrip("\n")
    assert "evidence" in at.table[0].value.columns


def test_healthy_and_empty_stores(monkeypatch: pytest.MonkeyPatch, store) -> None:
    at = run_page(monkeypatch, store("healthy"))
    assert "No recommendations" in at.success[0].value
    at = run_page(monkeypatch, store("empty"))
    assert "has no events yet" in " ".join(i.value for i in at.info)


def test_overview_frame_has_one_row_per_recommendation(advised: Path) -> None:
    frame = queries_advice.overview(queries_advice.report(advised))
    assert frame.columns == list(queries_advice.COLUMNS)
    assert frame.select("kind", "table", "change").rows() == [
        (
            "interval-longer-than-needed",
            "msdyn_customerasset",
            "tables[msdyn_customerasset].interval_minutes = 1440",
        )
    ]
    assert queries_advice.overview(advise_store(advised).__class__(None)).is_empty()
