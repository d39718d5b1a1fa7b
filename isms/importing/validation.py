"""Validating a whole column at once, so that only the rows that fail meet pydantic one by one.

The pydantic models stay the definition of a valid row. Field constraints are read from the
models' own JSON schema (required, lengths, bounds); the few rules a model states in a
validator are restated here as vectorised row rules, and tests/test_import_validation.py checks that
the two agree on random rows. A row that fails here is validated by pydantic, which gives the
message (and whose verdict wins), so the bulk path can only be faster, never more lenient.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Callable

import numpy as np
import pandas as pd

from isms.models import INVISIBLE
from isms.models import (PRIMARY_TYPES, Asset, Assessment, Metric, MonitoringResult, PolicyException, Record,
                         Treatment, TreatmentUpdate)

RowRule = Callable[[pd.DataFrame], pd.Series]


def _target_pair(df: pd.DataFrame) -> pd.Series:
    """Assessment._target_pair: both target steps or neither."""
    return df["target_likelihood"].isna() == df["target_impact"].isna()


def _treatment_dates(df: pd.DataFrame) -> pd.Series:
    """Treatment._dates: due not before start; Done needs a completed date, not before start."""
    start, due, done = (pd.to_datetime(df[c]) for c in ("start_on", "due_on", "completed_on"))
    ok = due >= start
    ok &= ~((df["status"] == "Done") & done.isna())
    ok &= done.isna() | (done >= start)
    return ok


def _thresholds(df: pd.DataFrame) -> pd.Series:
    """Metric._thresholds_ordered: red on the worse side of amber, by direction."""
    amber, red = pd.to_numeric(df["amber"]), pd.to_numeric(df["red"])
    higher = df["direction"] == "Higher is better"
    worse_ok = np.where(higher, red <= amber, red >= amber)
    return amber.isna() | red.isna() | pd.Series(worse_ok, index=df.index)


def _granted(df: pd.DataFrame) -> pd.Series:
    """PolicyException._granted: a rating is both parts or none; granted needs an expiry; the
    expiry not before the grant, the grant not before the request."""
    requested, granted, expires = (pd.to_datetime(df[c]) for c in ("requested_on", "granted_on", "expires_on"))
    ok = df["likelihood"].isna() == df["impact"].isna()
    ok &= ~((df["status"] == "Granted") & expires.isna())
    ok &= granted.isna() | expires.isna() | (expires >= granted)
    return ok & (requested.isna() | granted.isna() | (granted >= requested))


def _asset_class(df: pd.DataFrame) -> pd.Series:
    """Asset._class_matches_type: primary types are primary assets, the others supporting."""
    primary = df["asset_type"].isin([t.value for t in PRIMARY_TYPES])
    return primary == (df["asset_class"] == "Primary")


def _always(df: pd.DataFrame) -> pd.Series:
    return pd.Series(True, index=df.index)


# Models without an entry (Risk, with its list-valued controls) are validated row by row.
ROW_RULES: dict[type[Record], RowRule] = {
    Assessment: _target_pair,
    Treatment: _treatment_dates,
    TreatmentUpdate: _always,
    Metric: _thresholds,
    MonitoringResult: _always,
    PolicyException: _granted,
    Asset: _asset_class,
}


@lru_cache(maxsize=None)
def _constraints(model: type[Record]) -> dict[str, dict]:
    schema = model.model_json_schema()
    required = set(schema.get("required", []))
    out = {}
    for name, prop in schema["properties"].items():
        branch = next((b for b in prop.get("anyOf", [prop]) if b.get("type") != "null"), prop)
        out[name] = {"required": name in required, **{k: branch[k] for k in ("minLength", "maxLength", "minimum",
                                                                                "maximum") if k in branch}}
    return out


def passes(model: type[Record], df: pd.DataFrame) -> pd.Series:
    """True where a row certainly satisfies the model; False means 'ask pydantic'."""
    rule = ROW_RULES.get(model)
    if rule is None or df.empty:
        return pd.Series(False, index=df.index)
    ok = pd.Series(True, index=df.index)
    for name, c in _constraints(model).items():
        if name not in df:
            if c["required"] and model.model_fields[name].is_required():
                return pd.Series(False, index=df.index)
            continue
        col = df[name]
        present = col.notna()
        if c["required"]:
            ok &= present
        if "minLength" in c or "maxLength" in c:
            is_text = pd.Series(pd.array(col.map(type).eq(str)), index=col.index).fillna(False).astype(bool)
            texts = pd.Series(pd.array(col.where(is_text), dtype="string[pyarrow]"), index=col.index)  # once per column
            lengths = texts.str.len().fillna(-1).astype(int)
            ok &= ~present | ((lengths >= c.get("minLength", 0)) & (lengths <= c.get("maxLength", 1 << 30)))
            # an id with invisible characters fails its model; any text that holds them asks pydantic
            ok &= ~texts.str.contains(INVISIBLE.pattern, regex=True).fillna(False).astype(bool)
        if "minimum" in c or "maximum" in c:
            numbers = pd.to_numeric(col, errors="coerce")
            ok &= ~present | ((numbers >= c.get("minimum", -np.inf)) & (numbers <= c.get("maximum", np.inf)))
    return ok & rule(df).fillna(False).astype(bool)
