"""The first review on record: a register imported once, so there is no earlier date to compare with.

The page compares the date with itself, and every change then reads zero: '+0' on every tile and
'Since 30 September 2026 residual exposure is unchanged' read as 'nothing moved', where nothing
could have. The page, its headline and the pack say instead that there is nothing to compare with.
Figures are worked out by hand for the three risks below.
"""

import datetime as dt

import pytest

from isms.config import load_settings
from isms.headline import risk_review as risk_review_headline
from isms.importing.pipeline import build_plan, commit
from isms.packs.content import build_pack
from isms.store import connect
from isms.views import risk_review
from ui.apptest import app_database, open_app

AS_OF = dt.date(2026, 9, 30)
# residual likelihood x impact: 4 x 5 = 20, 2 x 2 = 4, 1 x 3 = 3; exposure 27 over 3 assessed risks
REGISTER = ("Risk ID,Title,Owner,Likelihood,Impact\n"
            "R-1,Ransomware on the file servers,IT,4,5\n"
            "R-2,Lost laptop,HR,2,2\n"
            "R-3,Supplier outage,Procurement,1,3\n").encode()


@pytest.fixture(scope="module")
def first_import(tmp_path_factory):
    path = tmp_path_factory.mktemp("first") / "isms.duckdb"
    settings = load_settings()
    con = connect(path)
    plan = build_plan(REGISTER, "register.csv", settings.matrix, as_of=AS_OF, con=con)
    assert plan.ok, [str(p) for p in plan.problems]
    assert commit(con, plan, "test").status == "committed"
    con.close()
    return path, settings


def test_the_headline_says_it_is_the_first_review_not_that_nothing_changed(first_import):
    path, settings = first_import
    con = connect(path)
    data = risk_review.build(con, settings, AS_OF, AS_OF)
    con.close()
    sentence = risk_review_headline(data, settings.matrix.appetite).sentence
    assert sentence.startswith("First review on record: residual exposure is 27 over 3 assessed risks.")
    assert "Since" not in sentence and "unchanged" not in sentence and "no risk changed" not in sentence


def test_the_pack_shows_no_earlier_figures_and_no_changes(first_import):
    path, settings = first_import
    con = connect(path)
    pack = build_pack(con, settings, "risk-review", AS_OF, AS_OF)
    con.close()
    sections = {s.key: s for s in pack.sections}
    card = sections["scorecard"]
    assert card.note.startswith("The first review on record")
    # the cover too: it read '30 September 2026 · compared with 30 September 2026'
    assert pack.comparison == "first review on record"
    import io

    from pptx import Presentation

    from isms.packs.pptx_writer import write_pptx

    cover = " ".join(s.text_frame.text for s in Presentation(io.BytesIO(write_pptx(pack))).slides[0].shapes
                     if s.has_text_frame)
    assert "· first review on record" in cover and "compared with" not in cover, cover
    rows = {row.label: row for row in card.rows}
    assert rows["Residual exposure"].value == "27"
    assert all(row.previous == "–" and row.change == "" for row in card.rows)
    top = sections["top_risks"].frame
    assert list(top["Risk"]) == ["R-1", "R-2", "R-3"] and "Was" not in top.columns  # each risk 'was' what it is
    assert list(top["Treatment"]) == ["–"] * 3  # no treatment register: not the word 'None'
    changes = sections["changes"]
    assert changes.title == "Changes" and changes.frame.empty
    assert changes.empty_text.startswith("The first review on record")
    # no treatment yet: the slides say so, as the page does, instead of two empty charts
    for key in ("treatment_progress", "exposure_plan"):
        assert sections[key].frame.empty and sections[key].empty_text.startswith("No treatment is tracked"), key
    assert not [f for f in pack.figures if "treatment" in f[0].casefold() or "against plan" in f[0].casefold()]
    slides = [" ".join(s.text_frame.text for s in slide.shapes if s.has_text_frame)
              for slide in Presentation(io.BytesIO(write_pptx(pack))).slides]
    told = [t for t in slides if "Treatment progress against plan" in t or "actual against plan" in t]
    assert len(told) == 2 and all("No treatment is tracked in the register by this date" in t for t in told), told


def test_the_page_shows_no_change_on_its_tiles(first_import):
    path, _ = first_import
    with app_database(path):
        at = open_app("pages/risk_review.py")
    assert not at.exception
    tiles = {m.label: (m.value, m.delta) for m in at.metric}
    assert tiles["Residual exposure"][0] == "27"
    # AppTest gives a tile without a change as '' (it gave '+0' for every tile before)
    assert all(delta in ("", None) for _, delta in tiles.values()), tiles
    top = at.dataframe(key="top_risks")
    assert list(top.value["decisions"]) == ["–"] * 3
    assert "trend_text" not in top.proto.column_order  # no 'Since' column of '=' signs
    headers = [h.value for h in at.header]
    assert "Changes" in headers and not any(h.startswith("Changes since") for h in headers)
    assert any("first review on record" in c.value for c in at.caption)
    assert any("First review on record: residual exposure is 27" in m.value for m in at.markdown)
    # no treatment yet: a sentence, not two empty charts (axes 0-100 and 0-1, a flat plan line)
    assert [i.value for i in at.info if i.value.startswith("No treatment is tracked")] == [
        "No treatment is tracked in the register by this date, so there is no progress to draw against a plan. A "
        "treatment tracker, or a register that gives each risk a response or plan with a due date, brings them."]
    charts = [c.proto.id for c in at.get("plotly_chart")]
    assert not [c for c in charts if "treatment_trend" in c or "projection" in c], charts


def test_a_page_still_waiting_for_its_file_leads_to_the_import_not_the_first_steps(first_import):
    """With a risk register in, the Compliance Review still has no controls: its way on is the
    Import page (the first steps' 'import your register' was done already)."""
    path, _ = first_import
    with app_database(path):
        at = open_app("pages/compliance.py")
    assert not at.exception
    assert [i.value for i in at.info] == ["No controls, SoA, tests, audits or findings have been imported yet."]
    assert [(link.proto.label, link.proto.page) for link in at.get("page_link")] == [
        ("Import the spreadsheet that holds them", "import_data")]
