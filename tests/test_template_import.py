import json
import subprocess
import sys

import pytest
from openpyxl import load_workbook

from isms.importing.pipeline import import_file
from isms.store import connect, queries
from isms.importing.template import write_blank_template, write_workbook
from tests.conftest import ROOT
from tests.factories import D, assessment, risk, treatment
from tests.test_store import table_dump


def good_rows():
    return {
        "risks": [risk("R-1", annex_a_controls="A.8.8, 5.18", asset_ids="HW-01; SW-02", annex_a_theme="A.8 Technological"),
                  risk("R-2", title="=HYPERLINK(\"x\")", annex_a_controls="", asset_ids="")],
        "assessments": [assessment("R-1", "2024-03-01", residual=(4, 5)), assessment("R-2", "2024-03-02")],
        "treatments": [treatment("T-1", "R-1", "2024-01-01", "2024-12-31")],
    }


def test_template_workbook_round_trip(tmp_path, settings):
    path = write_workbook(tmp_path / "ok.xlsx", good_rows(), as_of=D("2024-03-31"))
    con = connect(":memory:")
    out = import_file(con, path, settings.matrix, imported_by="t")
    assert out.status == "committed", [str(p) for p in out.problems]
    assert out.as_of == D("2024-03-31")  # read from the About sheet
    assert out.row_counts == {"risks": 2, "assessments": 2, "treatments": 1}
    reg = queries.register(con, "risks", D("2024-03-31")).set_index("risk_id")
    assert list(reg.loc["R-1", "annex_a_controls"]) == ["A.8.8", "A.5.18"]
    assert list(reg.loc["R-1", "asset_ids"]) == ["HW-01", "SW-02"]
    assert reg.loc["R-2", "title"] == '=HYPERLINK("x")'  # stayed text, never evaluated
    p = queries.posture(con, settings.matrix, [D("2024-03-31")]).set_index("risk_id")
    assert p.loc["R-1", "residual_level"] == "Critical"


def test_reimporting_the_same_file_changes_nothing(tmp_path, settings):
    path = write_workbook(tmp_path / "ok.xlsx", good_rows(), as_of=D("2024-03-31"))
    con = connect(":memory:")
    first = import_file(con, path, settings.matrix)
    before = table_dump(con)
    again = import_file(con, path, settings.matrix)
    assert again.status == "unchanged" and again.batch_id == first.batch_id
    assert table_dump(con) == before


def _broken_workbook(tmp_path):
    rows = good_rows()
    rows["risks"].append(risk("R-1"))  # duplicate id in the file
    rows["risks"].append(risk("R-3", status="Maybe", identified_on="not a date"))
    rows["assessments"].append(assessment("R-9", "2024-03-01"))  # no such risk
    rows["assessments"].append(assessment("R-2", "2024-03-05", residual=(7, 2)))
    path = write_workbook(tmp_path / "broken.xlsx", rows, as_of=D("2024-03-31"))
    return path


def test_refused_file_lists_every_problem_with_its_cell(tmp_path, settings):
    path = _broken_workbook(tmp_path)
    con = connect(":memory:")
    before = table_dump(con)
    out = import_file(con, path, settings.matrix)
    assert out.status == "refused"
    text = "\n".join(str(p) for p in out.problems)
    # Risks: header row 1, R-1 row 2, R-2 row 3, duplicate R-1 row 4, R-3 row 5
    assert "Risks!A4" in text and "duplicate of row 2" in text
    # an unreadable optional cell is a warning: the risk imports with the default, the text is kept
    soft = {p.header: p for p in out.problems if p.sheet == "Risks" and p.row == 5}
    assert soft["Status"].severity == "warning" and "'Maybe'" in soft["Status"].message
    assert "left Open, and the text is kept in the description" in soft["Status"].message
    assert soft["Identified on"].severity == "warning" and "'not a date'" in soft["Identified on"].message
    assert "Assessments!F5 (Residual likelihood)" in text and "7 is off the 5-step scale" in text
    assert "Assessments!A4 (Risk ID): value 'R-9': no risk 'R-9'" in text  # the cell, for the marked copy
    assert "7 is off the 5-step scale: write a step 1-5 or its word (Rare, Unlikely" in text
    assert table_dump(con) == before


