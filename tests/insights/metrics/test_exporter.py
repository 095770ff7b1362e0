"""The metrics page of a known store, of a missing and an empty one, its cardinality bound,
``promtool check metrics``, ``synctel metrics --once`` and ``/metrics`` on ``synctel serve``."""

from __future__ import annotations

import datetime as dt
import http.client
import subprocess
from pathlib import Path

import pytest

from ingest.otlp.receiver import OtlpReceiver, ReceiverConfig
from ingest.store import Store
from insights.metrics.exporter import (
    MAX_SERIES,
    OTHER,
    FleetCollector,
    registry_for,
    render,
)
from insights.metrics.fleet import FleetFigures, TableHealth
from synctel.cli import main
from tests.insights.metrics.helpers import samples, table
from tests.promstack import PROMTOOL

NOON = dt.datetime(2024, 5, 9, 12, 0)
BOOKING = "bookableresourcebooking"
WORK_ORDER = "msdyn_workorder"
TECH = (("profile", "Technicians"),)


def page(store: Path, end: dt.datetime | None = NOON, accept: str | None = None) -> str:
    collector = FleetCollector(store, dt.timedelta(hours=1), lambda: end, report=lambda _: None)
    body, _ = render(registry_for(collector), accept)
    return body.decode()


def test_a_known_store_gives_the_expected_series(known_store: Path) -> None:
    found = samples(page(known_store))
    assert found[("synctel_store_up", ())] == 1
    assert found[("synctel_metrics_window_seconds", ())] == 3600
    assert found[("synctel_table_passes", table("Technicians", BOOKING))] == 12
    assert found[("synctel_table_failures", table("Technicians", BOOKING))] == 6
    assert found[("synctel_table_success_ratio", table("Technicians", BOOKING))] == 0.5
    assert found[("synctel_table_p95_duration_seconds", table("Technicians", BOOKING))] == 0.5
    assert found[("synctel_table_passes", table("Technicians", WORK_ORDER))] == 12
    assert found[("synctel_table_failures", table("Technicians", WORK_ORDER))] == 0
    assert found[("synctel_table_success_ratio", table("Technicians", WORK_ORDER))] == 1.0
    result = (("profile", "Technicians"), ("result", "failure"), ("table", BOOKING))
    assert found[("synctel_table_syncs_total", result)] == 6  # the whole store
    ok = (("profile", "Technicians"), ("result", "success"), ("table", WORK_ORDER))
    assert found[("synctel_table_syncs_total", ok)] == 24
    assert found[("synctel_devices", TECH)] == 1
    assert found[("synctel_devices_stale", TECH)] == 0
    assert found[("synctel_devices_pending_uploads", TECH)] == 0
    newest = dt.datetime(2024, 5, 9, 13, 55, 3)
    age = found[("synctel_store_newest_event_age_seconds", ())]
    wall = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    assert abs(age - (wall - newest).total_seconds()) < 60
    labels = {name for (_, pairs) in found for name, _ in pairs}
    assert labels == {"profile", "table", "result"}  # never a device or user id


def test_the_window_moves_with_its_end(known_store: Path) -> None:
    later = samples(page(known_store, dt.datetime(2024, 5, 9, 14, 0)))
    assert later[("synctel_table_failures", table("Technicians", BOOKING))] == 0
    assert later[("synctel_table_success_ratio", table("Technicians", BOOKING))] == 1.0
    latest = samples(page(known_store, None))  # None: just after the newest event
    assert latest[("synctel_table_passes", table("Technicians", BOOKING))] == 12


@pytest.mark.parametrize("kind", ["missing", "empty"])
def test_a_missing_or_empty_store_is_store_up_0(tmp_path: Path, kind: str) -> None:
    folder = tmp_path / "store"
    if kind == "empty":
        Store.open(folder)
    found = samples(page(folder))
    assert found[("synctel_store_up", ())] == 0
    assert found[("synctel_metrics_window_seconds", ())] == 3600
    assert not any(name.startswith("synctel_table_") for name, _ in found)
    assert kind == "empty" or not folder.exists()  # reading never creates a store


def test_a_store_that_cannot_be_read_is_store_up_0_and_counted(
    known_store: Path, tmp_path: Path
) -> None:
    broken = tmp_path / "store"
    Store.open(broken)
    (broken / "tables").mkdir(exist_ok=True)
    reports: list[str] = []

    def explode() -> dt.datetime:
        raise OSError("disk on fire")

    collector = FleetCollector(broken, end=explode, report=reports.append)
    registry = registry_for(collector)
    for expected in (1, 2):
        found = samples(render(registry, None)[0].decode())
        assert found[("synctel_store_up", ())] == 0
        assert found[("synctel_scrape_errors_total", ())] == expected
    assert reports == [f"cannot read the store {broken}: disk on fire"] * 2


