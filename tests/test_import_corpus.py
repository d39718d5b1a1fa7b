"""Real registers teams committed to GitHub (../shared/registers/more, see its SOURCES.md), read
from where they are: each register imports with its own numbers, checked by hand on three risks;
each file that is not a register is refused with the reason. Skipped where ../shared is absent."""

import datetime as dt

import pytest

from isms.config import load_settings
from isms.importing.pipeline import build_plan
from tests.conftest import ROOT

MORE = ROOT.parent / "shared" / "registers" / "more"
AS_OF = dt.date(2026, 9, 30)

pytestmark = pytest.mark.skipif(not MORE.is_dir(), reason=f"{MORE} is absent: the real-register corpus is not here")


def plan_of(name: str):
    return build_plan((MORE / name).read_bytes(), name, load_settings(ROOT / "isms.toml").matrix, as_of=AS_OF)


def by_id(plan, kind: str) -> dict:
    return {r["risk_id"]: r for r in plan.frames[kind].to_dict("records")}


def pairs(plan) -> dict:
    return {a["risk_id"]: ((a["inherent_likelihood"], a["inherent_impact"]), (a["residual_likelihood"], a["residual_impact"]))
            for a in plan.frames["assessments"].to_dict("records")}


def test_a_register_with_residual_ratings_and_line_breaks_in_headers():
    plan = plan_of("afridi4u14_Nova_Risk_Register.xlsx")
    assert plan.ok and plan.row_counts["risks"] == 22
    assert pairs(plan)["R-001"] == ((4, 5), (2, 5))
    assert pairs(plan)["R-002"] == ((3, 5), (2, 5))
    assert by_id(plan, "risks")["R-003"]["title"] == "Card data theft"


def test_a_czech_register_with_three_word_ratings_and_impact_first():
    plan = plan_of("cocka166_Asset-Risk Register CORE.xlsx")
    assert plan.ok and plan.row_counts == {"risks": 19, "assessments": 19}
    risks, rated = by_id(plan, "risks"), pairs(plan)
    # Dopad (impact) Vysoký, Pravděpodobnost (likelihood) Střední, on a 3-step scale stated as 1->1, 2->3, 3->5
    assert rated["RISK-DEV-01"][0] == (3, 5)
    assert rated["RISK-DEV-02"][0] == (1, 3)  # Nízká likelihood, Střední impact
    assert rated["RISK-DEV-03"][0] == (3, 3)
    assert [risks[f"RISK-DEV-0{i}"]["status"] for i in (1, 2, 3)] == ["Open", "Accepted", "In treatment"]
    assert risks["RISK-DEV-01"]["owner"] == "Fleet manager"
    assert risks["RISK-DEV-01"]["title"] == "Neautorizovaný přístup k nastavení jednotky"
    assert any("3-step scale" in rule for rule in plan.rules)
    # its level column (Úroveň rizika) is in Czech too: 'Vysoká' agrees with a matrix's High; only the
    # rows rated Vysoká x Vysoká (5 x 5 on the matrix: Critical) disagree, checked by hand in the file
    disagree = [p for p in plan.problems if "the matrix wins" in p.message]
    assert sorted(p.cell for p in disagree) == ["I15", "I17", "I18", "I19", "I20"]
    assert all(p.value == "Vysoká" and "gives 'Critical'" in p.message for p in disagree)


def test_a_register_with_inherent_and_residual_numbers_and_named_owners():
    plan = plan_of("itsme-sachin_Risk_Register.xlsx")
    assert plan.ok and plan.row_counts["risks"] == 28
    rated, risks = pairs(plan), by_id(plan, "risks")
    assert rated["R01"] == ((4, 5), (2, 4)) and rated["R02"] == ((3, 4), (2, 3)) and rated["R03"] == ((4, 5), (2, 4))
    assert risks["R01"]["owner"] == "Head of Compliance"


def test_a_register_that_starts_at_d5_rated_in_words():
    plan = plan_of("rotimi-tech_Risk_Register.xlsx")
    assert plan.ok and plan.row_counts["risks"] == 10
    assert {pairs(plan)[f"R-00{i}"][0] for i in (1, 2, 3)} == {(5, 5)}  # High x High on a 3-word scale


