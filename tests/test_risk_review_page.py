"""AppTest: the Risk Review page on the small hand-worked ISMS (tests/risk_review_data.py).

Every section and every filter is driven through its keyed widget; the expected figures are the
ones worked out by hand for that data, not figures recomputed by the code under test.
"""

import base64
import json
import re
from types import SimpleNamespace

import numpy as np

import pytest
from streamlit.testing.v1 import AppTest

from isms.store import connect
from tests.risk_review_data import build_small_isms
from ui.apptest import app_database, open_app

HEADERS = ["Where the risks sit", "Top risks", "Changes since 31 March 2024", "Trends", "Treatment progress",
           "Above appetite", "Policy exceptions for review", "Risk detail", "Actions from earlier meetings"]


@pytest.fixture(scope="module")
def small_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("small") / "isms.duckdb"
    con = connect(path)
    build_small_isms(con)
    con.close()
    with app_database(path):
        yield path


def page(query: dict | None = None):
    return open_app("pages/risk_review.py", query=query)


def metrics(at) -> dict[str, tuple[str, str]]:
    return {m.label: (m.value, m.delta) for m in at.metric}


def figures(at) -> dict[str, SimpleNamespace]:
    """Each chart's figure (its JSON, attribute-accessible) by title."""
    out = {}
    for chart in at.get("plotly_chart"):
        fig = json.loads(chart.proto.spec, object_hook=lambda d: SimpleNamespace(**d))
        out[fig.layout.title.text] = fig
    return out


def plain(values) -> list:
    """Plotly writes numeric arrays as base64 typed arrays; tests compare plain lists."""
    if isinstance(values, SimpleNamespace):
        return np.frombuffer(base64.b64decode(values.bdata), dtype=values.dtype).tolist()
    return list(values)


def series(fig) -> dict[str, list]:
    return {tr.name: plain(tr.y) for tr in fig.data}


def url(at, key: str) -> list[str]:
    value = at.query_params[key]
    return value if isinstance(value, list) else [value]


def table_with(at, column: str):
    return next(d.value for d in at.dataframe if column in d.value.columns)


def run(at) -> AppTest:
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_scorecard_and_sections(small_db):
    at = page()
    m = metrics(at)
    assert m["Critical risks"] == ("1", "no change")
    assert m["High risks"] == ("2", "+1")
    assert m["Medium risks"] == ("1", "no change")
    assert m["Low risks"] == ("0", "-1")
    # High is above appetite (Medium): one more is red; one fewer Low is neither better nor worse,
    # grey, as the pack leaves it (it was green)
    from streamlit.proto.Metric_pb2 import Metric
    colour = {t.label: t.proto.color for t in at.metric}
    assert (colour["High risks"], colour["Low risks"]) == (Metric.MetricColor.RED, Metric.MetricColor.GRAY)
    assert m["Residual exposure"] == ("58", "+9")
    assert m["Within appetite"][0] == "25%"
    assert (m["Treatments late"][0], m["Treatments overdue"][0]) == ("1", "1")
    assert m["Exceptions expiring"][0] == "1"
    assert [h.value for h in at.header] == HEADERS
    assert {k: m[f"{k} risks"][0] for k in ("Escalated", "New", "De-escalated", "Closed")} == \
        {"Escalated": "1", "New": "1", "De-escalated": "1", "Closed": "1"}


def test_every_chart_has_content(small_db):
    figs = figures(page())
    heat = figs["Residual risk heatmap, 30 Jun 2024"]
    assert sum(int(t) for row in heat.data[0].text for t in row if t) == 4
    levels = figs["Residual risks by level per quarter"]
    assert series(levels)["High"] == [1, 2]
    exposure = figs["Exposure: inherent against residual"]
    assert series(exposure)["Residual exposure"] == [49, 58]
    assert "Treatment progress against plan" in figs
    projection = figs["Residual exposure: actual against plan"]
    assert series(projection)["Plan at 31 March 2024"][-1] == 49 - 16 + 6
    # The detail opens on the highest risk with a treatment: R5 (Transfer, T2 at 50 %).
    assert "R5: assessments over time" in figs and "R5: treatment progress" in figs


