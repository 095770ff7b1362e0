"""SLO burn rates, absent groups, min_count and keep_firing_for over the fixture store.

The store: Technicians' booking table fails every other pass from 11:00 to 11:55 (a pass every
5 minutes), its work order table never fails; 13:00-13:55 every pass succeeds. Windows end at
the hand-set clock.
"""

from __future__ import annotations

from pathlib import Path

from insights.alerts.rules import parse_rules
from insights.alerts.runner import Runner, Settings
from insights.alerts.state import read_state
from tests.insights.alerts.helpers import PROFILE, Clock, Receiver, rules_text

BOOKING = "bookableresourcebooking"
SLO = """[[alert]]
name = "table slo"
kind = "slo"
objective = 0.99
labels = { severity = "page", team = "mobile" }
annotations = { summary = "{table_name} burns {burn_rate_long}x",\
  runbook_url = "https://runbooks.example/slo" }
"""
ABSENT = """[[alert]]
name = "silent profile"
kind = "absent"
window = "30m"
"""


def runner(store: Path, text: str, clock: Clock) -> Runner:
    return Runner(Settings(store, parse_rules(text)), clock=clock, report=lambda _: None)


def firing(r: Runner) -> dict[tuple[str, ...], str]:
    """Each firing instance's key values -> its condition."""
    return {tuple(str(v) for _, v in i.key): i.condition or "" for i in r.round().firing}


def test_the_burn_rate_alerts_fire_on_the_bad_hour_and_reset_on_the_short_window(
    store: Path, clock: Clock
) -> None:
    r = runner(store, SLO, clock)
    try:
        clock.set("11:51")  # 6 of 11 booking syncs failed; the 11:50 one failed too
        result = r.round()
        fired = {dict(i.key)["slo_window"]: i for i in result.firing}
        assert sorted(fired) == ["1h/5m", "3d/6h", "6h/30m"]
        assert {dict(i.key)["table_name"] for i in result.firing} == {BOOKING}
        page = fired["1h/5m"]
        assert page.value is not None
        assert round(page.value, 1) == 54.5  # error rate 6/11 over a 1% budget
        assert page.condition == (
            "burn rate 54.5x over 1h and 100x over 5m (fires above 14.4x; objective 0.99, "
            "6 of 11 failed over 1h)"
        )
        assert page.labels == {
            "alertname": "table slo",
            "severity": "page",
            "team": "mobile",
            "profile": PROFILE,
            "table_name": BOOKING,
            "slo_window": "1h/5m",
        }
        assert fired["3d/6h"].labels["severity"] == "ticket"  # the window's own severity
        assert page.annotations == {
            "summary": f"{BOOKING} burns 54.55x",
            "runbook_url": "https://runbooks.example/slo",
        }
        clock.set("11:56")  # the 11:55 pass succeeded: the 5-minute window stops burning
        still = {dict(i.key)["slo_window"] for i in r.round().firing}
        assert still == {"3d/6h", "6h/30m"}
        clock.set("14:00")  # an hour of successes: only the slow 3-day window still burns
        assert {dict(i.key)["slo_window"] for i in r.round().firing} == {"3d/6h"}
    finally:
        r.close(0.5)
    state = read_state(store)
    assert state is not None
    budgets = {b["key"]["table_name"]: b["remaining"] for b in state.budgets["table slo"]}
    assert budgets["msdyn_workorder"] == 1.0
    assert round(budgets[BOOKING], 6) == round(1 - (6 / 24) / 0.01, 6)  # overspent: negative


def test_an_slo_rule_never_fires_without_failures_or_data(store: Path, clock: Clock) -> None:
    r = runner(store, SLO, clock)
    try:
        clock.set("14:00")
        text = SLO.replace("0.99", "0.5")  # 6 of 24 failed: within a 50% budget
        relaxed = runner(store, text.replace("table slo", "relaxed"), clock)
        assert relaxed.round().firing == []
        relaxed.close(0.5)
        clock.set("20:00")  # nothing in any short window: no error rate, nothing fires
        assert [i for i in r.round().firing if dict(i.key)["slo_window"] != "3d/6h"] == []
    finally:
        r.close(0.5)