def test_a_long_register_keeps_long_titles_whole():
    plan = plan_of("mbraybrook_Risks.csv")
    assert plan.ok and plan.row_counts["risks"] == 100
    long = [r for r in plan.frames["risks"].to_dict("records") if r["title"].endswith("…")]
    assert long and all(len(r["title"]) <= 300 and r["title"][:-1].rstrip() in r["description"] for r in long)
    first = {r["risk_id"]: r["identified_on"] for r in plan.frames["risks"].to_dict("records")}
    assert first["5"] == dt.date(2018, 5, 31)  # "Date Added" May-18, Excel's mmm-yy


@pytest.mark.parametrize("name, what", [
    # test results by control area, with no control id nor period: not yet control tests
    ("browndarwin231-tech_control_test_results.csv", "a control register or control test results"),
    ("okhoulaidi_Remediation_Tracker.xlsx", "a findings list"),
    ("foxxdev-collab_POAM-XACTA-Example.csv", "a findings list"),
    # the 2013 Annex A, its header split over rows 3 and 5 under the title "Statement of Applicability"
    ("mohammad-mo-02_Statement_of_Applicability.xlsx", "a Statement of Applicability"),
])
def test_what_is_not_a_register_is_refused_with_what_it_is(name, what):
    plan = plan_of(name)
    assert not plan.ok and not plan.frames
    assert any("this file looks like" in p.message and what in p.message for p in plan.problems), \
        [str(p) for p in plan.problems]


def test_a_residual_given_only_as_a_score_is_placed_at_the_inherent_impact_and_said():
    """atharvak152004: impact before 'Like.', a residual score only (1-2, on its own scale)."""
    plan = plan_of("atharvak152004_Risk assesmnets.xlsx")
    assert plan.ok and plan.row_counts == {"risks": 5, "assessments": 5}
    rated = pairs(plan)
    # by hand: R-001 Impact 5, Like. 3, residual 1: at impact 5 the nearest product to 1 is 1 x 5
    assert rated["R-001"] == ((3, 5), (1, 5))
    # R-004 Impact 4, Like. 4, residual 2: 1 x 4 = 4 is the nearest product to 2
    assert rated["R-002"][0] == (2, 5) and rated["R-004"] == ((4, 4), (1, 4))
    assert any("'Residual Risk Score' gives the residual risk as a score only" in r for r in plan.rules)
    said = [p for p in plan.problems if p.header == "Residual Risk Score" and p.row == 2]
    assert said and "disagrees" in said[0].message and said[0].severity == "warning"


def test_a_register_with_a_summary_below_it_stops_at_its_end():
    """gustavo-grc: header on row 4, residual score = inherent x a control-strength factor, and a
    scoring guide and summary block below the table after two blank rows."""
    plan = plan_of("gustavo-grc_Risk_Register.xlsx")
    assert plan.ok and plan.row_counts == {"risks": 6, "assessments": 6}
    rated = pairs(plan)
    # by hand: R-01 5 x 4 = 20, residual 15 -> 4 x 4 = 16; R-02 4 x 5, 11 -> 2 x 5 = 10; R-06 3 x 3, 5 -> 2 x 3 = 6
    assert rated["R-01"] == ((5, 4), (4, 4)) and rated["R-02"] == ((4, 5), (2, 5)) and rated["R-06"] == ((3, 3), (2, 3))
    assert any("the table ends at row 10" in p.message and "'Scoring Guidance'" in p.message for p in plan.problems)


def test_kri_definitions_with_text_targets_import():
    plan = plan_of("joshuamtm_UCS_Security_Metrics_Template.csv")
    assert plan.ok and plan.row_counts["metrics"] == 10


