"""Cell values and headers as analysts write them: each expectation worked out by hand."""

import datetime as dt

import pandas as pd
import pytest
from hypothesis import given, strategies as st

from isms.importing import cells
from isms.importing.cells import rescale, to_enum, to_level
from isms.importing.mapping import declared_scale, detect, find_header_row, fold_header, match_columns
from isms.importing.reading import ReadError, read_workbook
from isms.matrix import PRESETS
from isms.models import Decision, RiskStatus

D = dt.date.fromisoformat
FIVE = PRESETS["5x5"]


@pytest.mark.parametrize("raw, expected", [
    ("2026-03-31", D("2026-03-31")),
    ("31/03/2026", D("2026-03-31")),
    ("Q4-2026", D("2026-12-31")),
    ("2026 Q1", D("2026-03-31")),
    ("May 2027", D("2027-05-31")),
    ("February 2028", D("2028-02-29")),
    ("2025-03", D("2025-03-31")),
    ("2026/03/31", D("2026-03-31")),
    ("28-Feb-2026", D("2026-02-28")),  # Excel's dd-mmm-yyyy
    ("28 Feb 2026", D("2026-02-28")),  # the dashboard's own style
    ("15-Jan-26", D("2026-01-15")),  # dd-mmm-yy
    ("1st March 2026", D("2026-03-01")),
    ("Feb 28, 2026", D("2026-02-28")),
    ("September 3 2026", D("2026-09-03")),
    ("3 Sept 2026", D("2026-09-03")),
    ("May-18", D("2018-05-31")),  # Excel's mmm-yy names a month
    (46112, D("2026-03-31")),  # Excel serial
    (46112.0, D("2026-03-31")),
    ("46112", D("2026-03-31")),  # the same serial, from a date column a CSV export left unformatted
    (dt.datetime(2026, 3, 31, 0, 0), D("2026-03-31")),
])
def test_dates(raw, expected):
    assert cells.parse_date(raw) == expected


def test_periods_start_on_the_first():
    assert cells.parse_date("2025-03", period_end=False) == D("2025-03-01")
    assert cells.parse_date("Q2-2025", period_end=False) == D("2025-04-01")


@pytest.mark.parametrize("raw", ["31/13/2026", "soon", "Q5-2026", "2026-02-30", "30 Feb 2026", "28 Fbe 2026",
                                 "Feb 30, 2026", "2026/13/01", "28 Mayday 2026"])
def test_bad_dates_say_what_is_expected(raw):
    with pytest.raises(ValueError, match=r"is not a date .*31 Mar 2026"):
        cells.parse_date(raw)


@pytest.mark.parametrize("raw", ["--", "n/a", "N/A", "", "  ", None, "TBD", "—", "Žádné", "keine", "Aucune"])
def test_not_rated(raw):
    assert cells.blank(raw)


def test_multi_value_cells():
    assert cells.split_list("8.2, 5.18") == ["8.2", "5.18"]
    assert cells.split_list("A.5.1\nA.5.2;A.8.8") == ["A.5.1", "A.5.2", "A.8.8"]
    assert cells.split_list("--") == []
    # found in a real register: one asset named with its size was two assets
    assert cells.split_list("Customer PII — 85,000 records") == ["Customer PII — 85,000 records"]
    assert cells.split_list("CRM, 1,250,000 rows; Payroll") == ["CRM", "1,250,000 rows", "Payroll"]
    assert cells.split_list("101,102") == ["101", "102"]


@pytest.mark.parametrize("raw, expected", [
    (">= 95%", (95.0, "Higher is better", "%")),
    ("<= 14 days", (14.0, "Lower is better", "days")),
    ("100%", (100.0, None, "%")),
    ("≤ 4 hours", (4.0, "Lower is better", "hours")),
])
def test_targets_as_text(raw, expected):
    assert cells.parse_target(raw) == expected


@pytest.mark.parametrize("header, folded", [
    ("Likelihood (1-5)", "likelihood"),
    ("Likelihood_1_3", "likelihood"),
    ("Residual_Likelihood_1_5", "residual_likelihood"),
    ("Risk Status ", "risk_status"),
    ("Asset / System", "asset_system"),
    ("\ufeffrisk_id", "risk_id"),
])
def test_fold_header(header, folded):
    assert fold_header(header) == folded


