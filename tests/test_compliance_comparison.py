"""The Compliance review compares a date with the same earlier date on the page, in its pack and
from the CLI. A new user's trial: with everything imported on 6 December, the page offered 30 June,
the CLI compared with 30 September and printed 'applicable_change: -1', and the pack's cover said
'compared with 30 June 2026' beside a table saying there was nothing earlier to compare with."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys

from isms.config import load_settings
from isms.packs.content import build_pack
from isms.store import connect
from tests.conftest import ROOT
from tests.factories import import_text
from ui.apptest import app_database, open_app

SOA = "Control,Applicable,Justification,Implementation status\nA.5.1,Yes,Policy,Implemented\nA.8.5,Yes,MFA,Implemented\n"
SOA_LATER = SOA + "A.8.15,Yes,Logging,Implemented\n"


def isms(*args, db) -> str:
    return subprocess.run([sys.executable, "-m", "isms", *args], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "ISMS_DB": str(db)}, timeout=600, check=True).stdout


def test_a_first_import_is_compared_with_nothing_everywhere(tmp_path):
    db = tmp_path / "i.duckdb"
    con = connect(db)
    import_text(con, SOA, "soa.csv", dt.date(2026, 12, 6))
    pack = build_pack(con, load_settings(), "compliance", dt.date(2026, 12, 6), dt.date(2026, 9, 30))
    con.close()
    figures = json.loads(isms("compliance", "--as-of", "2026-12-06", "--json", db=db))
    # the quarter end before the date, and nothing imported by then: no change, not '-2 applicable'
    assert figures["compare_to"] == "2026-09-30" and figures["compared"] is False
    assert figures["frameworks"][0]["applicable"] == 2 and figures["frameworks"][0]["applicable_change"] is None
    text = isms("compliance", "--as-of", "2026-12-06", db=db).splitlines()
    assert text[0].endswith("compliance as of 2026-12-06 (first review on record)")
    assert text[2].split()[:5] == ["ISO27001-2022", "2", "0", "0", "–"]  # applicable, covered, effective, no change
    with app_database(db):
        at = open_app("pages/compliance.py", query={"as_of": "2026-12-06"})
    assert not at.exception, [e.message for e in at.exception]
    assert at.selectbox(key="compare_to").options == ["30 Sep 2026"]
    assert pack.comparison == "first review on record"


def test_the_cli_compares_an_import_with_the_import_before_it_as_the_page_does(tmp_path):
    db = tmp_path / "i.duckdb"
    con = connect(db)
    import_text(con, SOA, "soa.csv", dt.date(2026, 8, 15))
    import_text(con, SOA_LATER, "soa.csv", dt.date(2026, 11, 20))
    con.close()
    # 20 November is an import date, not a period end: compared with the import before it, 15 August
    figures = json.loads(isms("compliance", "--as-of", "2026-11-20", "--json", db=db))
    assert figures["compare_to"] == "2026-08-15" and figures["compared"] is True
    assert (figures["frameworks"][0]["applicable"], figures["frameworks"][0]["applicable_change"]) == (3, 1)
    with app_database(db):
        at = open_app("pages/compliance.py", query={"as_of": "2026-11-20"})
    assert at.selectbox(key="compare_to").value == dt.date(2026, 8, 15)