def test_top_risks_changes_appetite_and_exceptions_tables(small_db):
    at = page()
    top = table_with(at, "trend_text")
    assert list(top["risk_id"]) == ["R5", "R1", "R2", "R4"]
    assert list(top["trend_text"]) == ["new", "▲ from Medium (9)", "▼ from High (16)", "▼ from Critical (20)"]
    changes = table_with(at, "change")
    assert dict(zip(changes["risk_id"], changes["change"])) == {
        "R1": "Escalated", "R5": "New", "R4": "De-escalated", "R3": "Closed"}
    above = table_with(at, "unaddressed")
    assert list(above["risk_id"][above["unaddressed"]]) == ["R1"]
    exc = table_with(at, "window")
    assert list(exc["exception_id"]) == ["E2", "E1", "E3"]
    assert any("3 risks above appetite (Medium), of which 1 has neither" in md.value for md in at.markdown)


def test_heatmap_basis_switch_and_movement_view(small_db):
    at = page()
    at.selectbox(key="basis").set_value("inherent")
    heat = figures(run(at))["Inherent risk heatmap, 30 Jun 2024"]
    assert heat.data[0].text[4][4] == "2"  # likelihood 5, impact 5: R2 and R5
    assert url(at, "basis") == ["inherent"]
    at.selectbox(key="basis").set_value("movement")
    run(at)
    moves = table_with(at, "From")
    # the count first, so the rows visibly add up to the sentence above them
    assert list(moves.columns) == ["Risks", "From", "To"]
    assert sorted(zip(moves["From"], moves["To"], moves["Risks"])) == [
        ("Critical (L4, I5)", "Medium (L3, I3)", 1), ("High (L4, I4)", "High (L3, I4)", 1),
        ("Medium (L3, I3)", "High (L4, I3)", 1)]
    # R2 moved within High: the changes' escalated / de-escalated count only R1 and R4
    assert any("3 risks changed residual cell" in m.value and m.value.endswith(", 1 of them within their level.")
               for m in at.markdown)
    assert "Residual moves, 31 Mar 2024 → 30 Jun 2024" in figures(at)


def test_heatmap_cell_fallback_lists_its_risks(small_db):
    at = page()
    at.selectbox(key="cell_likelihood").set_value(3)
    at.selectbox(key="cell_impact").set_value(3)
    run(at)
    assert list(table_with(at, "inherent_level")["risk_id"]) == ["R4"]
    at.selectbox(key="basis").set_value("inherent")
    at.selectbox(key="cell_likelihood").set_value(5)
    at.selectbox(key="cell_impact").set_value(5)
    run(at)
    assert list(table_with(at, "inherent_level")["risk_id"]) == ["R5", "R2"]


@pytest.mark.parametrize("key, values, exposure", [
    ("theme", ["A.8 Technological"], "12"),
    ("asset_type", ["Primary"], "46"),
    ("asset", ["HW-01"], "12"),
    ("owner", ["Bob"], "21"),
    ("status", ["In treatment"], "12"),
    ("decision", ["Transfer"], "25"),
])
def test_each_filter_applies_and_lives_in_the_url(small_db, key, values, exposure):
    at = page()
    at.multiselect(key=key).set_value(values)
    run(at)
    assert metrics(at)["Residual exposure"][0] == exposure
    assert url(at, key) == values


def test_a_link_reproduces_the_view(small_db):
    at = page({"as_of": "2024-03-31", "owner": "Alice", "basis": "inherent"})
    assert at.selectbox(key="as_of").value.isoformat() == "2024-03-31"
    assert at.multiselect(key="owner").value == ["Alice"]
    m = metrics(at)
    # On 2024-03-31 Alice owns R1 (9, Medium) and R3 (4, Low); nothing was registered before, so
    # there is nothing to compare with and the page says so instead of showing everything as new
    # (or '+0', as if nothing had moved).
    assert m["Residual exposure"] == ("13", "")
    assert any("nothing earlier to compare with" in c.value for c in at.caption)
    assert m["Medium risks"][0] == "1" and m["Low risks"][0] == "1"
    assert "Inherent risk heatmap, 31 Mar 2024" in figures(at)


def test_risk_detail(small_db):
    at = page()
    at.selectbox(key="risk").set_value("R2")
    run(at)
    assert at.subheader[0].value.startswith("R2 · ")
    assert list(table_with(at, "treatment_id")["state"]) == ["late"]
    figs = figures(at)
    assert series(figs["R2: assessments over time"]) == {"Inherent": [25, 25], "Residual": [16, 12]}
    assert series(figs["R2: treatment progress"]) == {"T1": [15.0, 30.0]}


