"""One-line factories: records with sensible defaults, and batches written straight to a store."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools

import pandas as pd

from isms.models import KINDS
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


def load(con, as_of: str, **rows_by_kind: list[dict]) -> int:
    """Commit one batch (as an import would) holding the given rows; returns its id."""
    frames = {}
    for kind, rows in rows_by_kind.items():
        fields = list(KINDS[kind][1].model_fields)
        frames[kind] = pd.DataFrame.from_records(rows, columns=fields)
    digest = hashlib.sha256(f"{as_of}-{next(_seq)}".encode()).hexdigest()
    return commit_batch(con, source="test", file_name="factory.xlsx", sha256=digest, as_of=D(as_of),
                        imported_by="pytest", frames=frames)