def test_label_cardinality_is_bounded() -> None:
    rows = [TableHealth(f"p{i:04d}", "t", 1000 - i, 1, 0.9, 1.0) for i in range(MAX_SERIES + 100)]
    collector = FleetCollector(Path("/nonexistent"), report=lambda _: None)
    families = {f.name: f for f in collector._families(FleetFigures(True, tables=rows))}
    passes = families["synctel_table_passes"].samples
    assert len(passes) == MAX_SERIES
    other = [s for s in passes if s.labels == {"profile": OTHER, "table": OTHER}]
    assert [s.value for s in other] == [
        sum(1000 - i for i in range(MAX_SERIES - 1, MAX_SERIES + 100))
    ]
    ratio = families["synctel_table_success_ratio"].samples
    assert len(ratio) == MAX_SERIES - 1  # no ratio for the summed rest
    long = TableHealth("x" * 500, "t", 1, 0, 1.0, 1.0)
    [only] = next(
        f
        for f in collector._families(FleetFigures(True, tables=[long]))
        if f.name == "synctel_table_passes"
    ).samples
    assert len(only.labels["profile"]) == 100


def test_promtool_check_metrics_passes(known_store: Path, tmp_path: Path) -> None:
    for text in (page(known_store), page(tmp_path / "missing")):
        done = subprocess.run(
            [str(PROMTOOL), "check", "metrics"],
            input=text,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        assert done.stdout + done.stderr == ""


def test_openmetrics_when_asked_for(known_store: Path) -> None:
    collector = FleetCollector(known_store, end=lambda: NOON, report=lambda _: None)
    body, content_type = render(
        registry_for(collector), "application/openmetrics-text; version=1.0.0"
    )
    assert content_type.startswith("application/openmetrics-text")
    assert body.decode().endswith("# EOF\n")


def test_synctel_metrics_once_prints_the_page(
    known_store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["metrics", "--once", "--store", str(known_store), "--as-of", "2024-05-09T12:00"]
    assert main([*args, "--window", "30m"]) == 0
    found = samples(capsys.readouterr().out)
    assert found[("synctel_metrics_window_seconds", ())] == 1800
    assert found[("synctel_table_failures", table("Technicians", BOOKING))] == 3
    assert (
        main(
            ["metrics", "--once", "--store", str(known_store), "--window", "99999999999999999999d"]
        )
        == 1
    )
    assert "longer than 366d" in capsys.readouterr().err
    assert main(["metrics", "--once", "--store", str(known_store), "--window", "soon"]) == 1
    assert capsys.readouterr().err == (
        "synctel metrics: --window 'soon': use a duration such as 15m, 1h or 1d\n"
    )


def get(url_host: str, port: int, path: str, token: str | None = None) -> tuple[int, str, str]:
    conn = http.client.HTTPConnection(url_host, port, timeout=30)
    try:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        conn.request("GET", path, headers=headers)
        answer = conn.getresponse()
        return answer.status, answer.getheader("Content-Type") or "", answer.read().decode()
    finally:
        conn.close()


@pytest.mark.parametrize("token", [None, "s3cret"])
def test_serve_answers_metrics_with_the_token_it_requires(
    known_store: Path, tmp_path: Path, token: str | None
) -> None:
    collector = FleetCollector(known_store, end=lambda: NOON, report=lambda _: None)
    page_of = registry_for(collector)
    config = ReceiverConfig(
        port=0,
        token=token,
        require_token=token is not None,
        metrics_page=lambda accept: render(page_of, accept),
    )
    with OtlpReceiver(Store.open(tmp_path / "incoming"), config) as receiver:
        status, content_type, body = get("127.0.0.1", receiver.port, "/metrics", token)
        assert status == 200
        assert content_type.startswith("text/plain")
        assert samples(body)[("synctel_table_failures", table("Technicians", BOOKING))] == 6
        if token:
            assert get("127.0.0.1", receiver.port, "/metrics")[0] == 401
    bare = OtlpReceiver(Store.open(tmp_path / "other"), ReceiverConfig(port=0))
    with bare:
        assert get("127.0.0.1", bare.port, "/metrics")[0] == 404  # no page configured
