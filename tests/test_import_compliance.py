"""The Compliance review's kinds through the one import pipeline: the template's sheets, an
analyst's own layout, cell-level problems, preview, one transaction, undo; user catalogs from
CSV and OSCAL JSON. Expected rows are written out by hand."""

import json

import pytest
from openpyxl import load_workbook

from isms.importing.pipeline import build_plan, commit, import_file
from isms.importing.template import write_blank_template, write_workbook
from isms.store import compliance, compliance_reads, connect
from isms.store.batches import undo_batch
from tests.factories import D, audit, control, ctest, finding, load, soa
from tests.test_store import table_dump


@pytest.fixture
def db(tmp_path):
    con = connect(tmp_path / "i.duckdb")
    yield con
    con.close()


def rows():
    return {
        "controls": [control("C-1", "ISO27001-2022:A.5.15", "NIST-800-53r5:AC-2"),
                     control("C-2", "ISO27001-2022:A.8.8", status="Partially implemented")],
        "soa": [soa("ISO27001-2022", "A.5.15"), soa("ISO27001-2022", "A.7.4", applicable=False, status=None,
                                                    justification="No offices: fully remote")],
        "control_tests": [ctest("C-1", "2026-06-30", result="Pass", tested="2026-07-05"),
                          ctest("C-2", "2026-06-30", result="Exceptions", tested="2026-07-09")],
        "audits": [audit("AUD-1", starts="2026-05-04", ends_on="2026-05-06", certificate_expires_on="2028-05-31")],
        "findings": [finding("F-1", audit_id="AUD-1", control_id="C-2", ref="A.8.8", due_on="2026-08-31")],
    }


def test_the_blank_template_has_a_sheet_per_compliance_kind(tmp_path):
    path = write_blank_template(tmp_path / "t.xlsx")
    names = load_workbook(path).sheetnames
    for sheet in ("Controls", "SoA", "ControlTests", "Audits", "Findings", "Frameworks", "Requirements", "Mappings"):
        assert sheet in names


def test_template_round_trip_commits_every_kind_and_undo_restores(tmp_path, settings, db):
    before = table_dump(db)
    path = write_workbook(tmp_path / "c.xlsx", rows(), as_of=D("2026-07-31"))
    out = import_file(db, path, settings.matrix, imported_by="t")
    assert out.status == "committed", [str(p) for p in out.problems]
    assert out.row_counts == {"controls": 2, "soa": 2, "control_tests": 2, "audits": 1, "findings": 1}
    ctl = compliance.frame(db, "controls", D("2026-07-31")).set_index("control_id")
    assert list(ctl.loc["C-1", "requirements"]) == ["ISO27001-2022:A.5.15", "NIST-800-53r5:AC-2"]
    soa_rows = compliance.frame(db, "soa", D("2026-07-31")).set_index("ref")
    assert not soa_rows.loc["A.7.4", "applicable"] and soa_rows.loc["A.7.4", "justification"] == "No offices: fully remote"
    tests = compliance.frame(db, "control_tests", D("2026-07-31")).set_index("control_id")
    assert tests.loc["C-2", "result"] == "Exceptions"
    undo_batch(db, out.batch_id, "t")
    assert compliance.frame(db, "controls", D("2026-07-31")).empty
    assert {k: v for k, v in table_dump(db).items() if k not in ("import_batch", "batch_undo")} == \
        {k: v for k, v in before.items() if k not in ("import_batch", "batch_undo")} | {
            t: table_dump(db)[t] for t in ("control", "soa_entry", "control_test", "compliance_audit", "finding")}