def test_an_exception_log_without_ratings_imports_with_its_titles_and_expiries(tmp_path):
    """mouseprohibition380: snake_case headers, no rating, no request date; 'active' and 'expired'."""
    plan = plan_of("mouseprohibition380_exceptions.csv")
    assert plan.ok and plan.row_counts == {"exceptions": 6}
    ex = {r["exception_id"]: r for r in plan.frames["exceptions"].to_dict("records")}
    # read off the file by hand: EX001, EX004 (active) and EX005 (expired)
    assert (ex["EX001"]["policy"], ex["EX001"]["title"], ex["EX001"]["expires_on"], ex["EX001"]["status"]) == \
        ("POL-SEC-001", "Temporary MFA Bypass for Legacy System", dt.date(2026, 6, 15), "Granted")
    assert (ex["EX001"]["owner"], ex["EX001"]["compensating_controls"]) == ("Jane Smith", "Password authentication")
    assert ex["EX004"]["justification"] == "Vendor requires direct access to internal network"
    assert ex["EX004"]["expires_on"] == dt.date(2026, 7, 20)
    assert (ex["EX005"]["status"], ex["EX005"]["expires_on"]) == ("Closed", dt.date(2026, 3, 31))
    assert all(r["likelihood"] is None and r["impact"] is None for r in ex.values())
    # what has no home is named, not dropped silently
    left = [p.message for p in plan.problems if "columns not imported" in p.message]
    assert left and all(c in left[0] for c in ("impacted_system", "risk_type", "requested_by", "review_frequency_days"))

    from isms.importing.pipeline import commit
    from isms.store import queries
    from isms.store.db import connect
    con = connect(tmp_path / "x.duckdb")
    assert commit(con, plan, "t").status == "committed"
    stored = queries.exceptions(con, AS_OF).set_index("exception_id")
    assert stored.loc["EX001", "days_to_expiry"] == (dt.date(2026, 6, 15) - AS_OF).days  # expired, still open
    assert stored.loc["EX002", "title"] == "Extended Privileged Access for DevOps"


def test_an_exception_log_with_headers_only_is_refused_as_empty_and_named():
    plan = plan_of("ijiolao_Risk_Acceptance_Register.xlsx")
    assert not plan.ok
    assert [p.message for p in plan.problems] == [
        "the file holds no rows to import: Risk Acceptance Register (read as policy exceptions) has headers only"]
    cols = plan.mappings[0].columns
    assert (cols["exception_id"], cols["expires_on"], cols["granted_on"], cols["approver"]) == \
        ("Exception ID", "End Date", "Date Approved", "Approver Name")


def test_kri_definitions_with_current_values_and_thresholds_import_both():
    """zaidmohd070331: warning and breach thresholds, no direction column, one reporting date."""
    plan = plan_of("zaidmohd070331_kri_data.csv")
    assert plan.ok and plan.row_counts == {"metrics": 15, "monitoring_results": 15}
    metrics = {r["metric_id"]: r for r in plan.frames["metrics"].to_dict("records")}
    results = {r["metric_id"]: r for r in plan.frames["monitoring_results"].to_dict("records")}
    # by hand: KRI-001 45 / warning 30 / breach 50 (breach above warning: lower is better);
    # KRI-005 78 / 85 / 70 (breach below: higher is better); KRI-010 14.2 / 12.0 / 10.5
    for kri, value, amber, red, direction in (("KRI-001", 45, 30, 50, "Lower is better"),
                                             ("KRI-005", 78, 85, 70, "Higher is better"),
                                             ("KRI-010", 14.2, 12.0, 10.5, "Higher is better")):
        m = metrics[kri]
        assert (m["amber"], m["red"], m["direction"]) == (amber, red, direction), kri
        assert (results[kri]["value"], results[kri]["period"]) == (value, dt.date(2024, 3, 1)), kri


def test_a_checklist_with_a_control_verification_sheet_imports_its_register():
    """sayasl: the register sheet, a Control Verification sheet keyed by the same risk ids, a
    dashboard and a sign-off log; only the register is taken, the others are named."""
    plan = plan_of("sayasl_Risk_Registry_Checklist.xlsx")
    assert plan.ok and plan.row_counts["risks"] == 5
    rated = pairs(plan)
    assert rated["R-001"][0] == (4, 5) and rated["R-002"][0] == (4, 4) and rated["R-003"][0] == (3, 5)
    assert by_id(plan, "risks")["R-001"]["owner"] == "IT Manager"
    assert any(p.sheet == "Control Verification" and "a control register" in p.message for p in plan.problems)


