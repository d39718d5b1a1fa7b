"""`python -m isms export`: every kind as it stood on a date, in each format, loadable as it is.

The store is built by hand (factories), so what the export must hold is known without asking the
code under test: the registers of the latest batch on or before the date, every event up to it
(a later batch's back-filled event included, an undone batch's left out), the batches they came
from; and every cell a spreadsheet would run as a formula written as text.
"""

from __future__ import annotations

import csv
import io
import json

import duckdb
import pytest
from openpyxl import load_workbook

from isms import cli
from isms.store import connect
from isms.store.batches import commit_batch, undo_batch
from tests.factories import D, assessment, exception, load, metric, result, risk, treatment, update

AS_OF = "2024-06-30"
FORMULA_TITLE = "=cmd|' /C calc'!A0"
FORMULA_POLICY = "@SUM(1+1)"
FORMULA_FILE = "+evil.xlsx"


def _frames(**rows_by_kind):
    import pandas as pd

    from isms.models import KINDS

    return {k: pd.DataFrame.from_records(v, columns=list(KINDS[k][1].model_fields)) for k, v in rows_by_kind.items()}


@pytest.fixture
def store(tmp_path, monkeypatch):
    """Four batches around 2024-06-30: two before it, one after it that back-fills an earlier
    assessment and corrects another, and one undone."""
    path = tmp_path / "isms.duckdb"
    con = connect(path)
    commit_batch(con, source="test", file_name=FORMULA_FILE, sha256="a" * 64, as_of=D("2024-03-31"),
                 imported_by="pytest", frames=_frames(
                     risks=[risk("R1", title=FORMULA_TITLE, annex_a_controls=["A.8.8", "A.8.9"]), risk("R2")],
                     assessments=[assessment("R1", "2024-03-15"), assessment("R2", "2024-03-20")],
                     treatments=[treatment("T1", "R1", "2024-01-01", "2024-12-31")],
                     metrics=[metric("M1", target=95, amber=90, red=80)],
                     monitoring_results=[result("M1", "2024-03-01", 97)],
                     exceptions=[exception("E1", "R1", policy=FORMULA_POLICY)]))
    load(con, "2024-06-30", risks=[risk("R1", title=FORMULA_TITLE), risk("R2"), risk("R3")],
         assessments=[assessment("R1", "2024-06-10", residual=(3, 3)), assessment("R3", "2024-06-12")],
         treatment_updates=[update("T1", "2024-05-31", 50)],
         monitoring_results=[result("M1", "2024-06-01", 85)])
    load(con, "2024-09-30", risks=[risk("R1")],
         assessments=[assessment("R1", "2024-09-15"), assessment("R2", "2024-04-01"),
                      assessment("R1", "2024-06-10", residual=(1, 1))])
    undone = load(con, "2024-06-30", risks=[risk("R9")])
    undo_batch(con, undone, "pytest")
    con.close()
    monkeypatch.setenv("ISMS_DB", str(path))
    return path


def run_export(tmp_path, fmt: str, as_of: str = AS_OF):
    out = tmp_path / f"export-{fmt}"
    code = cli.main(["export", "--as-of", as_of, "--format", fmt, "--out", str(out), "--user", "auditor"])
    assert code == 0
    return out