def test_bad_cells_are_named_and_nothing_is_written(tmp_path, settings, db):
    bad = rows()
    bad["controls"].append(control("C-3", "A.5.99"))                      # no such Annex A control
    bad["controls"].append(control("C-4", "SOC2:CC6.1"))                  # no SOC 2 catalog imported
    bad["soa"].append(soa("ISO27001-2022", "A.6.9"))                      # Annex A 6 has 8 controls
    bad["control_tests"].append(ctest("C-9", "2026-06-30"))               # no control C-9
    bad["findings"].append(finding("F-2", grade="Catastrophe"))           # not a grade
    path = write_workbook(tmp_path / "bad.xlsx", bad, as_of=D("2026-07-31"))
    before = table_dump(db)
    plan = build_plan(path.read_bytes(), "bad.xlsx", settings.matrix, con=db)
    said = {(p.sheet, p.row, p.column): p.message for p in plan.problems if p.severity == "error"}
    # the template writes row 1 headers, data from row 2, in the order given
    assert said[("Controls", 4, "G")].startswith("A.5.99: neither an ISO/IEC 27001 Annex A nor")
    assert "no framework 'SOC2'" in said[("Controls", 5, "G")]
    assert "'A.6.9' is not a requirement of ISO27001-2022" in said[("SoA", 4, "B")]
    assert "no control 'C-9'" in said[("ControlTests", 4, "A")]
    assert "'Catastrophe' is not one of: Major nonconformity" in said[("Findings", 3, "G")]
    assert commit(db, plan, "t").status == "refused"
    assert table_dump(db) == before


def test_an_analyst_soa_and_a_control_register_in_their_own_layout(tmp_path, settings, db):
    soa_csv = tmp_path / "our SoA.csv"
    soa_csv.write_text("Control,Applicable?,Justification,Status\n5.15,Yes,Access risk R-3,Implemented\n"
                       "A.7.4,No,Fully remote company,\n8.8,Y,Patch risk,In progress\n")
    out = import_file(db, soa_csv, settings.matrix, as_of=D("2026-09-30"))
    assert out.status == "committed" and out.row_counts == {"soa": 3}, [str(p) for p in out.problems]
    got = compliance.frame(db, "soa", D("2026-09-30")).set_index("ref")
    assert got.loc["A.5.15", "reason"] == "Access risk R-3" and got.loc["A.7.4", "justification"] == "Fully remote company"
    assert got.loc["A.8.8", "implementation_status"] == "Partially implemented"
    reg = tmp_path / "controls.csv"
    reg.write_text("Control ID,Control Name,Control Owner,Control Type,Frequency,Annex A control\n"
                   "AC-01,Joiner-mover-leaver,IAM lead,Preventive,Quarterly,\"5.15, A.9.2.1\"\n")
    out = import_file(db, reg, settings.matrix, as_of=D("2026-09-30"))
    assert out.status == "committed" and out.row_counts == {"controls": 1}, [str(p) for p in out.problems]
    ctl = compliance.frame(db, "controls", D("2026-09-30"))
    # A.9.2.1 (2013, user registration) is A.5.16 in 2022
    assert list(ctl.requirements[0]) == ["ISO27001-2022:A.5.15", "ISO27001-2022:A.5.16"]
    assert ctl.owner[0] == "IAM lead"


def test_a_user_catalog_from_csv_named_after_its_file(tmp_path, settings, db):
    path = tmp_path / "SOC2.csv"
    path.write_text("Ref,Title,Parent\nCC6,Logical and physical access,\nCC6.1,Logical access security,CC6\n"
                    "CC6.2,User registration,CC6\n")
    out = import_file(db, path, settings.matrix, as_of=D("2026-01-31"))
    assert out.status == "committed" and out.row_counts == {"requirements": 3, "frameworks": 1}
    found = {f["framework"]: f for f in compliance.frameworks(db)}
    assert found["SOC2"]["requirements"] == 3 and found["SOC2"]["licence"] == "user-imported"
    # now controls may cite it
    reg = tmp_path / "c.csv"
    reg.write_text("Control ID,Control Name,Requirements\nC-1,Access reviews,\"SOC2:CC6.1, SOC2:CC6.2\"\n")
    assert import_file(db, reg, settings.matrix, as_of=D("2026-02-28")).status == "committed"