def test_declared_scales():
    assert declared_scale("Likelihood (1-5)") == 5
    assert declared_scale("Impact_1_3") == 3
    assert declared_scale("Risk ID") is None


def test_synonyms_map_a_register():
    cols = match_columns("risks", ["Ref", "Probability", "Severity", "Accountable", "Response", "Due date", "Status "])
    assert cols == {"risk_id": "Ref", "inherent_likelihood": "Probability", "inherent_impact": "Severity",
                    "owner": "Accountable", "decision": "Response", "due_on": "Due date", "status": "Status"}


def test_header_found_under_title_rows():
    rows = [["Information security risk register", "", ""], ["", "", ""],
            ["Risk ID", "Likelihood", "Impact"], ["R-1", 2, 3]]
    assert find_header_row(rows) == 2
    assert detect("Sheet1", rows).kind == "risks"


def test_kind_detection_of_each_layout():
    assert detect("x", [["metric_id", "period", "value"], ["K1", "2025-03", 4]]).kind == "monitoring_results"
    wide = detect("x", [["month", "patch_pct", "mfa_pct"], ["2025-03", 78, 70]])
    assert (wide.kind, wide.layout) == ("monitoring_results", "row per period")
    across = detect("x", [["indicator", "2025-01", "2025-02"], ["patch", 70, 72]])
    assert (across.kind, across.layout) == ("monitoring_results", "row per indicator")
    assert detect("x", [["Treatment ID", "Risk ID", "Decision", "Owner", "Start", "Due date", "Status"]]).kind == "treatments"
    assert detect("Legend", [["Colour legend"], ["red means bad"]]).kind == "ignore"
    # a control test log is not a risk register whose risk ids are the control ids
    tests = detect("tests", [["Control ID", "Period", "Due on", "Tested on", "Result"],
                             ["C-01", "2026-07-01", "2026-09-30", "2026-09-15", "Pass"]])
    assert (tests.kind, tests.columns["control_id"]) == ("control_tests", "Control ID")


@pytest.mark.parametrize("raw, expected", [
    ("Almost certain", 5), ("Rare", 1), ("Moderate", 3), ("High", 4), ("Very high", 5), ("4 - Major", 4), ("Minor (2)", 2), ("Major - 4", 4), (3.0, 3),
])
def test_text_levels_on_the_5x5(raw, expected):
    assert to_level(raw, FIVE.likelihood_labels if raw != "Moderate" else FIVE.impact_labels, None) == expected


def test_a_3_step_file_on_a_5_step_matrix():
    assert [to_level(v, FIVE.likelihood_labels, 3) for v in (1, 2, 3)] == [1, 3, 5]
    with pytest.raises(ValueError, match="off the 3-step scale"):
        to_level(4, FIVE.likelihood_labels, 3)


@given(st.integers(3, 6), st.integers(3, 6))
def test_rescale_keeps_the_ends_and_the_order(n, m):
    mapped = [rescale(v, n, m) for v in range(1, n + 1)]
    assert mapped[0] == 1 and mapped[-1] == m
    assert mapped == sorted(mapped)


def test_enum_synonyms():
    assert to_enum(Decision, "Mitigate") == ("Reduce", False)
    assert to_enum(RiskStatus, "In Progress") == ("In treatment", False)
    # treated or shared, a risk keeps its residual rating and stays in the exposure (ISO/IEC 27005's
    # residual risk): read as Closed, a 'Mitigated' register's risks left every figure; read as
    # Accepted, they showed as formally accepted, which the register never said
    assert to_enum(RiskStatus, "Mitigated") == ("Open", False)
    assert to_enum(RiskStatus, "Transferred") == ("Open", False)
    assert to_enum(RiskStatus, "Avoided") == ("Closed", False)
    with pytest.raises(ValueError, match="Avoid, Reduce, Transfer, Accept"):
        to_enum(Decision, "maybe")


