"""A small ISMS whose Risk Review figures are worked out by hand in the tests.

Two quarter ends, C = 2024-03-31 and A = 2024-06-30, on the 5x5 matrix (Low <= 4, Medium <= 9,
High <= 16, Critical >= 20; appetite Medium):

| risk | theme | owner | assets | at C (residual) | at A (residual) | change |
|---|---|---|---|---|---|---|
| R1 | A.8 | Alice | HW-01 (supporting) | 3x3 = 9 Medium | 4x3 = 12 High | escalated |
| R2 | A.5 | Bob   | BP-01 (primary), in treatment | 4x4 = 16 High | 3x4 = 12 High | same level, moved cell |
| R3 | A.8 | Alice | HW-01 | 2x2 = 4 Low | closed | closed |
| R4 | A.7 | Bob   | BP-01 | 4x5 = 20 Critical | 3x3 = 9 Medium | de-escalated |
| R5 | A.6 | Carol | BP-01 | - | 5x5 = 25 Critical | new |

Treatments as of A: T1 (R2, Reduce, 2024-01-01 to 2024-12-31, 30 % on 2024-06-30: plan 181/365 =
49.6 %, so late) and T2 (R5, Transfer, 2024-04-01 to 2024-05-31, 50 %: overdue by 30 days).
Exceptions as of A: E1 (R2) expires in 20 days, E2 (R4) expired 29 days ago, E3 (R5) expires in
77 days, E4 (no risk) only requested.
"""

from __future__ import annotations

from tests.factories import D, assessment, exception, load, risk, treatment, update

C, A = D("2024-03-31"), D("2024-06-30")


def asset(asset_id: str, asset_class: str, asset_type: str) -> dict:
    return dict(asset_id=asset_id, name=f"Asset {asset_id}", asset_class=asset_class, asset_type=asset_type,
                criticality="High", owner=None, location=None)


ASSETS = [asset("HW-01", "Supporting", "Hardware"), asset("BP-01", "Primary", "Business process")]


def build_small_isms(con) -> None:
    r1 = risk("R1", annex_a_theme="A.8 Technological", annex_a_controls=["A.8.8"], owner="Alice", asset_ids=["HW-01"])
    r2 = risk("R2", annex_a_theme="A.5 Organizational", annex_a_controls=["A.5.15"], owner="Bob", asset_ids=["BP-01"],
              status="In treatment")
    r3 = risk("R3", annex_a_theme="A.8 Technological", annex_a_controls=["A.8.8"], owner="Alice", asset_ids=["HW-01"])
    r4 = risk("R4", annex_a_theme="A.7 Physical", annex_a_controls=["A.7.2"], owner="Bob", asset_ids=["BP-01"])
    r5 = risk("R5", annex_a_theme="A.6 People", annex_a_controls=["A.6.3"], owner="Carol", asset_ids=["BP-01"])
    t1 = treatment("T1", "R2", "2024-01-01", "2024-12-31", decision="Reduce")
    t2 = treatment("T2", "R5", "2024-04-01", "2024-05-31", decision="Transfer")
    load(con, "2024-03-31", assets=ASSETS, risks=[r1, r2, r3, r4],
         assessments=[assessment("R1", "2024-03-15", inherent=(4, 4), residual=(3, 3), target=(2, 2)),
                      assessment("R2", "2024-03-15", inherent=(5, 5), residual=(4, 4), target=(2, 3)),
                      assessment("R3", "2024-03-15", inherent=(3, 3), residual=(2, 2)),
                      assessment("R4", "2024-03-15", inherent=(5, 4), residual=(4, 5))],
         treatments=[t1], treatment_updates=[update("T1", "2024-03-31", 15)], exceptions=[])
    load(con, "2024-06-30", assets=ASSETS, risks=[r1, r2, {**r3, "status": "Closed"}, r4, r5],
         assessments=[assessment("R1", "2024-06-15", inherent=(4, 4), residual=(4, 3), target=(2, 2)),
                      assessment("R2", "2024-06-15", inherent=(5, 5), residual=(3, 4), target=(2, 3)),
                      assessment("R4", "2024-06-15", inherent=(5, 4), residual=(3, 3)),
                      assessment("R5", "2024-06-15", inherent=(5, 5), residual=(5, 5))],
         treatments=[t1, t2], treatment_updates=[update("T1", "2024-06-30", 30), update("T2", "2024-05-31", 50)],
         exceptions=[exception("E1", "R2", granted="2024-01-10", expires="2024-07-20"),
                     exception("E2", "R4", granted="2023-06-01", expires="2024-06-01"),
                     exception("E3", "R5", granted="2024-05-01", expires="2024-09-15"),
                     exception("E4", None, status="Requested", granted=None, expires=None)])


