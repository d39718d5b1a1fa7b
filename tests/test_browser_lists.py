"""Every list on the meeting pages shows all its columns on a 1280 px projector with the sidebar
open: at that width the Risk Review's, Security Health's and the Compliance Review's lists ran up
to 72 px past their box (a sideways scroll in the meeting), and the Forum's lists inside a
meeting's expander 9 px; the Import page's history of batches was 1,436 px wide. Measured in a real browser: the grid's scroller is no wider than the box."""

import pytest

from tests.browser import browser_page, copy_db, require_chromium, settle, streamlit_server

pytestmark = pytest.mark.browser

# [page width of the grid's content, width of its box] of each grid drawn on the page
_GRIDS = """() => Array.from(document.querySelectorAll('[data-testid="stDataFrame"] .dvn-scroller'))
  .filter(s => s.clientWidth > 0).map(s => [s.scrollWidth, s.clientWidth])"""


def test_lists_fit_a_1280_px_projector(sample_db_path, tmp_path, artifacts):
    require_chromium()
    db = copy_db(sample_db_path, tmp_path)
    with streamlit_server(db) as url, browser_page(1280, 800) as page:
        for path, least in (("/risk-review", 6), ("/security-health", 3), ("/compliance", 6), ("/forum", 3),
                            ("/management-review", 3)):
            page.goto(url + path)
            page.wait_for_selector('[data-testid="stDataFrame"] .dvn-scroller', timeout=60_000)
            settle(page)
            page.wait_for_timeout(2000)  # the grids draw after the run ends
            grids = page.evaluate(_GRIDS)
            assert len(grids) >= least, f"{path}: {len(grids)} lists drawn"
            assert max(box for _, box in grids) <= 830, f"{path}: the sidebar is not open"  # 818 beside it
            wide = [g for g in grids if g[0] > g[1] + 1]
            page.screenshot(path=str(artifacts / f"lists{path.replace('/', '-')}-1280.png"))
            assert not wide, f"{path}: lists scroll sideways at 1280 px ([content, box] px): {wide}"
        # a held meeting's decisions and actions, in its expander (the Forum's page is the last opened)
        page.goto(url + "/forum")
        page.wait_for_selector('[data-testid="stExpander"] summary', timeout=60_000)
        settle(page)
        page.locator('[data-testid="stExpander"] summary').first.click()
        settle(page)
        page.wait_for_timeout(2000)
        inside = page.evaluate(_GRIDS.replace('[data-testid="stDataFrame"]', '[data-testid="stExpander"] [data-testid="stDataFrame"]'))
        assert inside, "a held meeting's decisions and actions: none drawn"
        page.screenshot(path=str(artifacts / "lists-forum-meeting-1280.png"))
        assert all(content <= box + 1 for content, box in inside), f"a meeting's lists scroll sideways: {inside}"
        # the Import page's history of batches: at its own widths it ran 1,436 px wide in 818, 'file is' cut off
        page.goto(url + "/import")
        page.get_by_role("tab", name="Import history").click()
        page.wait_for_selector('[data-testid="stDataFrame"] .dvn-scroller', timeout=60_000)
        settle(page)
        page.wait_for_timeout(2000)
        history = page.evaluate(_GRIDS)
        page.screenshot(path=str(artifacts / "lists-import-history-1280.png"))
        assert history and all(content <= box + 1 for content, box in history), f"the import history: {history}"
