"""A real browser on the Risk Review page: change the date and a filter, click a heatmap cell,
switch to presentation mode; screenshots of each step under artifacts/."""

import re
from pathlib import Path

import pytest

from isms.config import load_settings
from isms.filters import RiskFilter
from isms.store import connect
from isms.views import risk_review
from tests.browser import browser_page, copy_db, pick, require_chromium, streamlit_server, wait_for_metric
from tests.browser import settle as shared_settle
from tests.conftest import ROOT
from tests.factories import D
from ui.tables import ROW, WRAPPED_ROW

pytestmark = pytest.mark.browser

THEME = "A.8 Technological"


def settle(page) -> None:
    shared_settle(page, ".js-plotly-plot", timeout=60_000, pause=500)


def choose(page, label: str, option: str, scope=None) -> None:
    scope = scope or page
    pick(page, scope.locator('[data-testid="stSelectbox"], [data-testid="stMultiSelect"]').filter(has_text=label).first, option)
    settle(page)


def test_risk_review_journey(sample_db_path, tmp_path, artifacts):
    require_chromium()
    db = copy_db(sample_db_path, tmp_path)
    settings = load_settings(ROOT / "isms.toml", db_path=str(db))
    con = connect(db, read_only=True)
    earlier = risk_review.build(con, settings, D("2026-06-30"), D("2026-03-31")).scorecard.current
    themed = risk_review.build(con, settings, D("2026-06-30"), D("2026-03-31"), RiskFilter(themes=(THEME,)))
    con.close()
    cell = themed.cells_for("residual").sort_values(["risks", "likelihood", "impact"], ascending=False).iloc[0]
    li, im, n = int(cell["likelihood"]), int(cell["impact"]), int(cell["risks"])

    with streamlit_server(db) as url, browser_page(1600, 5600) as page:
        page.goto(url + "/risk-review")
        page.wait_for_selector('[data-testid="stMetric"]')
        settle(page)
        page.screenshot(path=str(artifacts / "risk-review-1-opened.png"), full_page=True)

        choose(page, "As of (quarter end)", "30 Jun 2026")
        assert "as_of=2026-06-30" in page.url
        wait_for_metric(page, "Residual exposure", f"{earlier.residual_exposure:,}")

        choose(page, "Annex A theme", THEME, scope=page.locator('[data-testid="stSidebar"]'))
        page.keyboard.press("Escape")
        settle(page)
        assert "theme=A.8" in page.url
        wait_for_metric(page, "Residual exposure", f"{themed.scorecard.current.residual_exposure:,}")
        page.screenshot(path=str(artifacts / "risk-review-2-date-and-theme.png"), full_page=True)

        plot = page.locator(".js-plotly-plot").first
        plot.scroll_into_view_if_needed()
        box = plot.locator(".nsewdrag").first.bounding_box()
        m = settings.matrix
        x = box["x"] + (im - 0.5) / m.steps_impact * box["width"]
        y = box["y"] + box["height"] - (li - 0.5) / m.steps_likelihood * box["height"]
        page.mouse.click(x, y)
        settle(page)
        page.wait_for_selector(f"text=with residual likelihood {li} and impact {im}")
        listed = page.locator("text=/\\d+ risks? with residual likelihood/").first.inner_text()
        assert re.match(rf"{n} risks? with residual likelihood {li} and impact {im}", listed), listed
        page.screenshot(path=str(artifacts / "risk-review-3-cell-selected.png"), full_page=True)

        second = themed.top_risks.iloc[1]["risk_id"]
        grid = page.locator('.st-key-top_risks [data-testid="stDataFrame"]').first
        grid.scroll_into_view_if_needed()
        gbox = grid.bounding_box()
        # the row marker of the second row: under the header, past one row tall enough for titles to wrap
        page.mouse.click(gbox["x"] + 14, gbox["y"] + ROW + WRAPPED_ROW + WRAPPED_ROW / 2)
        settle(page)
        heading = page.locator('[data-testid="stHeading"]').filter(has_text=f"{second} · ").first
        heading.wait_for()
        heading.scroll_into_view_if_needed()
        page.wait_for_timeout(500)
        page.screenshot(path=str(artifacts / "risk-review-4-risk-detail.png"), full_page=True)

        with page.expect_download() as download:
            page.get_by_role("button", name="PNG").first.click()
        assert Path(download.value.path()).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

        picker = page.locator('[data-testid="stSelectbox"]').filter(has_text="Risk").last
        picker.click()
        page.keyboard.type("R-999")
        page.keyboard.press("Enter")
        settle(page)
        page.wait_for_selector("text=R-999 is not in the risk register as of 30 June 2026")
        picker.click()
        page.keyboard.type(second)
        page.keyboard.press("Enter")
        settle(page)
        heading.wait_for()

        page.locator('[data-testid="stSidebar"] label').filter(has_text="Presentation mode").click()
        settle(page)
        assert "present=1" in page.url and "theme=A.8" in page.url and "as_of=2026-06-30" in page.url
        assert not page.locator('[data-testid="stSidebar"]').is_visible()
        wait_for_metric(page, "Residual exposure", f"{themed.scorecard.current.residual_exposure:,}")
        page.screenshot(path=str(artifacts / "risk-review-5-presentation.png"), full_page=True)


def test_control_effectiveness_filter_and_a_risks_controls(sample_db_path, tmp_path, artifacts):
    """The sample's risks whose controls failed or are overdue: the filter in the sidebar, in the URL,
    in the tiles; the detail of the first of them lists its controls' last tests."""
    require_chromium()
    db = copy_db(sample_db_path, tmp_path)
    settings = load_settings(ROOT / "isms.toml", db_path=str(db))
    con = connect(db, read_only=True)
    failing = risk_review.build(con, settings, D("2026-09-30"), D("2026-06-30"), RiskFilter(control_effectiveness="failing"))
    con.close()
    assert not failing.top_risks.empty  # the sample has failed and overdue control tests
    first = failing.top_risks.iloc[0]["risk_id"]

    with streamlit_server(db) as url, browser_page(1600, 5600) as page:
        page.goto(url + "/risk-review?as_of=2026-09-30&compare_to=2026-06-30")
        page.wait_for_selector('[data-testid="stMetric"]')
        settle(page)
        choose(page, "Control effectiveness", "A control failed or is overdue for testing",
               scope=page.locator('[data-testid="stSidebar"]'))
        assert "controls=failing" in page.url
        wait_for_metric(page, "Residual exposure", f"{failing.scorecard.current.residual_exposure:,}")
        heading = page.locator('[data-testid="stHeading"]').filter(has_text=f"{first} · ").first
        heading.wait_for()
        page.locator("text=Controls and their last test").first.scroll_into_view_if_needed()
        page.wait_for_timeout(1000)
        page.screenshot(path=str(artifacts / "risk-review-6-control-filter.png"), full_page=True)
