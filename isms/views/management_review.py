"""The Management review (ISO/IEC 27001:2022 clause 9.3) of a year: the inputs of clause 9.3.2
filled from what the dashboard already holds, and the outputs of 9.3.3 as the review's decisions.

Every figure comes from an existing entry point as of the year's end against the year before
(isms.posture.scorecard, the same as the CLI's), and from the forum (isms.forum), so the review
reads the same numbers as the meetings of the year did.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb
import pandas as pd

from isms import forum
from isms.config import Settings
from isms.posture import Scorecard, scorecard
from isms.store import batches
from isms.store import forum as forum_store

SERIES = "management-review"


@dataclass(frozen=True)
class ActionYear:
    """The forum's actions over the year, all series: clause 9.3.2 a) beyond the review's own."""

    raised: int
    closed: int
    closed_late: int
    cancelled: int
    open_at_end: int
    overdue_at_end: int


@dataclass(frozen=True)
class ManagementReview:
    start: dt.date
    end: dt.date
    held_on: dt.date | None            # the review of this year, when recorded
    previous_reviews: forum.EarlierActions   # a) actions from previous management reviews
    actions: ActionYear                # a) every series' actions over the year
    card: Scorecard                    # d) KRIs and f) risks, treatments, exceptions: year end against the year before
    decisions_by_kind: pd.DataFrame    # g) what the forum decided over the year, by kind
    outputs: pd.DataFrame              # 9.3.3: the decisions of this review


def review_years(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Years with a closed year end among the imported data, newest first."""
    first, last = batches.as_of_range(con)
    if first is None:
        return []
    return [y for y in range(last.year, first.year - 1, -1) if dt.date(y, 12, 31) <= last]


def build(con: duckdb.DuckDBPyConnection, settings: Settings, year: int) -> ManagementReview:
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    held = forum_store.held_on(con, SERIES, end)
    previous = forum.actions_for_meeting(con, settings, SERIES, end)
    at_end = forum_store.actions_as_of(con, end)
    closed_on = pd.to_datetime(at_end["closed_on"])
    in_year = closed_on.notna() & (closed_on >= pd.Timestamp(start))
    done = at_end["status"].isin(("done", "verified"))
    due = pd.to_datetime(at_end["due_on"])
    actions = ActionYear(
        raised=int((pd.to_datetime(at_end["raised_on"]) >= pd.Timestamp(start)).sum()),
        closed=int((in_year & done).sum()),
        closed_late=int((in_year & done & (closed_on > due)).sum()),
        cancelled=int((in_year & (at_end["status"] == "cancelled")).sum()),
        open_at_end=int(at_end["status"].isin(forum.OPEN).sum()),
        overdue_at_end=int((at_end["status"].isin(forum.OPEN) & (due < pd.Timestamp(end))).sum()),
    )
    decisions = forum_store.decisions(con, end)
    decisions = decisions[pd.to_datetime(decisions["decided_on"]) >= pd.Timestamp(start)]
    by_kind = (decisions.groupby("kind").size().rename("decisions").reset_index()
               .sort_values(["decisions", "kind"], ascending=[False, True]).reset_index(drop=True))
    review_ids = set(forum_store.meetings(con, end + dt.timedelta(days=366))
                     .query("series == @SERIES and period_end == @end")["meeting_id"]) if held else set()
    outputs = forum_store.decisions(con, end + dt.timedelta(days=366))
    outputs = outputs[outputs["meeting_id"].isin(review_ids)].reset_index(drop=True)
    return ManagementReview(start, end, held, previous, actions, scorecard(con, settings, end, dt.date(year - 1, 12, 31)),
                            by_kind, outputs)
