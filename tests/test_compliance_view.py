"""The Compliance review's figures on factory data, worked out by hand below (never by calling the
code under test again). Two batches: the review of 30 June, and that of 30 September."""

import datetime as dt

import pytest

from isms.store import connect
from isms.views import compliance
from tests.factories import D, audit, control, ctest, finding, load, soa

ISO, SOC = "ISO27001-2022", "SOC2"


def soc_catalog():
    return dict(frameworks=[dict(framework=SOC, name="SOC 2 (test list)", version=None, licence="user-imported")],
                requirements=[dict(framework=SOC, ref=r, title=f"Criterion {r}", parent=None, family=r[:3], text=None)
                              for r in ("CC6.1", "CC6.2", "CC7.1")])


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    con = connect(tmp_path_factory.mktemp("cv") / "c.duckdb")
    load(con, "2026-06-30", **soc_catalog(),
         soa=[soa(ISO, "A.5.15"), soa(ISO, "A.8.8"), soa(ISO, "A.7.4", applicable=False, status=None),
              soa(SOC, "CC6.1"), soa(SOC, "CC6.2"), soa(SOC, "CC7.1")],
         controls=[control("C-1", f"{ISO}:A.5.15", f"{SOC}:CC6.1"),
                   control("C-2", f"{ISO}:A.8.8", status="Partially implemented"),
                   control("C-3", f"{SOC}:CC7.1", status="Planned")],
         control_tests=[ctest("C-1", "2026-03-31", result="Pass", tested="2026-04-10"),
                        ctest("C-2", "2026-03-31", result="Fail", tested="2026-04-12")],
         findings=[finding("F-1", raised="2026-05-10", due_on="2026-06-15"),
                   finding("F-2", grade="Observation", framework=SOC, raised="2026-06-01")])
    load(con, "2026-09-30",
         controls=[control("C-1", f"{ISO}:A.5.15", f"{SOC}:CC6.1"),
                   control("C-2", f"{ISO}:A.8.8", status="Partially implemented"),
                   control("C-3", f"{SOC}:CC7.1")],
         control_tests=[ctest("C-1", "2026-06-30", result="Pass", tested="2026-07-05"),
                        ctest("C-2", "2026-06-30", result="Pass", tested="2026-07-20"),
                        ctest("C-3", "2026-06-30", result="Exceptions", tested="2026-07-15"),
                        ctest("C-1", "2026-09-30", due="2026-10-15"),
                        ctest("C-2", "2026-09-30", due="2026-09-20"),
                        ctest("C-3", "2026-09-30", due="2026-10-20")],
         audits=[audit("AUD-1", starts="2026-11-02", ends_on="2026-11-04", certificate_expires_on="2027-05-31"),
                 audit("SOC-1", audit_type="SOC 2 Type II", framework=SOC, starts="2026-04-01",
                       period_start="2026-04-01", period_end="2027-03-31")],
         findings=[finding("F-1", raised="2026-05-10", due_on="2026-06-15", status="Closed", closed_on="2026-08-01"),
                   finding("F-2", grade="Observation", framework=SOC, raised="2026-06-01"),
                   finding("F-3", grade="Major nonconformity", raised="2026-09-01", due_on="2026-09-15")])
    yield con
    con.close()


@pytest.fixture(scope="module")
def bundle(db):
    return compliance.build(db, D("2026-09-30"), D("2026-06-30"))


def test_frameworks_in_scope_are_those_with_an_soa(bundle):
    assert bundle.frameworks == [ISO, SOC]


def test_per_framework_figures_and_their_change(bundle):
    t = bundle.totals.set_index("framework")
    # ISO: A.5.15 (C-1, last Pass) and A.8.8 (C-2: Fail in April, Pass in July) applicable, A.7.4 excluded
    assert t.loc[ISO, ["requirements", "applicable", "covered", "effective"]].tolist() == [93, 2, 2, 2]
    assert t.loc[ISO, ["open_major", "open_minor"]].tolist() == [1, 0]            # F-3 open, F-1 closed
    assert t.loc[ISO, ["effective_change", "open_major_change", "open_minor_change"]].tolist() == [1, 1, -1]
    # SOC 2: CC6.1 (C-1 Pass), CC7.1 (C-3 now implemented, last Exceptions), CC6.2 uncovered
    assert t.loc[SOC, ["requirements", "applicable", "covered", "effective"]].tolist() == [3, 3, 2, 1]
    assert t.loc[SOC, ["covered_change", "effective_change", "open_observation"]].tolist() == [1, 0, 1]


