"""The real thing: ``synctel dashboard`` on loopback, driven by headless Chromium.

The test starts the command as a subprocess on a free port, opens it in Debian's Chromium
through Playwright, clicks through every page, changes a filter, and checks the URL and a
figure; on a hostile store it checks that markup in telemetry and URLs renders as text.
Screenshots go to ``tests/artifacts/dashboard/`` (gitignored). The server is killed
(its whole process group) whatever happens.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from ingest.store import Store
from tests.dashboards.helpers import EVIL, EVIL_SYNC
from tests.sql.fleet import Fleet
from tests.stores import build, routine, to_arrow
from vocabulary.settings import ENV_STORE

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).parents[1] / "artifacts" / "dashboard"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
START_TIMEOUT_S = 30.0
STEP_TIMEOUT_MS = 15_000
PAGES = [
    ("Profiles × tables", "Profiles × tables", "profiles-tables"),
    ("Errors", "Sync errors", "errors"),
    ("Conflicts", "Sync conflicts", "conflicts"),
    ("Performance", "Sync performance", "performance"),
    ("Devices", "Devices", "devices"),
    ("Sync details", "Sync details", "sync-details"),
    ("Overview", "Sync health", "overview"),
]
"""(sidebar link, page title, url path) in the order the test visits them."""

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium (make browser)"),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_healthy(base: str, server: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        assert server.poll() is None, "synctel dashboard exited early"
        try:
            with urllib.request.urlopen(f"{base}_stcore/health", timeout=2) as reply:
                if reply.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"the dashboard did not answer within {START_TIMEOUT_S:.0f} s")


@contextlib.contextmanager
def serve(store: Path, *extra: str) -> Iterator[str]:
    """``synctel dashboard --store STORE …`` on a free loopback port; yields its URL, and kills
    its whole process group however the block ends."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != ENV_STORE}
    server = subprocess.Popen(
        [
            *(sys.executable, "-m", "synctel.cli", "dashboard", "--store", str(store)),
            *("--host", "127.0.0.1", "--port", str(port), *extra),
        ],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        start_new_session=True,
    )
    try:
        assert server.stdout is not None
        line = server.stdout.readline()
        assert f"http://127.0.0.1:{port}/" in line, line
        base = f"http://127.0.0.1:{port}/"
        wait_healthy(base, server)
        yield base
    finally:
        if server.poll() is None:
            group = os.getpgid(server.pid)
            os.killpg(group, signal.SIGTERM)
            try:
                server.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(group, signal.SIGKILL)
                server.wait()
        if server.stdout is not None:
            server.stdout.close()


@pytest.fixture
def dashboard(stores: dict[str, Path]) -> Iterator[str]:
    """``synctel dashboard`` on the incident store; yields its URL."""
    with serve(stores["incident"]) as url:
        yield url


