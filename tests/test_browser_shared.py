"""Two real `streamlit run` servers on one database, a page open in a browser, while the CLI imports
and another process builds a pack: everything exits 0, and the open page's next rerun offers the
quarter the CLI committed."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from isms.config import load_settings
from isms.store import connect
from isms.views import risk_review
from tests.browser import browser_page, pick, require_chromium, streamlit_server, wait_for_metric
from tests.browser import settle as shared_settle
from tests.conftest import ROOT, SAMPLE
from tests.factories import D

pytestmark = pytest.mark.browser
REGISTER = SAMPLE / "2026-09-30-register.xlsx"
NEW = "2026-12-31"


def settle(page) -> None:
    shared_settle(page, '[data-testid="stMetric"]', timeout=120_000, pause=400)


def choose_as_of(page, option: str) -> None:
    pick(page, page.locator('[data-testid="stSelectbox"]').filter(has_text="As of (quarter end)").first, option)
    settle(page)


def residual_exposure(db, as_of: str, compare_to: str) -> str:
    settings = load_settings(ROOT / "isms.toml", db_path=str(db))
    con = connect(db, read_only=True)
    try:
        return f"{risk_review.build(con, settings, D(as_of), D(compare_to)).scorecard.current.residual_exposure:,}"  # as the tile writes it
    finally:
        con.close()


@pytest.mark.both_stores
def test_open_page_shows_the_batch_the_cli_committed(sample_target, store_mode, tmp_path, artifacts):
    require_chromium()
    db = sample_target
    default = residual_exposure(db, "2026-09-30", "2026-06-30")
    env = {**os.environ, "ISMS_DB": str(db)}
    with streamlit_server(db) as url, streamlit_server(db) as second, browser_page(1600, 2400) as page:
        page.set_default_timeout(120_000)
        page.goto(url + "/risk-review")
        settle(page)
        # the tiles draw one by one: wait for this one to read the default (a timeout fails the test)
        wait_for_metric(page, "Residual exposure", default)
        other = page.context.browser.new_page()  # a second dashboard process serves the same data
        other.set_default_timeout(120_000)  # its first page opens the store (on DuckLake: attach, copy the snapshot)
        other.goto(second + "/risk-review")
        settle(other)
        wait_for_metric(other, "Residual exposure", default)

        run = lambda *a: subprocess.Popen([sys.executable, "-m", "isms", *a], cwd=ROOT, env=env, text=True,
                                          stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        importing = run("import", str(REGISTER), "--as-of", NEW, "--whole")
        packing = run("pack", "--meeting", "risk-review", "--out", str(tmp_path / "pack.pptx"))
        choose_as_of(page, "30 Jun 2026")  # the page keeps serving meanwhile
        for proc in (importing, packing):
            out, err = proc.communicate(timeout=300)
            assert proc.returncode == 0, (proc.args, out, err)

        choose_as_of(page, "30 Sep 2026")  # the next rerun reads the new snapshot: the new quarter is offered
        choose_as_of(page, "31 Dec 2026")  # NEW, as the box says it
        assert f"as_of={NEW}" in page.url
        wait_for_metric(page, "Residual exposure", residual_exposure(db, NEW, "2026-09-30"))
        page.screenshot(path=str(artifacts / f"shared-store-new-quarter-{store_mode}.png"), full_page=True)
