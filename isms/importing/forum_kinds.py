"""The forum's kinds of sheet: a meeting's minutes (decisions) and an action log, imported as the
page's forms record them.

A decision row names its meeting by series and date; a meeting the forum has not recorded is
recorded by the import (the minutes are the record that it was held). An action row is a new action
or the state on the file's date of one the forum has (a change is appended, dated the as-of date;
nothing is overwritten). Everything a row links to must exist, in the forum, in the registers as of
the file's date, or in the same file: an unknown id is a problem on its cell, never a silent drop.
A decision already recorded (same series, date and text) is not recorded twice.

An imported decision is the record of what was decided; the register changes the page's form makes
for a grant or an acceptance (isms.decision_effects) are not made by an import: the exception log
or the register imported for that date says what it became. Where that register still shows the
state before the decision, the decision's id cell carries a warning (`_Checker.register_disagrees`).
"""

from __future__ import annotations

import datetime as dt
from typing import Iterable

import duckdb
import pandas as pd

from isms.importing import cells
from isms.importing.problems import Problem
from isms.importing.template import header_label
from isms.meetings import DEFAULT_SERIES, MeetingSeries
from isms.store import forum as store
from isms.store import queries

# linked-id column -> (register it names, noun)
_DECISION_LINKS = {"risk_ids": ("risks", "risk"), "treatment_ids": ("treatments", "treatment"),
                   "exception_ids": ("exceptions", "exception"), "kri_ids": ("metrics", "KRI"),
                   "finding_ids": ("findings", "finding")}
_ACTION_LINKS = {"risk_id": ("risks", "risk"), "kri_id": ("metrics", "KRI"), "finding_id": ("findings", "finding")}
_CLOSED = ("done", "verified", "cancelled")
# decision kind -> (id column, register, noun, the statuses the register still shows when the decision is not in it)
_NOT_YET = {"risk-acceptance": ("risk_ids", "risks", "risk", ("Open", "In treatment")),
            "exception-grant": ("exception_ids", "exceptions", "exception", ("Requested", "Refused")),
            "exception-renewal": ("exception_ids", "exceptions", "exception", ("Requested", "Refused")),
            "exception-refusal": ("exception_ids", "exceptions", "exception", ("Requested", "Granted"))}


def resolve(con: duckdb.DuckDBPyConnection | None, plan, series: Iterable[MeetingSeries] | None = None) -> None:
    """Series to their keys, links checked, meetings and raised dates filled, decisions already
    recorded left out (said), problems on the cells that cause them."""
    if not any(k in plan.frames for k in store.FORUM_IMPORT_KINDS):
        return
    by_name = {}
    for s in series or DEFAULT_SERIES:
        by_name[cells.fold_word(s.key)] = by_name[cells.fold_word(s.name)] = s
    check = _Checker(con, plan, by_name)
    if "decisions" in plan.frames:
        check.decisions()
    if "actions" in plan.frames:
        check.actions()


