"""Small words of the import a new user's trial read wrong: a day written '06 Dec 2026' in a rule
(every other date of the product says '6 Dec 2026'), and the Import page telling the analyst to
do something 'on the Import page', as if it were elsewhere (the CLI's sentence, which it shares)."""

from __future__ import annotations

import datetime as dt

from isms.config import load_settings
from isms.importing.pipeline import build_plan
from isms.store import connect
from isms.views.import_data import analyse

FINDINGS = ("Finding ID,Title,Grade,Status\n"
            "F-1,MFA not enforced for administrators,Major nonconformity,Open\n")
DAY = dt.date(2026, 12, 6)


def test_a_rules_day_has_no_leading_zero(tmp_path):
    con = connect(tmp_path / "i.duckdb")
    plan = build_plan(FINDINGS.encode(), "findings.csv", load_settings().matrix, as_of=DAY, con=con)
    dated = [r for r in plan.rules if "no date raised" in r]
    assert dated and "dated 6 Dec 2026" in dated[0] and "06 Dec" not in dated[0], plan.rules


def test_the_import_page_says_this_page(tmp_path):
    con = connect(tmp_path / "i.duckdb")
    cli = build_plan(FINDINGS.encode(), "findings.csv", load_settings().matrix, as_of=DAY, con=con)
    assert any("on the Import page" in p.message for p in cli.problems)  # the CLI says where to go
    page = analyse(con, load_settings(), FINDINGS.encode(), "findings.csv", as_of=DAY)
    told = page.problems["problem"].tolist()
    assert any("on this page" in m for m in told) and not any("Import page" in m for m in told), told


def test_a_blank_templates_sheets_are_said_to_have_no_rows(tmp_path):
    """A FedRAMP POA&M template's three sheets of headers were each told at length that they lacked
    a grade column, and the file that its columns did not give what a findings list needs: they
    hold no rows, which is what stops the file."""
    import io

    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "Open POA&M Items"
    wb.active.append(["POAM ID", "Weakness Name", "Weakness Description", "Original Risk Rating", "Status"])
    closed = wb.create_sheet("Closed POA&M Items")
    closed.append(["POAM ID", "Weakness Name", "Weakness Description", "Original Risk Rating", "Status"])
    out = io.BytesIO()
    wb.save(out)
    con = connect(tmp_path / "i.duckdb")
    plan = build_plan(out.getvalue(), "poam-template.xlsx", load_settings().matrix, as_of=DAY, con=con)
    said = {p.sheet: p.message for p in plan.problems}
    assert said["Open POA&M Items"].endswith("with headers only: no rows to import")
    assert "grade" not in said["Open POA&M Items"] and "grade" not in said["Closed POA&M Items"]
    assert said["poam-template.xlsx"] == ("the file holds no rows to import: Open POA&M Items, Closed POA&M Items "
                                          "have headers only (a blank template?)")
