"""What an import would do to the register as it stands: the dry run the analyst reads first.

Registers (risks, assets, ...) are snapshots. A whole register file retires the rows the store
has and the file lacks ("no longer listed", as of the batch date); a part of the register (a
team's file) keeps them ("kept"), and a whole file with a scope retires only the unlisted rows
in its scope. Events (assessments, ...) are new or already there.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import duckdb
import numpy as np
import pandas as pd

from isms.filters import PART, WHOLE, Scope, mode_of
from isms.models import FORUM_KINDS, KINDS, PER_FRAMEWORK_KINDS, SNAPSHOT_KINDS
from isms.store import compliance, queries
from isms.importing import forum_kinds

# Kinds whose status can say a row is closed: it stays in the register, marked, and leaves the posture.
CLOSED = {"risks": "Closed", "exceptions": "Closed"}


@dataclass(frozen=True)
class KindPreview:
    kind: str
    new: list[str] = field(default_factory=list)
    changed: dict[str, list[str]] = field(default_factory=dict)  # id -> fields that change
    unchanged: list[str] = field(default_factory=list)
    no_longer_listed: list[str] = field(default_factory=list)  # leave the register from the batch date on
    kept: list[str] = field(default_factory=list)  # not in the file, and stay (a part, or outside the scope)
    closing: list[str] = field(default_factory=list)  # listed with a closed status that the register had open
    # the first SHOWN changed keys: field -> (the register's value, the file's), as `_norm` reads them,
    # so a reused id ('R-016' now another risk) reads as the change it is
    values: dict[str, dict[str, tuple[object, object]]] = field(default_factory=dict)

    @property
    def counts(self) -> dict[str, int]:
        return {"new": len(self.new), "changed": len(self.changed), "unchanged": len(self.unchanged),
                "no longer listed": len(self.no_longer_listed)}


@dataclass(frozen=True)
class Preview:
    as_of: dt.date
    kinds: dict[str, KindPreview]
    mode: str | None = WHOLE  # None: nobody said whether the file is the whole register or part of it
    scope: Scope | None = None
    later: tuple[dt.date, ...] = ()  # dates of registers after this one: they hold nothing of this file
    # treatments and exceptions of risks that leave, which stay because the file gives none of their
    # kind: said, so an export that still lists them as In progress is no surprise
    stranded: dict[str, list[str]] = field(default_factory=dict)

    @property
    def stranded_note(self) -> str | None:
        if not self.stranded:
            return None
        named = "; ".join(f"{k} {', '.join(ids[:20])}{f' and {len(ids) - 20} more' if len(ids) > 20 else ''}"
                          for k, ids in self.stranded.items())
        kinds = " or ".join(self.stranded)
        return (f"these stay in their registers though their risks leave, as the file gives no {kinds}: {named}; "
                "the reviews count a treatment or exception only while its risk is in the register, and an export "
                "still lists them (import their register to retire them too)")

    @property
    def later_note(self) -> str | None:
        if not self.later:
            return None
        first = self.later[0].isoformat()
        return (f"the register has a later batch dated {first}: from then on the register is that batch's, and "
                f"this file's rows count only where it lists them too; to carry this file's rows forward, import it "
                f"dated {first} or later too")

    def table(self) -> pd.DataFrame:
        rows = [{"kind": k, **kp.counts, "kept, not in the file": len(kp.kept)} for k, kp in self.kinds.items()]
        return pd.DataFrame(rows, columns=["kind", "new", "changed", "unchanged", "no longer listed",
                                           "kept, not in the file"])

    @property
    def leaving(self) -> dict[str, list[str]]:
        """Per register, the keys that would leave it: what the analyst confirms, or a CLI run lists."""
        return {k: kp.no_longer_listed for k, kp in self.kinds.items() if kp.no_longer_listed}

    @property
    def undecided(self) -> bool:
        """Rows would leave the register and nobody said the file is the whole of it: ask first."""
        return self.mode is None and bool(self.leaving)


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


def _normed(column: pd.Series) -> list:
    """`_norm` of every value of a column, taken once per distinct value (see `_compared`)."""
    if column.dtype == object and any(issubclass(k, (dt.datetime, np.datetime64)) for k in set(map(type, column))):
        # factorize takes equal instants as one value, where _norm gives each its own day (in its
        # zone) or form (numpy's): one by one (a file's dates are dates, not datetimes)
        return [_norm(v) for v in column]
    try:
        codes, uniques = pd.factorize(column, use_na_sentinel=True)
    except (TypeError, NotImplementedError):  # values that cannot be hashed (lists, Arrow lists): one by one
        return [_norm(v) for v in column]
    normed = [_norm(u) for u in uniques] + [None]  # code -1 (missing) takes the last: None, as _norm gives
    return [normed[c] for c in codes.tolist()]


def _known(new_keys: pd.Series, old_keys: pd.Series) -> pd.Series:
    """Which of the file's keys the store has, by a hash lookup: pandas' `isin` on text makes an
    object of each of 100,000 keys (a second)."""
    return pd.Series(pd.Index(old_keys.unique()).get_indexer(new_keys) >= 0, index=new_keys.index)


# changed rows whose values the preview keeps (the page lists as many)
SHOWN = 200


def _compared(df: pd.DataFrame, current: pd.DataFrame, new_keys: pd.Series, old_keys: pd.Series,
              known: pd.Series, fields: list[str]) -> tuple[dict[str, list[str]], list[str], dict]:
    """(key -> the fields that change, the keys unchanged, the first SHOWN changed keys' values
    before and after) of the file's rows whose key the store has, each compared with the store's
    last row of that key, field by field as `_norm` reads them. Column by column: row by row, a
    re-imported register of 100,000 rows took a minute."""
    changed: dict[str, list[str]] = {}
    same: list[str] = []
    values: dict[str, dict[str, tuple[object, object]]] = {}
    if not known.any():
        return changed, same, values
    at = known.to_numpy().nonzero()[0]
    keys = new_keys.to_numpy()[at]
    last = pd.Series(range(len(old_keys)), index=old_keys.to_numpy())
    last = last[~last.index.duplicated(keep="last")]
    before = current.reset_index(drop=True).iloc[last.loc[keys].to_numpy()]
    mine = df.reset_index(drop=True).iloc[at]
    normed = {f: (_normed(before[f]), _normed(mine[f])) for f in fields}
    differs = np.array([[a != b for a, b in zip(*normed[f])] for f in fields],
                       dtype=bool).reshape(len(fields), len(keys))
    moved = differs.any(axis=0)
    for i, k in enumerate(keys.tolist()):  # in the file's order, as the analyst reads them
        if moved[i]:
            changed[k] = [f for f, d in zip(fields, differs[:, i]) if d]
            if len(values) < SHOWN:
                values[k] = {f: (normed[f][0][i], normed[f][1][i]) for f in changed[k]}
        else:
            same.append(k)
    return changed, same, values


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


def build_preview(con: duckdb.DuckDBPyConnection, frames: dict[str, pd.DataFrame], as_of: dt.date,
                  mode: str | None = WHOLE, scope: Scope | None = None, events_from: Preview | None = None,
                  parts: frozenset[str] = frozenset()) -> Preview:
    """Counts by key; only rows whose key the store already has are compared field by field.

    `mode` None previews as a whole register (today's meaning) and marks the preview undecided,
    so the caller asks before anything leaves. `events_from`: an earlier preview of the same rows,
    whose dated events (which no mode or scope changes) are taken as they are. `parts`: registers
    the file only adds to whatever its mode (ImportPlan.parts), previewed as a part.
    """
    out = {}
    listed_risks = [str(r) for r in frames["risks"]["risk_id"]] if "risks" in frames else []
    for kind, df in frames.items():
        if events_from is not None and kind not in SNAPSHOT_KINDS and kind not in PER_FRAMEWORK_KINDS \
                and kind in events_from.kinds:  # a per-framework register's part keeps lines: not an event
            out[kind] = events_from.kinds[kind]
            continue
        fields = list(KINDS[kind][1].model_fields)
        if kind in SNAPSHOT_KINDS:
            current = queries.register(con, kind, as_of)
        elif kind in FORUM_KINDS:  # the forum's own rows, as it holds them now
            current = forum_kinds.stored(con, kind, df)
        elif kind in PER_FRAMEWORK_KINDS:  # the file's frameworks, as they stand; others stay as they are
            current = compliance.frame(con, kind, as_of).drop(columns="batch_id")
            current = current[current["framework"].isin(set(df["framework"]))]
        else:
            ids = [str(v) for v in pd.unique(df[KINDS[kind][2][0]].dropna())]
            current = queries.stored_events(con, kind, ids)
        new_keys = _keys(kind, df)
        old_keys = _keys(kind, current) if len(current) else pd.Series([], dtype=object)
        known = _known(new_keys, old_keys)
        new = new_keys[~known].tolist()
        changed, same, values = _compared(df, current, new_keys, old_keys, known, fields)
        gone, kept, closing = [], [], []
        if kind in SNAPSHOT_KINDS:
            unlisted = set(old_keys) - set(new_keys)
            said = mode_of(kind, mode, parts)
            if unlisted and (said not in (None, WHOLE) or scope is not None):
                stay = queries.carried_rows(con, kind, as_of, new_keys.tolist(), said or WHOLE, scope, listed_risks)
                kept = sorted(set(_keys(kind, stay)) & unlisted) if len(stay) else []
            gone = sorted(unlisted - set(kept))
            if kind in CLOSED and "status" in df:
                was_closed = set(old_keys[current.reset_index(drop=True)["status"] == CLOSED[kind]]) if len(current) else set()
                closing = sorted(set(new_keys[(df["status"] == CLOSED[kind]).to_numpy()]) - was_closed)
        if kind in PER_FRAMEWORK_KINDS:  # a part keeps its frameworks' unlisted lines (isms.store.batches)
            unlisted = sorted(set(old_keys) - set(new_keys))
            kept, gone = (unlisted, []) if mode_of(kind, mode, parts) == PART else ([], unlisted)
        out[kind] = KindPreview(kind, new, changed, same, gone, kept, closing, values)
    registers = [k for k in frames if k in SNAPSHOT_KINDS]
    later = tuple(queries.later_register_dates(con, registers, as_of)) if registers else ()
    return Preview(as_of, out, mode, scope, later, _stranded(con, frames, out, as_of))


def _stranded(con: duckdb.DuckDBPyConnection, frames: dict[str, pd.DataFrame], out: dict[str, KindPreview],
              as_of: dt.date) -> dict[str, list[str]]:
    """Per register the file does not give (treatments, exceptions), the ids of its rows whose risk
    leaves the register with this file."""
    gone = set(out["risks"].no_longer_listed) if "risks" in out else set()
    if not gone:
        return {}
    found = {}
    for kind in ("treatments", "exceptions"):
        if kind in frames:
            continue
        held = queries.register(con, kind, as_of)
        if len(held):
            ids = sorted(held.loc[held["risk_id"].isin(gone), KINDS[kind][2][0]].astype(str))
            if ids:
                found[kind] = ids
    return found


def register_change(preview: Preview | None) -> dict:
    """What the file is and what it does to the registers, as data (the CLI's --json): whole or
    part, the scope, the keys that leave (or would), the count kept though unlisted, the keys closed."""
    if preview is None:
        return {"mode": None, "scope": None, "leaves": {}, "kept": {}, "closes": {}}
    return {"mode": preview.mode, "scope": preview.scope.describe() if preview.scope else None,
            "leaves": preview.leaving, "kept": {k: len(kp.kept) for k, kp in preview.kinds.items() if kp.kept},
            "closes": {k: kp.closing for k, kp in preview.kinds.items() if kp.closing}}


def register_sentences(preview: Preview | None, status: str) -> list[str]:
    """The same in sentences, for a person reading a CLI run: the question when nobody said what the
    file is (`status` undecided), else what leaves (or would, in a dry run) and what stays."""
    if preview is None or status in ("refused", "unchanged"):
        return []
    named = "; ".join(f"{kind} {', '.join(keys)}" for kind, keys in preview.leaving.items())
    counted = ", ".join(f"{len(keys)} {kind}" for kind, keys in preview.leaving.items())
    scope = f" for {preview.scope.describe()}" if preview.scope else ""
    if status == "undecided":
        return [f"the register as of {preview.as_of} has rows this file does not list ({counted}): say what the file "
                f"is, --whole if it is the whole register{scope} (they leave it) or --part if it is part of it, such "
                "as one business unit's (they stay); --scope NAME names the business unit",
                f"would leave the register with --whole: {named}"]
    part = preview.mode == PART
    lines = [f"the file is {'part of the register' if part else 'the whole register'}{scope}"]
    if named:
        lines.append(f"{'would leave' if status == 'dry-run' else 'left'} the register: {named}")
    else:
        lines.append("nothing leaves the register" + (" (a row leaves it only by its status, such as Closed)" if part else ""))
    kept = ", ".join(f"{len(kp.kept)} {k}" for k, kp in preview.kinds.items() if kp.kept)
    if kept:
        lines.append(f"kept, though not in the file: {kept}")
    closing = "; ".join(f"{k} {', '.join(kp.closing)}" for k, kp in preview.kinds.items() if kp.closing)
    if closing:
        lines.append(f"closed by their status: {closing}")
    if preview.stranded_note:
        lines.append(f"note: {preview.stranded_note}")
    if preview.later_note:
        lines.append(f"note: {preview.later_note}")
    return lines