class _Checker:
    def __init__(self, con, plan, by_name: dict[str, MeetingSeries]):
        self.con, self.plan, self.by_name = con, plan, by_name
        self._known: dict[str, set[str]] = {}

    def problem(self, kind: str, i, column: str, value, message: str, severity: str = "error") -> None:
        for sheet, row, letter in self.plan.cells(kind, [i], column):
            self.plan.problems.append(Problem(sheet, row, letter, header_label(column), value, message, severity))

    def known(self, register: str) -> set[str]:
        """Ids of a register as of the file's date, and those the file itself brings."""
        if register not in self._known:
            ids = queries.known_ids(self.con, register, self.plan.as_of) if self.con is not None else set()
            if register in self.plan.frames:
                ids |= set(self.plan.frames[register][queries.KEY_COLUMN[register]])
            self._known[register] = ids
        return self._known[register]

    def statuses(self, register: str) -> dict[str, str]:
        """Each id's status in a register as of the file's date, the file's own rows over the store's."""
        out: dict[str, str] = {}
        key = queries.KEY_COLUMN[register]
        if self.con is not None:
            reg = queries.register(self.con, register, self.plan.as_of)
            if not reg.empty:
                out.update(zip(reg[key], reg["status"]))
        if register in self.plan.frames:
            out.update(zip(self.plan.frames[register][key], self.plan.frames[register]["status"]))
        return {k: str(v) for k, v in out.items() if isinstance(v, str) or pd.notna(v)}

    def register_disagrees(self, df: pd.DataFrame) -> None:
        """An imported decision records what was decided and changes no register (module docstring):
        where the register as of the file's date still shows the state before it (a risk accepted
        but Open, an exception granted but Requested), say so on the cell, so the difference is seen."""
        seen: dict[str, dict[str, str]] = {}
        for i, k in zip(df.index, df["decision_kind"]):
            if k not in _NOT_YET:
                continue
            column, register, noun, before = _NOT_YET[k]
            if register not in seen:
                seen[register] = self.statuses(register)
            for v in list(df.at[i, column] or []):
                status = seen[register].get(v)
                if status in before:
                    self.problem("decisions", i, column, v,
                                 f"{noun} {v} is {status} in the {register} register as of {self.plan.as_of}: an import "
                                 "records the decision as minuted and does not change the register (import the "
                                 f"{register} register that says what it became, or record the decision on the Forum "
                                 "page, which changes it)", "warning")

    def series_of(self, kind: str, frame: pd.DataFrame) -> pd.Series:
        """Each row's series key (None, and a problem, where the name is no series)."""
        out = []
        for i, name in zip(frame.index, frame["series"]):
            if name is None or (not isinstance(name, str) and pd.isna(name)):
                out.append(None)
                continue
            s = self.by_name.get(cells.fold_word(name))
            if s is None:
                self.problem(kind, i, "series", name, f"no meeting series {name!r}; the series are "
                             + ", ".join(sorted({x.name for x in self.by_name.values()})))
            out.append(s.key if s else None)
        return pd.Series(out, index=frame.index, dtype=object)

    def links(self, kind: str, frame: pd.DataFrame, columns: dict[str, tuple[str, str]]) -> None:
        for column, (register, noun) in columns.items():
            for i, value in zip(frame.index, frame[column]):
                values = value if isinstance(value, (list, tuple)) else [value]
                for v in values:
                    if v is None or (not isinstance(v, str) and pd.isna(v)) or v in self.known(register):
                        continue
                    self.problem(kind, i, column, v,
                                 f"no {noun} {v!r} in this file or in the register as of {self.plan.as_of}")

    def decisions(self) -> None:
        plan, kind = self.plan, "decisions"
        df = plan.frames[kind].copy()
        df["series"] = self.series_of(kind, df)
        self.links(kind, df, _DECISION_LINKS)
        for i, r in df.iterrows():
            k = r["decision_kind"]
            if k == "risk-acceptance" and (pd.isna(r["review_on"]) or not list(r["risk_ids"])):
                self.problem(kind, i, "review_on" if pd.isna(r["review_on"]) else "risk_ids", None,
                             "a risk acceptance names the risk(s) it accepts and the date it is reviewed again")
            if str(k).startswith("exception-") and not list(r["exception_ids"]):
                self.problem(kind, i, "exception_ids", None, "an exception decision names the exception(s) it decides")
            if pd.notna(r["review_on"]) and r["review_on"] <= r["held_on"]:
                self.problem(kind, i, "review_on", cells.text(r["review_on"]),
                             f"the review date must be after the meeting ({r['held_on']})")
        keys = [(s, _day(on), t) for s, on, t in zip(df["series"], df["held_on"], df["text"])]
        done = store.recorded_decisions(self.con, keys) if self.con is not None else {}
        again = [k in done for k in keys]
        for i, k, a in zip(df.index, keys, again):
            if a:
                self.problem(kind, i, "text", k[2][:60], f"already recorded as {done[k]}: not recorded again", "warning")
        given = [d for d in df["decision_id"] if isinstance(d, str)]
        first: dict[str, int] = {}
        for i, d, a in zip(df.index, df["decision_id"], again):
            if isinstance(d, str) and not a:
                if d in first:
                    self.problem(kind, i, "decision_id", d, f"{d} is the id of another decision in this file "
                                 f"(row {self.plan.cells(kind, [first[d]], 'decision_id')[0][1]}); a decision's id is its own")
                first.setdefault(d, i)
        taken = store.live_ids(self.con, "forum_decision", "decision_id", given) if self.con is not None else set()
        for i, d, a in zip(df.index, df["decision_id"], again):
            if d in taken and not a:
                self.problem(kind, i, "decision_id", d, f"{d} is already a decision of the forum; leave the id blank "
                             "for a new one")
        ends = [self._period(s, on) for s, on in zip(df["series"], df["held_on"])]
        df["period_start"] = [e[0] for e in ends]
        df["period_end"] = [e[1] for e in ends]
        new = pd.Series([not a for a in again], index=df.index)
        self.register_disagrees(df[new])
        meetings = store.meeting_ids(self.con, sorted({(s, _day(on)) for s, on in zip(df["series"], df["held_on"])
                                                        if s})) if self.con is not None else {}
        fresh = sorted({(s, _day(on)) for s, on, n in zip(df["series"], df["held_on"], new) if n and s} - set(meetings))
        if fresh:
            plan.rules.append("Decisions: the minutes name meeting(s) the forum has not recorded, recorded by the import "
                              "(no attendees or minutes text; add them on the Forum page): "
                              + ", ".join(f"{self.by_name[cells.fold_word(s)].name} {on}" for s, on in fresh))
        self._keep(kind, df, new)

    def known_action(self, i, r, before: dict, series, stored_decisions: dict, file_decision_ids: set) -> None:
        """A row of an action the forum has changes its state, not where it came from: a different
        series, meeting or decision is a problem on its cell (the forum keeps the action's), and a
        decision it newly names must exist like any link."""
        aid, kind = r["action_id"], "actions"
        came_from, follows = _text(before["meeting_id"]), _text(before["decision_id"])
        if series and series != before["series"]:
            self.problem(kind, i, "series", self.plan.frames[kind].at[i, "series"], f"{aid} is followed up by the "
                         f"{before['series']} series; "
                         "an import does not move an action to another series")
        if isinstance(r["meeting_id"], str) and r["meeting_id"] != came_from:
            self.problem(kind, i, "meeting_id", r["meeting_id"], f"{aid} came from "
                         f"{came_from or 'no meeting'}; an import does not change where an action came from")
        elif pd.notna(r["held_on"]) and not isinstance(r["meeting_id"], str):
            m = store.meeting(self.con, came_from) if came_from else None
            held = _day(m["held_on"]) if m else None
            if held != _day(r["held_on"]):
                self.problem(kind, i, "held_on", cells.text(r["held_on"]), f"{aid} came from "
                             f"{f'{came_from}, held on {held}' if came_from else 'no meeting'}; an import does not "
                             "change where an action came from")
        d = r["decision_id"]
        if isinstance(d, str) and d != follows:
            if follows:
                self.problem(kind, i, "decision_id", d, f"{aid} follows {follows}; an import does not "
                             "change the decision an action follows")
            elif d not in stored_decisions and d not in file_decision_ids:
                self.problem(kind, i, "decision_id", d, f"no decision {d!r} in the forum or in this file")

    def _period(self, key, held_on):
        s = self.by_name.get(cells.fold_word(key)) if key else None
        if s is None:
            return None, None
        end = s.covers(_day(held_on))
        return s.period_start(end), end

    def actions(self) -> None:
        plan, kind = self.plan, "actions"
        df = plan.frames[kind].copy()
        df["series"] = self.series_of(kind, df)
        self.links(kind, df, _ACTION_LINKS)
        con = self.con
        meeting_ids = [m for m in df["meeting_id"] if isinstance(m, str)]
        stored_meetings = {m: store.meeting(con, m) for m in
                           store.live_ids(con, "forum_meeting", "meeting_id", meeting_ids)} if con is not None else {}
        file_decisions = plan.frames.get("decisions")
        file_decision_ids = set(file_decisions["decision_id"].dropna()) if file_decisions is not None else set()
        file_meetings = ({(s, _day(on)) for s, on in zip(file_decisions["series"], file_decisions["held_on"])}
                         if file_decisions is not None else set())
        given = [d for d in df["decision_id"] if isinstance(d, str)]
        stored_decisions = {d: store.decision(con, d) for d in
                            store.live_ids(con, "forum_decision", "decision_id", given)} if con is not None else {}
        last = ({r["action_id"]: r for r in store.latest_actions(con, df["action_id"].tolist()).to_dict("records")}
                if con is not None else {})
        pairs = sorted({(s, _day(on)) for s, on in zip(df["series"], df["held_on"]) if s and pd.notna(on)})
        held = store.meeting_ids(con, pairs) if con is not None else {}
        filled_notes = []
        from_file = ({d: (s, _day(on)) for d, s, on in zip(file_decisions["decision_id"], file_decisions["series"],
                                                          file_decisions["held_on"]) if isinstance(d, str)}
                     if file_decisions is not None else {})
        for i, r in df.iterrows():
            series, on = r["series"], (_day(r["held_on"]) if pd.notna(r["held_on"]) else None)
            before = last.get(r["action_id"])
            if before is not None:   # an action the forum has: its meeting and series stay; a change is dated as_of
                self.known_action(i, r, before, series, stored_decisions, file_decision_ids)
                df.at[i, "series"], df.at[i, "meeting_id"], df.at[i, "held_on"] = before["series"], _text(before["meeting_id"]), None
                if plan.as_of < _day(before["recorded_on"]):
                    self.problem(kind, i, "action_id", r["action_id"], f"{r['action_id']} last changed on "
                                 f"{_day(before['recorded_on'])}, after this file's date {plan.as_of}")
                continue
            if isinstance(r["decision_id"], str) and r["decision_id"] in from_file and on is None:
                series, on = series or from_file[r["decision_id"]][0], from_file[r["decision_id"]][1]
            meeting = None
            if isinstance(r["meeting_id"], str):
                meeting = stored_meetings.get(r["meeting_id"])
                if meeting is None:
                    self.problem(kind, i, "meeting_id", r["meeting_id"], f"no meeting {r['meeting_id']!r} in the forum")
                    continue
            if isinstance(r["decision_id"], str):
                d = stored_decisions.get(r["decision_id"])
                if d is None and r["decision_id"] not in file_decision_ids:
                    self.problem(kind, i, "decision_id", r["decision_id"],
                                 f"no decision {r['decision_id']!r} in the forum or in this file")
                    continue
                if d is not None and meeting is None:
                    meeting = store.meeting(con, d["meeting_id"])
            if meeting is not None:
                if series and series != meeting["series"]:
                    self.problem(kind, i, "series", r["series"], f"{meeting['meeting_id']} is a "
                                 f"{meeting['series']} meeting, not {series}")
                    continue
                series, on = meeting["series"], _day(meeting["held_on"])
                df.at[i, "meeting_id"] = meeting["meeting_id"]
            elif on is not None:
                if not series:
                    self.problem(kind, i, "series", None, "a meeting date needs its series (which forum met that day)")
                    continue
                if (series, on) not in held and (series, on) not in file_meetings:
                    self.problem(kind, i, "held_on", cells.text(on), f"no {series} meeting on {on} in the forum or in "
                                 "this file's minutes")
                    continue
            elif not series:
                self.problem(kind, i, "series", None, "an action raised outside a meeting names the series that "
                             "follows it up")
                continue
            if meeting is None and on is None and not any(isinstance(r[c], str) for c in ("risk_id", "kri_id", "finding_id")):
                self.problem(kind, i, "meeting_id", None, "an action comes from a meeting, a decision, a risk, a finding "
                             "or a KRI breach: name one")
                continue
            df.at[i, "series"], df.at[i, "held_on"] = series, on
            raised = _day(r["raised_on"]) if pd.notna(r["raised_on"]) else (on or plan.as_of)
            df.at[i, "raised_on"] = raised
            if r["due_on"] < raised:
                self.problem(kind, i, "due_on", cells.text(r["due_on"]), f"due before the action was raised ({raised})")
            if raised > plan.as_of:
                self.problem(kind, i, "raised_on", cells.text(raised), f"raised after the file's date {plan.as_of}")
        for i, r in df.iterrows():
            if r["status"] in _CLOSED and not (isinstance(r["closure_note"], str) and r["closure_note"].strip()):
                df.at[i, "closure_note"] = f"closed, as {plan.file_name} says"
                filled_notes.append(r["action_id"])
        if filled_notes:
            plan.rules.append(f"Actions: {len(filled_notes)} closed action(s) with no closure note are noted "
                              f"'closed, as {plan.file_name} says': " + ", ".join(filled_notes[:20]))
        plan.rules.append("Actions: an action the forum has is changed as of the file's date where the file differs; "
                          "a new one is raised on its raised date (else its meeting's, else the file's date)")
        self._keep(kind, df, pd.Series(True, index=df.index))

    def _keep(self, kind: str, df: pd.DataFrame, keep: pd.Series) -> None:
        plan = self.plan
        plan.frames[kind] = df[keep].reset_index(drop=True)
        plan.origins[kind] = plan.origins[kind][keep.to_numpy()].reset_index(drop=True)
        if plan.frames[kind].empty:
            del plan.frames[kind]
            del plan.origins[kind]


