"""Days in the URL (issue 17, item 7): a custom range's ``from``/``to`` beyond
``FIRST_DAY`` … ``LAST_DAY`` are clamped, text that is not a day is ignored, and either way
every page that reads the range renders, with a warning naming the parameter and its value."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from streamlit.testing.v1 import AppTest

from dashboards.context import FIRST_DAY, LAST_DAY, Selection, resolve
from dashboards.filters import url_day
from ingest.scope import Filters
from tests.dashboards.helpers import shown

RANGE_PAGES = ["app_pages/overview.py", "app_pages/devices.py", "app_pages/errors.py"]
CLAMPED = [
    "The link's day from=0001-01-02 is outside 1970-01-01 to 2999-12-31: "
    "1970-01-01 is used instead.",
    "The link's day to=9999-12-31 is outside 1970-01-01 to 2999-12-31: 2999-12-31 is used instead.",
]


def warnings(at: AppTest) -> list[str]:
    return [shown(w.value) for w in at.warning]


def captions(at: AppTest) -> list[str]:
    return [c.value for c in at.caption]


def param(at: AppTest, key: str) -> list[str]:
    value = at.query_params.get(key, [])
    return [value] if isinstance(value, str) else list(value)


@pytest.mark.parametrize(
    ("text", "day", "note"),
    [
        ("2024-05-09", date(2024, 5, 9), None),
        (None, None, None),
        ("", None, None),
        ("1969-12-31", FIRST_DAY, "is outside 1970-01-01 to 2999-12-31: 1970-01-01 is used"),
        ("0001-01-01", FIRST_DAY, "is outside"),
        ("3000-01-01", LAST_DAY, "is outside 1970-01-01 to 2999-12-31: 2999-12-31 is used"),
        ("9999-12-31", LAST_DAY, "is outside"),
        ("2026-13-45", None, "is not a day (YYYY-MM-DD): it is ignored"),
        ("2024-02-30", None, "is not a day"),
        ("0000-01-01", None, "is not a day"),
        ("yesterday", None, "is not a day"),
    ],
)
def test_url_day_clamps_or_refuses(text: str | None, day: date | None, note: str | None) -> None:
    found, said = url_day("from", text)
    assert found == day
    if note is None:
        assert said is None
    else:
        assert said is not None
        assert note in said
        assert said.startswith("The link's day from=")


def test_resolve_clamps_days_from_anywhere() -> None:
    period = resolve(
        Selection("custom", date.min, date.max, Filters()), datetime(2024, 5, 9, 12, 0)
    )
    assert period.label == "1970-01-01 00:00 to 3000-01-01 00:00 UTC"
    assert period.previous is not None
    assert period.previous.end == datetime(1970, 1, 1)


@pytest.mark.parametrize("page", RANGE_PAGES)
def test_extreme_days_are_clamped_and_the_page_renders(open_app, store, page: str) -> None:
    s = store("incident")
    at = open_app(s, page, range="custom", **{"from": "0001-01-02", "to": "9999-12-31"})
    assert warnings(at) == CLAMPED
    assert "Period: 1970-01-01 00:00 to 3000-01-01 00:00 UTC" in captions(at)
    assert at.date_input(key="f_from").value == FIRST_DAY
    assert at.date_input(key="f_to").value == LAST_DAY
    assert (param(at, "from"), param(at, "to")) == (["1970-01-01"], ["2999-12-31"])
    everything = open_app(s, page, range="all")
    # the same figures as all time; staleness is measured at the period's end (year 3000)
    same = [(m.label, m.value) for m in everything.metric if m.label != "Stale devices"]
    assert [(m.label, m.value) for m in at.metric if m.label != "Stale devices"] == same
    assert [len(d.value) for d in at.dataframe] == [len(d.value) for d in everything.dataframe]


@pytest.mark.parametrize("page", RANGE_PAGES)
def test_malformed_days_are_ignored_with_a_warning(open_app, store, page: str) -> None:
    at = open_app(
        store("incident"), page, range="custom", **{"from": "2026-13-45", "to": "2024-02-30"}
    )
    assert warnings(at) == [
        "The link's day from=2026-13-45 is not a day (YYYY-MM-DD): it is ignored. "
        "Pick the day in the sidebar.",
        "The link's day to=2024-02-30 is not a day (YYYY-MM-DD): it is ignored. "
        "Pick the day in the sidebar.",
    ]
    assert at.date_input(key="f_from").value is None
    assert any(c.startswith("Period: all time") for c in captions(at))
    assert param(at, "from") == []


def test_the_warning_goes_once_the_day_is_picked(open_app, store) -> None:
    at = open_app(store("incident"), range="custom", **{"from": "0001-01-02", "to": "2024-05-09"})
    assert warnings(at) == CLAMPED[:1]
    at.date_input(key="f_from").set_value(date(2024, 5, 9)).run()
    assert warnings(at) == []
    assert "Period: 2024-05-09 00:00 to 2024-05-10 00:00 UTC" in captions(at)
    assert param(at, "from") == ["2024-05-09"]