@pytest.mark.parametrize("payload, encoding, delimiter", [
    ("id;Likelihood\nR-1;3\n", "utf-8", ";"),
    ("id\tLikelihood\nR-1\t3\n", "utf-8", "\t"),
    ("\ufeffid,Owner\nR-1,Zoë\n", "utf-8", ","),
    ("id,Owner\nR-1,Zoë\n", "cp1252", ","),
])
def test_csv_delimiters_and_encodings(payload, encoding, delimiter):
    wb = read_workbook(payload.encode(encoding), "r.csv", max_bytes=10**6, max_rows=100)
    rows = wb.sheets[0].rows
    assert rows[0][0] == "id" and rows[1][0] == "R-1" and len(rows[0]) == 2
    if "Zoë" in payload:
        assert rows[1][1] == "Zoë"


def test_text_that_is_no_table_is_refused():
    with pytest.raises(ReadError, match="not a spreadsheet"):
        read_workbook(b"just one line of prose\nand another", "notes.csv", max_bytes=10**6, max_rows=100)


def workbook(sheets: dict[str, list[list]]) -> bytes:
    """An xlsx with these sheets, in order, each its rows."""
    import io

    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def ods(rows) -> bytes:
    """A minimal OpenDocument spreadsheet of these rows (tests/hostile_files.py builds the file)."""
    from tests.hostile_files import ods as ods_file, ods_cell

    return ods_file("".join("<table:table-row>" + "".join(ods_cell(v) for v in row) + "</table:table-row>"
                            for row in rows))


def test_ods_and_xlsm_are_read():
    from isms.importing.pipeline import build_plan

    plan = build_plan(ods([["Risk ID", "Title", "Likelihood", "Impact"], ["R-1", "Flood", 2, 5]]), "r.ods", FIVE,
                      as_of=D("2026-03-31"))
    assert plan.file_format == "ods" and plan.ok, [str(p) for p in plan.problems]
    a = plan.frames["assessments"].iloc[0]
    assert (a.inherent_likelihood, a.inherent_impact) == (2, 5)
    from tests.test_import_hostile import xlsx

    macro = build_plan(xlsx([["Risk ID", "Title"], ["R-1", "x"]]), "r.xlsm", FIVE, as_of=D("2026-03-31"))
    assert macro.file_format == "xlsm" and macro.row_counts == {"risks": 1}


def test_a_treatment_plan_is_never_dropped():
    """A plan in a 'Treatment' column (not a decision word) or a 'Mitigation' column, with no due
    date to track it by, stays in the risk's description; with a due date it becomes the treatment's."""
    from isms.config import load_settings
    from isms.importing.pipeline import build_plan
    from tests.conftest import ROOT

    matrix = load_settings(ROOT / "isms.toml").matrix
    no_dates = (b"Risk ID,Title,Likelihood,Impact,Treatment,Mitigation\n"
                b"R-1,Ransomware,4,5,Deploy immutable backups and test restores,\n"
                b"R-2,Phishing,3,3,Mitigate,Awareness training\nR-3,Fraud,2,2,Accept,\n")
    plan = build_plan(no_dates, "t.csv", matrix, as_of=dt.date(2026, 9, 30))
    described = dict(zip(plan.frames["risks"]["risk_id"], plan.frames["risks"]["description"]))
    assert described["R-1"] == "Treatment plan: Deploy immutable backups and test restores"
    assert described["R-2"] == "Treatment plan: Awareness training"
    # a bare decision with nothing to track is kept too: 'Accept' was once lost without a word
    assert described["R-3"] == "Treatment decision: Accept"
    assert "treatments" not in plan.frames
    assert any("2 risk(s) name a treatment plan but no due date" in r for r in plan.rules)
    assert any("1 risk(s) give a treatment decision" in r for r in plan.rules)
    # 'none' in another language is no plan: nothing is tracked or kept for it
    czech = build_plan("Risk ID,Title,Likelihood,Impact,Mitigation\nR-5,Flood,2,2,Žádné\n".encode(), "t.csv", matrix,
                       as_of=dt.date(2026, 9, 30))
    assert czech.frames["risks"]["description"].isna().all() and "treatments" not in czech.frames
    transfer = build_plan(b"Risk ID,Title,Likelihood,Impact,Treatment,Mitigation\nR-4,Flood,2,2,Transfer,Buy cover\n",
                          "t.csv", matrix, as_of=dt.date(2026, 9, 30))
    assert transfer.frames["risks"]["description"].tolist() == ["Treatment plan: Buy cover (decision Transfer)"]
    dated = (b"Risk ID,Title,Likelihood,Impact,Treatment,Due date\n"
             b"R-1,Ransomware,4,5,Deploy immutable backups and test restores,2026-12-31\n")
    plan = build_plan(dated, "t.csv", matrix, as_of=dt.date(2026, 9, 30))
    t = plan.frames["treatments"].iloc[0]
    assert (t["decision"], t["description"]) == ("Reduce", "Deploy immutable backups and test restores")


