"""Compliance facts as of a date, on a real database file: registers, the SoA per framework,
control tests as known on a date, undo. Expected rows are written out by hand."""

import pytest
from pydantic import ValidationError

from isms.models import Control, Finding, SoaEntry
from isms.store import compliance, connect
from isms.store.batches import undo_batch
from tests.factories import D, audit, control, ctest, finding, load, soa


@pytest.fixture
def db(tmp_path):
    con = connect(tmp_path / "c.duckdb")
    yield con
    con.close()


def _ids(df, col):
    return sorted(df[col].tolist())


def test_controls_register_is_the_latest_batch_on_or_before_the_date(db):
    load(db, "2026-03-31", controls=[control("C-1", "ISO27001-2022:A.5.15"), control("C-2", "ISO27001-2022:A.8.8")])
    later = load(db, "2026-06-30", controls=[control("C-1", "ISO27001-2022:A.5.15", "NIST-800-53r5:AC-2")])
    assert _ids(compliance.frame(db, "controls", D("2026-03-30")), "control_id") == []
    assert _ids(compliance.frame(db, "controls", D("2026-05-01")), "control_id") == ["C-1", "C-2"]
    now = compliance.frame(db, "controls", D("2026-09-30"))
    assert _ids(now, "control_id") == ["C-1"]
    assert list(now.requirements[0]) == ["ISO27001-2022:A.5.15", "NIST-800-53r5:AC-2"]
    undo_batch(db, later, "pytest")
    assert _ids(compliance.frame(db, "controls", D("2026-09-30")), "control_id") == ["C-1", "C-2"]


def test_soa_is_a_register_per_framework(db):
    load(db, "2026-01-31", soa=[soa("ISO27001-2022", "A.5.1"), soa("ISO27001-2022", "A.7.4", applicable=False),
                                soa("SOC2-TSC", "CC6.1")])
    load(db, "2026-04-30", soa=[soa("ISO27001-2022", "A.5.1", version="2.0")])  # ISO only: SOC 2 stays
    rows = compliance.frame(db, "soa", D("2026-09-30")).sort_values(["framework", "ref"])
    assert rows[["framework", "ref", "soa_version"]].values.tolist() == [
        ["ISO27001-2022", "A.5.1", "2.0"], ["SOC2-TSC", "CC6.1", "1.0"]]
    assert len(compliance.frame(db, "soa", D("2026-02-01"))) == 3


def test_tests_are_known_from_their_batch_and_results_from_their_test_date(db):
    # the schedule as of 30 June: Q2 due 15 July; the result, tested 10 July, arrives in the 31 July batch
    load(db, "2026-06-30", control_tests=[ctest("C-1", "2026-06-30")])
    load(db, "2026-07-31", control_tests=[ctest("C-1", "2026-06-30", result="Fail", tested="2026-07-10")])
    june = compliance.frame(db, "control_tests", D("2026-06-30"))
    assert june.result.isna().all() and len(june) == 1
    assert compliance.frame(db, "control_tests", D("2026-07-09")).result.isna().all()  # batch not yet dated
    july = compliance.frame(db, "control_tests", D("2026-07-31"))
    assert july.result.tolist() == ["Fail"] and july.tested_on.tolist()[0].date() == D("2026-07-10")


def test_audits_and_findings_registers(db):
    load(db, "2026-03-31", audits=[audit("AU-1", certificate_expires_on="2027-03-31")],
         findings=[finding("F-1", audit_id="AU-1"), finding("F-2", status="Closed", closed_on="2026-03-20")])
    assert _ids(compliance.frame(db, "findings", D("2026-06-30")), "finding_id") == ["F-1", "F-2"]
    assert compliance.frame(db, "audits", D("2026-06-30")).certificate_expires_on.tolist()[0].date() == D("2027-03-31")


def test_the_records_refuse_what_an_auditor_would():
    with pytest.raises(ValidationError, match="names no framework"):
        Control(control_id="C-1", name="x", requirements=["A.5.15"])
    with pytest.raises(ValidationError, match="excluded without a justification"):
        SoaEntry(framework="ISO27001-2022", ref="A.7.4", applicable=False)
    with pytest.raises(ValidationError, match="closed finding needs"):
        Finding(finding_id="F", title="t", grade="Observation", raised_on=D("2026-01-01"), status="Closed")
