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
files analysts bring afterwards. A later *decision's* batch is another matter: it copied the register
of its own day, before this decision (dated earlier, recorded later) existed, and would hide it from
that day on. So the change is carried into each later decision's day too (`_carry_forward`), up to the
first import of that register after the decision, leaving out what the later decision itself changed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import duckdb
import pandas as pd

from isms.filters import PART
from isms.store import batches, forum, queries

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
    later = _later_decision_batches(con, decision["decided_on"], list(frames))
    batch_id = batches.write_batch(con, source=SOURCE, file_name=f"decision {decision['decision_id']}", sha256=digest,
                                   as_of=decision["decided_on"], imported_by=who, frames=frames, mode=PART)
    _carry_forward(con, decision, frames, later, digest, who)
    return batch_id


_DECISION_OF_BATCH = re.compile(r"^decision (\S+)")
# what a decision's batch changes itself, by register: the ids the decision names (an acceptance's
# 'Accept' treatments are new rows of their own, never another decision's)
_OWN_IDS = {"exceptions": "exception_ids", "risks": "risk_ids"}


def _later_decision_batches(con: duckdb.DuckDBPyConnection, on: dt.date, kinds: list[str]) -> list[tuple[dt.date, str, set[str]]]:
    """(day, register, ids decisions changed themselves from after `on` up to that day) for each
    register of `kinds` and each later day a decision's batch holds it, up to the first import of that
    register after `on`: a later decision's change to an id stands from its day on."""
    rows = batches.later_batches(con, on, kinds)
    out: dict[tuple[dt.date, str], set[str]] = {}
    changed: dict[str, set[str]] = {k: set() for k in kinds}
    stopped: set[str] = set()
    for as_of, source, file_name, batch_kinds in rows:
        for kind in (k for k in kinds if k in batch_kinds and k not in stopped):
            if source != SOURCE:
                stopped.add(kind)   # an import of the register after the decision speaks for itself
                continue
            match = _DECISION_OF_BATCH.match(file_name or "")
            column = _OWN_IDS.get(kind)
            if match and column:
                changed[kind] |= set(forum.decision_links(con, match.group(1), column))
            out[(as_of, kind)] = set(changed[kind])
    return [(as_of, kind, own) for (as_of, kind), own in out.items()]


def _carry_forward(con, decision: dict, frames: dict[str, pd.DataFrame], later, digest: str, who: str) -> None:
    """The decision's rows written again on each later decision's day (a part batch each), less the
    ids that later decision changed itself, so the later copy does not hide this one."""
    by_day: dict[dt.date, dict[str, pd.DataFrame]] = {}
    for as_of, kind, own in later:
        rows = frames[kind][~frames[kind][queries.KEY_COLUMN[kind]].isin(own)]
        if not rows.empty:
            by_day.setdefault(as_of, {})[kind] = rows.reset_index(drop=True)
    for as_of, carried in sorted(by_day.items()):
        batches.write_batch(con, source=SOURCE, file_name=f"decision {decision['decision_id']} (carried to {as_of})",
                            sha256=digest, as_of=as_of, imported_by=who, frames=carried, mode=PART)
