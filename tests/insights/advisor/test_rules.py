"""Golden tests: each rule fires on a fleet built to trigger it, and not on the healthy one."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from insights.advisor import Kind, Recommendation, Report
from syncengine.profile import validate_text
from tests.insights.advisor.fleets import ACCOUNT, ASSET, PROFILE, PROFILE_TOML, WORK_ORDER
from tests.insights.advisor.helpers import patched

Advise = Callable[..., Report]


def only(report: Report) -> Recommendation:
    assert len(report.recommendations) == 1, [(r.kind, r.table) for r in report.recommendations]
    return report.recommendations[0]


def evidence(rec: Recommendation) -> dict[str, object]:
    return {e.name: e.value for e in rec.evidence}


def after_text(rec: Recommendation) -> str:
    """The profile after the change, checked valid by the validator."""
    assert rec.change is not None
    assert rec.change.diff is not None
    text = patched(PROFILE_TOML, rec.change.diff)
    report = validate_text(text)
    assert report.ok, report.errors
    return text


def test_healthy_routine_fleet_gets_no_advice(advise: Advise) -> None:
    report = advise()
    assert report.recommendations == ()
    assert report.window is not None
    assert report.window.describe() == (
        "last 3.33 days of data: 2026-01-05 07:55 to 2026-01-08 15:55 UTC"
    )
    assert report.profiles == {PROFILE: report.profiles[PROFILE]}


def test_interval_longer_than_needed_suggests_the_supported_interval(advise: Advise) -> None:
    rec = only(advise(asset_change_every=96))  # one change per device per day, every 5 min
    assert (rec.kind, rec.severity, rec.profile, rec.table) == (
        Kind.INTERVAL_LONGER_THAN_NEEDED,
        "warning",
        PROFILE,
        ASSET,
    )
    assert evidence(rec) == {
        "own_passes": 1536,
        "empty_share": 0.9896,
        "changes_per_device_day": 1.0,
        "interval_minutes": 5,
    }
    assert rec.change is not None
    assert (rec.change.before, rec.change.after) == (5, 1440)
    after = after_text(rec)
    assert validate_text(after).profile_or_raise().table(ASSET).interval_minutes == 1440
    assert rec.effect is not None
    assert rec.effect.passes == pytest.approx(-96 * (1 - 5 / 1440))
    assert rec.effect.bytes == pytest.approx(-96 * (1 - 5 / 1440) * 120)
    assert rec.effect.records == 0
    assert rec.link.startswith("profiles-tables?profile=Advisor+Test&table=msdyn_customerasset")


def test_interval_longer_than_needed_for_a_table_that_never_changes(advise: Advise) -> None:
    rec = only(advise(quiet_accounts=True))
    assert (rec.kind, rec.table) == (Kind.INTERVAL_LONGER_THAN_NEEDED, ACCOUNT)
    assert rec.change is not None
    assert (rec.change.before, rec.change.after) == (60, 1440)
    assert rec.effect is not None
    assert rec.effect.passes == pytest.approx(-8 * (1 - 60 / 1440))
    after_text(rec)


def test_interval_not_respected_names_the_related_table(advise: Advise) -> None:
    rec = only(advise(account_bytes=12_000))
    assert (rec.kind, rec.severity, rec.table) == (Kind.INTERVAL_NOT_RESPECTED, "info", ACCOUNT)
    ev = evidence(rec)
    assert ev["source_table"] == WORK_ORDER
    assert ev["related_share"] == pytest.approx(88 / 96, abs=1e-4)
    assert ev["related_bytes_per_device_day"] == 88 * 12_000
    assert rec.change is not None
    assert (rec.change.before, rec.change.after) == (60, 5)
    after_text(rec)
    assert rec.effect is not None
    assert (rec.effect.passes, rec.effect.bytes) == (0, 0)


def test_cheap_related_pulls_are_not_reported(advise: Advise) -> None:
    assert advise(account_bytes=150).recommendations == ()  # 92% related, but 13 KiB a day


def test_filters_too_restrictive_points_at_the_filter(advise: Advise) -> None:
    rec = only(advise(not_found_per_day=3))
    assert (rec.kind, rec.table, rec.change, rec.effect) == (
        Kind.FILTERS_TOO_RESTRICTIVE,
        WORK_ORDER,
        None,
        None,
    )
    assert evidence(rec)["not_found"] == 48
    assert evidence(rec)["not_found_per_device_day"] == 3.0
    assert 'filter = { owner = "user" }' in rec.action
    assert "line 10 of" in rec.action


def test_one_record_not_found_a_day_is_not_reported(advise: Advise) -> None:
    assert advise(not_found_per_day=1).recommendations == ()


def test_cellular_heavy_allows_wifi_only(advise: Advise) -> None:
    rec = only(advise(network="cell", work_order_bytes=300_000))
    assert (rec.kind, rec.table) == (Kind.CELLULAR_DATA_HEAVY, WORK_ORDER)
    per_day = 96 * 300_000 + 10_000_000 // 3 // 4  # the passes, and the first sync over 4 days
    assert evidence(rec)["cell_bytes_per_device_day"] == per_day
    assert rec.change is not None
    assert rec.change.key == "settings.allow_wifi_only"
    assert (rec.change.before, rec.change.after) == (False, True)
    after = after_text(rec)
    assert validate_text(after).profile_or_raise().settings.allow_wifi_only is True
    assert rec.effect is not None
    assert rec.effect.bytes == pytest.approx(-per_day, abs=1)
    assert rec.link.endswith("&net=cell")


def test_cellular_heavy_without_the_profile_lengthens_the_interval(advise: Advise) -> None:
    rec = only(advise(profile=False, network="cell", work_order_bytes=300_000))
    assert rec.change is not None
    assert rec.change.diff is None
    assert rec.change.snippet == '[[tables]]\nname = "msdyn_workorder"\ninterval_minutes = 10\n'
    assert rec.effect is not None
    assert rec.effect.passes == pytest.approx(-48)


def test_the_same_bytes_on_wifi_are_not_reported(advise: Advise) -> None:
    assert advise(network="wifi", work_order_bytes=300_000).recommendations == ()


@pytest.mark.parametrize(
    ("detection", "after", "side"),
    [("off", True, "device_wins"), ("on", False, "server_wins")],
)
def test_conflict_policy_both_ways(advise: Advise, detection: str, after: bool, side: str) -> None:
    rec = only(advise(conflicts_per_day=3, detection=detection))
    assert (rec.kind, rec.table) == (Kind.CONFLICT_POLICY, None)
    ev = evidence(rec)
    assert (ev["conflicts"], ev[side], ev["conflicts_per_device_day"]) == (48, 48, 3.0)
    assert rec.change is not None
    assert rec.change.after is after
    after_profile = validate_text(after_text(rec)).profile_or_raise()
    assert after_profile.conflict_detection is after
    assert "3.0" in rec.action  # the other side's number, for the trade-off


def test_one_conflict_a_day_is_not_reported(advise: Advise) -> None:
    assert advise(conflicts_per_day=1, detection="on").recommendations == ()


@pytest.mark.parametrize(("records", "severity"), [(170_000, "warning"), (2_500_000, "critical")])
def test_size_near_the_ceiling_or_the_limit(advise: Advise, records: int, severity: str) -> None:
    rec = only(advise(first_sync_records=records))
    assert (rec.kind, rec.severity, rec.table) == (Kind.SIZE, severity, WORK_ORDER)
    assert evidence(rec)["devices_near"] == 4
    assert evidence(rec)["max_records"] == records


def test_size_far_below_the_ceiling_is_not_reported(advise: Advise) -> None:
    assert advise(first_sync_records=100_000).recommendations == ()


def test_stale_table_on_a_device_still_trying(advise: Advise) -> None:
    rec = only(advise(failing_device=True))
    assert (rec.kind, rec.table) == (Kind.STALE, WORK_ORDER)
    ev = evidence(rec)
    assert (ev["devices"], ev["failures"], ev["device_ids"]) == (1, 48, "dev-3")
    assert ev["max_hours_without"] == 4.0  # last success 11:55, last try 15:55


def test_a_user_choosing_wifi_only_is_not_stale(advise: Advise) -> None:
    assert advise(skip_user_choice=True).recommendations == ()
