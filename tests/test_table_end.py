"""Where a register's table ends: blank rows inside the data do not end it; a block below two
blank rows that is not shaped like the data (a legend, a summary, footnotes) does, and is named."""

import datetime as dt

from isms.config import load_settings
from isms.importing.pipeline import build_plan
from tests.conftest import ROOT

HEAD = "Risk ID,Title,Owner,Likelihood,Impact\n"


def plan_of(text: str):
    return build_plan(text.encode(), "register.csv", load_settings(ROOT / "isms.toml").matrix, as_of=dt.date(2026, 9, 30))


def test_blank_rows_between_risks_do_not_end_the_table():
    plan = plan_of(HEAD + "R1,Phishing,Ann,3,4\n,,,,\n,,,,\nR2,Ransomware,Bob,2,5\n,,,,\nR3,Outage,Cy,1,2\n")
    assert plan.ok and sorted(plan.frames["risks"]["risk_id"]) == ["R1", "R2", "R3"]
    assert not any("table ends" in p.message for p in plan.problems)


def test_a_legend_below_two_blank_rows_is_not_read_as_risks():
    plan = plan_of(HEAD + "R1,Phishing,Ann,3,4\nR2,Ransomware,Bob,2,5\n,,,,\n,,,,\nLegend,,,,\n1 = Rare,,,,\n5 = Almost certain,,,,\n")
    assert plan.ok and sorted(plan.frames["risks"]["risk_id"]) == ["R1", "R2"]
    ends = [p for p in plan.problems if "table ends" in p.message]
    assert len(ends) == 1 and ends[0].severity == "warning"
    assert "the table ends at row 3; 3 filled cell(s) below it" in ends[0].message and "'Legend'" in ends[0].message


def test_a_footnote_under_one_blank_row_is_not_a_risk():
    plan = plan_of(HEAD + "R1,Phishing,Ann,3,4\nR2,Ransomware,Bob,2,5\n,,,,\nNote: reviewed by the CISO,,,,\n")
    assert plan.ok and sorted(plan.frames["risks"]["risk_id"]) == ["R1", "R2"]
    assert any("the table ends at row 3" in p.message and "'Note: reviewed by the CISO'" in p.message
               for p in plan.problems)


def test_an_unrated_risk_after_a_blank_row_is_still_a_risk():
    """Two filled cells (id and title) are a sparse risk, not a footnote."""
    plan = plan_of(HEAD + "R1,Phishing,Ann,3,4\n,,,,\nR2,Ransomware,,,\n")
    assert sorted(plan.frames["risks"]["risk_id"]) == ["R1", "R2"]
