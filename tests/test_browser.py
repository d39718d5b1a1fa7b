"""A real browser (Playwright driving Debian's chromium) against `streamlit run`."""

import pytest

from isms.config import load_settings
from isms.posture import scorecard
from isms.store import connect
from tests.browser import browser_page, copy_db, metric_values, require_chromium, streamlit_server
from tests.conftest import ROOT
from tests.factories import D

pytestmark = pytest.mark.browser


def test_risk_review_shows_the_scorecard(sample_db_path, tmp_path, artifacts):
    require_chromium()
    db = copy_db(sample_db_path, tmp_path)
    settings = load_settings(ROOT / "isms.toml", db_path=str(db))
    con = connect(db, read_only=True)
    card = scorecard(con, settings, D("2026-09-30"), D("2026-06-30"))
    kris = scorecard(con, settings, D("2026-10-31"), D("2026-09-30")).current.kris
    con.close()
    with streamlit_server(db) as url, browser_page() as page:
        page.goto(url + "/risk-review")
        page.wait_for_selector('[data-testid="stMetric"]')
        page.wait_for_selector(".js-plotly-plot")
        shown = metric_values(page)
        for level in card.levels:
            assert shown[f"{level} risks"] == str(card.current.residual_by_level[level])
        assert shown["Residual exposure"] == f"{card.current.residual_exposure:,}"
        page.screenshot(path=str(artifacts / "risk-review.png"), full_page=True)

        page.get_by_role("link", name="Security Health").click()
        page.wait_for_selector("text=KRIs red")
        page.wait_for_selector(".js-plotly-plot")
        page.wait_for_timeout(500)
        assert metric_values(page)["KRIs red"] == str(kris.red)
        page.screenshot(path=str(artifacts / "security-health.png"), full_page=True)



def test_risk_review_pack_download(sample_db_path, tmp_path, artifacts):
    """A user opens the pack panel, downloads the deck, and it opens with the page's figures."""
    import io

    from pptx import Presentation

    require_chromium()
    db = copy_db(sample_db_path, tmp_path)
    settings = load_settings(ROOT / "isms.toml", db_path=str(db))
    con = connect(db, read_only=True)
    card = scorecard(con, settings, D("2026-09-30"), D("2026-06-30"))
    con.close()
    with streamlit_server(db) as url, browser_page() as page:
        page.goto(url + "/risk-review")
        page.wait_for_selector('[data-testid="stMetric"]')
        page.get_by_text("Review pack: PowerPoint, PDF, chart images").click()
        page.get_by_role("button", name="PowerPoint deck").wait_for()
        page.screenshot(path=str(artifacts / "risk-review-pack-panel.png"), full_page=True)
        with page.expect_download(timeout=120_000) as download:
            page.get_by_role("button", name="PowerPoint deck").click()
        assert download.value.suggested_filename == "risk-review-2026-09-30.pptx"
        data = open(download.value.path(), "rb").read()
    prs = Presentation(io.BytesIO(data))
    scorecard_slide = next(s for s in prs.slides  # after the agenda's slides
                           if any(sh.name == "Title" and sh.text_frame.text.startswith("Risk scorecard") for sh in s.shapes))
    rows = {r.cells[0].text: r.cells[1].text for r in next(s for s in scorecard_slide.shapes if s.has_table).table.rows}
    assert rows["Critical risks"] == str(card.current.residual_by_level["Critical"])