def test_a_user_catalog_from_oscal_json(tmp_path, settings, db):
    doc = {"catalog": {"uuid": "x", "metadata": {"title": "Our cloud controls", "version": "3"},
                       "groups": [{"id": "ops", "title": "Operations", "controls": [
                           {"id": "ops-1", "title": "Backups", "props": [{"name": "label", "value": "OPS-1"}],
                            "parts": [{"name": "statement", "prose": "Back up daily."}],
                            "controls": [{"id": "ops-1.1", "title": "Restore tests",
                                          "props": [{"name": "label", "value": "OPS-1.1"}]}]},
                           {"id": "ops-2", "title": "Gone", "props": [{"name": "status", "value": "withdrawn"}]}]}]}}
    path = tmp_path / "cloud-controls.json"
    path.write_text(json.dumps(doc))
    plan = build_plan(path.read_bytes(), path.name, settings.matrix, con=db)
    assert plan.ok, [str(p) for p in plan.problems]
    req = plan.frames["requirements"].set_index("ref")
    assert list(req.index) == ["OPS-1", "OPS-1.1"] and req.loc["OPS-1.1", "parent"] == "OPS-1"
    assert req.loc["OPS-1", "text"] == "Back up daily." and req.loc["OPS-1", "family"] == "OPS"
    assert plan.frames["frameworks"].to_dict("records") == [
        {"framework": "cloud-controls", "name": "Our cloud controls", "version": "3", "licence": "user-imported"}]
    assert any("1 withdrawn" in p.message for p in plan.problems)


def test_json_that_is_no_oscal_catalog_is_refused_with_a_sentence(tmp_path, settings):
    plan = build_plan(b'{"profile": {}}', "x.json", settings.matrix)
    assert not plan.ok and "not an OSCAL catalog" in plan.problems[0].message


def test_a_tracker_without_dates_raised_keeps_the_register_s_date_for_a_known_finding(tmp_path, settings, db):
    """A CAPA tracker with no 'raised' column: F-1, raised 5 Mar 2026 by the register, keeps that
    date (its age does not restart); F-9, new, takes the file's date."""
    load(db, "2026-03-31", findings=[finding("F-1", raised="2026-03-05", due_on="2026-12-31")])
    csv = tmp_path / "capa.csv"
    csv.write_text("CAPA ID,Related Finding ID,Problem Statement,Nonconformity Type,Due Date,Status\n"
                   "CAPA-1,F-1,Backups untested,Minor,2026-12-31,Open\n"
                   "CAPA-2,F-9,No asset owner,OFI,2026-12-31,Open\n", encoding="utf-8")
    plan = build_plan(csv.read_bytes(), csv.name, settings.matrix, as_of=D("2026-06-30"), con=db)
    assert plan.ok, [str(p) for p in plan.problems]
    raised = dict(zip(plan.frames["findings"]["finding_id"], plan.frames["findings"]["raised_on"]))
    assert raised == {"F-1": D("2026-03-05"), "F-9": D("2026-06-30")}


def test_an_id_the_register_holds_for_another_finding_is_said_before_commit(tmp_path, settings, db):
    """F-1 is 'Backups untested' in the register; a tracker's F-1 'No asset owner' shares no word
    with it: the plan warns, naming both titles. F-2 reworded ('Backup restore not tested' for
    'Backup restore untested') shares words: no warning for it."""
    load(db, "2026-03-31", findings=[finding("F-1", title="Backups untested"),
                                     finding("F-2", title="Backup restore untested")])
    csv = tmp_path / "capa.csv"
    csv.write_text("Finding ID,Title,Grade,Raised,Status\n"
                   "F-1,No asset owner,Minor nonconformity,2026-03-05,Open\n"
                   "F-2,Backup restore not tested,Minor nonconformity,2026-03-05,Open\n", encoding="utf-8")
    plan = build_plan(csv.read_bytes(), csv.name, settings.matrix, as_of=D("2026-06-30"), con=db)
    said = [p.message for p in plan.problems if "title about something else" in p.message]
    assert len(said) == 1 and "F-1: 'Backups untested' becomes 'No asset owner'" in said[0] and "F-2" not in said[0]
    assert plan.ok  # a warning: the analyst decides


def test_titles_that_share_only_small_words_name_other_findings(tmp_path, settings, db):
    """A real CAPA tracker's F-001 to F-005 were other findings than the register's, but each
    title shared 'not' or 'for' with the one it would replace: 1 of the 5 was said. Words such as
    these say nothing of what a finding is about; a reworded title still shares its subject."""
    load(db, "2026-03-31", findings=[
        finding("F-1", title="Privileged access quarterly review not completed"),
        finding("F-2", title="Vendor security contract clauses not updated for 5 suppliers"),
        finding("F-3", title="Ransomware response playbook not tested"),
        finding("F-4", title="MFA not enforced for admins")])
    csv = tmp_path / "capa.csv"
    csv.write_text("Finding ID,Title,Grade,Raised,Status\n"
                   "F-1,Information security objectives are not documented,Minor nonconformity,2026-03-05,Open\n"
                   "F-2,No periodic access review record for repository permissions,Minor nonconformity,2026-03-05,Open\n"
                   "F-3,Management review schedule not documented,Minor nonconformity,2026-03-05,Open\n"
                   "F-4,MFA not enforced for administrator accounts,Minor nonconformity,2026-03-05,Open\n",
                   encoding="utf-8")
    plan = build_plan(csv.read_bytes(), csv.name, settings.matrix, as_of=D("2026-06-30"), con=db)
    (said,) = [p.message for p in plan.problems if "title about something else" in p.message]
    assert said.startswith("3 id(s) of audit findings")
    assert all(f"{k}: '" in said for k in ("F-1", "F-2", "F-3")) and "F-4" not in said  # MFA still enforced: reworded


