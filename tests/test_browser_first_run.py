"""A new adopter in a real browser: an empty database, the welcome's steps, the template filled with
three risks, the import, and the three risks on the Risk Review; and a look around the sample."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from isms import databases
from isms.store import connect
from tests.browser import browser_page, metric_values, require_chromium, settle, streamlit_server

pytestmark = pytest.mark.browser

# (id, title, residual likelihood, residual impact): Critical 5x5, High 4x3, Low 2x2 on the 5x5 matrix
RISKS = [("ACME-1", "Ransomware on the file servers", 5, 5), ("ACME-2", "Phishing of finance staff", 4, 3),
         ("ACME-3", "Laptop theft", 2, 2)]
AS_OF = dt.date(2026, 9, 30)


def fill_template(blank: bytes) -> bytes:
    """What the adopter does in Excel: the date on the About sheet, three risks and their ratings."""
    wb = load_workbook(io.BytesIO(blank))
    wb["About"]["B2"] = AS_OF
    risks, ratings = wb["Risks"], wb["Assessments"]
    headers = {ws.title: [c.value for c in ws[1]] for ws in (risks, ratings)}
    for risk_id, title, likelihood, impact in RISKS:
        row = {"Risk ID": risk_id, "Title": title, "Annex A theme": "A.8 Technological", "Owner": "CISO",
               "Status": "Open", "Identified on": dt.date(2026, 7, 1), "Source": "Annual assessment"}
        risks.append([row.get(h) for h in headers["Risks"]])
        rating = {"Risk ID": risk_id, "Assessed on": dt.date(2026, 9, 15), "Inherent likelihood": 5, "Inherent impact": 5,
                  "Residual likelihood": likelihood, "Residual impact": impact}
        ratings.append([rating.get(h) for h in headers["Assessments"]])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_a_first_run_from_the_welcome_to_the_risk_review(tmp_path, artifacts):
    require_chromium()
    db = tmp_path / "acme.duckdb"
    databases.create_empty(db)
    with streamlit_server(db) as url, browser_page(height=2400) as page:
        page.set_default_timeout(150_000)  # a shared, loaded machine reruns slowly; no timing is asserted
        page.goto(url)
        page.wait_for_selector("text=Step 4: See the Risk Review")  # the last step drawn: the page is whole
        settle(page)
        body = page.locator("body").inner_text()
        assert body.index("Step 1: Choose your risk matrix") < body.index("Step 2: Get your register") < \
            body.index("Step 3: Import it") < body.index("Step 4: See the Risk Review")
        assert "imported yet" not in body
        sidebar = page.locator('[data-testid="stSidebar"]')
        assert sidebar.get_by_role("link", name="Risk Review").count() == 0
        page.screenshot(path=str(artifacts / "first-run-1-welcome.png"), full_page=True)

        with page.expect_download() as dl:
            page.get_by_role("button", name="Download the blank template").click()
        upload = tmp_path / "acme-register.xlsx"
        upload.write_bytes(fill_template(dl.value.path().read_bytes()))

        page.get_by_role("link", name="Import your register").click()
        page.wait_for_selector("text=Upload the spreadsheet you already keep")
        page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(upload))
        page.wait_for_selector("text=No problems found", timeout=150_000)
        settle(page)
        page.screenshot(path=str(artifacts / "first-run-2-import.png"), full_page=True)
        page.wait_for_function("() => [...document.querySelectorAll('button')]"
                               ".some(b => b.innerText.trim() == 'Commit' && !b.disabled)")
        page.get_by_role("button", name="Commit").click()
        page.wait_for_selector("text=Committed acme-register.xlsx as batch 1", timeout=150_000)
        settle(page)

        sidebar.get_by_role("link", name="Risk Review").click()
        page.wait_for_selector('[data-testid="stMetric"]')
        settle(page)
        tiles = metric_values(page)
        assert (tiles["Critical risks"], tiles["High risks"], tiles["Medium risks"], tiles["Low risks"]) == ("1", "1", "0", "1")
        wanted = [f"{risk_id} · {title}" for risk_id, title, *_ in RISKS]
        picker = page.locator('[data-testid="stSelectbox"]').filter(has=page.get_by_text("Risk", exact=True)).last
        options: list[str] = []
        for _ in range(3):  # the list opens after the click; a click during a redraw opens nothing: open it again
            picker.scroll_into_view_if_needed()
            picker.click()
            try:
                page.wait_for_selector('[role="option"]', timeout=20_000)
            except Exception:
                continue
            options = page.get_by_role("option").all_inner_texts()
            page.keyboard.press("Escape")
            if all(w in options for w in wanted):
                break
        for w in wanted:
            assert w in options, options
        page.screenshot(path=str(artifacts / "first-run-3-risk-review.png"), full_page=True)
    con = connect(db, read_only=True)
    try:
        assert con.execute("SELECT risk_id FROM risk ORDER BY 1").fetchall() == [(r[0],) for r in RISKS]
    finally:
        con.close()


def test_look_around_the_sample_and_come_back(tmp_path, sample_db_path, artifacts):
    require_chromium()
    db = tmp_path / "acme.duckdb"
    databases.create_empty(db)
    databases.sample_path(db).write_bytes(sample_db_path.read_bytes())  # built already: the journey need not wait
    with streamlit_server(db) as url, browser_page(height=2000) as page:
        page.set_default_timeout(150_000)
        page.goto(url)
        page.wait_for_selector("text=Welcome: your own ISMS in four steps")
        settle(page)
        page.get_by_role("button", name="Look around the sample").click()
        page.wait_for_selector('[data-testid="stMetric"]')
        settle(page)
        assert "You are looking at the sample ISMS" in page.locator('[data-testid="stSidebar"]').inner_text()
        page.screenshot(path=str(artifacts / "first-run-sample.png"), full_page=True)
        page.get_by_role("button", name="Back to your own ISMS").click()
        page.wait_for_selector("text=Welcome: your own ISMS in four steps")
        settle(page)
        assert "sample ISMS" not in page.locator('[data-testid="stSidebar"]').inner_text()
    con = connect(db, read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM import_batch").fetchone()[0] == 0
    finally:
        con.close()


def test_an_administrator_downloads_the_export(tmp_path, sample_db_path):
    import json
    import zipfile

    require_chromium()
    db = tmp_path / "isms.duckdb"
    db.write_bytes(sample_db_path.read_bytes())
    with streamlit_server(db) as url, browser_page() as page:
        page.set_default_timeout(150_000)
        page.goto(url)
        page.get_by_role("link", name="Export", exact=True).click()
        page.wait_for_selector("text=Download the export (zip)")
        page.get_by_text("XLSX: import-template workbooks").click()
        settle(page)
        with page.expect_download() as dl:
            page.get_by_role("button", name="Download the export (zip)").click()
        # the latest day a fact describes: the sample forum's last action change, after its last import
        assert dl.value.suggested_filename == "isms-export-2026-11-20-xlsx.zip"
        names = zipfile.ZipFile(dl.value.path()).namelist()
    assert "README.md" in names and "import_batch.xlsx" in names and "isms-2026-09-30.xlsx" in names
    con = connect(db, read_only=True)
    try:
        [(detail,)] = con.execute("SELECT detail FROM audit_event WHERE action = 'data-exported'").fetchall()
    finally:
        con.close()
    assert json.loads(detail)["format"] == "xlsx"
