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
from isms.dates import long_date
from isms.posture import Scorecard, scorecard
from isms.store import batches
from isms.store import compliance_reads, queries
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
    actions_before: ActionYear         # the same counts for the year before: the year-over-year view
    kri_health: pd.DataFrame           # d) per year (this and the one before): share of KRI-months by status
    findings: pd.DataFrame             # d) nonconformities and findings by grade: raised, closed, open and overdue at year end
    findings_list: pd.DataFrame        # d) the findings raised or closed in the year, or open at its end
    audits: pd.DataFrame               # d) audit results: the audits that ended in the year, with their findings by grade
    register_since: dt.date | None = None  # the first risk assessment's date (None: no risk register yet)

    @property
    def no_risk_register(self) -> str | None:
        """The sentence that stands for f)'s figures when no risk register was held at the year's
        end, else None. A KRI file of 2024 beside a register of 2026 made 2025 a review year whose
        risk tiles read 'Critical risks 0', 'Residual exposure 0': no risk at all, to the board."""
        first = self.register_since
        if first is not None and first <= self.end:
            return None
        return (f"No risk register at the end of {self.end.year}" + (f": the first is dated {long_date(first)}" if first else "")
                + ", so there are no risk assessment results or treatments for this year.")

    @property
    def no_register_before(self) -> str | None:
        """Said beside f)'s figures when the register began during the year: the year before had
        none, so its changes are the whole of this year's figures, not a change."""
        first = self.register_since
        if self.no_risk_register or first is None or first <= self.card.compare_to:
            return None
        return (f"No risk register at the end of {self.card.compare_to.year}: the first is dated {long_date(first)}, "
                "so there is no change to show.")