def test_an_absent_rule_fires_when_a_profile_goes_silent_and_resolves_when_it_is_back(
    store: Path, clock: Clock
) -> None:
    r = runner(store, ABSENT, clock)
    try:
        clock.set("11:40")
        assert r.round().firing == []
        clock.set("12:40")  # nothing since 11:55
        [inst] = r.round().firing
        assert dict(inst.key) == {"profile": PROFILE}
        assert inst.condition == "no passes over 30m (12 in the 7d before)"
        assert inst.value == 0
        clock.set("13:10")  # passes again
        result = r.round()
        assert result.firing == []
        assert [c.kind for c in result.changes] == ["resolved"]
    finally:
        r.close(0.5)


def test_an_absent_rule_per_table_and_over_all_events(store: Path, clock: Clock) -> None:
    per_table = (
        ABSENT + 'by = ["profile", "table_name"]\nwhere = { table_name = "msdyn_workorder" }\n'
    )
    r = runner(store, per_table, clock)
    clock.set("12:40")
    [inst] = r.round().firing
    r.close(0.5)
    assert dict(inst.key) == {"profile": PROFILE, "table_name": "msdyn_workorder"}
    assert inst.condition.startswith("no table syncs over 30m (12 in the 7d before)")
    everything = ABSENT.replace("silent profile", "dead exporter") + 'of = "events"\nby = []\n'
    r = runner(store, everything, clock)
    [inst] = r.round().firing
    r.close(0.5)
    assert inst.key == []
    assert inst.condition.startswith("no events over 30m (")


def test_min_count_holds_back_a_rule_on_two_passes(store: Path, clock: Clock) -> None:
    text = rules_text(None, hold="0s").replace('window = "1h"', 'window = "10m"')
    clock.set("11:10")  # two passes in the window, one failed: 50% success
    plain = runner(store, text, clock)
    assert len(plain.round().firing) == 1
    plain.close(0.5)
    held = runner(store, text.replace("technicians", "held") + "min_count = 3\n", clock)
    result = held.round()
    held.close(0.5)
    assert (result.firing, result.pending) == ([], [])
    [obs] = [o for o in result.evaluation.observations if o.value == 0.5]
    assert (obs.count, obs.held, obs.breached) == (2, True, False)


def test_below_min_count_a_firing_alert_does_not_resolve(store: Path, clock: Clock) -> None:
    text = rules_text(None, hold="0s").replace('window = "1h"', 'window = "30m"')
    r = runner(store, text + "min_count = 4\n", clock)
    try:
        clock.set("11:30")  # 6 passes, 3 failed
        assert len(r.round().firing) == 1
        clock.set("13:10")  # 2 good passes: too few to resolve on
        held = r.round()
        assert (len(held.firing), held.changes) == (1, [])
        clock.set("13:30")  # 6 good passes
        assert [c.kind for c in r.round().changes] == ["resolved"]
    finally:
        r.close(0.5)


def test_keep_firing_for_delays_the_resolution(
    store: Path, clock: Clock, receiver: Receiver
) -> None:
    text = rules_text(receiver.url, hold="0s", extra='keep_firing_for = "20m"\n')
    r = runner(store, text, clock)
    try:
        assert [c.kind for c in r.round().changes] == ["firing"]
        clock.set("14:00")  # the condition is gone: still firing for 20 minutes
        kept = r.round()
        assert (len(kept.firing), kept.changes) == (1, [])
        assert kept.firing[0].clear_since == "2024-05-09T14:00:00Z"
        clock.set("14:15")
        assert r.round().changes == []
        clock.set("14:20")
        assert [c.kind for c in r.round().changes] == ["resolved"]
        receiver.wait_for(2)
    finally:
        r.close(2.0)
    assert receiver.statuses() == [("firing", 200), ("resolved", 200)]
