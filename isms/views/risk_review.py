"""The Risk Review (quarterly) view model: everything the meeting page shows, as plain data.

`build` returns one frozen bundle per (date, comparison date, filters); the page renders it and
review packs lay out the same tables and figures. `focus` answers the two questions a reader
asks of the page (which risks sit in this cell, what is this risk's story) without recomputing
the bundle.
"""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Optional

import duckdb
import pandas as pd

from isms.config import Settings
from isms.dates import add_months, dated, days_to_go, month_end, month_ends, previous_quarter_end, quarter_end
from isms.filters import RiskFilter
from isms.posture import Scorecard, posture_counts, progress_of, scorecard_from
from isms.store import queries, review_state, risk_controls
from isms.store.db import sibling

# the trends' half of each build (`build`); one thread per build at once, up to as many builds as
# a server runs at once in practice (a build waits for a thread only beyond that)
_POOL = ThreadPoolExecutor(max_workers=8, thread_name_prefix="risk-review-trends")

BASES = ("residual", "inherent", "target")
TOP_RISKS = 20
RISK_CHOICES = 300  # the detail picker lists these; any other risk id can be typed into it
EXCEPTION_HORIZON_DAYS = 90
PROJECTION_MONTHS = 12
CHANGE_KINDS = ("Escalated", "New", "De-escalated", "Closed")


@dataclass(frozen=True)
class RiskReviewData:
    as_of: dt.date
    compare_to: dt.date
    filters: RiskFilter
    scorecard: Scorecard
    cells: pd.DataFrame            # basis, likelihood, impact, risks
    movements: pd.DataFrame        # from_likelihood, from_impact, from_level, to_likelihood, to_impact, to_level, risks
    changes: pd.DataFrame          # risk_id, title, owner, change, from_level, to_level, from_score, to_score
    top_risks: pd.DataFrame        # risk_id, title, owner, residual_level/score, previous_level/score, trend, decisions, ...
    level_trend: pd.DataFrame      # as_of, level, level_rank, risks (residual, every quarter end up to as_of)
    totals_trend: pd.DataFrame     # as_of, residual_exposure, inherent_exposure, ... (every quarter end up to as_of)
    treatment_trend: pd.DataFrame  # as_of (month ends, then the date), weighted_percent_complete, weighted_percent_planned, late, overdue
    projection: pd.DataFrame       # as_of (month end), projected_exposure, as planned on compare_to
    above_appetite: pd.DataFrame   # risk_id, title, owner, residual_level, residual_score, ..., unaddressed
    exceptions: pd.DataFrame       # exception_id, policy, ..., days_to_expiry, window, risk_level
    risk_choices: pd.DataFrame     # risk_id, title: the RISK_CHOICES highest residual risks
    # the register's date when nothing was imported for `as_of` (a quarter end reviewed on the latest
    # register before it), else None: the headline says so first, so nobody takes its figures for news
    register_dated: Optional[dt.date] = None

    def cells_for(self, basis: str) -> pd.DataFrame:
        part = self.cells[self.cells["basis"] == basis]
        return part[["likelihood", "impact", "risks"]].reset_index(drop=True)

    @property
    def default_risk(self) -> Optional[str]:
        """The risk whose detail opens first: the top row of the top risks, the one the eye has just
        read (opening another, better-treated one looked like a wrong click)."""
        if not self.top_risks.empty:
            return str(self.top_risks.iloc[0]["risk_id"])
        return str(self.risk_choices.iloc[0]["risk_id"]) if not self.risk_choices.empty else None

    @property
    def no_treatment_progress(self) -> str | None:
        """The sentence that stands for the treatment charts when no treatment is tracked by the
        date, else None: two empty charts (axes 0-100 and 0-1, a flat plan line two years long) told
        nothing, on the page and on the pack's slides alike."""
        trend = self.treatment_trend
        if trend.empty or (trend["weighted_percent_planned"].isna().all() and not (trend["late"] + trend["overdue"]).any()):
            return ("No treatment is tracked in the register by this date, so there is no progress to draw against a "
                    "plan. A treatment tracker, or a register that gives each risk a response or plan with a due date, "
                    "brings them.")
        return None

    def change_counts(self) -> dict[str, int]:
        counts = self.changes["change"].value_counts()
        return {kind: int(counts.get(kind, 0)) for kind in CHANGE_KINDS}

    def exception_windows(self) -> dict[str, int]:
        counts = self.exceptions["window"].value_counts()
        return {w: int(counts.get(w, 0)) for w in
                ("Expired, still open", "Within 30 days", "Within 60 days", "Within 90 days")}


@dataclass(frozen=True)
class RiskDetail:
    risk_id: str
    record: dict
    assessments: pd.DataFrame
    treatments: pd.DataFrame
    updates: pd.DataFrame
    exceptions: pd.DataFrame
    assets: pd.DataFrame
    controls: pd.DataFrame   # its controls (derived from its Annex A references) with their last test
    findings: pd.DataFrame   # audit findings naming it or one of its controls