def test_reference_to_unknown_risk_is_refused(tmp_path, settings):
    rows = {"assessments": [assessment("R-404", "2024-03-01")]}
    path = write_workbook(tmp_path / "orphan.xlsx", rows, as_of=D("2024-03-31"))
    out = import_file(connect(":memory:"), path, settings.matrix)
    assert out.status == "refused"
    assert "no risk 'R-404'" in str(out.problems[0])


def test_off_scale_level_for_a_3x3_matrix(tmp_path, settings):
    from isms.matrix import PRESETS

    path = write_workbook(tmp_path / "s.xlsx", {"risks": [risk("R-1")], "assessments": [assessment("R-1", "2024-03-01", residual=(3, 4))]},
                          as_of=D("2024-03-31"))
    out = import_file(connect(":memory:"), path, PRESETS["3x3"])
    assert out.status == "refused"
    assert any(p.cell == "G2" and p.message == "4 is off the 3-step scale: write a step 1-3 or its word (Low, Medium, High)" for p in out.problems)


@pytest.mark.parametrize("data, reason", [
    (b"", "the file is empty"),
    (b"this is not a spreadsheet at all", "not a spreadsheet"),
    (b"PK\x03\x04" + b"\x00" * 40, "not a readable workbook"),
])
def test_files_that_are_not_workbooks(tmp_path, settings, data, reason):
    path = tmp_path / "x.xlsx"
    path.write_bytes(data)
    out = import_file(connect(":memory:"), path, settings.matrix)
    assert out.status == "refused" and reason in out.problems[0].message


def test_missing_required_column(tmp_path, settings):
    rows = good_rows()
    path = write_workbook(tmp_path / "m.xlsx", rows, as_of=D("2024-03-31"))
    wb = load_workbook(path)
    wb["Treatments"].delete_cols(7)  # Due on: no rule can supply a plan's due date
    wb.save(path)
    con = connect(":memory:")
    out = import_file(con, path, settings.matrix)
    assert out.status == "refused"
    assert "required column(s) missing: Due on" in str(out.problems)
    assert con.execute("SELECT count(*) FROM import_batch").fetchone()[0] == 0


def test_blank_template_lists_every_kind_with_dropdowns(tmp_path):
    path = write_blank_template(tmp_path / "t.xlsx")
    wb = load_workbook(path)
    assert wb.sheetnames == ["About", "Instructions", "Assets", "Risks", "Assessments", "Treatments",
                             "TreatmentUpdates", "Metrics", "MonitoringResults", "Exceptions",
                             "Controls", "SoA", "ControlTests", "Audits", "Findings", "Frameworks", "Requirements",
                             "Mappings", "Decisions", "Actions"]
    formulas = [dv.formula1 for dv in wb["Treatments"].data_validations.dataValidation]
    assert '"Avoid,Reduce,Transfer,Accept"' in formulas


def test_instructions_sheet_explains_every_column_of_every_sheet(tmp_path):
    from isms.matrix import PRESETS

    wb = load_workbook(write_blank_template(tmp_path / "t.xlsx", PRESETS["4x4"]))
    guide, sheet = {}, None
    for name, column, required, what in wb["Instructions"].iter_rows(min_row=2, values_only=True):
        sheet = name or sheet
        if column:
            guide[sheet, column] = (required, what)
    for data_sheet in wb.sheetnames[2:]:  # each header of each data sheet has its line
        headers = [c.value for c in wb[data_sheet][1]]
        assert headers and all((data_sheet, h) in guide for h in headers), data_sheet
    assert len(guide) == 1 + sum(wb[s].max_column for s in wb.sheetnames[2:])  # and the About sheet's As of
    assert "cell B2 of the About sheet" in guide["About", "As of"][1]
    assert guide["Risks", "Risk ID"] == ("yes", "An identifier; unique in this sheet")
    assert guide["Treatments", "Completed on"][0] == "no"
    assert guide["Treatments", "Decision"] == ("yes", "One of: Avoid, Reduce, Transfer, Accept")
    assert guide["Assessments", "Residual impact"][1] == "A whole number 1-4, or its word: 1 Minor, 2 Moderate, 3 Major, 4 Severe"
    assert guide["Exceptions", "Likelihood"][1].endswith("3 Likely, 4 Almost certain")
    assert guide["Assessments", "Risk ID"][1].endswith("unique in this sheet with Assessed on")
    assert "2025-03" in guide["MonitoringResults", "Period"][1]


