"""The alert summary the dashboard's Overview shows (read from the store's alert state)."""

from __future__ import annotations

from pathlib import Path

from insights.alerts.state import state_path
from insights.alerts.summary import read_summary
from tests.insights.alerts.helpers import Clock, fire


def test_read_summary_never_raises(store: Path, clock: Clock) -> None:
    assert read_summary(store) is None
    fire(store, clock)
    summary = read_summary(store)
    assert summary is not None
    assert [a.name for a in summary.firing] == ["technicians: success rate"]
    assert (summary.pending, summary.undelivered, summary.problem) == (0, 0, None)
    state_path(store).write_text('{"version": 99}', encoding="utf-8")
    broken = read_summary(store)
    assert broken is not None
    assert broken.firing == ()
    assert "unknown state version 99" in (broken.problem or "")