def parquet(path, sql: str = "SELECT * FROM t"):
    con = duckdb.connect()
    try:
        con.execute(f"CREATE VIEW t AS SELECT * FROM read_parquet('{path}')")
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_parquet_holds_the_registers_of_the_date_and_every_event_up_to_it(store, tmp_path):
    out = run_export(tmp_path, "parquet")
    assert parquet(out / "risks.parquet", "SELECT risk_id FROM t ORDER BY 1") == [("R1",), ("R2",), ("R3",)]
    assert parquet(out / "assessments.parquet", "SELECT risk_id, assessed_on, residual_likelihood FROM t ORDER BY 1, 2") == [
        ("R1", D("2024-03-15"), 3), ("R1", D("2024-06-10"), 1),  # the later batch's correction, as reads take it
        ("R2", D("2024-03-20"), 3), ("R2", D("2024-04-01"), 3),  # back-filled by the batch dated after
        ("R3", D("2024-06-12"), 3)]
    assert parquet(out / "treatments.parquet", "SELECT treatment_id FROM t") == [("T1",)]
    assert parquet(out / "treatment_updates.parquet", "SELECT treatment_id, percent_complete FROM t") == [("T1", 50.0)]
    assert parquet(out / "metrics.parquet", "SELECT metric_id, red FROM t") == [("M1", 80.0)]
    assert parquet(out / "monitoring_results.parquet", "SELECT period, value FROM t ORDER BY 1") == [
        (D("2024-03-01"), 97.0), (D("2024-06-01"), 85.0)]
    assert parquet(out / "exceptions.parquet", "SELECT exception_id, policy FROM t") == [("E1", FORMULA_POLICY)]
    # the batches the rows come from: both before the date and the one after it that back-filled; not the undone one
    batches = parquet(out / "import_batch.parquet", "SELECT as_of, file_name FROM t ORDER BY batch_id")
    assert batches == [(D("2024-03-31"), FORMULA_FILE), (D("2024-06-30"), "factory.xlsx"), (D("2024-09-30"), "factory.xlsx")]
    # every risk row names a batch of import_batch
    con = duckdb.connect()
    orphans = con.execute(f"""SELECT count(*) FROM read_parquet('{out / "risks.parquet"}') r
        ANTI JOIN read_parquet('{out / "import_batch.parquet"}') b USING (batch_id)""").fetchone()[0]
    con.close()
    assert orphans == 0


def test_parquet_keeps_types_and_the_register_history(store, tmp_path):
    out = run_export(tmp_path, "parquet")
    con = duckdb.connect()
    types = {r[0]: r[1] for r in con.execute(f"DESCRIBE SELECT * FROM read_parquet('{out / 'risks.parquet'}')").fetchall()}
    con.close()
    assert types["annex_a_controls"] == "VARCHAR[]" and types["identified_on"] == "DATE"
    assert parquet(out / "risks.parquet", "SELECT annex_a_controls FROM t WHERE risk_id = 'R1'") == [(["A.8.8"],)]
    history = parquet(out / "risks_history.parquet", "SELECT as_of, risk_id FROM t ORDER BY 1, 2")
    assert history == [(D("2024-03-31"), "R1"), (D("2024-03-31"), "R2"),
                       (D("2024-06-30"), "R1"), (D("2024-06-30"), "R2"), (D("2024-06-30"), "R3")]
    assert parquet(out / "exceptions_history.parquet", "SELECT as_of FROM t ORDER BY 1") == [
        (D("2024-03-31"),), (D("2024-06-30"),)]


def test_computed_figures_are_exported_as_the_scorecard_counts_them(store, tmp_path):
    """Levels and treatment states beside the facts, worked by hand on the 5x5 preset (bands 4, 9, 16,
    25: Low, Medium, High, Critical; appetite Medium) and the linear plan, for a BI tool that should
    not rebuild the matrix. R1's rating is the later batch's correction (1, 1), R2's the back-filled
    one of 1 April, as every read takes them."""
    out = run_export(tmp_path, "parquet")
    scores = parquet(out / "risk_scores.parquet", """SELECT risk_id, assessed_on, inherent_score, inherent_level,
        residual_score, residual_level, within_appetite, target_level, counted FROM t ORDER BY 1""")
    assert scores == [("R1", D("2024-06-10"), 16, "High", 1, "Low", True, None, True),
                      ("R2", D("2024-04-01"), 16, "High", 9, "Medium", True, None, True),
                      ("R3", D("2024-06-12"), 16, "High", 9, "Medium", True, None, True)]
    (row,) = parquet(out / "treatment_progress.parquet", """SELECT treatment_id, risk_id, last_update_on,
        percent_complete, round(planned_percent, 2), state, days_overdue, counted FROM t""")
    # 1 Jan to 30 Jun 2024 is 181 of the plan's 365 days: 49.59% planned, 50% done, so on track
    assert row == ("T1", "R1", D("2024-05-31"), 50.0, round(100 * 181 / 365, 2), "on track", 0, True)
    readme = (out / "README.md").read_text(encoding="utf-8")
    assert "### risk_scores" in readme and "| `residual_level` | VARCHAR | the matrix's level of the residual rating |" in readme
    assert "| `state` | VARCHAR | one of: on track, late" in readme
    # the bands and the tolerance that made those levels and states, for a reader without the dashboard
    # (isms.toml: the 5x5 preset, late_tolerance_points 10)
    assert "- **Levels**: Low up to 4, Medium up to 9, High up to 16, Critical up to 25." in readme
    assert "- **Appetite**: Medium or below is within appetite." in readme
    assert "trails the linear plan by more than 10 points" in readme
    assert "- **Scales**: likelihood 1 Rare, 2 Unlikely, 3 Possible, 4 Likely, 5 Almost certain;" in readme
    # the contents: every table once, with the rows written (three risks, one plan)
    assert "| `risk_scores` | 3 | Each risk in the register on the date" in readme
    assert "| `treatment_progress` | 1 | " in readme
    contents = readme.split("## Contents")[1].split("## Files")[0]
    assert [line.split("`")[1] for line in contents.splitlines() if line.startswith("| `")] == \
        [h[4:] for h in readme.splitlines() if h.startswith("### ")]