def test_a_low_medium_high_column_reads_the_same_from_csv_and_xlsx():
    """Found by comparing registers saved both ways: a column of High with a stray number was a
    3-step scale in the workbook (High is step 5 of 5) but not in the CSV, whose number is text
    (High read as 4 by the word ladder). Numbers written as text are numbers to the scale too."""
    import csv
    import io

    from openpyxl import Workbook

    from isms.importing.pipeline import build_plan

    header = ["Risk ID", "Residual likelihood", "Residual impact", "Target likelihood", "Target impact"]
    rows = [["R-0", 1, 1, 1, 3], ["R-1", 1, 1, 1, "High"]]
    wb = Workbook()
    wb.active.title = "Risks"
    for row in [header, *rows]:
        wb.active.append(row)
    xlsx, text = io.BytesIO(), io.StringIO()
    wb.save(xlsx)
    csv.writer(text).writerows([header, *rows])
    for name, data in (("Risks.xlsx", xlsx.getvalue()), ("Risks.csv", text.getvalue().encode())):
        plan = build_plan(data, name, PRESETS["5x5"], as_of=dt.date(2026, 9, 30))
        assert dict(zip(plan.frames["assessments"]["risk_id"], plan.frames["assessments"]["target_impact"])) == \
            {"R-0": 3, "R-1": 5}, name  # the number as it is; High the top of Low / Medium / High
        assert any("a 3-step scale mapped onto the matrix's 5 steps" in r for r in plan.rules), name
        # the rule says whose it is: the one word, not the column's number beside it
        said = [r for r in plan.rules if "'Target impact'" in r]
        assert said and "the words Low / Medium / High (1 row)" in said[0] and \
            "its numbers (1 row) are read on the matrix's own 1-5 scale" in said[0], said


def test_a_wide_results_sheet_takes_its_target_column_and_names_the_rest_it_does_not_import():
    """A row per indicator, a column per month, and a 'Target' and 'Reference' beside them: the
    months are results, each indicator is defined with its target and a direction the target
    gives (an analyst trial saw 'Remediation of ... Findings' guessed lower-is-better and 'Kanary
    Public Data Points', 150 falling to a target of 25, guessed higher-is-better; the targets were
    dropped); the Reference is said to be left out; a target that is no number is warned at its cell."""
    from isms.importing.pipeline import build_plan

    data = ("Metric,Target,Reference,Jan-24,Feb-24\n"
            "Device Compliance,85%,https://example.org/intune,45%,48%\n"
            "Kanary Public Data Points,25,https://example.org/kanary,150,140\n"
            "Remediation of High Pentest Findings,100%,,65%,68%\n"
            "Hoxhunt Security Score,70+,,45,47\n"
            "Patch latency days,<= 14 days,,20,18\n"
            "Phishing clicks,as low as we can,,9,7\n").encode()
    plan = build_plan(data, "kris.csv", PRESETS["5x5"], as_of=dt.date(2024, 2, 29))
    assert len(plan.frames["monitoring_results"]) == 12
    notes = [p.message for p in plan.problems if "columns not imported" in p.message]
    assert notes == ["columns not imported: Reference"], [p.message for p in plan.problems]
    metrics = plan.frames["metrics"].set_index("metric_id")
    expected = {  # (target, direction, unit), worked out by hand from the rows above
        "Device Compliance": (85.0, "Higher is better", "%"),  # starts at 45, below 85
        "Kanary Public Data Points": (25.0, "Lower is better", None),  # starts at 150, above 25
        "Remediation of High Pentest Findings": (100.0, "Higher is better", "%"),
        "Hoxhunt Security Score": (70.0, "Higher is better", None),  # '70+'
        "Patch latency days": (14.0, "Lower is better", "days"),  # '<= 14 days'
        "Phishing clicks": (None, "Lower is better", None),  # no target read: the name's guess
    }
    for mid, (target, direction, unit) in expected.items():
        row = metrics.loc[mid]
        got_target = None if pd.isna(row["target"]) else float(row["target"])
        got_unit = None if pd.isna(row["unit"]) else row["unit"]
        assert (got_target, row["direction"], got_unit) == (target, direction, unit), mid
        assert row["name"] == mid  # a name as written keeps its capitals
    bad = [p for p in plan.problems if p.value == "as low as we can"]
    assert [(p.row, p.column, p.header, p.severity) for p in bad] == [(7, "B", "Target", "warning")]
    assert "imported without a target" in bad[0].message


