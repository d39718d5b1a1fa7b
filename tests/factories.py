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