def test_the_catalogs_go_with_the_refs_that_name_them(store, tmp_path):
    """ISO/IEC 27001:2022 Annex A has 93 controls; A.8.8 is 'Management of technical vulnerabilities'
    in the 'Technological' theme (the standard's own numbering)."""
    out = run_export(tmp_path, "parquet")
    assert parquet(out / "catalog_requirements.parquet", "SELECT count(*) FROM t WHERE framework = 'ISO27001-2022'") == [(93,)]
    assert parquet(out / "catalog_requirements.parquet", """SELECT title, family, licence FROM t
        WHERE framework = 'ISO27001-2022' AND ref = 'A.8.8'""") == [
        ("Management of technical vulnerabilities", "A.8 Technological", "shipped")]
    xlsx = run_export(tmp_path, "xlsx")
    assert load_workbook(xlsx / "catalogs.xlsx").sheetnames == ["catalog_requirements"]


def test_csv_neutralises_formula_like_cells(store, tmp_path):
    out = run_export(tmp_path, "csv")
    risks = list(csv.DictReader(io.StringIO((out / "risks.csv").read_text(encoding="utf-8-sig"))))
    assert [r["risk_id"] for r in risks] == ["R1", "R2", "R3"]
    assert risks[0]["title"] == "'" + FORMULA_TITLE
    exceptions = list(csv.DictReader(io.StringIO((out / "exceptions.csv").read_text(encoding="utf-8-sig"))))
    assert exceptions[0]["policy"] == "'" + FORMULA_POLICY
    batches = list(csv.DictReader(io.StringIO((out / "import_batch.csv").read_text(encoding="utf-8-sig"))))
    assert batches[0]["file_name"] == "'" + FORMULA_FILE
    assessments = list(csv.DictReader(io.StringIO((out / "assessments.csv").read_text(encoding="utf-8-sig"))))
    assert len(assessments) == 5
    assert {a["target_likelihood"] for a in assessments} == {""}  # blank, not 'nan' or 'None'
    assert assessments[0]["inherent_likelihood"] == "4"  # whole numbers stay whole


def test_xlsx_is_template_workbooks_with_formula_like_cells_as_text(store, tmp_path):
    out = run_export(tmp_path, "xlsx")
    books = sorted(p.name for p in out.glob("isms-*.xlsx"))
    assert books == ["isms-2024-03-31.xlsx", "isms-2024-06-30.xlsx"]
    last = load_workbook(out / "isms-2024-06-30.xlsx")
    assert last["About"]["B2"].value.date() == D(AS_OF)
    risks = last["Risks"]
    assert [c.value for c in risks[1]][:2] == ["Risk ID", "Title"]
    assert [risks.cell(r, 1).value for r in range(2, risks.max_row + 1)] == ["R1", "R2", "R3"]
    title = risks["B2"]
    assert title.value == FORMULA_TITLE and title.data_type == "s" and title.quotePrefix
    # events dated since the previous workbook: R1 and R3 in June, R2's back-filled April rating
    ws = last["Assessments"]
    assert sorted((ws.cell(r, 1).value, ws.cell(r, 2).value.date()) for r in range(2, ws.max_row + 1)) == [
        ("R1", D("2024-06-10")), ("R2", D("2024-04-01")), ("R3", D("2024-06-12"))]
    first = load_workbook(out / "isms-2024-03-31.xlsx")
    policy = first["Exceptions"]["B2"]
    assert policy.value == FORMULA_POLICY and policy.data_type == "s" and policy.quotePrefix
    batch = load_workbook(out / "import_batch.xlsx").active
    assert batch["D2"].value == FORMULA_FILE and batch["D2"].quotePrefix
    figures = load_workbook(out / "figures.xlsx")
    assert figures.sheetnames == ["risk_scores", "treatment_progress"]
    scores = figures["risk_scores"]
    header = [c.value for c in scores[1]]
    r1 = dict(zip(header, [c.value for c in scores[2]]))
    assert (r1["risk_id"], r1["residual_level"], r1["within_appetite"]) == ("R1", "Low", True)
    assert r1["title"] == FORMULA_TITLE and scores.cell(2, header.index("title") + 1).quotePrefix