def test_a_wide_results_sheet_says_its_targets_are_not_taken_for_indicators_the_register_defines(tmp_path):
    """The KRI register's definition (with its thresholds) stands; the file's Target for such an
    indicator is said to be left, not dropped without a word."""
    from isms.importing.pipeline import build_plan, import_file
    from isms.store import connect

    con = connect(tmp_path / "k.duckdb")
    register = b"KRI ID,Name,Direction,Amber,Red\nDevice Compliance,Device Compliance,Higher is better,80,60\n"
    out = import_file(con, "kri.csv", PRESETS["5x5"], as_of=dt.date(2024, 1, 31), data=register)
    assert out.status == "committed", [str(p) for p in out.problems]
    data = b"Metric,Target,Jan-24,Feb-24\nDevice Compliance,85%,45%,48%\nKanary Public Data Points,25,150,140\n"
    plan = build_plan(data, "kris.csv", PRESETS["5x5"], as_of=dt.date(2024, 2, 29), con=con)
    said = [r for r in plan.rules if "Target column is not taken" in r]
    assert len(said) == 1 and said[0].endswith(": Device Compliance"), plan.rules
    assert list(plan.frames["metrics"]["metric_id"]) == ["Kanary Public Data Points"]


def test_results_for_months_before_their_definition_point_at_the_first_results_cell_of_a_wide_sheet():
    """The warning named 'row 2 (Period)' of a sheet with no Period column; the month is a
    column's header there, and the cell is the first result's: D2 under 'Jan-24'."""
    from isms.importing.pipeline import build_plan

    data = b"Metric,Target,Reference,Jan-24,Feb-24\nDevice Compliance,85%,x,45%,48%\n"
    plan = build_plan(data, "kris.csv", PRESETS["5x5"], as_of=dt.date(2026, 9, 30))
    early = [p for p in plan.problems if "before the register defines" in p.message]
    assert [(p.row, p.column, p.header, p.value) for p in early] == [(2, "D", "Jan-24", "45%")]


def test_a_register_rated_only_1_to_3_is_told_how_to_say_its_scale():
    """Twelve risks rated 1-3 on a 5x5 matrix, no scale in the headers: a warning says 3 x 3 reads
    as 9 (Medium) and how to declare the scale; the same file with 'Likelihood (1-3)' and
    'Impact (1-3)' is rescaled (3 -> 5) and warns no more; a register with a 4 in it is not warned."""
    from isms.importing.pipeline import build_plan

    rows = [f"R-{n},Risk {n},{n % 3 + 1},{(n + 1) % 3 + 1}" for n in range(12)]
    plain = ("Risk ID,Title,Likelihood,Impact\n" + "\n".join(rows) + "\n").encode()
    plan = build_plan(plain, "r.csv", PRESETS["5x5"], as_of=dt.date(2026, 9, 30))
    said = [p for p in plan.problems if "1, 2 or 3" in p.message]
    assert len(said) == 1 and said[0].column == "C" and "(1-3)" in said[0].message and said[0].severity == "warning"
    declared = plain.replace(b"Likelihood,Impact", b"Likelihood (1-3),Impact (1-3)")
    plan = build_plan(declared, "r.csv", PRESETS["5x5"], as_of=dt.date(2026, 9, 30))
    assert not [p for p in plan.problems if "1, 2 or 3" in p.message]
    assert max(plan.frames["assessments"]["residual_likelihood"]) == 5
    higher = plain.replace(b"R-0,Risk 0,1,", b"R-0,Risk 0,4,")
    plan = build_plan(higher, "r.csv", PRESETS["5x5"], as_of=dt.date(2026, 9, 30))
    assert not [p for p in plan.problems if "1, 2 or 3" in p.message]


