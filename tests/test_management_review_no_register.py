"""A Management review year with no risk register at its end says so, on the page and in the pack,
instead of 'Critical risks 0' and 'Residual exposure 0' (which read as no risk at all); a year in
which the register began shows its figures without 'changes' against a year that had none.

Found in a new user's trial: KRI results of 2024 beside a register first imported in December 2026
made 2025 a review year, and its risk tiles all read zero."""

from __future__ import annotations

import datetime as dt

from isms.config import load_settings
from isms.packs.build import render_pack
from isms.packs.content import build_pack
from isms.store import connect
from isms.views import management_review
from tests.factories import assessment, load, metric, result, risk
from ui.apptest import app_database, open_app

PAGE = "pages/management_review.py"


def _store(path, register_on: str):
    con = connect(path)
    load(con, "2024-03-31", metrics=[metric("KRI-1", target=90, amber=80, red=70)],
         monitoring_results=[result("KRI-1", "2024-03-31", 85)])
    load(con, register_on, risks=[risk("R-1"), risk("R-2")],
         assessments=[assessment("R-1", register_on, residual=(5, 5)), assessment("R-2", register_on, residual=(2, 2))])
    # a KRI result of January 2026: the data reaches past the end of 2025, which makes it a review year
    load(con, "2026-01-31", monitoring_results=[result("KRI-1", "2026-01-31", 88)])
    return con


def test_a_year_before_the_first_register_says_there_was_none(tmp_path):
    db = tmp_path / "isms.duckdb"
    con = _store(db, "2026-06-30")
    review = management_review.build(con, load_settings(), 2025)
    assert review.no_risk_register == ("No risk register at the end of 2025: the first is dated 30 June 2026, "
                                       "so there are no risk assessment results or treatments for this year.")
    pack = build_pack(con, load_settings(), "management-review", dt.date(2025, 12, 31), dt.date(2024, 12, 31))
    pdf = render_pack(pack, "pdf").data
    con.close()
    with app_database(db):
        at = open_app(PAGE, query={"year": "2025"})
    assert not at.exception, [e.message for e in at.exception]
    assert review.no_risk_register in [i.value for i in at.info]
    labels = {m.label for m in at.metric}
    assert not {"Critical risks", "Residual exposure", "Treatments late"} & labels, labels
    assert pdf.startswith(b"%PDF")
    section = next(s for s in pack.sections if s.key == "yoy_posture")
    assert section.empty_text == review.no_risk_register


def test_the_year_the_register_began_shows_no_change_against_the_year_before(tmp_path):
    db = tmp_path / "isms.duckdb"
    con = _store(db, "2025-06-30")
    review = management_review.build(con, load_settings(), 2025)
    assert review.no_risk_register is None
    assert review.no_register_before == ("No risk register at the end of 2024: the first is dated 30 June 2025, "
                                         "so there is no change to show.")
    con.close()
    with app_database(db):
        at = open_app(PAGE, query={"year": "2025"})
    assert not at.exception, [e.message for e in at.exception]
    m = {t.label: (t.value, t.delta) for t in at.metric}
    # R-1 at 5 x 5 is Critical (score 25), R-2 at 2 x 2 Low (4): exposure 29, no change shown
    assert m["Critical risks"] == ("1", "") and m["Residual exposure"] == ("29", "")
    assert review.no_register_before in [c.value for c in at.caption]
