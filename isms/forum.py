"""The forum as of a date: when each series meets next and what its data covers, which actions are
overdue, and what the actions of a series did since its last meeting (clause 9.3.2 a) for every
meeting).

Everything is computed from the append-only forum tables (isms.store.forum) as they stood on the
date asked for, so the Forum page, a meeting page and the reminder CLI agree, and a past meeting's
open actions come back exactly as they were that day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb
import pandas as pd

from isms.config import Settings
from isms.meetings import MeetingSeries
from isms.store import forum as store
from isms.store.forum import CLOSED, OPEN, STATUSES  # noqa: F401  (re-exported for pages and the CLI)

DECISION_KINDS: dict[str, str] = {
    "risk-acceptance": "Accept a risk (with a review date)",
    "exception-grant": "Grant a policy exception",
    "exception-renewal": "Renew a policy exception",
    "exception-refusal": "Refuse a policy exception",
    "treatment-approval": "Approve a treatment or its budget",
    "appetite-change": "Change the appetite or the matrix",
    "soa-approval": "Approve an SoA version",
    "free": "Free decision",
}
# the same kinds as a list, a pack or the Management review names them ('exception-grant' is the stored key)
KIND_NAMES: dict[str, str] = {
    "risk-acceptance": "Risk accepted", "exception-grant": "Exception granted", "exception-renewal": "Exception renewed",
    "exception-refusal": "Exception refused", "treatment-approval": "Treatment approved",
    "appetite-change": "Appetite changed", "soa-approval": "SoA approved", "free": "Other decision",
}


def kind_name(kind) -> str:
    """A decision's kind as people say it; a kind the dashboard does not know as it was stored."""
    return KIND_NAMES.get(kind, kind)


@dataclass(frozen=True)
class NextMeeting:
    series: MeetingSeries
    on: dt.date            # when it is due
    covers: dt.date        # the date its data covers: the end of the period it reviews
    last_held_on: dt.date | None

    @property
    def late(self) -> bool:
        """Its date has passed without the meeting being recorded (as of the date asked)."""
        return self._as_of > self.on

    _as_of: dt.date = dt.date.min


def next_meeting(series: MeetingSeries, last: pd.Series | None, as_of: dt.date) -> NextMeeting:
    """The meeting after the last one held reviews the period after the one it reviewed; with none
    held, the first scheduled meeting on or after `as_of`."""
    if last is not None:
        reviewed = last["period_end"] if pd.notna(last["period_end"]) else series.covers(last["held_on"])
        period = series.next_period_end(_date(reviewed))
        held = _date(last["held_on"])
    else:
        period, held = series.covers(as_of), None
        while series.meeting_for(period) < as_of:
            period = series.next_period_end(period)
    return NextMeeting(series, series.meeting_for(period), period, held, as_of)


def next_meetings(con: duckdb.DuckDBPyConnection, settings: Settings, as_of: dt.date) -> list[NextMeeting]:
    """One per series, soonest first."""
    held = store.meetings(con, as_of)
    out = []
    for series in settings.meeting_series:
        mine = held[held["series"] == series.key]
        out.append(next_meeting(series, mine.iloc[0] if len(mine) else None, as_of))
    return sorted(out, key=lambda n: (n.on, n.series.key))


def overdue_actions(con: duckdb.DuckDBPyConnection, as_of: dt.date, series: str | None = None) -> pd.DataFrame:
    """Actions still open on `as_of` whose due date is before it, the longest overdue first,
    with `days_overdue`."""
    actions = store.actions_as_of(con, as_of, series)
    late = actions[actions["status"].isin(OPEN) & (pd.to_datetime(actions["due_on"]) < pd.Timestamp(as_of))].copy()
    late["days_overdue"] = [(as_of - _date(d)).days for d in late["due_on"]]
    return late.sort_values(["due_on", "action_id"]).reset_index(drop=True)