# Statements of Applicability and a control register: imported as what they are, never as risks.
# Counts and values read off the files by hand.
@pytest.mark.parametrize("name, lines, applicable, statuses", [
    ("afridi4u14_Statement_of_Applicability.xlsx", 93, 93,
     {"Implemented": 64, "Partially implemented": 25, "Not implemented": 4}),
    ("cocka166_SoA.xlsx", 93, 93, {"Implemented": 83, "Partially implemented": 10}),  # Ano / Částečně
    ("okhoulaidi_ISO27001_Statement_of_Applicability.xlsx", 93, 92,
     {"Implemented": 65, "Partially implemented": 19, "Planned": 8}),
    # six CSV rows, then blank lines and a markdown table in the same file
    ("dynamicideas_statement_of_applicability.csv", 6, 5, {}),  # A.8.30 No: zero-outsourcing policy
])
def test_a_statement_of_applicability_imports_as_the_soa(name, lines, applicable, statuses):
    plan = plan_of(name)
    assert plan.ok and set(plan.frames) == {"soa"}, [str(p) for p in plan.problems]
    soa = plan.frames["soa"]
    assert len(soa) == lines and int(soa["applicable"].sum()) == applicable
    assert set(soa["framework"]) == {"ISO27001-2022"} and soa["ref"].str.match(r"^A\.[5-8]\.\d+$").all()
    assert soa["implementation_status"].value_counts().to_dict() == statuses
    assert any("no framework column" in r for r in plan.rules)


def test_an_soa_says_not_applicable_with_n_a_and_its_justification():
    soa = plan_of("okhoulaidi_ISO27001_Statement_of_Applicability.xlsx").frames["soa"].set_index("ref")
    assert not soa.loc["A.8.30", "applicable"]  # row 90: 'N/A', 'Development done in-house'
    assert soa.loc["A.8.30", "justification"] == "Development done in-house" and soa.loc["A.8.30", "reason"] is None
    assert soa.loc["A.5.1", "reason"] == "Core ISMS requirement"


def test_a_control_register_imports_as_controls():
    plan = plan_of("itsme-sachin_Control_Register.xlsx")
    assert plan.ok and set(plan.frames) == {"controls"}
    ctl = plan.frames["controls"].set_index("control_id")
    assert list(ctl.index) == [f"C{i:02d}" for i in range(1, 25)]
    assert ctl.loc["C01", "name"] == "Role based access control" and ctl.loc["C01", "owner"] == "IT Security Manager"
    assert ctl.loc["C03", "frequency"] == "Annual"


def test_a_capa_tracker_imports_as_findings_dated_where_it_gives_no_date_raised():
    """badrnkarim AUD-006: one corrective action per finding ('Related Finding ID'), graded in
    'Nonconformity Type (Major/Minor/OFI)', with no date raised. Read off the file by hand."""
    plan = plan_of("badrnkarim_AUD-006_CAPA_Tracker_v0.1_2026-02-07.xlsx")
    assert plan.ok and plan.row_counts == {"findings": 5}, [str(p) for p in plan.problems]
    f = {r["finding_id"]: r for r in plan.frames["findings"].to_dict("records")}
    assert sorted(f) == ["F-001", "F-002", "F-003", "F-004", "F-005"]
    assert (f["F-001"]["grade"], f["F-002"]["grade"]) == ("Opportunity for improvement", "Minor nonconformity")
    assert f["F-001"]["title"] == "Information security objectives and measurement plan are not documented."
    assert (f["F-001"]["ref"], f["F-001"]["owner"], f["F-001"]["root_cause"]) == \
        ("ISO 27001 Clause 6.2", "Security/GRC (Badr)", "Not yet analyzed")
    assert (f["F-002"]["due_on"], f["F-002"]["status"]) == (dt.date(2026, 2, 14), "Open")
    # no date raised: the file's date (30 Sep 2026), or the due date where earlier: 14 Feb for F-002
    assert f["F-002"]["raised_on"] == dt.date(2026, 2, 14) and f["F-001"]["raised_on"] == dt.date(2026, 2, 21)
    assert any("no date raised" in r and "30 Sep 2026" in r for r in plan.rules)
    unused = [p.message for p in plan.problems if p.message.startswith("columns not imported")]
    assert unused and "CAPA ID" in unused[0] and "Corrective Action Plan" in unused[0]


