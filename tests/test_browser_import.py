"""The import journey in a real browser: upload a register, read the mapping and preview, commit."""

import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from isms.store import connect
from tests.browser import browser_page, copy_db, require_chromium, settle, streamlit_server

pytestmark = pytest.mark.browser
REGISTERS = Path(__file__).parent / "fixtures" / "registers"


COMMIT_ENABLED = ("() => [...document.querySelectorAll('button')]"
                  ".some(b => b.innerText.trim() == 'Commit' && !b.disabled)")


def confirm_and_commit(page) -> None:
    """Tick the confirmation, wait until the server has enabled Commit, click it."""
    label = "I have checked the mapping and these rules"
    settle(page)
    page.get_by_text(label).click()
    expect(page.get_by_role("checkbox", name=label)).to_be_checked()
    settle(page)
    page.wait_for_function(COMMIT_ENABLED)
    page.get_by_role("button", name="Commit").click()


def test_upload_map_preview_commit(sample_db_path, tmp_path, artifacts):
    require_chromium()
    db = copy_db(sample_db_path, tmp_path)
    upload = tmp_path / "risk_register.xlsx"
    shutil.copy(REGISTERS / "nikola_risk_register.xlsx", upload)
    with streamlit_server(db) as url, browser_page(height=2600) as page:
        page.set_default_timeout(150_000)  # a shared, loaded machine reruns slowly; no timing is asserted
        page.goto(url)
        page.get_by_role("link", name="Import", exact=True).click()
        page.wait_for_selector("text=Upload the spreadsheet you already keep")
        page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(upload))
        page.wait_for_selector("text=1. How the file was understood", timeout=150_000)
        page.wait_for_selector("text=3. What the import would do")
        settle(page)
        body = page.locator("body").inner_text()
        assert "Sheet Risk Register: Risks (register), headers on row 2" in body
        assert "Rules this import applies" in body
        page.screenshot(path=str(artifacts / "import-mapping-preview.png"), full_page=True)

        settle(page)
        assert page.get_by_role("button", name="Commit").is_disabled()
        # the file's 15 risks (R-001 to R-015, ids the sample also uses) against the sample's 148:
        # part of the register is offered first; as the whole register, the other 133 would leave
        # it, and the page asks first
        assert "The file lists 15 risks and 15 treatments; as the whole register it would retire the other 133 risks and " in body
        page.locator('[data-testid="stRadio"]').get_by_text("the whole register", exact=True).click()
        settle(page)
        retire = page.get_by_text("these are no longer in the register")
        assert f"({148 - 15} risks, " in retire.inner_text()
        retire.click()
        settle(page)
        confirm_and_commit(page)
        page.wait_for_selector("text=Committed risk_register.xlsx as batch", timeout=150_000)
        page.get_by_role("tab", name="Import history").click()
        page.wait_for_timeout(500)
        page.screenshot(path=str(artifacts / "import-committed.png"), full_page=True)
    con = connect(db, read_only=True)
    last = con.execute("SELECT file_name, source, row_counts FROM import_batch ORDER BY batch_id DESC LIMIT 1").fetchone()
    con.close()
    assert last[0] == "risk_register.xlsx" and last[1] == "mapped"
    assert '"risks": 15' in last[2] and '"treatments": 15' in last[2]


def test_fix_a_broken_file_from_the_downloaded_copy(tmp_path, artifacts):
    """Refused, download the marked workbook, fix the marked cell, upload the fix, commit."""
    from openpyxl import Workbook, load_workbook

    require_chromium()
    db = tmp_path / "fresh.duckdb"
    connect(db).close()
    wb = Workbook()
    ws = wb.active
    ws.title = "Register"
    ws.append(["Risk ID", "Title", "Likelihood", "Impact", "Owner"])
    ws.append(["R-1", "Ransomware", 4, 5, "CISO"])
    ws.append(["R-2", "Phishing", "often", 3, "CISO"])
    broken = tmp_path / "q1.xlsx"
    wb.save(broken)
    with streamlit_server(db) as url, browser_page(height=2000) as page:
        page.set_default_timeout(150_000)  # a shared, loaded machine reruns slowly; no timing is asserted
        page.goto(url)
        page.get_by_role("link", name="Import", exact=True).click()
        page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(broken))
        page.wait_for_selector("text=1 error stops this import", timeout=150_000)
        settle(page)
        page.screenshot(path=str(artifacts / "import-problems.png"), full_page=True)
        with page.expect_download() as dl:
            page.get_by_role("button", name="Download your workbook with each problem marked").click()
        marked = tmp_path / "q1-problems.xlsx"
        dl.value.save_as(marked)
        book = load_workbook(marked)
        cell = book["Register"]["C3"]
        assert "neither a step 1-5 nor a level word" in cell.comment.text
        cell.value = 3
        fixed = tmp_path / "q1-fixed.xlsx"
        book.save(fixed)
        page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(fixed))
        try:
            page.wait_for_selector("text=No problems found", timeout=150_000)
        finally:
            page.screenshot(path=str(artifacts / "import-fixed-upload.png"), full_page=True)
        page.screenshot(path=str(artifacts / "import-fixed-upload.png"), full_page=True)
        confirm_and_commit(page)
        page.wait_for_selector("text=Committed q1-fixed.xlsx as batch 1", timeout=150_000)
        page.screenshot(path=str(artifacts / "import-fixed-committed.png"), full_page=True)
    con = connect(db, read_only=True)
    assert con.execute("SELECT risk_id, inherent_likelihood FROM assessment ORDER BY 1").fetchall() == [("R-1", 4), ("R-2", 3)]
    con.close()