def action_record(row: dict, as_of: dt.date) -> dict:
    """One action as plain JSON-ready values (dates as ISO text), with its days overdue on `as_of`
    (0 when it is closed or not yet due): what the reminder CLI prints."""
    due = _date(row["due_on"])
    out = {k: row.get(k) for k in ("action_id", "title", "series", "owner", "status", "closure_note", "verified_by",
                                   "meeting_id", "decision_id", "risk_id", "kri_id", "finding_id")}
    out = {k: (None if v is None or (isinstance(v, float) and pd.isna(v)) else v) for k, v in out.items()}
    out |= {"due_on": due.isoformat(), "original_due_on": _date(row["original_due_on"]).isoformat(),
            "raised_on": _date(row["raised_on"]).isoformat(),
            "closed_on": _date(row["closed_on"]).isoformat() if pd.notna(row["closed_on"]) else None,
            "days_overdue": (as_of - due).days if row["status"] in OPEN and due < as_of else 0}
    return out


@dataclass(frozen=True)
class EarlierActions:
    """A meeting's 'actions from earlier meetings' for its series, as of the meeting's date."""

    series: str
    as_of: dt.date
    last_meeting_on: dt.date | None   # the series' last meeting before `as_of`
    open: pd.DataFrame                # open on as_of (overdue ones included, flagged `overdue`)
    closed_since: pd.DataFrame        # closed after the last meeting, on or before as_of

    @property
    def overdue(self) -> pd.DataFrame:
        return self.open[self.open["overdue"]]


def earlier_actions(con: duckdb.DuckDBPyConnection, series: str, as_of: dt.date) -> EarlierActions:
    """The actions of `series` raised before `as_of`: those open that day (overdue first) and those
    closed since the series' last meeting before that day (all closures when it never met)."""
    held = store.meetings(con, as_of - dt.timedelta(days=1))
    mine = held[held["series"] == series]
    last = _date(mine.iloc[0]["held_on"]) if len(mine) else None
    # raised before the meeting day, in their state at the end of it (a status changed in the meeting counts)
    actions = store.actions_as_of(con, as_of, series)
    actions = actions[pd.to_datetime(actions["raised_on"]) < pd.Timestamp(as_of)].copy()
    due = pd.to_datetime(actions["due_on"])
    actions["overdue"] = actions["status"].isin(OPEN) & (due < pd.Timestamp(as_of))
    opened = actions[actions["status"].isin(OPEN)].sort_values(["overdue", "due_on", "action_id"],
                                                                 ascending=[False, True, True])
    closed_on = pd.to_datetime(actions["closed_on"])
    since = actions["status"].isin(CLOSED) & closed_on.notna()
    if last is not None:
        since &= closed_on > pd.Timestamp(last)
    closed = actions[since].sort_values(["closed_on", "action_id"])
    return EarlierActions(series, as_of, last, opened.reset_index(drop=True), closed.reset_index(drop=True))


def actions_for_meeting(con: duckdb.DuckDBPyConnection, settings: Settings, series: str,
                        covers: dt.date) -> EarlierActions:
    """'Actions from earlier meetings' for the meeting of `series` whose data is as of `covers`
    (a meeting page's date): as of the day that meeting was held if it is recorded, else the day
    the calendar schedules it."""
    s = settings.series(series)
    period_end = s.period_end(covers)
    held = store.held_on(con, series, period_end)
    day = _date(held) if held is not None else s.meeting_for(period_end)
    return earlier_actions(con, series, day)