def _poam(tmp_path, settings, db, body: str, fixed: dict):
    """A POA&M read as findings on the Import page, the analyst's grade and framework chosen for its sheet."""
    from dataclasses import replace

    from isms.views.import_data import remap

    csv = tmp_path / "poam.csv"
    csv.write_text(body, encoding="utf-8")
    first = build_plan(csv.read_bytes(), csv.name, settings.matrix, as_of=D("2026-06-30"), con=db)
    mappings = [replace(remap(m, first.sheets[m.sheet], kind="findings"), fixed=fixed) for m in first.mappings]
    return build_plan(csv.read_bytes(), csv.name, settings.matrix, as_of=D("2026-06-30"), con=db, mappings=mappings)


def test_a_poam_s_controls_are_read_as_the_chosen_framework_s_requirements(tmp_path, settings, db):
    """'AC2' and 'si-02' are NIST's AC-2 and SI-2 (each rule said with its column); 'ZZ-9' is no
    NIST requirement: kept, with a warning at its cell C4. Committed, the three open findings count
    under NIST-800-53r5 on the Compliance review, as observations."""
    plan = _poam(tmp_path, settings, db,
                 "POAM ID,Weakness Name,Security Control,Status\n"
                 "P-1,Stale accounts,AC2,Open\nP-2,Unpatched servers,si-02,Ongoing\nP-3,Odd one,ZZ-9,Open\n",
                 {"grade": "Observation", "framework": "NIST-800-53r5"})
    assert plan.ok, [str(p) for p in plan.problems]
    f = plan.frames["findings"]
    assert list(zip(f["finding_id"], f["framework"], f["ref"])) == [
        ("P-1", "NIST-800-53r5", "AC-2"), ("P-2", "NIST-800-53r5", "SI-2"), ("P-3", "NIST-800-53r5", "ZZ-9")]
    assert "poam!C 'Security Control': read 'AC2' as AC-2 of NIST-800-53r5 (1 row)" in plan.rules
    assert "poam!C 'Security Control': read 'si-02' as SI-2 of NIST-800-53r5 (1 row)" in plan.rules
    assert any("no framework column: each of its rows is given 'NIST-800-53r5'" in r for r in plan.rules)
    (warned,) = [p for p in plan.problems if p.severity == "warning" and "not a requirement" in p.message]
    assert (warned.cell, warned.value) == ("C4", "ZZ-9")
    assert commit(db, plan, "t").status == "committed"
    totals = compliance_reads.framework_totals(db, D("2026-06-30"), ["NIST-800-53r5"]).set_index("framework")
    assert totals.loc["NIST-800-53r5", "open_observation"] == 3 and totals.loc["NIST-800-53r5", "open_major"] == 0


def test_a_findings_framework_no_catalog_has_is_a_warning_at_its_cell(tmp_path, settings, db):
    """'PDPPL Art. 19' names no catalog: the finding is kept, and the analyst is told at B2 that
    the Compliance review will count it under no framework. ISO27001-2022 in B3 is known: no word.
    ('ISO 27001 - 5.17', this test's cell before, is now read as ISO27001-2022 A.5.17: see below.)"""
    csv = tmp_path / "tracker.csv"
    csv.write_text("Finding ID,Source Framework,Title,Grade,Raised,Status\n"
                   "F-1,PDPPL Art. 19,Weak passwords,Minor nonconformity,2026-03-05,Open\n"
                   "F-2,ISO27001-2022,No asset owner,Minor nonconformity,2026-03-05,Open\n", encoding="utf-8")
    plan = build_plan(csv.read_bytes(), csv.name, settings.matrix, as_of=D("2026-06-30"), con=db)
    assert plan.ok and plan.row_counts == {"findings": 2}, [str(p) for p in plan.problems]
    (warned,) = [p for p in plan.problems if "has a catalog here" in p.message]
    assert (warned.cell, warned.value, warned.severity) == ("B2", "PDPPL Art. 19", "warning")
    assert "counts it under no framework" in warned.message


