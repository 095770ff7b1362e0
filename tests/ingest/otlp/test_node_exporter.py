"""The official OpenTelemetry JavaScript logs SDK (run with Node) against the real receiver.

The npm packages are pinned in ``js/package.json`` + ``js/package-lock.json``; ``npm ci``
installs them when ``js/node_modules`` is missing. Skipped only when ``node`` is absent.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.ingest.otlp.helpers import query
from vocabulary.identity import pseudonymize

JS = Path(__file__).parent / "js"
NODE = shutil.which("node")

pytestmark = pytest.mark.skipif(NODE is None, reason="node is not installed")


@pytest.fixture(scope="module")
def node_modules() -> Path:
    """``js/node_modules``, installed from the lock file if missing."""
    modules = JS / "node_modules"
    if not (modules / "@opentelemetry" / "sdk-logs").is_dir():
        npm = shutil.which("npm")
        if npm is None:
            pytest.fail("node is installed but npm is not: cannot install the JS SDK")
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=JS, check=True, timeout=300)
    return modules


def run_node(url: str, protocol: str, token: str | None = None) -> subprocess.CompletedProcess[str]:
    args = [str(NODE), str(JS / "emit.js"), url, protocol, *([token] if token else [])]
    return subprocess.run(args, capture_output=True, text=True, timeout=60, check=False)


@pytest.mark.parametrize("protocol", ["json", "proto"])
def test_node_sdk_events_land_in_sync_events(node_modules, receiver, store, protocol) -> None:
    done = run_node(receiver.url, protocol)
    assert done.returncode == 0, done.stderr

    got = query(
        store,
        "SELECT event, sync_id, mode, result, duration_ms, records_down, table_name, "
        "record_id, conflict_winner, device_id, app_version, os_name, service_name, "
        "strftime(ts, '%Y-%m-%d %H:%M:%S'), source, attributes FROM sync_events ORDER BY ts",
    )
    completed, conflict = got
    assert completed[:15] == (
        "sync.completed",
        f"js-{protocol}",
        "FORCED_SYNC",
        "success",
        2500.5,
        42,
        None,
        None,
        None,
        pseudonymize("dev-js", receiver.ids.salt),  # the JS SDK's raw id, hashed on arrival
        "5.0.1",
        "iOS",
        f"fieldapp-js-{protocol}",
        "2026-05-25 10:00:00",
        "otel",
    )
    assert json.loads(completed[15]) == {"sync.tables_due": ["account", "contact"]}
    assert conflict[:3] == ("sync.conflict", f"js-{protocol}", None)
    assert conflict[6:9] == ("msdyn_workorder", "wo-17", "server")
    assert json.loads(conflict[15]) == {"sync.conflict.detection": "on"}


def test_node_sdk_needs_the_token_when_one_is_required(node_modules, serve, store) -> None:
    receiver = serve(token="s3cret", require_token=True)

    refused = run_node(receiver.url, "json", token="wrong")
    assert refused.returncode == 1
    assert query(store, "SELECT count(*) FROM sync_events") == [(0,)]
    assert receiver.statuses[401] >= 1

    accepted = run_node(receiver.url, "proto", token="s3cret")
    assert accepted.returncode == 0, accepted.stderr
    assert query(store, "SELECT count(*) FROM sync_events") == [(2,)]
