"""Every list on the two meeting pages fits a projector (1280 x 800) with the sidebar open: each
column it shows has a width in pixels and they add up to at most the 818 px the page has there
(measured in Chromium; 890 px at 1366, where the grid widens them). A column added without a
width, or one too many, fails here before it is cut off in the meeting room. The browser test
(test_browser_lists) measures the grids themselves at 1280 px."""

import json

from tests.test_pages import app_db, open_page  # noqa: F401  (the module-scoped sample copy)
from ui.apptest import open_app
from ui.tables import NARROW_WIDTH, SELECTION_BOX, WRAPPED_ROW


def _lists(at) -> list[tuple[list[str], dict, bool, int]]:
    return [(list(d.proto.column_order), json.loads(d.proto.columns or "{}"), bool(d.proto.selection_mode),
             d.proto.row_height) for d in at.dataframe]


def _check(lists: list, first_columns: set[str]) -> None:
    """Every list on the page fits; `first_columns` names (by its first column) the lists that must be there."""
    assert first_columns <= {order[0] for order, *_ in lists if order}, [order[:2] for order, *_ in lists]
    for order, config, selectable, row_height in lists:
        widths = [config.get(c, {}).get("width") for c in order]
        assert order and all(isinstance(w, int) for w in widths), f"a column without a pixel width: {dict(zip(order, widths))}"
        if order[:2] == ["risk_id", "title"] and "inherent_level" in order:  # the cell's risks, beside the heatmap
            assert sum(widths[:4]) <= NARROW_WIDTH / 2, f"{order}: {sum(widths[:4])} px of its first four columns"
        else:
            used = sum(widths) + (SELECTION_BOX if selectable else 0)
            assert used <= NARROW_WIDTH, f"{order}: {used} px > {NARROW_WIDTH} px"
        assert row_height == WRAPPED_ROW, f"{order}: rows too short for a title to wrap"


def test_risk_review_lists_fit_a_projector(app_db):  # noqa: F811
    at = open_app("pages/risk_review.py", query={"as_of": "2026-09-30", "compare_to": "2026-06-30"})
    at.selectbox(key="cell_likelihood").set_value(4)
    at.selectbox(key="cell_impact").set_value(4)
    at.run()
    at.selectbox(key="risk").set_value("R-087")  # a risk with treatments, an exception and assets
    at.run()
    assert not at.exception
    lists = _lists(at)
    # top, changes, appetite, exceptions, cell, 4 of the detail (its controls; it has no findings), and the
    # actions from earlier meetings (open, closed since)
    assert len(lists) == 11, [order[:2] for order, *_ in lists]
    _check(lists, {"risk_id", "flag", "window", "treatment_id", "exception_id", "asset_id", "action_id"})


def test_security_health_board_fits_a_projector(app_db):  # noqa: F811
    at = open_page("pages/security_health.py")
    assert not at.exception
    _check(_lists(at), {"KRI", "treatment_id", "risk_id", "action_id"})


def test_presentation_mode_shows_no_scrolling_lists(app_db):  # noqa: F811
    at = open_app("pages/risk_review.py", query={"present": "1"})
    scrolling = [order[:2] for order, *_ in _lists(at) if order[0] in {"risk_id", "flag", "window"}]
    assert not scrolling, "the meeting's lists are static tables in presentation mode, without scroll boxes"
    # 4 of the review; of the default risk's detail (R-016: no treatment, no exception) its assets and
    # controls; 2 of the actions from earlier meetings (the sample's forum)
    assert len(at.table) == 8
    assert not [order[:2] for order, *_ in _lists(at) if order[0] in {"treatment_id", "asset_id", "exception_id"}]


def test_in_presentation_mode_numbers_align_right_with_a_dash_among_them(app_db):  # noqa: F811
    """'From score' (a new risk's '–' among the numbers) sat on the left beside 'To score' on the
    right: every column of numbers aligns right, over the grid's own left for text columns."""
    import re

    at = open_app("pages/risk_review.py", query={"present": "1"})
    table = next(t for t in at.table if "From score" in t.value.columns)
    columns = list(table.value.columns)
    assert "–" in set(table.value["From score"])  # the sample's new R-129
    styles = table.proto.arrow_data.styler.styles
    right = [rule for rule in styles.split("}") if "text-align: right !important" in rule]
    assert len(right) == 1, styles[:300]
    aligned = {int(c) for c in re.findall(r"_row\d+_col(\d+)", right[0])}
    assert {columns.index("From score"), columns.index("To score")} <= aligned
    assert columns.index("Title") not in aligned and columns.index("Risk") not in aligned


def test_a_text_longer_than_its_cells_says_how_to_read_it_whole(tmp_path):
    """The grid cuts a long text at its cell's edge, with no ellipsis (an SoA justification of a few
    sentences showed three lines and half a fourth): its column's header says to double-click."""
    import datetime as dt

    from isms.store import connect
    from tests.factories import import_text
    from ui.apptest import app_database
    from ui.tables import READ_WHOLE

    long = ("Required by the board's mandate and by clause 5.2; the policy set was rewritten in 2025 to cover cloud "
            "services, remote work and the supplier chain, and is reviewed every year by the forum.")
    db = tmp_path / "isms.duckdb"
    con = connect(db)
    import_text(con, "Control,Applicable,Justification,Implementation status\n"
                     f'A.5.1,Yes,"{long}",Implemented\nA.5.2,Yes,Roles defined in the RACI,Implemented\n',
                "soa.csv", dt.date(2026, 10, 31))
    con.close()
    with app_database(db):
        at = open_app("pages/compliance.py")
        soa = next(config for order, config, *_ in _lists(at) if "why" in order)
    assert soa["why"].get("help") == READ_WHOLE
    # a column whose every value fits its cells says nothing
    assert not soa["title"].get("help") and not soa["status"].get("help")
