"""The round trip users expect: export the sample as of 2026-09-30, import the export into an empty
database, and the scorecard is the same; and the export holds what the sample workbooks hold.

Expected figures come from elsewhere than the export: the original database's own scorecard and
registers, and the sample workbooks read cell by cell with openpyxl.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys

import duckdb
import pytest
from openpyxl import load_workbook

from isms.config import load_settings
from isms.dates import previous_quarter_end
from isms.models import SNAPSHOT_KINDS
from isms.posture import scorecard
from isms.store import connect, queries
from tests.conftest import ROOT, SAMPLE

AS_OF = "2026-09-30"


def isms(*args, db, check=True) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "isms", *args], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "ISMS_DB": str(db)}, timeout=600, check=check)


@pytest.fixture(scope="module")
def round_trip(sample_db_path, tmp_path_factory):
    """The sample exported as XLSX and imported, in name order, into a database made empty for it."""
    tmp = tmp_path_factory.mktemp("round_trip")
    original = tmp / "original.duckdb"
    original.write_bytes(sample_db_path.read_bytes())  # the export is audited: a copy takes the record
    out = tmp / "export"
    isms("export", "--as-of", AS_OF, "--format", "xlsx", "--out", str(out), db=original)
    fresh = tmp / "fresh.duckdb"
    isms("init-db", "--empty", db=fresh)
    books = sorted(str(p) for p in out.glob("isms-*.xlsx"))
    imported = isms("import", *books, db=fresh)
    assert imported.stdout.count("committed as batch") == len(books), imported.stdout + imported.stderr
    return original, fresh, out


def test_the_scorecard_is_identical_after_the_round_trip(round_trip):
    original, fresh, _ = round_trip
    before = isms("scorecard", "--as-of", AS_OF, "--json", db=original).stdout
    after = isms("scorecard", "--as-of", AS_OF, "--json", db=fresh).stdout
    assert json.loads(before)["compare_to"] == "2026-06-30"
    assert after == before


def test_every_quarter_and_register_is_the_same_after_the_round_trip(round_trip):
    """Not only the date exported and its comparison: every earlier meeting, and every register row."""
    original, fresh, _ = round_trip
    settings = load_settings(ROOT / "isms.toml", db_path=str(original))
    a, b = connect(original, read_only=True), connect(fresh, read_only=True)
    try:
        quarter = dt.date.fromisoformat(AS_OF)
        while quarter >= dt.date(2023, 12, 31):
            assert scorecard(b, settings, quarter) == scorecard(a, settings, quarter), quarter
            for kind in SNAPSHOT_KINDS:
                left, right = (queries.register(c, kind, quarter).astype(str).values.tolist() for c in (a, b))
                assert right == left, (kind, quarter)
            quarter = previous_quarter_end(quarter)
        for table, day in [("assessment", "assessed_on"), ("treatment_update", "updated_on"),
                           ("monitoring_result", "period")]:
            sql = f"""SELECT e.* EXCLUDE (batch_id) FROM {table} e JOIN active_batch USING (batch_id)
                      WHERE e.{day} <= DATE '{AS_OF}' ORDER BY ALL"""
            assert b.execute(sql).fetchall() == a.execute(sql).fetchall(), table
    finally:
        a.close()
        b.close()


def test_a_month_after_the_last_register_the_round_trip_keeps_the_progress_reports(sample_db_path, tmp_path):
    """Exported as of 31 October, a month after the last register (30 September): T-107's report
    of 13 October (100%) completes it. The export's last workbook holds that month's events and no
    register: the 30 September register restated at 31 October stood after the report and, once
    imported, read T-107 'In progress' again (88 done became 87)."""
    day = "2026-10-31"
    original = tmp_path / "original.duckdb"
    original.write_bytes(sample_db_path.read_bytes())
    out = tmp_path / "export"
    isms("export", "--as-of", day, "--format", "xlsx", "--out", str(out), db=original)
    books = sorted(out.glob("isms-*.xlsx"))
    last = load_workbook(books[-1], read_only=True)
    assert books[-1].name.endswith(f"{day}.xlsx") and "Treatments" not in last.sheetnames, last.sheetnames
    fresh = tmp_path / "fresh.duckdb"
    isms("init-db", "--empty", db=fresh)
    imported = isms("import", *map(str, books), db=fresh)
    assert imported.stdout.count("committed as batch") == len(books), imported.stdout + imported.stderr
    for when in (day, AS_OF):
        before = json.loads(isms("scorecard", "--as-of", when, "--json", db=original).stdout)
        after = json.loads(isms("scorecard", "--as-of", when, "--json", db=fresh).stdout)
        assert after == before, when
    con = connect(original, read_only=True)
    try:  # the case itself, read from the original: a report after the last register completes T-107
        (pct,) = con.execute("""SELECT percent_complete FROM treatment_update JOIN active_batch USING (batch_id)
                                WHERE treatment_id = 'T-107' AND updated_on = DATE '2026-10-13'""").fetchone()
    finally:
        con.close()
    assert pct == 100


def _sheet_rows(path, sheet: str) -> list[dict]:
    wb = load_workbook(path, read_only=True)
    try:
        if sheet not in wb.sheetnames:
            return []
        rows = list(wb[sheet].iter_rows(values_only=True))
    finally:
        wb.close()
    return [dict(zip(rows[0], r)) for r in rows[1:] if any(v is not None for v in r)]


def test_the_parquet_export_holds_what_the_sample_workbooks_hold(sample_db_path, tmp_path):
    db = tmp_path / "isms.duckdb"
    db.write_bytes(sample_db_path.read_bytes())
    out = tmp_path / "parquet"
    isms("export", "--as-of", AS_OF, "--format", "parquet", "--out", str(out), db=db)
    books = sorted(SAMPLE.glob("*.xlsx"))
    last_register = SAMPLE / f"{AS_OF}-register.xlsx"
    expected_risks = sorted(r["Risk ID"] for r in _sheet_rows(last_register, "Risks"))
    limit = dt.date.fromisoformat(AS_OF)
    expected_assessments = {(r["Risk ID"], r["Assessed on"].date()) for b in books
                            for r in _sheet_rows(b, "Assessments") if r["Assessed on"].date() <= limit}
    con = duckdb.connect()
    try:
        risks = [r[0] for r in con.execute(f"SELECT risk_id FROM read_parquet('{out / 'risks.parquet'}') ORDER BY 1").fetchall()]
        assessments = set(con.execute(f"SELECT risk_id, assessed_on FROM read_parquet('{out / 'assessments.parquet'}')").fetchall())
        batches = con.execute(f"SELECT file_name FROM read_parquet('{out / 'import_batch.parquet'}') ORDER BY batch_id").fetchall()
    finally:
        con.close()
    assert risks == expected_risks and len(risks) == 148
    assert assessments == expected_assessments
    # the October results' batch is dated after the date and brought nothing dated on or before it
    # (the compliance workbooks, imported after the risk history, each dated at its quarter end)
    assert [b[0] for b in batches] == [p.name for p in books if p.name <= f"{AS_OF}-register.xlsx"] + \
        [p.name for p in books if p.name.startswith("compliance-") and p.name <= f"compliance-{AS_OF}.xlsx"]