def test_a_sparse_cell_workbook_leaves_the_server_serving(sample_db_path, tmp_path, artifacts):
    """The 5 KB workbook with one cell at XFD150000 once made the reader ask for 78.6 GB and took
    the dashboard down for everyone. Now the page names the stray cell, and the server (checked
    by its health endpoint and by a second session rendering a page) lives on."""
    import urllib.request

    from tests.hostile_files import sparse_cell

    require_chromium()
    db = copy_db(sample_db_path, tmp_path)
    upload = tmp_path / "sparse-cell.xlsx"
    upload.write_bytes(sparse_cell())
    with streamlit_server(db) as url, browser_page(height=2200) as page:
        page.set_default_timeout(150_000)
        page.goto(url)
        page.get_by_role("link", name="Import", exact=True).click()
        page.wait_for_selector("text=Upload the spreadsheet you already keep")
        page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(upload))
        page.wait_for_selector("text=1. How the file was understood")
        settle(page)
        page.screenshot(path=str(artifacts / "import-sparse-cell.png"), full_page=True)
        body = page.locator("body").inner_text()
        # the warnings' text sits in a canvas grid (tests/test_hostile_uploads.py reads it); the
        # page says how many there are, and offers the marked copy
        # the fourth: its R-1 beside the sample's R-001 (isms.importing.pipeline._lookalike_ids)
        assert "Checked sparse-cell.xlsx: 0 errors, 4 warnings" in body
        assert "Download your workbook with each problem marked" in body
        assert urllib.request.urlopen(url + "/_stcore/health", timeout=10).read() == b"ok"
        other = page.context.browser.new_page(viewport={"width": 1500, "height": 1400})
        other.goto(url + "/risk-review")
        other.wait_for_selector('[data-testid="stMetric"]', timeout=150_000)
        assert other.locator('[data-testid="stMetric"]').count() >= 5


def test_unmapping_a_column_in_the_browser(sample_db_path, tmp_path, artifacts):
    """Clearing a field's column in the mapping editor un-maps it: the column is then listed as not
    imported, and the file still imports (it failed with "column 'nan'" before)."""
    require_chromium()
    db = copy_db(sample_db_path, tmp_path)
    upload = tmp_path / "unit-register.csv"
    upload.write_text("Risk ID,Title,Likelihood,Impact,Owner\nR-1,Ransomware,4,5,CISO\nR-2,Phishing,3,3,CISO\n")
    with streamlit_server(db) as url, browser_page(height=2400) as page:
        page.set_default_timeout(150_000)
        page.goto(url)
        page.get_by_role("link", name="Import", exact=True).click()
        page.wait_for_selector("text=Upload the spreadsheet you already keep")
        page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(upload))
        page.wait_for_selector("text=1. How the file was understood")
        settle(page)
        assert "Not imported: Owner" not in page.locator("body").inner_text()
        editor = page.locator('[data-testid="stDataFrame"]').first
        row_height = 35
        for attempt in range(3):  # a click that lands while a loaded machine is still drawing the grid selects nothing
            try:
                settle(page)  # the page's layout is final: the grid is where it will stay
                box = editor.bounding_box()
                # the field as the template names it ('Owner'): the first of the row's cells
                fields = [row.locator('[role="gridcell"]').first.inner_text().strip()
                          for row in editor.locator('[role="row"]:has([role="gridcell"])').all()]
                owner = next((i for i, text in enumerate(fields) if text == "Owner"), None)
                assert owner is not None, fields
                page.mouse.click(box["x"] + box["width"] * 0.75, box["y"] + row_height * (owner + 1) + row_height / 2)
                page.wait_for_timeout(500)
                page.keyboard.press("Delete")
                page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] + 40)  # leave the editor
                page.wait_for_selector("text=Not imported: Owner", timeout=40_000)
                break
            except Exception:
                if attempt == 2:
                    page.screenshot(path=str(artifacts / "import-unmap-failed.png"), full_page=True)
                    raise
        page.wait_for_selector("text=Checked unit-register.csv: 0 errors")
        settle(page)
        body = page.locator("body").inner_text()
        page.screenshot(path=str(artifacts / "import-unmapped-owner.png"), full_page=True)
        assert "'nan'" not in body and "Not imported: Owner" in body