def stored(con: duckdb.DuckDBPyConnection, kind: str, frame: pd.DataFrame) -> pd.DataFrame:
    """What the forum holds for the file's rows, in the file's shape (the preview compares them):
    each action's latest state; decisions are never 'changed' (one recorded already is left out)."""
    from isms.models import KINDS

    fields = list(KINDS[kind][1].model_fields)
    if kind != "actions" or frame.empty:
        return pd.DataFrame(columns=fields)
    last = store.latest_actions(con, frame["action_id"].tolist()).reindex(columns=fields)
    mine = frame.set_index("action_id")
    for column in ("held_on", "raised_on", "meeting_id", "decision_id", "risk_id", "kri_id", "finding_id"):
        # the date it was raised and the meeting it came from are not changed by a later file;
        # a link the file leaves blank keeps the forum's
        file_value = last["action_id"].map(mine[column])
        keep = file_value.isna() if column not in ("held_on", "raised_on") else pd.Series(True, index=last.index)
        last[column] = last[column].astype(object).where(~keep, file_value.astype(object))
    return last


def _text(value) -> str | None:
    """A stored id, or None for a blank (pandas may give NaN for a null string)."""
    return value if isinstance(value, str) and value else None


def _day(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return pd.Timestamp(value).date()


def recorded_since_the_preview(con: duckdb.DuckDBPyConnection, plan) -> list[Problem]:
    """Ids the file brings as new that the forum has recorded since the plan was made (the page
    recorded A-0005 between the preview and the commit, say): committing would turn the file's new
    action into a change of another one, or give two decisions one id. Each is a problem on its cell;
    the caller refuses the file and the analyst previews it again."""
    out: list[Problem] = []
    checks = [("decisions", "decision_id", "forum_decision", None)]
    if plan.preview is not None and "actions" in plan.preview.kinds:  # without a preview the plan was made
        checks.append(("actions", "action_id", "action_change", set(plan.preview.kinds["actions"].new)))  # just now
    for kind, column, table, new in checks:
        frame = plan.frames.get(kind)
        if frame is None or frame.empty:
            continue
        ids = [v for v in frame[column] if isinstance(v, str) and (new is None or v in new)]
        taken = store.live_ids(con, table, column, ids)
        for i, v in zip(frame.index, frame[column]):
            if v in taken:
                for sheet, row, letter in plan.cells(kind, [i], column):
                    out.append(Problem(sheet, row, letter, header_label(column), v,
                                       f"{v} was recorded in the forum after this file was previewed: preview it again"))
    return out

