"""A meeting's agenda and its closing list of open actions: what every meeting pack opens and
closes with (issue 16, item 6).

One function, `agenda`, reads what is due for the meeting of a series whose data is as of a date
(a pack's date): the policy exceptions to renew or decide, the series' overdue actions, the KRIs
that turned red and the risks that reached the matrix's top level since the series' last meeting.
The meeting is the one the pages show for that date (`isms.forum.actions_for_meeting`): held on
its recorded day, else on the day the calendar schedules, so a past meeting's agenda comes back as
it stood, and the pack's closing list equals the page's "actions from earlier meetings".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb
import pandas as pd

from isms import forum, kri
from isms.config import Settings
from isms.dates import add_months, long_date, short_date
from isms.filters import RiskFilter
from isms.meetings import MeetingSeries
from isms.store import forum as forum_store
from isms.store import review_state

PACK_SERIES = {"risk-review": "risk", "security-health": "security-health", "compliance": "compliance",
               "management-review": "management-review"}
"""The meeting series whose pack each pack meeting is (the packs predate the series' keys)."""

LISTED = 10  # entries of one kind on the agenda; the rest are counted (the lists follow in the pack)


@dataclass(frozen=True)
class Agenda:
    series: MeetingSeries
    as_of: dt.date                 # the date the pack's data is as of
    period_end: dt.date            # the end of the period the meeting reviews
    meeting_on: dt.date            # held on (recorded) or scheduled for
    held: bool
    since: dt.date                 # the data date the series' last meeting reviewed: "new since" starts here
    last_meeting: dict | None      # that meeting's row (held_on, approved_on, approved_by), as of the day before
    actions: forum.EarlierActions  # the series' actions: open (overdue flagged) and closed since the last meeting
    exceptions: pd.DataFrame       # forum.exception_agenda: 'renewal' or 'expired, no decision'
    new_red_kris: pd.DataFrame     # metric_id, name, owner, value, red: red on as_of's month, not on since's
    new_top_risks: pd.DataFrame    # risk_id, title, owner, change, from_level, to_level, to_score
    top_level: str                 # the matrix's highest level ("Critical" in the 5x5)
    next_meeting_on: dt.date

    @property
    def overdue(self) -> pd.DataFrame:
        return self.actions.overdue

    def items(self) -> pd.DataFrame:
        """The agenda as numbered items, one row per entry (an item with nothing due says "none")."""
        rows: list[tuple[str, str, str]] = []
        s, last = self.series, self.last_meeting
        rows.append(("Opening", f"{s.name} meeting, {long_date(self.meeting_on)}"
                     + ("" if self.held else " (scheduled)"),
                     f"reviews {short_date(s.period_start(self.period_end))} to {short_date(self.period_end)}"))
        if last is None:
            rows.append(("Minutes of the last meeting", "none: the series' first meeting", ""))
        else:
            approved = (f"approved {short_date(_day(last['approved_on']))} by {last['approved_by']}"
                        if pd.notna(last.get("approved_on")) else "for approval")
            rows.append(("Minutes of the last meeting", f"{last['meeting_id']}, {long_date(_day(last['held_on']))}", approved))
        a = self.actions
        since = f" since {short_date(a.last_meeting_on)}" if a.last_meeting_on else ""
        rows.append(("Actions from earlier meetings", f"{len(a.open)} open, {len(a.overdue)} overdue, "
                     f"{len(a.closed_since)} closed{since}", "listed at the end of this pack"))
        rows += _entries("Overdue actions", [
            (f"{r.action_id} {r.title}", f"{r.owner}, due {_day(r.due_on):%Y-%m-%d}, "
                                         + _days_overdue(self.meeting_on - _day(r.due_on)))
            for r in self.overdue.itertuples()])
        rows += _entries("Policy exceptions to renew or decide", [
            (f"{r.exception_id} {r.policy}" if "policy" in self.exceptions else r.exception_id,
             f"{r.item}: expire{'d' if r.item != 'renewal' else 's'} {_day(r.expires_on):%Y-%m-%d}")
            for r in self.exceptions.itertuples()])
        rows += _entries(f"New red KRIs since {self.since:%B %Y}", [
            (f"{r.metric_id} {r.name}", _kri_detail(r)) for r in self.new_red_kris.itertuples()])
        rows += _entries(f"New {self.top_level} risks since {short_date(self.since)}", [
            (f"{r.risk_id} {r.title}", f"{r.owner}, score {int(r.to_score)}"
                                       + ("" if r.change == "New" else f", was {r.from_level}"))
            for r in self.new_top_risks.itertuples()])
        rows.append(("The period's figures", f"as of {long_date(self.as_of)}", "the sections of this pack"))
        rows.append(("Decisions and new actions", "", "recorded on the meeting's record (Forum page)"))
        rows.append(("Next meeting", f"{long_date(self.next_meeting_on)}",
                     f"reviews the period to {short_date(self.series.next_period_end(self.period_end))}"))
        out, number, previous = [], 0, None
        for item, subject, detail in rows:
            if item != previous:
                number += 1
            out.append((f"{number}. {item}" if item != previous else "", subject, detail))
            previous = item
        return pd.DataFrame(out, columns=["Item", "Subject", "Detail"])


def agenda(con: duckdb.DuckDBPyConnection, settings: Settings, series_key: str, as_of: dt.date) -> Agenda:
    """The agenda of the meeting of `series_key` whose data is as of `as_of`.

    "Since the last meeting" is measured from the data date that meeting reviewed (its period's
    end), so a KRI or risk the last meeting already saw red or at the top is not new again; with no
    earlier meeting, from the end of the period before this one. Overdue is counted on the meeting's
    day; the exception register is read as of `as_of`, with the warning window counted from the
    meeting's day (as the Forum page's exception agenda counts it), and the forum's decisions up to
    the day before the meeting (`forum.exception_agenda`'s `on`).
    """
    s = settings.series(series_key)
    period_end = s.period_end(as_of)
    actions = forum.actions_for_meeting(con, settings, series_key, as_of)
    day = actions.as_of
    before = forum_store.meetings(con, day - dt.timedelta(days=1))
    before = before[before["series"] == series_key]
    previous_end = s.period_end(add_months(period_end, -s.every_months))
    last = before.iloc[0].to_dict() if len(before) else None
    since = previous_end
    if last is not None:
        since = _day(last["period_end"]) if pd.notna(last["period_end"]) else s.covers(_day(last["held_on"]))
    if since >= as_of:
        since = previous_end
    held = forum_store.held_on(con, series_key, period_end) is not None
    meeting = forum.NextMeeting(s, day, period_end, actions.last_meeting_on, as_of)
    top = settings.matrix.levels[-1]
    changes = review_state.changes_between(con, settings.matrix, as_of, since, RiskFilter(), settings.late_tolerance_points)
    new_top = changes[changes["change"].isin(("New", "Escalated")) & (changes["to_level"] == top)]
    return Agenda(s, as_of, period_end, day, held, since, last, actions,
                  forum.exception_agenda(con, settings, as_of, meeting, on=day), _new_red(con, as_of, since),
                  new_top.reset_index(drop=True), top, s.meeting_for(s.next_period_end(period_end)))


def _new_red(con: duckdb.DuckDBPyConnection, as_of: dt.date, since: dt.date) -> pd.DataFrame:
    """KRIs red in `as_of`'s month that were not red in `since`'s month, by the Security Health
    page's status rule (its month grid), from what was imported by `as_of` (a pack dated mid-month
    does not list a KRI of a batch dated later that month)."""
    from isms.views.security_health import Filters, kri_grid

    reg, grid = kri_grid(con, as_of.replace(day=1), Filters(), known_on=as_of)
    cols = ["metric_id", "name", "owner", "value", "unit", "red"]
    if grid.empty:
        return pd.DataFrame(columns=cols)
    now = grid[grid["month"] == pd.Timestamp(as_of.replace(day=1))]
    then = grid[grid["month"] == pd.Timestamp(since.replace(day=1))]
    red_then = set(then.loc[then["status"] == "red", "metric_id"])
    new = now[(now["status"] == "red") & ~now["metric_id"].isin(red_then)][["metric_id", "value"]]
    return (new.merge(reg[["metric_id", "name", "owner", "unit", "red"]], on="metric_id")[cols]
            .sort_values("metric_id").reset_index(drop=True))


def open_actions_table(a: Agenda) -> pd.DataFrame:
    """The series' open actions on the meeting's day, overdue first: what the pack closes with."""
    o = a.actions.open
    return pd.DataFrame({
        "Action": o["action_id"], "Title": o["title"], "Owner": o["owner"],
        "Due": [f"{_day(d):%Y-%m-%d}" for d in o["due_on"]], "Status": o["status"],
        "Overdue": ["overdue" if x else "" for x in o["overdue"]],
        "Days overdue": [str((a.meeting_on - _day(d)).days) if x else "" for d, x in zip(o["due_on"], o["overdue"])],
    }).reset_index(drop=True)


def _days_overdue(late: dt.timedelta) -> str:
    return f"{late.days} day{'' if late.days == 1 else 's'} overdue"


def _entries(item: str, entries: list[tuple[str, str]]) -> list[tuple[str, str, str]]:
    if not entries:
        return [(item, "none", "")]
    rows = [(item, subject, detail) for subject, detail in entries[:LISTED]]
    if len(entries) > LISTED:
        rows.append((item, f"and {len(entries) - LISTED} more", "listed in the pack's sections"))
    return rows


def _kri_detail(r) -> str:
    """'Kim, 11% (red at 10%)': value and threshold with their unit, as the Security Health page says them."""
    value = "" if pd.isna(r.value) else kri.format_value(r.value, r.unit)
    threshold = "" if pd.isna(r.red) else f" (red at {kri.format_value(r.red, r.unit)})"
    owner = r.owner if isinstance(r.owner, str) else "no owner"
    return f"{owner}, {value}{threshold}".strip(", ")


def _day(value) -> dt.date:
    return forum._date(value)