def test_coverage_heatmap_and_a_cell(bundle):
    cov = bundle.coverage.set_index(["framework", "family"])
    assert cov.loc[(SOC, "CC6"), ["applicable", "covered", "effective"]].tolist() == [2, 1, 1]
    assert cov.loc[(SOC, "CC6"), "share_effective"] == 0.5
    assert cov.loc[(SOC, "CC7"), ["applicable", "covered", "effective"]].tolist() == [1, 1, 0]
    assert cov.loc[(ISO, "A.8 Technological"), "share_effective"] == 1.0
    assert (ISO, "A.7 Physical") not in cov.index  # nothing applicable there
    cell = bundle.cell(SOC, "CC6").set_index("ref")
    assert cell.loc["CC6.1", "controls"] == ["C-1"] and cell.loc["CC6.2", "controls"] == []


def test_control_testing(bundle):
    assert {k: bundle.testing[k] for k in ("due", "overdue", "failed", "exceptions", "tested")} == \
        {"due": 2, "overdue": 1, "failed": 0, "exceptions": 1, "tested": 3}
    assert bundle.testing["pass_rate"] == pytest.approx(2 / 3)
    assert bundle.tests_due[["control_id", "state"]].values.tolist() == [["C-2", "Overdue"], ["C-1", "Due"], ["C-3", "Due"]]
    assert bundle.tests_failed.control_id.tolist() == ["C-3"]
    trend = bundle.pass_rate_trend.set_index("quarter_end")
    assert trend.loc[D("2026-06-30"), ["tested", "passed", "pass_rate"]].tolist() == [2, 1, 0.5]
    assert trend.loc[D("2026-09-30"), ["tested", "passed"]].tolist() == [3, 2]
    assert len(trend) == 8 and trend.loc[D("2025-03-31"), "tested"] == 0


def test_calendar_next_twelve_months(bundle):
    assert bundle.calendar[["date", "what", "audit_id"]].values.tolist() == [
        [D("2026-11-02"), "Audit starts", "AUD-1"], [D("2027-03-31"), "Audit period ends", "SOC-1"],
        [D("2027-05-31"), "Certificate expires", "AUD-1"]]
    assert bundle.in_progress.audit_id.tolist() == ["SOC-1"]


def test_findings_by_grade_age_overdue_and_burndown(bundle):
    f = bundle.findings_open.set_index("grade")
    assert f.loc["Major nonconformity", "0-30 days"] == 1          # F-3, raised 1 Sept: 29 days
    assert f.loc["Observation", "91-180 days"] == 1                # F-2, raised 1 June: 121 days
    assert f["total"].sum() == 2
    assert bundle.findings_overdue[["finding_id", "days_overdue"]].values.tolist() == [["F-3", 15]]
    b = bundle.burndown.set_index("as_of")
    # before the first findings register (30 June) no month is known, so the chart starts there
    # (it read 0 open, beside findings dozens of days overdue when a tracker was first imported)
    assert min(b.index) == D("2026-06-30") and D("2026-05-31") not in b.index
    assert bundle.burndown_from == ("The findings register begins on 30 June 2026: the months before it hold no "
                                    "register, so the chart starts there (a finding's age counts from the day it was raised).")
    assert b.loc[D("2026-06-30"), ["open", "overdue", "raised"]].tolist() == [2, 1, 1]   # F-2 raised in June
    assert b.loc[D("2026-08-31"), "open"] == 2                     # the June register still stands
    assert b.loc[D("2026-09-30"), ["open", "overdue", "raised"]].tolist() == [2, 1, 1]   # F-3 raised in September


def test_a_control_citing_the_800_53_catalog_covers_a_baseline(tmp_path):
    con = connect(tmp_path / "b.duckdb")
    load(con, "2026-09-30", controls=[control("C-9", "NIST-800-53r5:AC-2")],
         control_tests=[ctest("C-9", "2026-06-30", result="Pass", tested="2026-07-01")])
    t = compliance.build(con, D("2026-09-30"), D("2026-06-30"), ["NIST-800-53r5-LOW"]).totals.iloc[0]
    # no SoA: all 149 LOW requirements (SOURCES.md) applicable; AC-2 covered and effective
    assert (t.applicable, t.covered, t.effective, t.has_soa) == (149, 1, 1, False)
    assert (t.covered_change, t.effective_change) == (1, 1)
    con.close()


def test_json_has_the_per_framework_figures(bundle):
    out = compliance.build.__module__ and bundle.as_json()
    assert [f["framework"] for f in out["frameworks"]] == [ISO, SOC]
    assert out["frameworks"][1]["covered"] == 2 and out["testing"]["overdue"] == 1
    assert out["calendar"][0] == {"date": "2026-11-02", "what": "Audit starts", "audit_id": "AUD-1",
                                  "audit_type": "ISO surveillance", "framework": ISO, "auditor": "Cert body"}
    assert dt.date.fromisoformat(out["as_of"]) == D("2026-09-30")