@pytest.mark.parametrize("name, rating", [("okhoulaidi_Remediation_Tracker.xlsx", "Severity"),
                                          ("foxxdev-collab_POAM-XACTA-Example.csv", "Risk Level (Low/Med/High)")])
def test_a_poam_with_a_severity_but_no_grade_says_so_at_its_sheet(name, rating):
    """A weakness's severity is not an auditor's grade: the sheet names the missing column and
    the one that is not it, and the file's own sentence does not run the Summary sheet into it."""
    plan = plan_of(name)
    sheet = [p.message for p in plan.problems if p.message.startswith("looks like a findings list")]
    assert sheet and "no column gives its grade (one of: Major nonconformity" in sheet[0]
    assert f"'{rating}' rates the weakness, not the audit's grade" in sheet[0]
    whole = [p.message for p in plan.problems if p.message.startswith("this file looks like")]
    assert whole and "dashboard" not in whole[0]


def test_a_poam_read_as_findings_takes_the_grade_the_analyst_gives_and_its_own_status_words():
    """foxxdev XACTA POA&M, read as audit findings on the Import page with 'Observation' and NIST SP
    800-53 Rev 5 chosen for every row: its one item, read off the file by hand; 'Ongoing' is an open
    finding, 'High' is not read as any grade, its Security Control 'AC2' is NIST's AC-2."""
    from dataclasses import replace

    from isms.views.import_data import remap

    name = "foxxdev-collab_POAM-XACTA-Example.csv"
    data, matrix = (MORE / name).read_bytes(), load_settings(ROOT / "isms.toml").matrix
    first = build_plan(data, name, matrix, as_of=AS_OF)
    mappings = [replace(remap(m, first.sheets[m.sheet], kind="findings"), fixed={"grade": "Observation",
                                                                                 "framework": "NIST-800-53r5"})
                for m in first.mappings]
    plan = build_plan(data, name, matrix, as_of=AS_OF, mappings=mappings)
    assert plan.ok and plan.row_counts == {"findings": 1}, [str(p) for p in plan.problems]
    (f,) = plan.frames["findings"].to_dict("records")
    assert (f["finding_id"], f["title"], f["owner"]) == ("26-O-0001", "Windows 10 CAT I - AC2", "Jeremiah Price - ISSO")
    assert (f["grade"], f["status"], f["due_on"]) == ("Observation", "Open", dt.date(2026, 1, 22))
    assert (f["framework"], f["ref"]) == ("NIST-800-53r5", "AC-2")
    assert any("'Security Control': read 'AC2' as AC-2 of NIST-800-53r5 (1 row)" in r for r in plan.rules)
    assert any("read 'Ongoing' as Open" in r for r in plan.rules)
    assert any("no grade column: each of its rows is given 'Observation'" in r for r in plan.rules)


def test_a_register_whose_ratings_cannot_be_read_says_so_for_the_file():
    """mbraybrook: its C, I, A are not an impact, so its L rates nothing; the file is told, once,
    that none of its 100 open risks has a rating (before, one warning at column N among 15 said
    it). Its 'Annex A Applicable Controls (ISO 27001:2022)' are the risks' Annex A controls: row 5
    (risk '5') lists A.8.32 twice, kept once, its theme from the first, A.8."""
    plan = plan_of("mbraybrook_Risks.csv")
    said = [p for p in plan.problems if "has a rating, in the file or in the register" in p.message]
    assert len(said) == 1 and said[0].message.startswith("None of the file's 100 open risks has a rating")
    assert said[0].severity == "warning" and said[0].row is None
    risk = plan.frames["risks"].set_index("risk_id").loc["5"]
    assert list(risk["annex_a_controls"]) == ["A.8.32", "A.5.12", "A.8.1", "A.8.2", "A.8.3", "A.8.5", "A.5.1"]
    assert risk["annex_a_theme"] == "A.8 Technological"
