"""Risk links both ways: a risk's controls with their last tests and the findings on it, and the
Risk Review filtered by control effectiveness, on the small ISMS with the controls of
tests/risk_review_data.py (build_small_controls). Every expected figure is worked out by hand in
that module's notes and below, never by calling the code twice.
"""

import pytest

from isms.config import load_settings
from isms.filters import CONTROL_EFFECTIVENESS, RiskFilter
from isms.packs.content import build_pack
from isms.store import connect, risk_controls
from isms.views import risk_review
from tests.risk_review_data import A, C, build_small_controls, build_small_isms
from tests.test_risk_review_page import figures, metrics, page, run, url
from tests.test_table_widths import _check, _lists
from ui.apptest import app_database


@pytest.fixture(scope="module")
def controls_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("controls") / "isms.duckdb"
    con = connect(path)
    build_small_isms(con)
    build_small_controls(con)
    con.close()
    return path


@pytest.fixture(scope="module")
def con(controls_db):
    c = connect(controls_db)
    yield c
    c.close()


@pytest.fixture(scope="module")
def app(controls_db):
    with app_database(controls_db):
        yield controls_db


def test_a_risks_controls_are_those_mapped_to_its_annex_a_controls(con):
    r1 = risk_controls.risk_controls(con, "R1", A)
    # C3 failed (listed first), C1 passed; C5 cites only 800-53 and is nobody's
    assert list(r1["control_id"]) == ["C3", "C1"]
    assert list(r1["last_result"]) == ["Fail", "Pass"]
    assert [d.isoformat() for d in r1["last_tested_on"].dt.date] == ["2024-04-05", "2024-04-10"]
    assert list(r1["annex_a"]) == ["A.8.8", "A.8.8"]
    r4 = risk_controls.risk_controls(con, "R4", A).set_index("control_id")
    assert r4.loc["C4", "last_result"] == "Exceptions" and r4.loc["C4", "tester"] == "Tess"
    assert r4.loc["C7", "overdue_tests"] == 1 and r4["last_result"].isna()["C7"]
    assert risk_controls.risk_controls(con, "R5", A).empty  # nothing covers A.6.3
    # as of C nothing had been tested yet, and nothing was due
    at_c = risk_controls.risk_controls(con, "R1", C)
    assert at_c["last_result"].isna().all() and (at_c["overdue_tests"] == 0).all()


def test_findings_on_the_risk_or_its_controls(con):
    r1 = risk_controls.risk_findings(con, "R1", A)
    assert list(r1["finding_id"]) == ["F1", "F2"]
    assert list(r1["linked_by"]) == ["risk", "C3"]
    assert list(r1["overdue"]) == [True, False]  # F1 due 2024-06-01, open on 2024-06-30
    r2 = risk_controls.risk_findings(con, "R2", A)
    assert list(r2["finding_id"]) == ["F3"] and list(r2["status"]) == ["Closed"] and not r2["overdue"].any()
    for rid in ("R4", "R5"):  # F4 names C5, which no risk has
        assert risk_controls.risk_findings(con, rid, A).empty
    assert risk_controls.risk_findings(con, "R1", C).empty  # the findings came with the 2024-06-30 batch


# residual scores at A: R1 4x3 = 12, R2 3x4 = 12, R4 3x3 = 9, R5 5x5 = 25 (R3 closed);
# at C: R1 9, R2 16, R3 4, R4 20; nothing tested then, so every risk there is 'untested'.
# The detail picker also lists closed risks: R3 (closed at A) still names A.8.8, so C3's failure is its too.
@pytest.mark.parametrize("choice, risks, exposure, before, choices", [
    ("failing", ["R1", "R4"], 12 + 9, 0, ["R1", "R3", "R4"]),
    ("passed", ["R2"], 12, 0, ["R2"]),
    ("untested", ["R5"], 25, 9 + 16 + 4 + 20, ["R5"]),
])
def test_the_bundle_honours_the_control_filter(con, choice, risks, exposure, before, choices):
    data = risk_review.build(con, load_settings(), A, C, RiskFilter(control_effectiveness=choice))
    assert sorted(data.top_risks["risk_id"]) == risks
    assert sorted(data.risk_choices["risk_id"]) == choices
    assert int(data.cells_for("residual")["risks"].sum()) == len(risks)
    assert (data.scorecard.current.residual_exposure, data.scorecard.previous.residual_exposure) == (exposure, before)
    assert int(data.totals_trend.set_index("as_of").loc[C, "residual_exposure"]) == before


