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