@pytest.fixture
def browser():
    """Headless Debian Chromium, closed after the test."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def metric(page, label: str) -> str:
    """The value shown by the headline figure ``label``."""
    box = page.locator('[data-testid="stMetric"]').filter(
        has=page.locator('[data-testid="stMetricLabel"]', has_text=re.compile(f"^{label}$"))
    )
    return box.locator('[data-testid="stMetricValue"]').inner_text(timeout=STEP_TIMEOUT_MS)


def settle(page) -> None:
    """Wait until Streamlit has finished the current run and no element is stale."""
    page.wait_for_timeout(300)
    page.wait_for_function(
        """() => document.querySelector('[data-testid="stApp"]')
                   ?.getAttribute('data-test-script-state') === 'notRunning'
              && !document.querySelector('[data-stale="true"]')""",
        timeout=STEP_TIMEOUT_MS,
    )


def test_click_through_every_page_and_filter(dashboard: str, browser):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(STEP_TIMEOUT_MS)
    page.goto(dashboard)
    page.get_by_role("heading", name="Sync health").wait_for()
    settle(page)
    assert metric(page, "Success rate") == "81.2 %"
    assert "range=7d" in page.url
    page.screenshot(path=ARTIFACTS / "overview.png", full_page=True)

    for link, title, path in PAGES:
        page.get_by_test_id("stSidebarNav").get_by_text(link, exact=True).click()
        page.get_by_role("heading", name=title).wait_for()
        settle(page)
        assert f"/{path}" in page.url or path == "overview"
        assert "range=7d" in page.url, "filters must survive a page switch"
        page.screenshot(path=ARTIFACTS / f"{path}.png", full_page=True)
        assert not page.locator('[data-testid="stException"]').count()

    failures_before = metric(page, "Failures")
    app_filter = (
        page.get_by_test_id("stSidebar")
        .get_by_test_id("stMultiSelect")
        .filter(has_text="App version")
    )
    app_filter.locator("input").click()
    page.get_by_role("option", name="1.5.0").click()
    page.keyboard.press("Escape")
    page.wait_for_url(re.compile(r"[?&]app=1\.5\.0"))
    settle(page)
    page.get_by_text("0.0 %").first.wait_for()
    assert metric(page, "Success rate") == "0.0 %"
    assert metric(page, "Failures") != failures_before
    page.screenshot(path=ARTIFACTS / "overview-app-1.5.0.png", full_page=True)

    # The link reproduces the view in a fresh tab.
    fresh = browser.new_page(viewport={"width": 1400, "height": 1000})
    fresh.goto(page.url)
    fresh.get_by_role("heading", name="Sync health").wait_for()
    settle(fresh)
    assert metric(fresh, "Success rate") == "0.0 %"


def test_live_mode_shows_new_data_while_the_writer_appends(tmp_path: Path, browser):
    folder = build(tmp_path / "live", "healthy")
    with serve(folder, "--live", "1") as url:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(STEP_TIMEOUT_MS)
        page.goto(url)
        page.get_by_role("heading", name="Sync health").wait_for()
        settle(page)
        before = metric(page, "Passes")
        fleet = Fleet()
        routine(fleet, days=(10,))
        written = Store.open(folder).append_events(to_arrow(fleet))  # never blocked by readers
        assert written == len(fleet.events)
        page.wait_for_function(
            """(before) => [...document.querySelectorAll('[data-testid="stMetric"]')]
                .some(m => m.innerText.startsWith('Passes') && !m.innerText.includes(before))""",
            arg=f"\n{before}\n",
            timeout=STEP_TIMEOUT_MS,
        )
        assert metric(page, "Passes") != before
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=ARTIFACTS / "overview-live.png", full_page=True)


HOSTILE_VIEWS = [
    ("", {"range": "custom", "from": EVIL, "to": "2024-05-09"}, "Sync health"),
    (
        "profiles-tables",
        {"range": "all", "drill_profile": EVIL, "drill_table": EVIL},
        "Profiles × tables",
    ),
    ("devices", {"range": "all", "device": EVIL}, "Devices"),
    ("sync-details", {"range": "all", "sync": EVIL_SYNC}, "Sync details"),
]
"""(url path, query parameters, page title) of the views that show hostile values (the
Overview is the default page: its path is empty)."""
RENDERED_MARKUP = {
    "link": 'a[href*="127.0.0.1/evil"]',
    "image": 'img[src*="i.png"]',
    "Streamlit logo": 'img[alt="Streamlit logo"]',
    "icon": '[role="img"][aria-label="home icon"]',
    "coloured text": ".stMarkdownColoredText",
    "math": ".katex",
    "raw HTML": "b:text-is('h')",
    "code": "code:text-is('code')",
    "bold": "strong:text-is('b')",
}
"""What each piece of :data:`EVIL` would turn into, by CSS selector."""


def test_hostile_values_render_as_plain_text(hostile: Path, browser):
    """Markup in the telemetry and the URL shows as its characters: no link, image, icon,
    colour, math, HTML or formatting, and the page never requests the addresses it names."""
    with serve(hostile) as base:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(STEP_TIMEOUT_MS)
        requested: list[str] = []
        page.on("request", lambda request: requested.append(request.url))
        for path, params, title in HOSTILE_VIEWS:
            page.goto(f"{base}{path}?{urllib.parse.urlencode(params)}")
            page.get_by_role("heading", name=title, exact=True).wait_for()
            settle(page)
            main = page.get_by_test_id("stMain")
            assert "Page not found" not in page.content()
            app = page.get_by_test_id("stApp")  # sidebar included
            found = {name: app.locator(css).count() for name, css in RENDERED_MARKUP.items()}
            assert found == dict.fromkeys(RENDERED_MARKUP, 0), path
            text = main.inner_text().replace("\u2060", "")
            assert EVIL in text, f"{path}: the value is not shown as text"
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=ARTIFACTS / f"hostile-{path or 'overview'}.png", full_page=True)
        assert not [url for url in requested if url.startswith("http://127.0.0.1/")]