@pytest.mark.parametrize("fmt", ["parquet", "csv", "xlsx"])
def test_every_export_has_a_readme_with_the_schema_and_is_audited(store, tmp_path, fmt):
    out = run_export(tmp_path, fmt)
    readme = (out / "README.md").read_text(encoding="utf-8")
    for table in ["assets", "risks", "assessments", "treatments", "treatment_updates", "metrics",
                  "monitoring_results", "exceptions", "import_batch"]:
        assert f"### {table}" in readme
    assert "| `risk_id` | VARCHAR | required; key" in readme
    assert "| `status` | VARCHAR | required; one of: Open, In treatment, Accepted, Closed" in readme
    con = connect(store, read_only=True)
    events = con.execute("SELECT who, detail FROM audit_event WHERE action = 'data-exported'").fetchall()
    con.close()
    assert [(w, json.loads(d)["format"], json.loads(d)["as_of"]) for w, d in events] == [("auditor", fmt, AS_OF)]


def test_export_refuses_a_folder_that_holds_files(store, tmp_path, capsys):
    out = tmp_path / "busy"
    out.mkdir()
    (out / "old.csv").write_text("x")
    assert cli.main(["export", "--as-of", AS_OF, "--format", "csv", "--out", str(out)]) == 2
    assert "not an empty folder" in capsys.readouterr().err
    assert [p.name for p in out.iterdir()] == ["old.csv"]


def test_export_without_a_database_says_how_to_make_one(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("ISMS_DB", str(tmp_path / "none.duckdb"))
    assert cli.main(["export", "--as-of", AS_OF, "--out", str(tmp_path / "x")]) == 2
    assert "init-db --empty" in capsys.readouterr().err
    assert not (tmp_path / "none.duckdb").exists()


def test_init_db_empty_creates_an_empty_database_once(tmp_path, monkeypatch, capsys):
    import os
    import stat

    path = tmp_path / "new" / "acme.duckdb"
    monkeypatch.setenv("ISMS_DB", str(path))
    assert cli.main(["init-db", "--empty"]) == 0
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    # the shipped settings name the sample's organisation: said, so packs do not go out under it
    assert "names the sample's organisation (Northwind Cloud Infrastructure)" in capsys.readouterr().out
    con = connect(path, read_only=True)
    assert con.execute("SELECT count(*) FROM import_batch").fetchone()[0] == 0
    con.close()
    assert cli.main(["init-db", "--empty"]) == 0
    assert "left as it is" in capsys.readouterr().out


def test_the_download_is_the_same_export_zipped(store, tmp_path):
    """What the Export page offers: the folder the CLI writes, as one zip."""
    import zipfile

    from isms.config import load_settings
    from isms.data_export import export_zip, zip_name
    from tests.conftest import ROOT

    con = connect(store)
    try:
        data = export_zip(con, load_settings(ROOT / "isms.toml", db_path=str(store)), D(AS_OF), "csv")
    finally:
        con.close()
    names = sorted(zipfile.ZipFile(io.BytesIO(data)).namelist())
    assert names == sorted(["README.md", "import_batch.csv", *[f"{k}.csv" for k in (
        "assets", "risks", "assessments", "treatments", "treatment_updates", "metrics", "monitoring_results",
        "exceptions", "controls", "soa", "control_tests", "audits", "findings", "frameworks", "requirements",
        "mappings")],
        *[f"{k}_history.csv" for k in ("assets", "risks", "treatments", "metrics", "exceptions", "controls", "audits",
                                       "findings")],
        # the forum's records and the mapping decisions: tables of their own, written (with headers) even when empty
        *[f"{k}.csv" for k in ("meetings", "decisions", "actions", "action_changes", "mapping_decisions")],
        "risk_scores.csv", "treatment_progress.csv", "catalog_requirements.csv"])
    assert zip_name(D(AS_OF), "csv") == "isms-export-2024-06-30-csv.zip"
