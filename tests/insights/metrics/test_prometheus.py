"""A real Prometheus (Debian's) scraping ``synctel metrics`` on loopback sees the known store's
series with their expected values."""

from __future__ import annotations

import signal
import subprocess
import sys
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests.promstack import free_port, get_json, poll, prometheus

pytestmark = pytest.mark.slow

BOOKING = "bookableresourcebooking"


def test_prometheus_scrapes_synctel_metrics(known_store: Path, tmp_path: Path) -> None:
    port = free_port()
    argv = [sys.executable, "-m", "synctel.cli", "metrics", "--store", str(known_store)]
    argv += ["--port", str(port), "--as-of", "2024-05-09T12:00"]
    server = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:

        def serving() -> bool | None:
            assert server.poll() is None, "synctel metrics exited"
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as answer:
                return answer.status == 200 or None

        poll(serving, "synctel metrics to serve", seconds=30)
        config = (
            "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n"
            "scrape_configs:\n  - job_name: synctel\n    static_configs:\n"
            f"      - targets: ['127.0.0.1:{port}']\n"
        )
        with prometheus(tmp_path / "prometheus", config) as prom:

            def series(query: str) -> dict[tuple[str, str], float] | None:
                url = f"{prom.url}/api/v1/query?query={urllib.parse.quote(query)}"
                answer: dict[str, Any] = get_json(url)
                found = {
                    (r["metric"].get("profile", ""), r["metric"].get("table", "")): float(
                        r["value"][1]
                    )
                    for r in answer["data"]["result"]
                }
                return found or None

            failures = poll(lambda: series("synctel_table_failures"), "a scrape", seconds=30)
            assert failures == {
                ("Technicians", BOOKING): 6.0,
                ("Technicians", "msdyn_workorder"): 0.0,
            }
            assert series("synctel_table_success_ratio") == {
                ("Technicians", BOOKING): 0.5,
                ("Technicians", "msdyn_workorder"): 1.0,
            }
            assert series("synctel_table_passes") == {
                ("Technicians", BOOKING): 12.0,
                ("Technicians", "msdyn_workorder"): 12.0,
            }
            assert series('synctel_table_syncs_total{result="failure"}') == {
                ("Technicians", BOOKING): 6.0
            }
            assert series("synctel_store_up") == {("", ""): 1.0}
            assert series('up{job="synctel"}') == {("", ""): 1.0}
            assert series("synctel_devices_stale") == {("Technicians", ""): 0.0}
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            out, _ = server.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.communicate(timeout=10)
            raise
    assert server.returncode == 0
    assert out.startswith(f"synctel metrics: serving http://127.0.0.1:{port}/metrics for store ")
    assert out.rstrip().endswith("synctel metrics: stopped")
