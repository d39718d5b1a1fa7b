"""The bulk checks agree with the pydantic models on random typed rows.

Soundness matters most: a row the bulk path lets through must be one pydantic accepts, since
it is then written without meeting pydantic. Agreement the other way keeps the path fast.
"""

import datetime as dt

import pandas as pd
from hypothesis import given, settings, strategies as st
from pydantic import ValidationError

from isms.importing.validation import passes
from isms.models import Asset, Assessment, Metric, PolicyException, Treatment

levels = st.one_of(st.none(), st.integers(0, 7))
dates = st.one_of(st.none(), st.dates(dt.date(2020, 1, 1), dt.date(2030, 12, 31)))
ids = st.one_of(st.none(), st.text("AR-0123", min_size=0, max_size=70))


def agree(model, rows):
    df = pd.DataFrame(rows, columns=list(model.model_fields))
    bulk = passes(model, df).tolist()
    for row, fast in zip(rows, bulk):
        try:
            model.model_validate({k: v for k, v in row.items() if v is not None})
            valid = True
        except ValidationError:
            valid = False
        assert fast == valid, (row, fast, valid)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.fixed_dictionaries({
    "risk_id": ids, "assessed_on": dates, "inherent_likelihood": levels, "inherent_impact": levels,
    "control_effectiveness": st.sampled_from([None, "Weak", "Strong"]), "residual_likelihood": levels,
    "residual_impact": levels, "target_likelihood": levels, "target_impact": levels,
    "assessor": st.one_of(st.none(), st.text("ab ", max_size=3))}), min_size=1, max_size=20))
def test_assessments(rows):
    # the text a coercion hands over is already stripped, as the models' strip_whitespace would do
    for r in rows:
        for k in ("risk_id", "assessor"):
            if isinstance(r[k], str):
                r[k] = r[k].strip()
    agree(Assessment, rows)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.fixed_dictionaries({
    "treatment_id": st.just("T-1"), "risk_id": st.just("R-1"), "decision": st.sampled_from(["Reduce", "Accept"]),
    "description": st.none(), "owner": st.sampled_from(["O", None]), "start_on": dates, "due_on": dates,
    "status": st.sampled_from(["Planned", "In progress", "Done", "Cancelled"]), "completed_on": dates}),
    min_size=1, max_size=20))
def test_treatments(rows):
    agree(Treatment, rows)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.fixed_dictionaries({
    "metric_id": st.just("K-1"), "name": st.just("KRI"), "control_domain": st.just("A.8 Technological"),
    "unit": st.none(), "direction": st.sampled_from(["Higher is better", "Lower is better"]),
    "target": st.none(), "amber": st.one_of(st.none(), st.floats(0, 10)), "red": st.one_of(st.none(), st.floats(0, 10)),
    "cadence": st.just("Monthly"), "owner": st.none()}), min_size=1, max_size=20))
def test_metrics(rows):
    agree(Metric, rows)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.fixed_dictionaries({
    "exception_id": st.just("E-1"), "policy": st.just("P"), "title": st.none(), "justification": st.none(),
    "owner": st.none(), "control": st.none(), "risk_id": st.none(),
    # a log may rate nothing, or half a pair (refused), and may lack the request date
    "likelihood": st.one_of(st.none(), st.integers(1, 5)), "impact": st.one_of(st.none(), st.integers(1, 5)),
    "requested_on": st.one_of(st.none(), dates),
    "granted_on": dates, "expires_on": dates, "compensating_controls": st.none(), "approver": st.none(),
    "status": st.sampled_from(["Requested", "Granted", "Refused", "Closed"])}), min_size=1, max_size=20))
def test_exceptions(rows):
    agree(PolicyException, rows)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.fixed_dictionaries({
    "asset_id": st.just("A-1"), "name": st.just("n"), "asset_class": st.sampled_from(["Primary", "Supporting"]),
    "asset_type": st.sampled_from(["Information", "Hardware", "Business process", "Software"]),
    "criticality": st.just("High"), "owner": st.none(), "location": st.none()}), min_size=1, max_size=10))
def test_assets(rows):
    agree(Asset, rows)