def test_the_filter_is_a_choice_with_words(con):
    assert RiskFilter(control_effectiveness="all") == RiskFilter() and RiskFilter().empty
    f = RiskFilter(owners=("Bob",), control_effectiveness="failing")
    assert f.describe() == "owners: Bob; controls: a control failed or is overdue for testing"
    with pytest.raises(ValueError):
        RiskFilter(control_effectiveness="green")
    # offered only once a control register exists
    assert risk_review.filter_options(con, A)["control_register"]
    bare = connect(":memory:")
    build_small_isms(bare)
    assert not risk_review.filter_options(bare, A)["control_register"]


def test_exceptions_and_the_pack_honour_the_filter(con):
    f = RiskFilter(control_effectiveness="failing")
    data = risk_review.build(con, load_settings(), A, C, f)
    assert list(data.exceptions["exception_id"]) == ["E2"]  # R4's; R1 has none, E4 names no risk
    pack = build_pack(con, load_settings(), "risk-review", A, C, ["scorecard", "heatmap"], f)
    scorecard, heatmap = pack.sections
    rows = {r.label: r for r in scorecard.rows}
    assert (rows["Residual exposure"].value, rows["Residual exposure"].previous) == ("21", "0")
    assert "controls: a control failed or is overdue for testing" in scorecard.note
    assert sum(map(sum, heatmap.counts)) == 2


def test_page_filter_by_control_effectiveness_lives_in_the_url(app):
    at = page()
    assert at.selectbox(key="controls").value == "all"
    assert metrics(at)["Residual exposure"] == ("58", "+9")
    at.selectbox(key="controls").set_value("failing")
    run(at)
    assert url(at, "controls") == ["failing"]
    m = metrics(at)
    assert m["Residual exposure"] == ("21", "+21")
    assert (m["High risks"][0], m["Medium risks"][0], m["Critical risks"][0]) == ("1", "1", "0")
    heat = figures(at)["Residual risk heatmap, 30 Jun 2024"]
    assert sum(int(t) for row in heat.data[0].text for t in row if t) == 2
    assert any("controls: a control failed or is overdue for testing" in c.value for c in at.caption)
    # a link reproduces it
    again = page({"controls": "untested"})
    assert again.selectbox(key="controls").value == "untested"
    assert metrics(again)["Residual exposure"] == ("25", "-24")
    assert again.selectbox(key="controls").options == list(CONTROL_EFFECTIVENESS.values())


def test_page_risk_detail_shows_controls_and_findings(app):
    at = page()
    at.selectbox(key="risk").set_value("R1")
    run(at)
    tables = [d.value for d in at.dataframe]
    controls = next(v for v in tables if "last_result" in v.columns)
    assert list(controls["control_id"]) == ["C3", "C1"]
    assert list(controls["flag"]) == ["⚠ failed", ""]
    assert list(controls["last_tested_on"]) == ["2024-04-05", "2024-04-10"]
    findings = next(v for v in tables if "finding_id" in v.columns)
    assert list(findings["finding_id"]) == ["F1", "F2"]
    assert list(findings["flag"]) == ["⚠ overdue", ""]
    assert list(findings["linked_by"]) == ["this risk", "C3"]
    _check(_lists(at), {"flag", "risk_id"})  # both lists fit a projector
    at.selectbox(key="risk").set_value("R5")
    run(at)
    assert any("No control in the control register is mapped" in c.value for c in at.caption)
    assert any("No audit finding names this risk" in c.value for c in at.caption)


def test_presentation_mode_shows_them_as_static_tables(app):
    at = page({"present": "1"})
    at.selectbox(key="risk").set_value("R4")
    run(at)
    shown = [t.value for t in at.table]
    controls = next(t for t in shown if "Result" in t.columns)
    assert list(controls["Control"]) == ["C4", "C7"]
    assert list(controls["Attention"]) == ["⚠ exceptions", "⚠ overdue"]
    assert not [d for d in at.dataframe if "control_id" in d.value.columns]