def exception_agenda(con: duckdb.DuckDBPyConnection, settings: Settings, as_of: dt.date,
                     meeting: NextMeeting, on: dt.date | None = None) -> pd.DataFrame:
    """The policy exceptions the next Risk meeting must decide, as the register stood on `as_of`:
    a granted exception expiring by the meeting's date plus the warning window is a *renewal* item,
    one already expired is called out as *expired, no decision*; either only while no renewal or
    refusal of it has been decided since it was granted.

    `on` is the day the list is read (the Forum page's date by default). A meeting's agenda reads it
    on the meeting's day: the decisions taken before that day count, though the pack's data are
    older (a renewal decided at an earlier meeting is not asked for again), the meeting's own do
    not, and an exception that lapsed before the meeting is expired, not one to renew."""
    from isms.store import queries

    ex = queries.exceptions(con, as_of)
    ex = ex[(ex["status"] == "Granted") & ex["expires_on"].notna()].copy()
    # the page: every decision up to its date; a meeting's agenda: those before the meeting's day
    decided = store.decisions(con, as_of if on is None else on - dt.timedelta(days=1))
    on = on or as_of
    decided = decided[decided["kind"].isin(("exception-renewal", "exception-refusal"))]
    last_decision: dict[str, dt.date] = {}
    for d in decided.itertuples():
        for e in d.exception_ids:
            last_decision[e] = max(last_decision.get(e, dt.date.min), _date(d.decided_on))
    horizon = meeting.on + dt.timedelta(days=settings.exception_warning_days)
    expires = pd.to_datetime(ex["expires_on"]).dt.date
    granted = pd.to_datetime(ex["granted_on"]).dt.date
    # never decided, or not since it was granted; an exception log without grant dates (many are) left
    # every expired exception off the agenda: date.min < date.min read as 'decided'
    undecided = [e not in last_decision or (pd.notna(g) and last_decision[e] < g)
                 for e, g in zip(ex["exception_id"], granted)]
    ex = ex[(expires <= horizon) & pd.Series(undecided, index=ex.index)].copy()
    ex["item"] = ["expired, no decision" if _date(d) < on else "renewal" for d in ex["expires_on"]]
    cols = [c for c in ("exception_id", "title", "policy", "risk_id", "owner", "expires_on", "item") if c in ex]
    return ex.sort_values(["expires_on", "exception_id"])[cols].reset_index(drop=True)


VERIFY_DAYS = 90  # a done action is offered for verification on the Forum page this long after it was closed


@dataclass(frozen=True)
class ForumView:
    """What the Forum page shows as of a date."""

    as_of: dt.date
    next_meetings: list[NextMeeting]
    exception_agenda: pd.DataFrame   # exceptions the next Risk meeting must renew or decide
    overdue: pd.DataFrame
    meetings: pd.DataFrame       # the `recent` meetings held on or before as_of, newest first
    held: int                    # how many meetings were held on or before as_of
    decisions: pd.DataFrame      # decided on or before as_of
    actions: pd.DataFrame        # as they stood on as_of: those of the meetings shown, every open one, and
                                 # those done in the last VERIFY_DAYS (what a change of an action may pick)

    def meeting_decisions(self, meeting_id: str) -> pd.DataFrame:
        return self.decisions[self.decisions["meeting_id"] == meeting_id]

    def meeting_actions(self, meeting_id: str) -> pd.DataFrame:
        return self.actions[self.actions["meeting_id"] == meeting_id]


def build(con: duckdb.DuckDBPyConnection, settings: Settings, as_of: dt.date, recent: int = 12) -> ForumView:
    """The Forum page's bundle; only the `recent` meetings are carried, with their decisions and
    actions, so ten years of a forum cost a page what one year does."""
    held = store.meetings(con, as_of)
    shown = held.head(recent)
    ids = set(shown["meeting_id"])
    decisions = store.decisions(con, as_of)
    actions = store.actions_as_of(con, as_of)
    recently_done = (actions["status"] == "done") & (pd.to_datetime(actions["closed_on"])
                                                      >= pd.Timestamp(as_of - dt.timedelta(days=VERIFY_DAYS)))
    keep = actions["meeting_id"].isin(ids) | actions["status"].isin(OPEN) | recently_done
    upcoming = next_meetings(con, settings, as_of)
    risk = next((n for n in upcoming if n.series.key == "risk"), None)
    agenda = exception_agenda(con, settings, as_of, risk) if risk else pd.DataFrame()
    return ForumView(as_of, upcoming, agenda, overdue_actions(con, as_of), shown.reset_index(drop=True),
                     len(held), decisions[decisions["meeting_id"].isin(ids)].reset_index(drop=True),
                     actions[keep].reset_index(drop=True))


def meeting_pack(con: duckdb.DuckDBPyConnection, meeting_id: str) -> tuple[str, bytes] | None:
    """The pack a held meeting was presented (file name, bytes), as stored with its sha256."""
    return store.meeting_pack(con, meeting_id)


def version(con: duckdb.DuckDBPyConnection) -> str:
    return store.version(con)


def available(con: duckdb.DuckDBPyConnection) -> bool:
    """The database has the forum's tables: a snapshot (or a sample) made before migration 16 does
    not, until the next write to it brings its schema up to date."""
    return store.has_forum_tables(con)


def _date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return pd.Timestamp(value).date()