def test_c_i_a_columns_are_not_an_impact_and_half_a_rating_is_said():
    """'C', 'I', 'A' side by side rate confidentiality, integrity and availability: 'I' is not read
    as the impact (a 1-5 integrity rating became every risk's impact). The 'L' beside them has no
    impact then, and the file is told no rating is imported, at L's header cell."""
    from isms.importing.pipeline import build_plan

    data = ("ID,Risk,Owner,C,I,A,L\nR-1,Laptop theft,Ann,1,5,2,2\nR-2,Web defacement,Bob,5,2,2,3\n").encode()
    plan = build_plan(data, "cia.csv", PRESETS["5x5"], as_of=dt.date(2026, 9, 30))
    assert "inherent_impact" not in plan.mappings[0].columns
    assert "assessments" not in plan.frames or plan.frames["assessments"].empty
    half = [p for p in plan.problems if "no column is its impact" in p.message]
    assert len(half) == 1 and half[0].column == "G" and half[0].severity == "warning"
    assert any("columns not imported" in p.message and "C, I, A" in p.message for p in plan.problems)


def test_a_findings_sheet_without_a_grade_is_told_the_grades_and_a_look_alike_file_the_way_on():
    """Chosen as audit findings, a sheet without a Grade column is told which words a grade is;
    a control-test file whose columns do not fit is told to choose its kind and map its columns,
    not that 'this dashboard does not import' what the Compliance review takes."""
    import dataclasses

    from isms.importing.mapping import match_columns
    from isms.importing.pipeline import build_plan, propose

    data = ("Finding ID,Title,Severity,Raised on,Due,Owner,Status\n"
            "F-1,Weak passwords,Critical,2026-06-01,2026-09-01,Ann,Open\n").encode()
    wb = read_workbook(data, "f.csv", max_bytes=1 << 20, max_rows=1000)
    chosen = [dataclasses.replace(m, kind="findings", columns=match_columns("findings", wb.sheets[0].rows[m.header_row]))
              for m in propose(wb)]
    plan = build_plan(data, "f.csv", PRESETS["5x5"], as_of=dt.date(2026, 9, 30), mappings=chosen)
    missing = [p.message for p in plan.problems if p.message.startswith("required column(s) missing")]
    assert missing and "Grade (one of: Major nonconformity, Minor nonconformity, Observation" in missing[0]
    tests = ("Test ID,Control Area,Sample Tested,Exceptions Found,Test Result,Status\n"
             "CT-001,User Provisioning,10,1,Effective with Minor Exception,Open\n").encode()
    plan = build_plan(tests, "t.csv", PRESETS["5x5"], as_of=dt.date(2026, 9, 30))
    said = [p.message for p in plan.problems if p.severity == "error"]
    assert said and "control test results" in said[0] and "choose each sheet's kind and map its columns" in said[0]
    assert "does not import" not in " ".join(said)


@pytest.mark.parametrize("name, direction", [
    ("Open findings", "Lower is better"),
    ("Critical vulnerabilities", "Lower is better"),
    ("Remediation of Critical/High Pentest Findings", "Higher is better"),  # an analyst trial saw 'lower'
    ("Incidents resolved within SLA", "Higher is better"),
    ("Mean time to resolve incidents", "Lower is better"),  # time wins over 'resolved'
    ("Overdue remediation actions", "Lower is better"),
    ("Patch coverage", "Higher is better"),
    ("phishing_click_rate_pct", "Lower is better"),
])
def test_a_kris_direction_from_its_name(name, direction):
    from isms.importing.kinds import direction_from_name

    assert direction_from_name(name) == direction


def test_a_status_word_read_as_another_value_is_a_stated_rule():
    """'active' and 'expired' are no exception statuses: read as Granted and Closed, and the import
    says so with the rows counted (the analyst confirms the rules); a case variant of a status
    ('granted') is that status and goes unsaid."""
    from isms.config import load_settings
    from isms.importing.pipeline import build_plan
    from tests.conftest import ROOT

    matrix = load_settings(ROOT / "isms.toml").matrix
    log = (b"Exception ID,Policy,Status,Granted on,Expires on\n"
           b"EX-1,Patch standard,active,2026-04-01,2026-06-30\nEX-2,Patch standard,Expired,2026-01-01,2026-03-31\n"
           b"EX-3,Patch standard,granted,2026-01-01,2026-03-31\nEX-4,Patch standard,active,2026-01-01,2026-03-31\n")
    plan = build_plan(log, "ex.csv", matrix, as_of=dt.date(2026, 5, 1))
    said = [r for r in plan.rules if "'Status'" in r]
    assert said == ["ex!C 'Status': read 'Expired' as Closed (1 row), 'active' as Granted (2 rows)"]
    assert list(plan.frames["exceptions"]["status"]) == ["Granted", "Closed", "Granted", "Granted"]