@dataclass(frozen=True)
class Cell:
    basis: str
    likelihood: int
    impact: int


@dataclass(frozen=True)
class RiskFocus:
    cell: Optional[Cell] = None
    cell_risks: pd.DataFrame = field(default_factory=pd.DataFrame)
    detail: Optional[RiskDetail] = None


def is_quarter_end(d: dt.date) -> bool:
    return d == month_end(d) and d.month % 3 == 0


def review_dates(con: duckdb.DuckDBPyConnection, include_interim: bool = False,
                 until: dt.date | None = None) -> list[dt.date]:
    """Quarter ends at which a register was imported, newest first (the meetings' dates).

    With `include_interim`, also every other date a register was imported for (a team's file
    dated mid-quarter, or one after the last quarter end), a part of one was (an exception log,
    treatment updates) or a forum decision changed one (an exception granted in the Risk meeting),
    so an analyst can look at, and compare with, what was committed between meetings; the trends
    stay on quarter ends.

    With `until` (today, for the page and a pack's default), also every quarter end from the first
    register's to `until`: the Risk meeting reviews its quarter whether or not a register was
    imported for that day (the figures are the register as of the date, its exceptions and
    treatments judged on it). A trial's register of 30 June could not be reviewed as of 30
    September, the date of the meeting the forum had scheduled, whose agenda already named the
    exceptions that had expired by then.
    """
    dates = set(queries.assessment_dates(con))
    if include_interim:  # after the first register: before it there is no risk to show
        dates |= {d for d in queries.interim_dates(con) if dates and d > min(dates)}
    if until is not None and dates:
        end = quarter_end(min(dates))
        while end <= until:
            dates.add(end)
            end = quarter_end(end + dt.timedelta(days=1))
    return sorted(dates if include_interim else {d for d in dates if is_quarter_end(d)}, reverse=True)


def default_review_date(dates: list[dt.date]) -> dt.date:
    """The latest quarter end, else the latest date, of `dates` (the page gives the dates a register
    was imported for: it opens on the latest register, not on a later quarter end nothing came for)."""
    return next((d for d in dates if is_quarter_end(d)), dates[0])


def default_compare(as_of: dt.date, dates: list[dt.date]) -> dt.date:
    """The date `as_of` is compared with, of the dates the page offers (`review_dates` up to today):
    the quarter end before it, else the latest date before it; with none, `as_of` itself, the first
    review on record, which shows no change (a pack of the first quarter read '+105 worse' against a
    quarter with no register)."""
    earlier = sorted((d for d in dates if d < as_of), reverse=True)
    if not earlier:
        return as_of
    previous = previous_quarter_end(as_of)
    return previous if previous in earlier else earlier[0]


def compare_date(con: duckdb.DuckDBPyConnection, as_of: dt.date, today: dt.date | None = None) -> dt.date:
    """`default_compare` of the dates the page offers: what a pack or the CLI compares with when not told."""
    return default_compare(as_of, review_dates(con, include_interim=True, until=today or dt.date.today()))


