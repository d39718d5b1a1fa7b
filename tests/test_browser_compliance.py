"""The Compliance review journey in a real browser, on an empty ISMS: import a control register and
an SoA spreadsheet in the analyst's own layout, open the Compliance Review page, click a coverage
cell, download the SoA and the pack; both downloads are read back."""

import pytest
from openpyxl import load_workbook
from pptx import Presentation

from isms.store import connect
from tests.browser import browser_page, require_chromium, settle, streamlit_server
from tests.test_browser_import import COMMIT_ENABLED, confirm_and_commit

pytestmark = pytest.mark.browser

CONTROLS = ("Control ID,Control Name,Control Owner,Control Type,Frequency,Annex A control\n"
            "C-01,Access management,IAM lead,Preventive,Quarterly,\"5.15, 5.18\"\n"
            "C-02,Patch management,Ops lead,Corrective,Monthly,8.8\n"
            "C-03,Backups,Ops lead,Corrective,Quarterly,8.13\n")
SOA = ("Control,Applicable?,Justification,Status\n"
       "A.5.15,Yes,Access risks,Implemented\nA.5.18,Yes,Access risks,Implemented\nA.7.4,No,Fully remote,\n"
       "A.8.8,Yes,Vulnerability risk,Partially implemented\nA.8.13,Yes,Availability,Implemented\n"
       "A.8.24,Yes,Customer contracts,Planned\n")


# each selectbox's label and chosen value (the value is its input's, not in innerText)
SELECTBOXES = ("() => [...document.querySelectorAll('[data-testid=\"stSelectbox\"]')].map(e => e.textContent"
               " + ' | ' + (e.querySelector('input')?.value || ''))")


def _import(page, url, path) -> None:
    page.goto(url + "/import")  # a fresh page for each file
    settle(page, "text=Upload the spreadsheet you already keep")
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(path))
    page.wait_for_selector("text=3. What the import would do", timeout=150_000)
    settle(page)
    if page.get_by_text("I have checked the mapping and these rules").count():
        confirm_and_commit(page)  # the file's rules (a filled column, the SoA's framework) are confirmed first
    else:
        page.wait_for_function(COMMIT_ENABLED)
        page.get_by_role("button", name="Commit").click()
    page.wait_for_selector(f"text=Committed {path.name} as batch", timeout=150_000)


def test_import_controls_and_soa_then_review_and_download(tmp_path, artifacts):
    require_chromium()
    db = tmp_path / "fresh.duckdb"
    connect(db).close()
    controls, soa = tmp_path / "controls.csv", tmp_path / "soa.csv"
    controls.write_text(CONTROLS)
    soa.write_text(SOA)
    with streamlit_server(db) as url, browser_page(height=3000) as page:
        page.set_default_timeout(150_000)
        page.goto(url)
        settle(page)
        _import(page, url, controls)
        _import(page, url, soa)
        page.goto(url + "/compliance")
        settle(page, "text=Coverage")
        body = page.locator("body").inner_text()
        assert "ISO27001-2022" in body and "Statement of Applicability" in body
        # coverage: themes A.5 (A.5.15, A.5.18) and A.8 (A.8.8, A.8.13, A.8.24) applicable; click A.8's cell
        plot = page.locator(".js-plotly-plot").first
        plot.scroll_into_view_if_needed()
        box = plot.locator(".nsewdrag").first.bounding_box()
        page.mouse.click(box["x"] + box["width"] * 0.75, box["y"] + box["height"] * 0.5)  # the second of two columns
        settle(page)
        page.wait_for_function("() => location.search.includes('A.8+Technological')")
        # the cell's list follows the click (its grid draws on a canvas: the chooser above it says which cell)
        boxes = page.evaluate(SELECTBOXES)
        assert any("Requirements of a framework and family" in b and "A.8 Technological" in b for b in boxes), boxes
        page.screenshot(path=str(artifacts / "compliance-page.png"), full_page=True)

        with page.expect_download() as got:
            page.get_by_role("button", name="SoA (xlsx)").click()
        soa_file = tmp_path / "soa-export.xlsx"
        got.value.save_as(soa_file)
        page.get_by_text("Review pack: PowerPoint, PDF, chart images").click()
        settle(page)
        with page.expect_download() as got:
            page.get_by_role("button", name="PowerPoint deck").click()
        deck = tmp_path / "compliance.pptx"
        got.value.save_as(deck)

    rows = {r[0]: r for r in load_workbook(soa_file).active.iter_rows(min_row=7, values_only=True)}
    assert len(rows) == 93
    assert rows["A.8.8"][3:7] == ("Yes", "Vulnerability risk", "Partially implemented", "C-02")
    assert rows["A.7.4"][3:5] == ("No", "Fully remote")
    titles = [next((s.text_frame.text for s in slide.shapes if s.name == "Title"), "") for slide in Presentation(str(deck)).slides]
    assert any(t.startswith("Compliance by framework") for t in titles)