# --- controls behind the small ISMS's risks (isms.store.risk_controls), worked by hand ------------
#
# Controls (register of C, kept at A), linked to risks through the risks' Annex A references:
#   C1 A.8.8 and C3 A.8.8 (R1, and R3 while open), C2 A.5.15 (R2), C4 A.7.2 and C7 A.7.2 (R4),
#   C5 800-53 only (no risk); nothing covers R5's A.6.3.
# Tests: every control's 2024-03-31 period is scheduled at C (due 2024-04-15, C7's the same), so
# at C nothing has a result and nothing is overdue: every risk's controls are untested.
# Results known at A: C1 Pass (2024-04-10), C2 Pass (2024-04-12, its next period due 2024-07-15),
# C3 Fail (2024-04-05), C4 Exceptions (2024-05-20, by Tess); C7 never tested: overdue at A.
# So at A: R1 failing (C3 failed), R2 passed, R4 failing (C4 exceptions, C7 overdue), R5 untested.
# Findings at A: F1 names R1 (Major, open, due 2024-06-01: overdue), F2 names C3 (Minor, open, due
# 2024-09-30), F3 names C2 (Observation, closed 2024-05-01), F4 names C5 (no risk's).

def build_small_controls(con) -> None:
    from tests.factories import control, ctest, finding

    iso = "ISO27001-2022:"
    controls = [control("C1", iso + "A.8.8", "NIST-800-53r5:RA-5", name="Vulnerability scanning"),
                control("C2", iso + "A.5.15", name="Quarterly access review"),
                control("C3", iso + "A.8.8", name="Patch deployment"),
                control("C4", iso + "A.7.2", name="Physical entry logs"),
                control("C5", "NIST-800-53r5:AU-6", name="Log review"),
                control("C7", iso + "A.7.2", name="Visitor escort")]
    schedule = [ctest(c["control_id"], "2024-03-31", due="2024-04-15") for c in controls]
    load(con, "2024-03-31", controls=controls, control_tests=schedule)
    results = [ctest("C1", "2024-03-31", "Pass", "2024-04-10", due="2024-04-15"),
               ctest("C2", "2024-03-31", "Pass", "2024-04-12", due="2024-04-15"),
               ctest("C2", "2024-06-30", due="2024-07-15"),
               ctest("C3", "2024-03-31", "Fail", "2024-04-05", due="2024-04-15"),
               ctest("C4", "2024-03-31", "Exceptions", "2024-05-20", due="2024-04-15", tester="Tess")]
    findings = [finding("F1", "Major nonconformity", "2024-05-02", risk_id="R1", due_on="2024-06-01"),
                finding("F2", "Minor nonconformity", "2024-05-02", control_id="C3", due_on="2024-09-30"),
                finding("F3", "Observation", "2024-04-02", "Closed", control_id="C2", due_on="2024-05-31",
                        closed_on="2024-05-01"),
                finding("F4", "Minor nonconformity", "2024-05-02", control_id="C5", due_on="2024-06-15")]
    load(con, "2024-06-30", control_tests=results, findings=findings)