def review_years(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Years with a closed year end among the imported data, newest first."""
    first, last = batches.as_of_range(con)
    if first is None:
        return []
    return [y for y in range(last.year, first.year - 1, -1) if dt.date(y, 12, 31) <= last]


def action_year(con: duckdb.DuckDBPyConnection, year: int) -> ActionYear:
    """Every series' actions over a calendar year, as they stood at its end."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    at_end = forum_store.actions_as_of(con, end)
    closed_on = pd.to_datetime(at_end["closed_on"])
    in_year = closed_on.notna() & (closed_on >= pd.Timestamp(start))
    done = at_end["status"].isin(("done", "verified"))
    due = pd.to_datetime(at_end["due_on"])
    return ActionYear(
        raised=int((pd.to_datetime(at_end["raised_on"]) >= pd.Timestamp(start)).sum()),
        closed=int((in_year & done).sum()),
        closed_late=int((in_year & done & (closed_on > due)).sum()),
        cancelled=int((in_year & (at_end["status"] == "cancelled")).sum()),
        open_at_end=int(at_end["status"].isin(forum.OPEN).sum()),
        overdue_at_end=int((at_end["status"].isin(forum.OPEN) & (due < pd.Timestamp(end))).sum()),
    )


KRI_STATUSES = ("green", "amber", "red", "unrated", "stale")


def kri_health(con: duckdb.DuckDBPyConnection, years: list[int]) -> pd.DataFrame:
    """Per year: the KRI-months of the year (each KRI of the register at the year's end, each month
    from its first result) and the share of them green, amber, red, unrated and stale, by the
    Security Health page's status rule (its month grid): a year's health, not one month's."""
    from isms.views.security_health import Filters, kri_grid

    rows = []
    for year in years:
        _, grid = kri_grid(con, dt.date(year, 12, 1), Filters())
        months = grid[pd.to_datetime(grid["month"]).dt.year == year] if len(grid) else grid
        n = len(months)
        counts = months["status"].value_counts() if n else pd.Series(dtype=int)
        rows.append({"year": year, "kri_months": n,
                     **{k: (int(counts.get(k, 0)) / n if n else None) for k in KRI_STATUSES}})
    return pd.DataFrame(rows, columns=["year", "kri_months", *KRI_STATUSES])


GRADES = ("Major nonconformity", "Minor nonconformity", "Observation", "Opportunity for improvement")
GRADE_COLUMNS = ("major", "minor", "observation", "ofi")


def _dates(frame: pd.DataFrame, *cols: str) -> pd.DataFrame:
    return frame.assign(**{c: pd.to_datetime(frame[c]) for c in cols if c in frame})


def findings_year(con: duckdb.DuckDBPyConnection, year: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The findings register at the year's end: per grade, how many were raised and closed in the
    year and how many were open (Open or Remediated) and overdue at its end; and the findings
    themselves (raised or closed in the year, or open at its end)."""
    start, end = pd.Timestamp(year, 1, 1), pd.Timestamp(year, 12, 31)
    f = _dates(compliance_reads.register(con, "findings", end.date()), "raised_on", "due_on", "closed_on")
    raised = f["raised_on"].between(start, end)
    closed = f["closed_on"].between(start, end) & ~f["status"].isin(compliance_reads.OPEN)
    still_open = f["status"].isin(compliance_reads.OPEN)
    overdue = still_open & (f["due_on"] < end)
    by_grade = pd.DataFrame([{"grade": g, "raised": int((raised & (f["grade"] == g)).sum()),
                              "closed": int((closed & (f["grade"] == g)).sum()),
                              "open_at_end": int((still_open & (f["grade"] == g)).sum()),
                              "overdue_at_end": int((overdue & (f["grade"] == g)).sum())} for g in GRADES])
    cols = ["finding_id", "audit_id", "grade", "title", "framework", "owner", "raised_on", "due_on", "status", "closed_on"]
    listed = f[raised | closed | still_open].assign(overdue=overdue)
    return by_grade, listed[[*cols, "overdue"]].sort_values(["raised_on", "finding_id"]).reset_index(drop=True)


def audits_year(con: duckdb.DuckDBPyConnection, year: int) -> pd.DataFrame:
    """The audits that ended in the year (fieldwork end, else start), with their opinion and the
    findings they raised, one column per grade."""
    end = dt.date(year, 12, 31)
    a = _dates(compliance_reads.register(con, "audits", end), "starts_on", "ends_on")
    f = compliance_reads.register(con, "findings", end)
    finished = a["ends_on"].fillna(a["starts_on"])
    a = a[finished.dt.year == year].copy()
    for column, grade in zip(GRADE_COLUMNS, GRADES):
        a[column] = [int(((f["audit_id"] == aid) & (f["grade"] == grade)).sum()) for aid in a["audit_id"]]
    cols = ["audit_id", "audit_type", "framework", "starts_on", "ends_on", "auditor", "opinion", *GRADE_COLUMNS]
    return a.sort_values(["starts_on", "audit_id"])[cols].reset_index(drop=True)


def build(con: duckdb.DuckDBPyConnection, settings: Settings, year: int) -> ManagementReview:
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    held = forum_store.held_on(con, SERIES, end)
    previous = forum.actions_for_meeting(con, settings, SERIES, end)
    decisions = forum_store.decisions(con, end)
    decisions = decisions[pd.to_datetime(decisions["decided_on"]) >= pd.Timestamp(start)]
    by_kind = (decisions.groupby("kind").size().rename("decisions").reset_index()
               .sort_values(["decisions", "kind"], ascending=[False, True]).reset_index(drop=True))
    review_ids = set(forum_store.meetings(con, end + dt.timedelta(days=366))
                     .query("series == @SERIES and period_end == @end")["meeting_id"]) if held else set()
    outputs = forum_store.decisions(con, end + dt.timedelta(days=366))
    outputs = outputs[outputs["meeting_id"].isin(review_ids)].reset_index(drop=True)
    by_grade, findings = findings_year(con, year)
    return ManagementReview(start, end, held, previous, action_year(con, year),
                            scorecard(con, settings, end, dt.date(year - 1, 12, 31)), by_kind, outputs,
                            action_year(con, year - 1), kri_health(con, [year - 1, year]), by_grade, findings,
                            audits_year(con, year), min(queries.assessment_dates(con), default=None))
