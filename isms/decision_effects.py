"""What a forum decision changes in the registers, written as a dated fact the pages already read.

A decision that grants, renews or refuses a policy exception, or accepts a risk, changes the
register from the meeting's date on. The registers are dated snapshots (isms.store.batches): the
latest batch on or before a date is the register then. So the change is one more batch, dated the
decision's day and merged into the register as a part (the rows it changes; every other row is
carried), written in the transaction that records the decision. The Risk Review, its figures and
every as-of read see it from that day, and before it the register as it was, with no special case.

- exception grant or renewal: status Granted, granted on the decision's day, expiring on its
  review date (or, without one, on the expiry the exception already has);
- exception refusal: status Refused (its dates kept, as the log had them);
- risk acceptance: the risk's status Accepted, and an 'Accept' treatment done that day whose due
  date is the review date (the acceptance's expiry; the sample's acceptances have the same shape).

Appetite and matrix changes are not dated history: the matrix is the settings file's (isms.toml),
one for every date, so such a decision is recorded and changes nothing here; the settings file is
edited by an admin. Treatment approvals, SoA approvals and free decisions change nothing either.

A later import of a register speaks for itself from its own date: a decision does not rewrite the
files analysts bring afterwards.
"""

from __future__ import annotations

import datetime as dt
import hashlib

import duckdb
import pandas as pd

from isms.filters import PART
from isms.store import batches, queries

SOURCE = "forum"  # import_batch.source of a decision's batch


def _register(con: duckdb.DuckDBPyConnection, kind: str, on: dt.date, ids: list[str], what: str) -> pd.DataFrame:
    """The rows of `ids` in the register of `kind` as of `on`; an id the register does not hold is
    refused (a decision about nothing is a typing mistake). With no register of that kind yet, there
    is nothing to change: an empty frame."""
    reg = queries.register(con, kind, on)
    if reg.empty and not queries.register_exists(con, kind, on):
        return reg
    key = queries.KEY_COLUMN[kind]
    missing = sorted(set(ids) - set(reg[key]))
    if missing:
        raise ValueError(f"no {what} {', '.join(missing)} in the {what} register as of {on}")
    return reg[reg[key].isin(ids)].reset_index(drop=True)


def frames_for(con: duckdb.DuckDBPyConnection, decision: dict, meeting: dict) -> dict[str, pd.DataFrame]:
    """The rows a decision changes, by kind of register (empty when it changes none). Reads only."""
    kind, on, review_on = decision["kind"], decision["decided_on"], decision.get("review_on")
    approver = f"{meeting['meeting_id']} ({meeting['series']} meeting)"
    if kind in ("exception-grant", "exception-renewal", "exception-refusal"):
        ex = _register(con, "exceptions", on, decision["exception_ids"], "exception")
        if ex.empty:
            return {}
        if kind == "exception-refusal":
            ex["status"] = "Refused"
        else:
            expires = pd.to_datetime(ex["expires_on"]).dt.date
            if review_on is None and expires.isna().any():
                raise ValueError(f"granting {', '.join(ex.loc[expires.isna(), 'exception_id'])} needs its expiry date")
            if review_on is not None:
                expires = pd.Series([review_on] * len(ex))
            if (expires <= on).any():
                raise ValueError(f"a grant on {on} needs an expiry after it")
            ex["status"], ex["granted_on"], ex["expires_on"] = "Granted", on, expires.values
        ex["approver"] = approver
        return {"exceptions": ex}
    if kind == "risk-acceptance":
        risks = _register(con, "risks", on, decision["risk_ids"], "risk")
        if risks.empty:
            return {}
        risks["status"] = "Accepted"
        columns = queries.register(con, "treatments", on).columns
        accepts = pd.DataFrame([{c: None for c in columns} | dict(
            treatment_id=f"{decision['decision_id']}-{r.risk_id}", risk_id=r.risk_id, decision="Accept",
            description=decision["text"][:2000], owner=r.owner, start_on=on, due_on=review_on, status="Done",
            completed_on=on) for r in risks.itertuples()], columns=columns)
        return {"risks": risks, "treatments": accepts}
    return {}


def changed_ids(frames: dict[str, pd.DataFrame]) -> dict[str, list[str]]:
    """The ids a decision's batch changes, by kind (for its audit record)."""
    return {kind: sorted(f[queries.KEY_COLUMN[kind]]) for kind, f in frames.items()}


def write(con: duckdb.DuckDBPyConnection, decision: dict, frames: dict[str, pd.DataFrame], who: str) -> int | None:
    """Write `frames_for`'s rows as one batch dated the decision's day, inside the caller's
    transaction; returns its id (None when the decision changes nothing)."""
    if not frames:
        return None
    digest = hashlib.sha256(f"{decision['decision_id']}|{decision['kind']}|{decision['decided_on']}".encode()).hexdigest()
    return batches.write_batch(con, source=SOURCE, file_name=f"decision {decision['decision_id']}", sha256=digest,
                               as_of=decision["decided_on"], imported_by=who, frames=frames, mode=PART)
