"""The control tests an export holds are those the Compliance review counts on its date: a test log
imported on 6 December lists the quarter's tests (period 31 December), and the export as of 6
December gave none of them, in every format, so its round trip counted 0 tests where the page
counted 3. Expected figures are written down from the files below, not read from the export."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys

import duckdb

from isms.store import connect
from tests.conftest import ROOT
from tests.factories import import_text

CONTROLS = """Control ID,Control name,Requirements
C-1,Multi-factor authentication,ISO27001-2022:A.8.5
C-2,Log review,ISO27001-2022:A.8.15
C-3,Backup restore test,ISO27001-2022:A.8.13
"""
# the fourth quarter's tests, logged on 6 December: two tested in November, one not yet
TESTS = """Control ID,Period,Due on,Tested on,Result
C-1,2026-12-31,2026-12-31,2026-11-20,Fail
C-2,2026-12-31,2026-12-31,2026-11-25,Pass
C-3,2026-12-31,2026-12-31,,
"""
# the third quarter's, logged on 30 September (tested in September)
EARLIER = """Control ID,Period,Due on,Tested on,Result
C-1,2026-09-30,2026-09-30,2026-09-10,Pass
"""
DAY = dt.date(2026, 12, 6)


def isms(*args, db) -> str:
    return subprocess.run([sys.executable, "-m", "isms", *args], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "ISMS_DB": str(db)}, timeout=600, check=True).stdout


def _store(path):
    con = connect(path)
    import_text(con, CONTROLS, "controls.csv", dt.date(2026, 9, 30))
    import_text(con, EARLIER, "tests-q3.csv", dt.date(2026, 9, 30))
    import_text(con, TESTS, "tests-q4.csv", DAY)
    con.close()


def test_the_export_holds_the_tests_known_on_its_date(tmp_path):
    db = tmp_path / "isms.duckdb"
    _store(db)
    out = tmp_path / "parquet"
    isms("export", "--as-of", DAY.isoformat(), "--format", "parquet", "--out", str(out), db=db)
    rows = duckdb.sql(f"SELECT control_id, period, tested_on, result FROM '{out / 'control_tests.parquet'}' "
                      "ORDER BY ALL").fetchall()
    assert rows == [("C-1", dt.date(2026, 9, 30), dt.date(2026, 9, 10), "Pass"),
                    ("C-1", dt.date(2026, 12, 31), dt.date(2026, 11, 20), "Fail"),
                    ("C-2", dt.date(2026, 12, 31), dt.date(2026, 11, 25), "Pass"),
                    ("C-3", dt.date(2026, 12, 31), None, None)]
    # a day before the log was imported: only the third quarter's test was known
    before = tmp_path / "before"
    isms("export", "--as-of", "2026-12-05", "--format", "parquet", "--out", str(before), db=db)
    assert duckdb.sql(f"SELECT control_id, period FROM '{before / 'control_tests.parquet'}'").fetchall() == \
        [("C-1", dt.date(2026, 9, 30))]


def test_the_xlsx_round_trip_gives_the_same_compliance_figures(tmp_path):
    db = tmp_path / "isms.duckdb"
    _store(db)
    out = tmp_path / "xlsx"
    isms("export", "--as-of", DAY.isoformat(), "--format", "xlsx", "--out", str(out), db=db)
    fresh = tmp_path / "fresh.duckdb"
    isms("init-db", "--empty", db=fresh)
    books = sorted(str(p) for p in out.glob("isms-*.xlsx"))
    assert [os.path.basename(b) for b in books] == ["isms-2026-09-30.xlsx", "isms-2026-12-06.xlsx"]
    isms("import", *books, db=fresh)
    for day in ("2026-09-30", "2026-11-30", DAY.isoformat()):
        before = json.loads(isms("compliance", "--as-of", day, "--json", db=db))
        after = json.loads(isms("compliance", "--as-of", day, "--json", db=fresh))
        assert after == before, day
    # and they are the files' figures: of the quarter's three tests two tested by 6 December, C-1
    # failed, C-3 due within the 30 days; C-2, the one control whose last test passed, is effective
    figures = json.loads(isms("compliance", "--as-of", DAY.isoformat(), "--json", db=fresh))
    assert {k: figures["testing"][k] for k in ("tested", "failed", "due", "pass_rate")} == \
        {"tested": 2, "failed": 1, "due": 1, "pass_rate": 0.5}
    assert figures["frameworks"][0]["effective"] == 1


def test_a_result_tested_after_the_exports_date_is_not_in_it(tmp_path):
    """A log of 6 December may carry a test done on 20 December; exported as of 10 December, the
    tables had it untested but the workbook of 6 December held its Fail: a later fact in an export
    'as of' an earlier day, and two formats of one export that disagreed."""
    from openpyxl import load_workbook

    db = tmp_path / "isms.duckdb"
    con = connect(db)
    import_text(con, CONTROLS, "controls.csv", dt.date(2026, 9, 30))
    import_text(con, TESTS.replace("C-3,2026-12-31,2026-12-31,,", "C-3,2026-12-31,2026-12-31,2026-12-20,Fail"),
                "tests-q4.csv", DAY)
    con.close()
    out = tmp_path / "xlsx"
    isms("export", "--as-of", "2026-12-10", "--format", "xlsx", "--out", str(out), db=db)
    sheet = load_workbook(out / "isms-2026-12-06.xlsx", read_only=True)["ControlTests"]
    rows = [r for r in sheet.iter_rows(values_only=True) if r and r[0] == "C-3"]
    assert len(rows) == 1 and "Fail" not in rows[0], rows
    parquet = tmp_path / "parquet"
    isms("export", "--as-of", "2026-12-10", "--format", "parquet", "--out", str(parquet), db=db)
    assert duckdb.sql(f"SELECT result FROM '{parquet / 'control_tests.parquet'}' WHERE control_id = 'C-3'").fetchall() \
        == [(None,)]