def test_a_filled_in_blank_template_imports_and_its_guide_is_not_data(tmp_path, settings):
    """The analyst's path: download the blank template, fill two sheets as the guide says, import."""
    path = write_blank_template(tmp_path / "t.xlsx")
    wb = load_workbook(path)
    wb["About"]["B2"] = D("2024-06-30")
    headers = [c.value for c in wb["Risks"][1]]
    row = {"Risk ID": "R-1", "Title": "Ransomware", "Annex A theme": "A.8 Technological", "Owner": "CISO",
           "Status": "Open", "Identified on": "Q1-2024", "Source": "Audit", "Asset IDs": "HW-1, SW-2"}
    wb["Risks"].append([row.get(h) for h in headers])
    headers = [c.value for c in wb["Assessments"][1]]
    row = {"Risk ID": "R-1", "Assessed on": "31/05/2024", "Inherent likelihood": "Likely", "Inherent impact": 5,
           "Residual likelihood": 2, "Residual impact": "Moderate"}
    wb["Assessments"].append([row.get(h) for h in headers])
    wb.save(path)
    con = connect(":memory:")
    earlier = write_workbook(tmp_path / "assets.xlsx", {"assets": [{
        "asset_id": "HW-1", "name": "Core switch", "asset_class": "Supporting", "asset_type": "Hardware",
        "criticality": "High"}]}, as_of=D("2024-03-31"))
    assert import_file(con, earlier, settings.matrix).status == "committed"
    out = import_file(con, path, settings.matrix, imported_by="t")
    assert out.status == "committed", [str(p) for p in out.problems]
    assert not [p for p in out.problems if "Instructions" in str(p)]
    # the untouched Assets sheet changed nothing: the asset register still holds HW-1 at the new date
    assert list(queries.register(con, "assets", D("2024-06-30"))["asset_id"]) == ["HW-1"]
    assert out.row_counts == {"risks": 1, "assessments": 1}
    got = con.execute("SELECT assessed_on, inherent_likelihood, residual_impact FROM assessment").fetchall()
    assert got == [(D("2024-05-31"), 4, 3)]  # the 5x5 matrix's words: Likely is step 4, Moderate step 3


def run_cli(*args, env=None):
    import os

    return subprocess.run([sys.executable, "-m", "isms", *args], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, **(env or {})}, timeout=120)


def test_cli_import_exit_codes_and_json(tmp_path):
    db = tmp_path / "cli.duckdb"
    env = {"ISMS_DB": str(db)}
    ok = write_workbook(tmp_path / "ok.xlsx", good_rows(), as_of=D("2024-03-31"))
    bad = _broken_workbook(tmp_path)

    dry = run_cli("import", str(ok), "--dry-run", "--json", env=env)
    assert dry.returncode == 0 and json.loads(dry.stdout)[0]["status"] == "dry-run"

    refused = run_cli("import", str(bad), "--json", env=env)
    assert refused.returncode == 1
    payload = json.loads(refused.stdout)[0]
    assert payload["status"] == "refused"
    assert any(p["sheet"] == "Assessments" and p["cell"] == "F5" and p["severity"] == "error" for p in payload["problems"])

    done = run_cli("import", str(ok), env=env)
    assert done.returncode == 0 and "committed as batch 1" in done.stdout
    again = run_cli("import", str(ok), env=env)
    assert "already imported as batch 1; nothing changed" in again.stdout

    assert run_cli("import", env=env).returncode == 2
    assert run_cli("import", str(tmp_path / "missing.xlsx"), env=env).returncode == 2
    assert run_cli("scorecard", "--as-of", "yesterday", env=env).returncode == 2


def test_cli_says_so_when_an_older_dashboard_holds_the_database(tmp_path):
    """Today's dashboard never holds the file (see test_shared_store); an older version did, read-write."""
    db = tmp_path / "held.duckdb"
    holder = connect(db)  # as the dashboard did before the shared store
    try:
        done = run_cli("scorecard", "--as-of", "2026-09-30", env={"ISMS_DB": str(db)})
    finally:
        holder.close()
    assert done.returncode == 2
    assert "held by a process outside the shared store (an older version of the dashboard?)" in done.stderr
    assert "Traceback" not in done.stderr
