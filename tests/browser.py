"""Real-browser helpers: a streamlit server on a free loopback port, and Debian's chromium."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run"]


def require_chromium() -> str:
    if Path(CHROMIUM).exists():
        return CHROMIUM
    message = f"{CHROMIUM} not found: install Debian's chromium (apt-get install -y chromium, or make system-deps)"
    if os.environ.get("ISMS_REQUIRE_BROWSER"):
        pytest.fail(message)
    pytest.skip(message)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def streamlit_server(db_path: Path, extra_env: dict | None = None, port: int | None = None):
    """`port`: one chosen before the start, when something else must know it (an OIDC redirect)."""
    port = port or free_port()
    env = {**os.environ, "ISMS_DB": str(db_path), **(extra_env or {})}
    from isms.store import lake

    logs = Path(os.environ["ISMS_DATA_PATH"]) if lake.is_lake(db_path) else Path(db_path).parent  # a lake: beside its data
    log_path = logs / f"streamlit-{port}.log"
    log = open(log_path, "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "ui.serve", "--server.headless", "true",
         "--server.address", "127.0.0.1", "--server.port", str(port), "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(url + "/_stcore/health", timeout=2)
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"streamlit did not start: {log_path.read_text()}")
                time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@contextmanager
def browser_page(width: int = 1500, height: int = 1400):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=require_chromium(), headless=True, args=LAUNCH_ARGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.set_default_timeout(60_000)
            yield page
        finally:
            browser.close()


METRICS_JS = """() => Object.fromEntries([...document.querySelectorAll('[data-testid="stMetric"]')].map(m => [
    (m.querySelector('[data-testid="stMetricLabel"]')?.innerText || '').trim(),
    (m.querySelector('[data-testid="stMetricValue"]')?.innerText || '').trim()]))"""


def metric_values(page) -> dict[str, str]:
    """Every tile's label and value, read in one go: reading tile by tile raced a rerun that
    redraws the tiles (seen under load: the tenth tile was gone before it was read)."""
    return page.evaluate(METRICS_JS)


def wait_for_metric(page, label: str, expected: str, timeout: float = 120_000) -> None:
    """Wait until the tile `label` shows `expected`: a settle that returned before the rerun a choice
    started (seen under load) would otherwise read the previous run's tiles; times out, failing the test."""
    page.wait_for_function(f"([l, v]) => ({METRICS_JS})()[l] == v", arg=[label, expected], timeout=timeout)


def wait_for_metric_labels(page, suffix: str, expected: list[str], timeout: float = 150_000) -> None:
    """Wait until the tiles whose label ends with `suffix` are exactly `expected` (a rerun that a
    filter started has finished drawing); times out, failing the test, if they never are."""
    page.wait_for_function(
        f"expected => Object.keys(({METRICS_JS})()).filter(k => k.endsWith({suffix!r})).join('|') == expected.join('|')",
        arg=expected, timeout=timeout)


def copy_db(src: Path, dst_dir: Path) -> Path:
    dst = dst_dir / "browser.duckdb"
    shutil.copy(src, dst)
    return dst


def settle(page, ready: str | None = None, *, timeout: float = 150_000, pause: int = 300) -> None:
    """Wait until Streamlit has finished the rerun the last action started (its 'Running' status
    widget is gone), then for `ready`, a selector the page draws once its content is there."""
    page.wait_for_timeout(pause)
    page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached", timeout=timeout)
    if ready:
        page.wait_for_selector(ready)
        page.wait_for_timeout(pause)


def pick(page, opener, option: str, *, typed: str | None = None, attempts: int = 4, wait: float = 15_000) -> None:
    """Open a select box (`opener`, a locator) and click `option` in its list. A rerun that lands
    between the click that opens the list and the click on the option closes the list again (seen
    under load in a full run: 'waiting for option ana' for 60 s); so when the option does not show,
    close what is open, let the rerun finish and open it again. Fails after `attempts` tries.
    `typed` narrows a virtualised list to the option first. The rerun can also land after the
    option showed and before the click (seen under load: the rerun after a commit offers one more
    quarter, the select box is drawn anew and its open list is gone), so the click is bounded too
    and a list that closed under it is opened again."""
    target = page.get_by_role("option", name=option, exact=True)
    for attempt in range(attempts):
        opener.click()
        if typed:
            page.keyboard.type(typed)
        try:
            target.wait_for(state="visible", timeout=wait)
            target.click(timeout=wait)
        except Exception:
            if attempt == attempts - 1:
                raise
            page.keyboard.press("Escape")
            settle(page, timeout=60_000, pause=300)
            continue
        return


def click_one(locator, *, timeout: float = 60_000) -> None:
    """Click the one element `locator` names, once the page shows exactly one. While a rerun is on
    its way the page can hold the last run's element beside the new one (seen in a full run: two
    'Set role' buttons just after signing in), and a click then fails Playwright's strict mode."""
    from playwright.sync_api import expect

    expect(locator).to_have_count(1, timeout=timeout)
    locator.click()
