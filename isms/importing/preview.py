"""What an import would do to the register as it stands: the dry run the analyst reads first.

Registers (risks, assets, ...) are snapshots, so a row the store has and the file lacks is
"no longer listed" as of the batch date; events (assessments, ...) are new or already there.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import duckdb
import pandas as pd

from isms.models import KINDS, SNAPSHOT_KINDS
from isms.store import queries


@dataclass(frozen=True)
class KindPreview:
    kind: str
    new: list[str] = field(default_factory=list)
    changed: dict[str, list[str]] = field(default_factory=dict)  # id -> fields that change
    unchanged: list[str] = field(default_factory=list)
    no_longer_listed: list[str] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        return {"new": len(self.new), "changed": len(self.changed), "unchanged": len(self.unchanged),
                "no longer listed": len(self.no_longer_listed)}


@dataclass(frozen=True)
class Preview:
    as_of: dt.date
    kinds: dict[str, KindPreview]

    def table(self) -> pd.DataFrame:
        rows = [{"kind": k, **kp.counts} for k, kp in self.kinds.items()]
        return pd.DataFrame(rows, columns=["kind", "new", "changed", "unchanged", "no longer listed"])


def _norm(value) -> object:
    """One form per value, so a missing target read back from DuckDB (NA, NaT, NaN) equals the
    empty cell of the file, and a re-import of the same file previews as unchanged."""
    if value is None:
        return None
    if not isinstance(value, (list, tuple)) and not hasattr(value, "__len__") and pd.isna(value):
        return None
    if isinstance(value, float) and value != value:
        return None
    if hasattr(value, "tolist"):
        value = value.tolist()
    if isinstance(value, (list, tuple)):
        return tuple(_norm(v) for v in value)
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _keys(kind: str, df: pd.DataFrame) -> pd.Series:
    """'R-1 / 2026-03-31' per row, the same whether the frame came from a file or from DuckDB."""
    out = None
    for c in KINDS[kind][2]:
        col = df[c]
        if pd.api.types.is_datetime64_any_dtype(col):
            part = col.dt.strftime("%Y-%m-%d")
        else:
            part = col.astype(str)
        out = part if out is None else out + " / " + part
    return out.reset_index(drop=True) if out is not None else pd.Series([], dtype=object)


def build_preview(con: duckdb.DuckDBPyConnection, frames: dict[str, pd.DataFrame], as_of: dt.date) -> Preview:
    """Counts by key; only rows whose key the store already has are compared field by field."""
    out = {}
    for kind, df in frames.items():
        fields = list(KINDS[kind][1].model_fields)
        if kind in SNAPSHOT_KINDS:
            current = queries.register(con, kind, as_of)
        else:
            ids = [str(v) for v in pd.unique(df[KINDS[kind][2][0]].dropna())]
            current = queries.stored_events(con, kind, ids)
        new_keys = _keys(kind, df)
        old_keys = _keys(kind, current) if len(current) else pd.Series([], dtype=object)
        known = new_keys.isin(set(old_keys))
        new = new_keys[~known].tolist()
        changed, same = {}, []
        if known.any():
            old = current.reset_index(drop=True).set_index(old_keys)
            mine = df.reset_index(drop=True)
            for j in known[known].index:
                k = new_keys[j]
                before = old.loc[k]
                if isinstance(before, pd.DataFrame):
                    before = before.iloc[-1]
                diff = [f for f in fields if _norm(mine.at[j, f]) != _norm(before[f])]
                (changed.__setitem__(k, diff) if diff else same.append(k))
        gone = sorted(set(old_keys) - set(new_keys)) if kind in SNAPSHOT_KINDS else []
        out[kind] = KindPreview(kind, new, changed, same, gone)
    return Preview(as_of, out)
