"""A real browser on the Security Health page: month, filter, an indicator, presentation mode.

Screenshots go to artifacts/security-health-*.png for a person to look at.
"""

from urllib.parse import parse_qs, urlparse

import pytest

from tests.browser import (browser_page, copy_db, metric_values, pick, require_chromium, streamlit_server,
                           wait_for_metric_labels)
from ui.tables import ROW, WRAPPED_ROW

pytestmark = pytest.mark.browser


def _wait_idle(page) -> None:
    """Streamlit shows a running indicator while a rerun is in flight."""
    page.wait_for_timeout(300)
    page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached", timeout=60_000)
    page.wait_for_timeout(300)


def _choose(page, testid: str, label: str, option: str) -> None:
    # the list is virtualised: narrow it to the option first
    pick(page, page.locator(f'[data-testid="{testid}"]').filter(has_text=label).first, option, typed=option[:12])
    page.keyboard.press("Escape")
    _wait_idle(page)


def _params(page) -> dict[str, list[str]]:
    return parse_qs(urlparse(page.url).query)


def test_security_health_journey(sample_db_path, tmp_path, artifacts):
    require_chromium()
    db = copy_db(sample_db_path, tmp_path)
    with streamlit_server(db) as url, browser_page(height=4600) as page:
        page.goto(url + "/risk-review")
        page.wait_for_selector('[data-testid="stMetric"]')
        page.get_by_role("link", name="Security Health").click()
        page.wait_for_selector("text=Security Health · October 2026")
        page.wait_for_selector("text=KRI board")
        _wait_idle(page)
        page.wait_for_timeout(1000)
        shown = metric_values(page)
        assert shown["KRIs red"] == "3" and shown["Stale (no result)"] == "1"
        assert page.get_by_text("has been red for 12 months in a row").count() == 1
        page.screenshot(path=str(artifacts / "security-health-1-october.png"), full_page=True)

        _choose(page, "stSelectbox", "Month", "Jun 2026")
        page.wait_for_selector("text=Security Health · June 2026")
        assert _params(page)["month"] == ["2026-06-01"] and _params(page)["compare_month"] == ["2026-05-01"]

        _choose(page, "stMultiSelect", "Control domain", "A.8 Technological")
        page.wait_for_selector("text=KRI board")
        assert _params(page)["domain"] == ["A.8 Technological"]
        wait_for_metric_labels(page, " health", ["A.8 Technological health"])
        assert [k for k in metric_values(page) if k.endswith(" health")] == ["A.8 Technological health"]
        page.screenshot(path=str(artifacts / "security-health-2-june-technological.png"), full_page=True)

        _choose(page, "stSelectbox", "Indicator", "KRI-08 Open critical vulnerabilities")
        page.wait_for_selector("text=KRI-08 Open critical vulnerabilities (lower is better)")
        assert _params(page)["kri"] == ["KRI-08"]
        page.get_by_text("Indicator detail").scroll_into_view_if_needed()
        page.screenshot(path=str(artifacts / "security-health-3-indicator.png"), full_page=True)

        # selecting a row of the board opens that indicator too
        board = page.locator('.st-key-kri_board [data-testid="stDataFrame"]').first
        rows = board.locator('[role="row"]:has([role="gridcell"])')
        ids = [rows.nth(i).locator('[role="gridcell"]').first.inner_text() for i in range(3)]
        row = next(i for i, kri in enumerate(ids) if kri != "KRI-08")
        box = board.bounding_box()
        page.mouse.click(box["x"] + 16, box["y"] + ROW + WRAPPED_ROW * row + WRAPPED_ROW / 2)  # the row's selection box
        _wait_idle(page)
        # the URL follows the selection at the end of the rerun it starts: wait for it, then read it
        page.wait_for_function("kri => new URL(location.href).searchParams.get('kri') == kri", arg=ids[row],
                               timeout=150_000)
        assert _params(page)["kri"] == [ids[row]]
        page.locator(".js-plotly-plot .gtitle", has_text=ids[row]).wait_for()  # the history chart follows

        page.get_by_text("Presentation mode").click()
        page.wait_for_selector("text=Exit presentation")
        _wait_idle(page)
        page.wait_for_timeout(1000)
        assert _params(page)["present"] == ["1"]
        assert page.locator('[data-testid="stDownloadButton"]').count() == 0
        assert not page.locator('[data-testid="stSidebar"]').is_visible()
        assert page.get_by_text("Security Health · June 2026").is_visible()  # month and filter kept
        page.screenshot(path=str(artifacts / "security-health-4-presentation.png"), full_page=True)