def test_presentation_mode_keeps_date_and_filters(small_db):
    at = page({"owner": "Bob"})
    assert [c for c in at.caption if c.value.startswith("Click a cell")]
    normal = figures(at)["Residual risk heatmap, 30 Jun 2024"].layout.height
    assert at.get("download_button")
    at.toggle(key="present").set_value(True)
    run(at)
    assert url(at, "present") == ["1"]
    assert url(at, "owner") == ["Bob"]
    assert metrics(at)["Residual exposure"][0] == "21"
    assert figures(at)["Residual risk heatmap, 30 Jun 2024"].layout.height > normal
    assert not at.get("download_button")
    # the room is shown the heatmap, not told how to drive it (the page says it, with a cell unchosen)
    assert not [c for c in at.caption if c.value.startswith("Click a cell")]
    # the meeting-room lists keep what the page's show: the top risks their days overdue, the
    # exceptions their ISO expiry dates (the page's and the pack's form, not '1 Jul 2024')
    tables = [t.value for t in at.table]
    assert any("Overdue" in t.columns for t in tables)
    expiries = [v for t in tables if "Expires" in t.columns for v in t["Expires"]]
    assert expiries and all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", v) for v in expiries), expiries
    # short values (ids, levels, dates) never wrap at presentation size ('R-' over '016'); long ones may
    for t in at.table:
        rules = t.proto.arrow_data.styler.styles
        columns = list(t.value.columns)
        nowrap = {int(c) for sel, body in re.findall(r"([^{}]+)\{([^}]*)\}", rules) if "nowrap" in body
                  for c in re.findall(r"_col(\d+)", sel)}
        if "Risk" in columns:
            assert columns.index("Risk") in nowrap
        for i, c in enumerate(columns):  # a column with a value over 16 characters may wrap
            if t.value[c].map(lambda v: len(str(v))).max() > 16:
                assert i not in nowrap, c


def test_repeated_url_parameters_select_several_values(small_db):
    at = page({"owner": ["Alice", "Carol"]})
    assert at.multiselect(key="owner").value == ["Alice", "Carol"]
    assert metrics(at)["Residual exposure"][0] == str(12 + 25)  # R1 and R5


def test_a_filter_that_leaves_nothing_still_renders(small_db):
    at = page({"owner": "Carol", "theme": "A.8 Technological"})
    assert metrics(at)["Residual exposure"][0] == "0"
    assert any("No risk passes the filters" in i.value for i in at.info)

    # charts with nothing to draw say so instead of showing bare axes
    empty = [i.value for i in at.info if "nothing to show for this date and these filters" in i.value]
    assert empty == ["Residual risks by level per quarter: nothing to show for this date and these filters."]
    assert all(fig.data for fig in figures(at).values())


def test_a_link_to_a_date_or_owner_the_page_lacks_says_so(small_db):
    # the small ISMS reviews 2024-03-31 and 2024-06-30; 2024-05-15 is no review date and Zoe owns
    # nothing: the page shows its default date and leaves Zoe out, and says both
    at = page({"as_of": "2024-05-15", "owner": ["Alice", "Zoe"]})
    assert at.selectbox(key="as_of").value.isoformat() == "2024-06-30"
    assert at.multiselect(key="owner").value == ["Alice"]
    notes = [w.value for w in at.warning]
    assert any("'2024-05-15'" in n and "30 Jun 2024" in n for n in notes), notes
    assert any("'Zoe'" in n and "leaves it out" in n for n in notes), notes
    # a link the page follows says nothing of the kind
    assert not [w.value for w in page({"as_of": "2024-03-31", "owner": "Alice"}).warning if "The link asks" in w.value]
    # nor does a choice made on the page after the link was read
    at.selectbox(key="as_of").set_value(at.selectbox(key="as_of").options[0])
    run(at)
    assert not [w.value for w in at.warning if "The link asks" in w.value]


def test_the_chosen_risk_lives_in_the_url_and_a_link_opens_it(small_db):
    at = page()
    at.selectbox(key="risk").set_value("R2")
    run(at)
    assert url(at, "risk") == ["R2"]
    assert any("[R2 ↓](#risk-detail)" in c.value for c in at.caption)  # the way down to the detail
    linked = page({"risk": "R4"})
    assert linked.selectbox(key="risk").value == "R4"
    assert linked.subheader[0].value.startswith("R4 · ")


def test_presentation_mode_enlarges_the_heatmaps_counts(small_db):
    at = page()
    normal = figures(at)["Residual risk heatmap, 30 Jun 2024"].data[0].textfont.size
    at.toggle(key="present").set_value(True)
    run(at)
    big = figures(at)["Residual risk heatmap, 30 Jun 2024"].data[0].textfont.size
    assert big > normal  # 22 px counts beside axes grown by a third read small on the room's screen