def test_a_sheet_of_no_known_kind_is_named_not_passed_over():
    """Found on a real Czech asset-and-risk workbook: its 'Asset Register' sheet (14 assets) was left
    out without a word while the risks beside it were imported. A sheet with content that is none of
    our kinds is now named with its headers; an empty sheet and the template's own sheets are not."""
    from isms.importing.pipeline import build_plan

    data = workbook({"Risks": [["Risk ID", "Title", "Likelihood", "Impact"], ["R-1", "Flood", 2, 5]],
                     "Asset Register": [["Identifikátor\naktiva", "Název", "Typ"], ["DEV-01", "Telemetrie", "IoT"]],
                     "Empty": []})
    plan = build_plan(data, "r.xlsx", PRESETS["5x5"], as_of=dt.date(2026, 3, 31))
    assert plan.ok and plan.row_counts == {"risks": 1, "assessments": 1}
    said = [p for p in plan.problems if p.sheet == "Asset Register"]
    assert len(said) == 1 and said[0].severity == "warning"
    assert said[0].message.startswith("not imported: its headers ('Identifikátor aktiva', 'Název', 'Typ')")
    assert not [p for p in plan.problems if p.sheet == "Empty"]


def test_a_theme_named_in_the_controls_column_is_the_risks_theme():
    """Found on a real checklist register that files risks under 'A.6' and 'A.8': every risk was
    stored under the default A.5 theme, the warning saying only that 'A.6' is no control id."""
    from isms.importing.pipeline import build_plan

    data = (b"Risk ID,Title,Likelihood,Impact,Annex A control\n"
            b"R-1,Phishing,3,3,A.6\nR-2,Patching,4,4,A.8 Technological\nR-3,Both,2,2,\"A.6, A.8.8\"\nR-4,None,2,2,\n")
    plan = build_plan(data, "t.csv", PRESETS["5x5"], as_of=dt.date(2026, 3, 31))
    themes = dict(zip(plan.frames["risks"]["risk_id"], plan.frames["risks"]["annex_a_theme"]))
    assert themes == {"R-1": "A.6 People", "R-2": "A.8 Technological", "R-3": "A.8 Technological",
                      "R-4": "A.5 Organizational"}
    warned = {p.row: p.message for p in plan.problems if p.column == "E"}
    assert warned[2].startswith("A.6: an Annex A theme, not a control")
    assert "A.8.8" in plan.frames["risks"].set_index("risk_id").loc["R-3", "annex_a_controls"]


def test_stand_ins_for_blank_cells_are_said():
    """Found on a real register: a blank title became the risk id, and 36 blank 'Date Added' cells
    became the import's date, with no word of either."""
    from isms.importing.pipeline import build_plan

    data = (b"Risk ID,Title,Date added,Likelihood,Impact\n"
            b"R-1,,2025-01-31,3,3\nR-2,Patching,,4,4\nR-3,Fraud,,2,2\n")
    plan = build_plan(data, "t.csv", PRESETS["5x5"], as_of=dt.date(2026, 3, 31))
    risks = plan.frames["risks"].set_index("risk_id")
    assert risks.loc["R-1", "title"] == "R-1"
    assert [(p.cell, p.message, p.severity) for p in plan.problems if p.column == "B"] == \
        [("B2", "no title: the risk id stands as its title", "warning")]
    assert risks.loc["R-2", "identified_on"] == dt.date(2026, 3, 31)
    assert any("2 row(s) leave 'Date added' blank (rows 3, 4): a risk new to the register is identified on 2026-03-31"
               in r for r in plan.rules), plan.rules


