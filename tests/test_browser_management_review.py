"""A real browser on the Management review page: the year's findings and audits are there, and the
pack panel's deck downloads and opens with the agenda, the year-over-year view and the closing actions."""

import pytest
from pptx import Presentation

from tests.browser import browser_page, copy_db, require_chromium, settle, streamlit_server

pytestmark = pytest.mark.browser


def test_management_review_page_and_its_pack(sample_db_path, tmp_path, artifacts):
    require_chromium()
    db = copy_db(sample_db_path, tmp_path)
    with streamlit_server(db) as url, browser_page() as page:
        page.goto(url + "/management-review?year=2025")
        settle(page, "text=Audit results")
        page.wait_for_selector("text=Nonconformities and findings")
        page.screenshot(path=str(artifacts / "management-review-2025.png"), full_page=True)
        page.get_by_role("heading", name="Nonconformities and findings", exact=True).scroll_into_view_if_needed()
        page.wait_for_timeout(1500)
        page.screenshot(path=str(artifacts / "management-review-2025-d.png"))
        page.get_by_text("Review pack: PowerPoint, PDF, chart images").click()
        page.get_by_role("button", name="PowerPoint deck").wait_for()
        with page.expect_download(timeout=120_000) as download:
            page.get_by_role("button", name="PowerPoint deck").click()
        assert download.value.suggested_filename == "management-review-2025-12-31.pptx"
        deck = tmp_path / "mr.pptx"
        download.value.save_as(deck)
    titles = [next((s.text_frame.text for s in slide.shapes if s.name == "Title"), "")
              for slide in Presentation(str(deck)).slides]
    assert titles[1].startswith("Agenda: Management review meeting, 30 January 2026")
    assert "Risk posture at year end, 2025 against 2024" in titles and "Audit results, 2025" in titles
    assert titles[-2:] == ["Open actions of the Management review series", "Appendix: method and data"]