def filter_options(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> dict[str, list]:
    """The values each filter can take on the date; `control_register`: whether there are controls
    to filter by (before a control register is imported every risk would read 'no control tested')."""
    return {**queries.review_filter_options(con, as_of), "control_register": risk_controls.has_controls(con, as_of)}


def build(con: duckdb.DuckDBPyConnection, settings: Settings, as_of: dt.date, compare_to: dt.date,
          filters: RiskFilter = RiskFilter()) -> RiskReviewData:
    """The bundle. Its two halves (the trends and the scorecard; the sections of the two dates) read
    the same store through two cursors at once: DuckDB runs a query without holding Python's lock,
    so on a second core the trends' queries overlap the sections' (about a quarter of a cold build
    on the large ISMS). Each half is the same queries as one after the other. (The second cursor
    reads what is committed: `con` must not hold writes of its own not yet committed.)"""
    m, tol = settings.matrix, settings.late_tolerance_points
    other = sibling(con)
    trends = None
    try:
        trends = _POOL.submit(_trends, other, settings, as_of, compare_to, filters)
        with review_state.review_state(con, m, as_of, compare_to, filters, tol) as state:
            sections = dict(
                cells=review_state.cells(con, state, as_of),
                movements=review_state.movements(con, state, as_of, compare_to),
                changes=review_state.changes(con, state, as_of, compare_to),
                top_risks=review_state.top_risks(con, state, as_of, compare_to, TOP_RISKS),
                projection=dated(review_state.exposure_projection(con, state, compare_to, month_ends(compare_to, _projection_end(as_of)))),
                above_appetite=review_state.above_appetite(con, state, as_of),
                exceptions=_when(review_state.exceptions(con, state, as_of, filters, EXCEPTION_HORIZON_DAYS)),
                risk_choices=review_state.risk_choices(con, state, as_of, RISK_CHOICES),
            )
    except BaseException:
        if trends is not None:
            trends.cancel()  # if it has not started
        raise
    finally:
        if trends is not None:
            wait([trends])  # its cursor is closed only once it is done with it
        other.close()
    imported = review_dates(con, include_interim=True)
    dated_before = max((d for d in imported if d <= as_of), default=None) if as_of not in imported else None
    return RiskReviewData(as_of=as_of, compare_to=compare_to, filters=filters, **trends.result(), **sections,
                          register_dated=dated_before)


def _when(exceptions: pd.DataFrame) -> pd.DataFrame:
    """`expires_in`: each exception's days to expiry in words ('in 9 days', '30 days ago'), beside the
    number the lists sort by; page and pack show the words."""
    out = exceptions.copy()
    out.insert(out.columns.get_loc("days_to_expiry") + 1, "expires_in", [days_to_go(d) for d in out["days_to_expiry"]])
    return out


def _projection_end(as_of: dt.date) -> dt.date:
    """The last month end of the exposure projection from `as_of`."""
    return month_end(add_months(as_of.replace(day=1), PROJECTION_MONTHS))


def _trends(con: duckdb.DuckDBPyConnection, settings: Settings, as_of: dt.date, compare_to: dt.date,
            filters: RiskFilter) -> dict:
    """The scorecard and the trends: the trends' quarters and the scorecard's two dates in one read
    of each; the treatments of those and of the treatment trend's month ends in one read too."""
    tol = settings.late_tolerance_points
    # every quarter end from the first register's to the date, imported for or not (the register as of each)
    quarters = sorted(d for d in review_dates(con, until=as_of) if d <= as_of) or [as_of]
    # an interim date ends the trend itself: its month's end lies after it, and the figures of that
    # day (planned progress, what is overdue) would be ones nobody could know on the date
    months = [m for m in month_ends(quarters[0], as_of) if m < as_of] + [as_of]
    posture_dates = sorted({*quarters, as_of, compare_to})
    treatments = queries.treatment_figures(con, sorted({*months, *posture_dates}), tol, filters)
    levels, totals = posture_counts(con, settings, posture_dates, filters, treatments)
    in_trend = levels["as_of"].isin(quarters) & (levels["basis"] == "residual")
    return dict(
        scorecard=scorecard_from(con, settings, as_of, compare_to, levels, totals),
        level_trend=levels[in_trend].drop(columns="basis").reset_index(drop=True),
        totals_trend=totals[totals["as_of"].isin(quarters)].reset_index(drop=True),
        treatment_trend=progress_of(treatments, months),
    )


def treatments_behind(con: duckdb.DuckDBPyConnection, settings: Settings, as_of: dt.date,
                      filters: RiskFilter = RiskFilter()) -> pd.DataFrame:
    """Late and overdue treatments of the filtered risks, the most overdue first (the pack's list)."""
    return queries.treatments_behind(con, as_of, settings.late_tolerance_points, filters)


def closed_risks_unfinished(con: duckdb.DuckDBPyConnection, as_of: dt.date,
                            filters: RiskFilter = RiskFilter()) -> pd.DataFrame:
    """Unfinished treatments of the filtered risks closed as of the date, which the treatment
    figures leave out (the pack says which, under its late and overdue list)."""
    return queries.closed_risks_unfinished(con, as_of, filters)


def risk_detail(con: duckdb.DuckDBPyConnection, settings: Settings, risk_id: str, as_of: dt.date) -> Optional[RiskDetail]:
    record = queries.risk_record(con, risk_id, as_of)
    if record.empty:
        return None
    return RiskDetail(
        risk_id=risk_id, record=record.iloc[0].to_dict(),
        assessments=queries.risk_assessments(con, settings.matrix, risk_id, as_of),
        treatments=queries.risk_treatments(con, risk_id, as_of, settings.late_tolerance_points),
        updates=queries.risk_treatment_updates(con, risk_id, as_of),
        exceptions=_when(queries.risk_exceptions(con, risk_id, as_of)),
        assets=queries.risk_assets(con, risk_id, as_of),
        controls=risk_controls.risk_controls(con, risk_id, as_of),
        findings=risk_controls.risk_findings(con, risk_id, as_of),
    )


def focus(con: duckdb.DuckDBPyConnection, settings: Settings, as_of: dt.date, filters: RiskFilter,
          cell: Optional[Cell], risk_id: Optional[str]) -> RiskFocus:
    """The risks of the selected heatmap cell and the detail of the selected risk."""
    cell_risks = pd.DataFrame()
    if cell is not None:
        cell_risks = queries.review_cell_risks(con, settings.matrix, as_of, filters, cell.basis, cell.likelihood, cell.impact)
    detail = risk_detail(con, settings, risk_id, as_of) if risk_id else None
    return RiskFocus(cell=cell, cell_risks=cell_risks, detail=detail)