def test_a_control_register_without_status_says_its_controls_are_taken_as_implemented():
    """Found on a real control register with no status column: its 24 controls were stored as
    Implemented (the model's default) with no word of it."""
    from isms.importing.pipeline import build_plan

    plan = build_plan(workbook({"Controls": [["Control ID", "Name", "Owner"], ["C-1", "Backups", "Ann"]]}), "c.xlsx",
                      PRESETS["5x5"], as_of=dt.date(2026, 3, 31))
    assert plan.frames["controls"]["status"].tolist() == ["Implemented"]
    assert "Controls: columns the file lacks are filled: status = Implemented" in plan.rules, plan.rules
    stated = build_plan(workbook({"Controls": [["Control ID", "Name", "Status"], ["C-1", "Backups", "Planned"]]}),
                        "c.xlsx", PRESETS["5x5"], as_of=dt.date(2026, 3, 31))
    assert not [r for r in stated.rules if "columns the file lacks" in r]


def _planned(csv: bytes, as_of=dt.date(2026, 9, 30)):
    from isms.config import load_settings
    from isms.importing.pipeline import build_plan
    from tests.conftest import ROOT

    return build_plan(csv, "t.csv", load_settings(ROOT / "isms.toml").matrix, as_of=as_of)


def test_a_us_register_is_read_month_first_from_its_unambiguous_dates():
    """12/31/2026 can only be month first, so the same column's 3/4/2027 is 4 March, not 3 April,
    and 10/1/2026 is 1 October (read day first, it fell in January: overdue on the day imported)."""
    plan = _planned(b"Risk ID,Title,Owner,Likelihood,Impact,Treatment plan,Due date\n"
                    b"U-1,A,Sec,3,4,Plan,12/31/2026\nU-2,B,Sec,3,4,Plan,3/4/2027\nU-3,C,Sec,3,4,Plan,10/1/2026\n")
    due = dict(zip(plan.frames["treatments"]["risk_id"], plan.frames["treatments"]["due_on"]))
    assert due == {"U-1": D("2026-12-31"), "U-2": D("2027-03-04"), "U-3": D("2026-10-01")}
    assert any("read month first" in r and "'12/31/2026'" in r and "4 March 2027" in r for r in plan.rules), plan.rules


def test_a_day_first_register_is_unchanged_and_an_undecided_one_says_how_it_was_read():
    plan = _planned(b"Risk ID,Title,Owner,Likelihood,Impact,Treatment plan,Due date\n"
                    b"U-1,A,Sec,3,4,Plan,31/12/2026\nU-2,B,Sec,3,4,Plan,3/4/2027\nU-3,C,Sec,3,4,Plan,31.12.26\n")
    due = dict(zip(plan.frames["treatments"]["risk_id"], plan.frames["treatments"]["due_on"]))
    assert due == {"U-1": D("2026-12-31"), "U-2": D("2027-04-03"), "U-3": D("2026-12-31")}
    assert not any("day first" in r or "month first" in r for r in plan.rules)
    undecided = _planned(b"Risk ID,Title,Owner,Likelihood,Impact,Treatment plan,Due date\n"
                         b"U-1,A,Sec,3,4,Plan,05/06/2027\n")
    assert undecided.frames["treatments"]["due_on"].tolist() == [D("2027-06-05")]
    assert any("read day first (5 June 2027)" in r and "as in the US" in r for r in undecided.rules), undecided.rules


def test_a_sheet_writing_dates_both_ways_says_so_at_each_date_that_could_be_either():
    plan = _planned(b"Risk ID,Title,Owner,Likelihood,Impact,Treatment plan,Due date\n"
                    b"U-1,A,Sec,3,4,Plan,31/12/2026\nU-2,B,Sec,3,4,Plan,12/31/2026\nU-3,C,Sec,3,4,Plan,3/4/2027\n")
    due = dict(zip(plan.frames["treatments"]["risk_id"], plan.frames["treatments"]["due_on"]))
    assert due == {"U-1": D("2026-12-31"), "U-2": D("2026-12-31"), "U-3": D("2027-04-03")}
    said = [p for p in plan.problems if p.severity == "warning" and "day or month first" in p.message]
    assert [(p.row, p.column, p.value) for p in said] == [(4, "G", "3/4/2027")]
    assert "read day first, as 3 April 2027" in said[0].message