def test_findings_under_a_framework_the_review_does_not_cover_are_said_once(tmp_path, settings, db):
    """The SoA is ISO27001-2022's; a POA&M given NIST-800-53r5 would count on the Compliance review
    under no framework it shows: one warning, at the first finding's framework, with how many; and
    the Import page offers ISO27001-2022 first."""
    from isms.views.import_data import _framework_choices

    load(db, "2026-03-31", soa=[soa("ISO27001-2022", "A.5.15")])
    plan = _poam(tmp_path, settings, db, "POAM ID,Weakness Name,Controls,Status\nP-1,Stale accounts,AC-2,Open\n"
                 "P-2,Unpatched,SI-2,Open\n", {"grade": "Observation", "framework": "NIST-800-53r5"})
    said = [p for p in plan.problems if "does not cover" in p.message]
    assert len(said) == 1 and said[0].severity == "warning" and said[0].row == 2
    assert said[0].message.startswith("2 finding(s) under NIST-800-53r5, which the Compliance review does not cover "
                                      "(it covers ISO27001-2022, the frameworks of the SoA)")
    assert _framework_choices(db, D("2026-06-30"))[0] == "ISO27001-2022"


def test_an_soa_said_to_be_part_of_the_register_keeps_the_lines_it_does_not_list(tmp_path, settings, db):
    """Found on the Import page: with 'part of it (merge)' chosen for a six-line SoA, the preview
    still said the other 87 lines would leave, and committing replaced the framework's SoA."""
    from isms.filters import PART
    from isms.importing.pipeline import with_mode

    full = tmp_path / "soa.csv"
    full.write_text("Control,Applicable?,Justification,Status\n5.15,Yes,Access risk,Implemented\n"
                    "A.7.4,No,Fully remote company,\n8.8,Y,Patch risk,In progress\n")
    assert import_file(db, full, settings.matrix, as_of=D("2026-06-30")).status == "committed"
    few = tmp_path / "soa-update.csv"
    few.write_text("Control,Applicable?,Justification,Status\n8.8,Y,Patch risk,Implemented\n")
    plan = build_plan(few.read_bytes(), few.name, settings.matrix, as_of=D("2026-09-30"), con=db)
    assert plan.preview.kinds["soa"].no_longer_listed == ["ISO27001-2022 / A.5.15", "ISO27001-2022 / A.7.4"]
    part = with_mode(db, plan, PART)
    kp = part.preview.kinds["soa"]
    assert (kp.no_longer_listed, kp.kept) == ([], ["ISO27001-2022 / A.5.15", "ISO27001-2022 / A.7.4"])
    assert commit(db, part, "t").status == "committed"
    got = compliance.frame(db, "soa", D("2026-09-30")).set_index("ref")
    assert sorted(got.index) == ["A.5.15", "A.7.4", "A.8.8"]
    assert got.loc["A.8.8", "implementation_status"] == "Implemented"
    assert got.loc["A.7.4", "justification"] == "Fully remote company"
    # the whole register, said so, still retires what it leaves out
    whole = build_plan(few.read_bytes(), "soa-whole.csv", settings.matrix, as_of=D("2026-12-31"), con=db)
    assert commit(db, with_mode(db, whole, "whole"), "t").status == "committed"
    assert compliance.frame(db, "soa", D("2026-12-31"))["ref"].tolist() == ["A.8.8"]


