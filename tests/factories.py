"""One-line factories: records with sensible defaults, and batches written straight to a store."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools

import pandas as pd

from isms.models import COMPLIANCE_KINDS, KINDS
from isms.store.batches import commit_batch

D = dt.date.fromisoformat
_seq = itertools.count(1)


def risk(risk_id: str, **kw) -> dict:
    base = dict(risk_id=risk_id, title=f"Risk {risk_id}", description=None, annex_a_theme="A.8 Technological",
                annex_a_controls=["A.8.8"], nist_family="SI", asset_ids=["HW-01"], owner="Owner A",
                status="Open", identified_on=D("2024-01-15"), source="Annual assessment")
    return {**base, **kw}


def assessment(risk_id: str, on: str, inherent=(4, 4), residual=(3, 3), target=None, **kw) -> dict:
    base = dict(risk_id=risk_id, assessed_on=D(on), inherent_likelihood=inherent[0], inherent_impact=inherent[1],
                control_effectiveness="Partial", residual_likelihood=residual[0], residual_impact=residual[1],
                target_likelihood=target[0] if target else None, target_impact=target[1] if target else None,
                assessor="Assessor")
    return {**base, **kw}


def treatment(treatment_id: str, risk_id: str, start: str, due: str, status="In progress", completed=None, **kw) -> dict:
    base = dict(treatment_id=treatment_id, risk_id=risk_id, decision="Reduce", description="Plan", owner="Owner T",
                start_on=D(start), due_on=D(due), status=status, completed_on=D(completed) if completed else None)
    return {**base, **kw}


def update(treatment_id: str, on: str, pct: float, status="In progress") -> dict:
    return dict(treatment_id=treatment_id, updated_on=D(on), percent_complete=float(pct), status=status, note=None)


def metric(metric_id: str, direction="Higher is better", target=None, amber=None, red=None, **kw) -> dict:
    base = dict(metric_id=metric_id, name=f"Metric {metric_id}", control_domain="A.8 Technological", unit="%",
                direction=direction, target=target, amber=amber, red=red, cadence="Monthly", owner=None)
    return {**base, **kw}


def result(metric_id: str, period: str, value: float) -> dict:
    return dict(metric_id=metric_id, period=D(period), value=float(value), note=None)


def exception(exception_id: str, risk_id: str | None, status="Granted", granted="2024-01-01", expires="2024-12-31", **kw) -> dict:
    base = dict(exception_id=exception_id, policy="Patch standard", control="A.8.8", risk_id=risk_id,
                likelihood=3, impact=3, requested_on=D("2023-12-01"), granted_on=D(granted) if granted else None,
                expires_on=D(expires) if expires else None, compensating_controls=None, approver="CISO", status=status)
    return {**base, **kw}


def control(control_id: str, *requirements: str, **kw) -> dict:
    base = dict(control_id=control_id, name=f"Control {control_id}", owner="Owner C", control_type="Preventive",
                frequency="Quarterly", status="Implemented", requirements=list(requirements), description=None)
    return {**base, **kw}


def soa(framework: str, ref: str, applicable=True, status="Implemented", version="1.0", **kw) -> dict:
    base = dict(framework=framework, ref=ref, applicable=applicable, reason="Risk" if applicable else None,
                justification=None if applicable else "Not in scope", implementation_status=status,
                soa_version=version, approved_on=None, approved_by=None)
    return {**base, **kw}


def ctest(control_id: str, period: str, result=None, tested=None, due=None, **kw) -> dict:
    """A control test for the period ending `period`; due 15 days later unless given."""
    p = D(period)
    base = dict(control_id=control_id, period=p, due_on=D(due) if due else p + dt.timedelta(days=15),
                tested_on=D(tested) if tested else None, result=result, tester="Tester" if result else None,
                test_id=None, note=None)
    return {**base, **kw}


def audit(audit_id: str, audit_type="ISO surveillance", starts="2026-03-01", **kw) -> dict:
    base = dict(audit_id=audit_id, audit_type=audit_type, framework="ISO27001-2022", starts_on=D(starts), ends_on=None,
                period_start=None, period_end=None, auditor="Cert body", scope="ISMS", opinion=None,
                certificate_issued_on=None, certificate_expires_on=None)
    return {**base, **{k: D(v) if isinstance(v, str) and k.endswith(("_on", "_start", "_end")) else v for k, v in kw.items()}}


def finding(finding_id: str, grade="Minor nonconformity", raised="2026-03-05", status="Open", **kw) -> dict:
    base = dict(finding_id=finding_id, audit_id=None, title=f"Finding {finding_id}", framework="ISO27001-2022",
                ref=None, control_id=None, grade=grade, root_cause=None, owner="Owner F", raised_on=D(raised),
                due_on=None, status=status, closed_on=None, risk_id=None, exception_id=None)
    return {**base, **{k: D(v) if isinstance(v, str) and k.endswith("_on") else v for k, v in kw.items()}}


def load(con, as_of: str, **rows_by_kind: list[dict]) -> int:
    """Commit one batch (as an import would) holding the given rows; returns its id."""
    frames = {}
    for kind, rows in rows_by_kind.items():
        fields = list({**KINDS, **COMPLIANCE_KINDS}[kind][1].model_fields)
        frames[kind] = pd.DataFrame.from_records(rows, columns=fields)
    digest = hashlib.sha256(f"{as_of}-{next(_seq)}".encode()).hexdigest()
    return commit_batch(con, source="test", file_name="factory.xlsx", sha256=digest, as_of=D(as_of),
                        imported_by="pytest", frames=frames)


def import_text(con, text: str | bytes, name: str, as_of: dt.date, matrix=None) -> None:
    """A small file planned as the analyst's import plans it (mapping, validation, preview against
    the store) and committed; the test fails on any error the plan finds."""
    from isms.config import load_settings
    from isms.importing.pipeline import build_plan, commit

    data = text.encode() if isinstance(text, str) else text
    plan = build_plan(data, name, matrix or load_settings().matrix, as_of=as_of, con=con)
    assert plan.ok, [str(p) for p in plan.problems]
    assert commit(con, plan, "test").status == "committed"


# --- the forum (isms.forum): a story small enough to work by hand ---------------------------------

ANALYST_USER = ("ana", "analyst")
CHAIR_USER = ("cleo", "admin")


def forum_story(con, settings) -> None:
    """Two Risk meetings and one Security Health meeting in 2026, five actions and their changes.

    M-0001 Risk, held 2026-01-14 (reviews Q4 2025), raises:
      A-0001 Patch VPN, due 02-28: in progress 02-01, done 03-10 (late), verified 03-20 by cleo;
      A-0002 Review supplier, due 03-31: due moved to 06-30 on 03-15; done 07-05;
      A-0003 Update policy, due 05-31: cancelled 04-01.
      Decision D-0001 accepts R-001 until 2026-12-31; D-0002 grants exception EX-001 (the sample's id: on
      the sample the grant changes its exception log, isms.decision_effects; with no log it is recorded alone).
    M-0002 Risk, held 2026-04-14 (reviews Q1 2026), raises A-0004 Restore test, due 05-15 (never closed).
    M-0003 Security Health, held 2026-05-14 (reviews April), A-0005 from KRI-03's breach, due 05-31.
    """
    from isms.actions import record_action, record_decision, record_meeting, update_action
    from isms.auth import Role, User

    ana, cleo = User("ana", Role.analyst), User("cleo", Role.admin)
    m1 = record_meeting(con, ana, settings, "risk", D("2026-01-14"), attendees=["cleo", "ana", "Owner A"],
                        minutes="Q4 posture reviewed.", pack=("risk-review-2025-12-31.pptx", b"pack one"))
    record_decision(con, ana, m1, "risk-acceptance", "Accept R-001 until year end", review_on=D("2026-12-31"),
                    risk_ids=["R-001"])
    record_decision(con, ana, m1, "exception-grant", "Grant EX-001 for six months", exception_ids=["EX-001"],
                    review_on=D("2026-07-14"))
    a1 = record_action(con, ana, settings, "Patch VPN", "Ops", D("2026-02-28"), raised_on=D("2026-01-14"), meeting_id=m1)
    a2 = record_action(con, ana, settings, "Review supplier", "Procurement", D("2026-03-31"), raised_on=D("2026-01-14"),
                       meeting_id=m1)
    a3 = record_action(con, ana, settings, "Update policy", "CISO", D("2026-05-31"), raised_on=D("2026-01-14"),
                       meeting_id=m1, risk_id="R-001")
    update_action(con, ana, a1, D("2026-02-01"), status="in progress")
    update_action(con, ana, a1, D("2026-03-10"), status="done", closure_note="patched")
    update_action(con, ana, a2, D("2026-03-15"), due_on=D("2026-06-30"))
    update_action(con, cleo, a1, D("2026-03-20"), status="verified")
    update_action(con, ana, a3, D("2026-04-01"), status="cancelled", closure_note="superseded by the new standard")
    m2 = record_meeting(con, ana, settings, "risk", D("2026-04-14"), attendees=["cleo", "ana"], minutes="Q1 reviewed.")
    record_action(con, ana, settings, "Restore test", "Ops", D("2026-05-15"), raised_on=D("2026-04-14"), meeting_id=m2)
    record_meeting(con, ana, settings, "security-health", D("2026-05-14"), attendees=["ana"])
    record_action(con, ana, settings, "Tune detection", "SOC", D("2026-05-31"), raised_on=D("2026-05-14"),
                  series="security-health", kri_id="KRI-03")
    update_action(con, ana, a2, D("2026-07-05"), status="done", closure_note="reviewed")


def signed(n: int) -> str:
    """A count's change as pages and packs write it, worked out here on its own: '+3', '-1', 'no change'."""
    return f"{n:+d}" if n else "no change"