def test_cli_prints_the_bundle_figures(db, tmp_path, monkeypatch, capsys):
    import json

    from isms.cli import main

    db.execute("CHECKPOINT")
    path = db.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()").fetchone()[0]
    copy = tmp_path / "copy.duckdb"
    copy.write_bytes(open(path, "rb").read())
    monkeypatch.setenv("ISMS_DB", str(copy))
    assert main(["compliance", "--as-of", "2026-09-30", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    got = {f["framework"]: (f["applicable"], f["covered"], f["effective"]) for f in out["frameworks"]}
    assert got == {ISO: (2, 2, 2), SOC: (3, 2, 1)} and out["compare_to"] == "2026-06-30"
    assert main(["compliance", "--as-of", "2026-09-30"]) == 0
    assert "2 due within 30 days, 1 overdue" in capsys.readouterr().out


def test_columns_left_empty_by_every_row_are_none_not_nat(tmp_path):
    con = connect(tmp_path / "n.duckdb")
    load(con, "2026-09-30", audits=[audit("A-1", starts="2026-10-05")])  # no end, no period, no certificate
    b = compliance.build(con, D("2026-09-30"), D("2026-06-30"), [ISO])
    assert b.calendar[["date", "what"]].values.tolist() == [[D("2026-10-05"), "Audit starts"]]
    assert b.in_progress.empty
    con.close()


def test_the_headline_says_the_review_in_one_paragraph(bundle):
    """Written out by hand from the fixture: ISO's effective requirements went from 1 (A.5.15; A.8.8's
    last test failed in April) to 2; SOC 2's stayed at 1 (CC6.1). Three tests had a result since 30
    June (C-1, C-2 passed; C-3 with exceptions) and C-2's September test is overdue. F-2 and F-3 are
    open; F-3, a major nonconformity, was due on 15 September (15 days before the review). AUD-1 starts
    on 2 November."""
    from isms.headline import compliance as compliance_headline

    said = compliance_headline(bundle)
    overdue = "F-3 \u201cFinding F-3\u201d (Major nonconformity, owner Owner F) is 15 days past its due date."
    assert said.sentence == (
        "Since 30 June 2026 effective requirements rose from 1 to 2 in ISO27001-2022 and are unchanged in SOC2. "
        "3 control tests had a result: 67% passed, 1 with exceptions; 1 test is overdue. "
        "2 audit findings are open, 1 major nonconformity. " + overdue + " "
        "Next on the calendar: ISO surveillance (AUD-1) starts 2 November 2026.")
    assert said.decision == overdue


def test_the_first_review_on_record_says_so_not_that_everything_rose(db):
    """Against a date before any import there is nothing to compare: no 'rose from 0 to 2'."""
    from isms.headline import compliance as compliance_headline

    first = compliance.build(db, D("2026-06-30"), D("2026-03-31"))
    assert compliance_headline(first).sentence.startswith(
        "First review on record: 1 of 2 applicable requirements effective in ISO27001-2022 and 1 of 3 applicable "
        "requirements effective in SOC2.")


def test_requirements_read_in_the_catalogs_order(bundle):
    """A.5.2 after A.5.1, not after A.5.19 as text sorts it: the ISO 27001:2022 catalog numbers its
    organisational controls A.5.1 to A.5.37."""
    refs = bundle.requirements[bundle.requirements.family == "A.5 Organizational"].ref.tolist()
    assert refs == [f"A.5.{n}" for n in range(1, 38)]


def test_a_failed_test_is_listed_before_those_with_exceptions(tmp_path):
    """Sorted by the result's word, 'Exceptions' came before 'Fail': the one failure of fifteen was
    last, and the meeting-room table (its first eight rows) and the pack's left it out."""
    con = connect(tmp_path / "c.duckdb")
    load(con, "2026-09-30", controls=[control(f"C-{n}", f"{ISO}:A.8.8") for n in (1, 2, 3, 9)],
         control_tests=[ctest("C-1", "2026-09-30", result="Exceptions", tested="2026-09-01"),
                        ctest("C-2", "2026-09-30", result="Exceptions", tested="2026-09-02"),
                        ctest("C-9", "2026-09-30", result="Fail", tested="2026-09-03"),
                        ctest("C-3", "2026-09-30", result="Exceptions", tested="2026-09-04")])
    b = compliance.build(con, D("2026-09-30"), D("2026-06-30"))
    assert b.tests_failed[["control_id", "result"]].values.tolist() == [
        ["C-9", "Fail"], ["C-1", "Exceptions"], ["C-2", "Exceptions"], ["C-3", "Exceptions"]]
