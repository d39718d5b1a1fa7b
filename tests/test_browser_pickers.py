"""Every picker reads whole on a 1366 px projector: at that width the Compliance Review's "Compared
with" showed "31 Aug 2026 · period en", and the audit trail's date inputs "yyyy-mm-d". Measured in a
real browser: the text a select shows, or a date input's value or placeholder (drawn with the input's
own font), must fit inside the control."""

import pytest

from tests.browser import browser_page, copy_db, require_chromium, settle, streamlit_server

pytestmark = pytest.mark.browser

# (label, text) of each select (an input in Streamlit's combobox) whose value or placeholder, drawn in
# its font, is wider than the input, and of each date input whose fields scroll inside their box
_CUT = """() => {
  const cut = [], canvas = document.createElement('canvas').getContext('2d');
  for (const fields of document.querySelectorAll('[data-testid="stDateInputFieldsScroller"]')) {  // yyyy-mm-dd
    if (fields.scrollWidth > fields.clientWidth + 1) cut.push([fields.closest('[data-testid="stDateInput"]')
      .querySelector('label')?.innerText || '?', fields.innerText]);
  }
  for (const input of document.querySelectorAll('[data-testid="stSelectbox"] input')) {
    const style = getComputedStyle(input);
    canvas.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
    const text = input.value || input.placeholder;
    const room = input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    if (canvas.measureText(text).width > room + 1) cut.push([input.getAttribute('aria-label') || '?', text]);
  }
  return cut;
}"""


def test_pickers_read_whole_at_1366(sample_db_path, tmp_path, artifacts):
    require_chromium()
    db = copy_db(sample_db_path, tmp_path)
    with streamlit_server(db) as url, browser_page(1366, 768) as page:
        for path, control in (("/compliance?as_of=2026-10-31&compare_to=2026-08-31", "stSelectbox"),
                              ("/audit", "stDateInput"), ("/risk-review", "stSelectbox"),
                              ("/security-health", "stSelectbox")):
            page.goto(url + path)
            page.wait_for_selector(f'[data-testid="{control}"]', timeout=60_000)
            settle(page)
            assert page.locator(f'[data-testid="{control}"]').count(), path
            assert page.evaluate(_CUT) == [], f"cut at 1366 px on {path}"
            page.screenshot(path=str(artifacts / f"pickers{path.split('?')[0].replace('/', '-')}-1366.png"))


def test_a_quarter_end_with_no_import_reads_whole_at_1366(tmp_path, artifacts):
    """'30 Sep 2026 · no import', the Risk Review's quarter end after a register of 30 June."""
    import datetime as dt

    from isms.store import connect
    from tests.factories import import_text

    require_chromium()
    db = tmp_path / "isms.duckdb"
    con = connect(db)
    import_text(con, "Risk ID,Title,Owner,Likelihood,Impact\nR-1,Ransomware,IT,4,5\n", "register.csv",
                dt.date(2026, 6, 30))
    con.close()
    with streamlit_server(db) as url, browser_page(1366, 768) as page:
        page.goto(url + "/risk-review?as_of=2026-09-30&compare_to=2026-06-30")
        page.wait_for_selector('[data-testid="stSelectbox"]', timeout=60_000)
        settle(page)
        assert page.locator('[data-testid="stSelectbox"] input').first.input_value() == "30 Sep 2026 · no import"
        assert page.evaluate(_CUT) == [], "cut at 1366 px on the Risk Review"
        page.screenshot(path=str(artifacts / "pickers-risk-review-no-import-1366.png"))
