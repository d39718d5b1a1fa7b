"""What an analyst waits for, timed in a real browser: uploading the bench's 100,000-row
assessments workbook (bench_import) on a store of 1,000 risks, until its preview shows, then the
commit, until the page says it is committed, and until the page below has compared the file with
the register it now holds (it says the file was already imported).

Not part of `make bench` (it needs Debian's chromium, `make system-deps`); run it with
`.venv/bin/python -m bench.browser_import [rounds]`. Times are printed, not asserted.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from bench.bench_import import _store_with_risks, assessments_workbook
from tests.browser import browser_page, require_chromium, settle, streamlit_server

COMMIT_ENABLED = ("() => [...document.querySelectorAll('button')]"
                  ".some(b => b.innerText.trim() == 'Commit' && !b.disabled)")


def one_round(folder: Path, n: int, book: Path) -> tuple[float, float, float]:
    """(seconds from the upload to the preview, from Commit to 'Committed', from Commit to the page
    saying the file was already imported)."""
    db = folder / f"round-{n}.duckdb"
    _store_with_risks(db)
    with streamlit_server(db) as url, browser_page(height=2600) as page:
        page.set_default_timeout(300_000)
        page.goto(url)
        page.get_by_role("link", name="Import", exact=True).click()
        page.wait_for_selector("text=Upload the spreadsheet you already keep")
        time.sleep(3)  # the analyst finds the file
        start = time.perf_counter()
        page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(book))
        page.wait_for_selector("text=3. What the import would do")
        preview = time.perf_counter() - start
        settle(page)
        label = "I have checked the mapping and these rules"
        if page.get_by_text(label).count():
            page.get_by_text(label).click()
            settle(page)
        page.wait_for_function(COMMIT_ENABLED)
        start = time.perf_counter()
        page.get_by_role("button", name="Commit").click()
        page.wait_for_selector(f"text=Committed {book.name} as batch")
        committed = time.perf_counter() - start
        page.wait_for_selector("text=This file was already imported")
        return preview, committed, time.perf_counter() - start


def main(rounds: int) -> None:
    require_chromium()
    with tempfile.TemporaryDirectory(prefix="bench-browser-import-") as tmp:
        book = Path(tmp) / "assessments.xlsx"
        book.write_bytes(assessments_workbook())
        for n in range(rounds):
            preview, commit, settled = one_round(Path(tmp), n, book)
            print(f"browser_import_preview_s: {preview:.2f}\nbrowser_import_commit_s: {commit:.2f}\n"
                  f"browser_import_commit_settled_s: {settled:.2f}", flush=True)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2)