def test_a_framework_cell_naming_iso_27001_and_a_control(tmp_path, settings, db):
    """A remediation tracker's 'Source Framework' says 'ISO 27001 - 5.17': each such cell was a
    warning that no catalog has that framework (31 in one file), and its findings counted under
    none. A number only Annex A has is its control; one that is also a clause's (7.2: competence,
    or A.7.2 physical entry) is said; a second requirement in the cell is said; another framework's
    cells are said in full once, then point there."""
    csv = tmp_path / "tracker.csv"
    csv.write_text("Finding ID,Title,Grade,Raised,Status,Source Framework\n"
                   "F-1,Access rights not reviewed,Minor nonconformity,2026-03-05,Open,ISO 27001 - 5.18\n"
                   "F-2,Secure coding rules missing,Minor nonconformity,2026-03-05,Open,ISO 27001 - 8.28 / PCI-DSS Req 6\n"
                   "F-3,Training records incomplete,Minor nonconformity,2026-03-05,Open,ISO 27001 - 7.2\n"
                   "F-4,Cross-border transfer without basis,Minor nonconformity,2026-03-05,Open,PDPPL Art. 19\n"
                   "F-5,Privacy notice outdated,Minor nonconformity,2026-03-05,Open,PDPPL Art. 22\n"
                   "F-6,Logging gaps,Minor nonconformity,2026-03-05,Open,ISO/IEC 27001:2022 – A.8.15\n", encoding="utf-8")
    plan = build_plan(csv.read_bytes(), csv.name, settings.matrix, as_of=D("2026-06-30"), con=db)
    assert plan.ok, [str(p) for p in plan.problems]
    found = plan.frames["findings"].set_index("finding_id")
    assert found.loc[["F-1", "F-2", "F-6"], "ref"].tolist() == ["A.5.18", "A.8.28", "A.8.15"]
    assert (found.loc[["F-1", "F-2", "F-3", "F-6"], "framework"] == "ISO27001-2022").all()
    assert found.loc["F-3", "ref"] is None and found.loc["F-4", "framework"] == "PDPPL Art. 19"
    assert any("3 framework cell(s) name ISO 27001 with an Annex A control (such as 'ISO 27001 - 5.18')" in r
               for r in plan.rules), plan.rules
    said = {p.cell: p.message for p in plan.problems if p.header == "Framework"}
    assert said["F3"].startswith("read as ISO27001-2022 A.8.28; a finding names one requirement, so 'PCI-DSS Req 6'")
    assert "7.2 is both a clause of ISO/IEC 27001 and Annex A control A.7.2" in said["F4"]
    assert said["F5"].startswith("no framework 'PDPPL Art. 19' has a catalog here (such as")
    assert said["F6"] == "no framework 'PDPPL Art. 22' has a catalog here: kept under no framework, as said at F5"


def test_iso_27001_cells_with_a_controls_name_a_clause_or_no_such_control(tmp_path, settings, db):
    """A control's name after its number is no second requirement (each cell was warned that
    'Management of technical vulnerabilities' was not counted); a clause (9.2, 6.1.2) counts under
    ISO27001-2022 with no requirement, as 7.2 does, in one rule; an Annex A number the catalog lacks
    is said as such, not as a clause's."""
    csv = tmp_path / "tracker.csv"
    csv.write_text("Finding ID,Title,Grade,Raised,Status,Source Framework\n"
                   "F-1,Patching late,Minor nonconformity,2026-03-05,Open,ISO 27001 - A.8.8 Management of technical vulnerabilities\n"
                   "F-2,Internal audit late,Minor nonconformity,2026-03-05,Open,ISO 27001 - 9.2\n"
                   "F-3,Risk treatment plan unsigned,Minor nonconformity,2026-03-05,Open,ISO 27001 - 6.1.3\n"
                   "F-4,Odd control,Minor nonconformity,2026-03-05,Open,ISO 27001 - A.5.40\n", encoding="utf-8")
    plan = build_plan(csv.read_bytes(), csv.name, settings.matrix, as_of=D("2026-06-30"), con=db)
    found = plan.frames["findings"].set_index("finding_id")
    assert (found["framework"] == "ISO27001-2022").all()
    assert found.loc["F-1", "ref"] == "A.8.8" and found.loc[["F-2", "F-3", "F-4"], "ref"].isna().all()
    said = {p.cell: p.message for p in plan.problems if p.header == "Framework"}
    assert set(said) == {"F5"}, said  # F-1 is its control and its name; the clauses go in a rule
    assert said["F5"] == ("read as ISO27001-2022, but it has no Annex A control A.5.40 (A.5.1-A.8.34): the finding "
                          "counts under no requirement")
    assert any("2 framework cell(s) name a clause of ISO/IEC 27001 (such as 'ISO 27001 - 9.2')" in r for r in plan.rules)
