"""The posture as of a date: scorecards, deltas and treatment progress.

Figures are aggregated in DuckDB (isms.store.queries); this module bundles them into frozen,
typed results that pages, packs and the CLI show as they are, so a figure on a slide is the
figure on the page.
"""

from __future__ import annotations

import datetime as dt
from typing import Optional

import duckdb
import pandas as pd
from pydantic import BaseModel, ConfigDict

from isms.config import Settings
from isms.dates import dated, previous_quarter_end
from isms.filters import RiskFilter
from isms.kri import statuses_in_months
from isms.store import queries


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class TreatmentCounts(Frozen):
    on_track: int = 0
    late: int = 0
    overdue: int = 0
    done: int = 0
    not_started: int = 0


class KriCounts(Frozen):
    red: int = 0
    amber: int = 0
    green: int = 0
    unrated: int = 0
    stale: int = 0

    @property
    def with_results(self) -> int:
        """KRIs with a result for the month (rated or not): none, and there is nothing to compare
        with (the month before the first results file, say), only the register's KRIs gone stale."""
        return self.red + self.amber + self.green + self.unrated


class PostureFigures(Frozen):
    as_of: dt.date
    residual_by_level: dict[str, int]
    inherent_by_level: dict[str, int]
    open_risks: int
    assessed_risks: int
    residual_exposure: int
    inherent_exposure: int
    within_appetite: int
    above_appetite: int
    within_appetite_share: Optional[float]
    above_appetite_unaddressed: int
    treatments: TreatmentCounts
    exceptions_expiring: int
    exceptions_expired_open: int
    kris: KriCounts


class Scorecard(Frozen):
    """The posture at `as_of` and at `compare_to`, for the deltas a meeting discusses."""

    as_of: dt.date
    compare_to: dt.date
    matrix: str
    levels: list[str]
    appetite: str
    current: PostureFigures
    previous: PostureFigures

    @property
    def compared(self) -> bool:
        """Whether there is an earlier date to compare with. The first review on record compares
        its date with itself: every change would read zero, which a meeting takes for 'nothing
        moved' when nothing could have."""
        return self.compare_to < self.as_of

    def delta(self, field: str) -> float | None:
        a, b = getattr(self.current, field), getattr(self.previous, field)
        if a is None or b is None:
            return None
        return a - b

    def level_delta(self, level: str, basis: str = "residual") -> int:
        cur = getattr(self.current, f"{basis}_by_level")
        prev = getattr(self.previous, f"{basis}_by_level")
        return cur.get(level, 0) - prev.get(level, 0)


def kri_statuses(results: pd.DataFrame, as_of: dt.date) -> pd.Series:
    """Status per metric row of `queries.latest_results`, with 'stale' for overdue results.

    A monthly KRI must have a result for the month of `as_of`; a quarterly one within the
    quarter's three months. An indicator without a fresh result is never counted as green.
    """
    if results.empty:
        return pd.Series([], dtype=object)
    return pd.Series(statuses_in_months(results.assign(month=as_of.replace(day=1))), index=results.index)


def _by_level(levels: pd.DataFrame, basis: str, names: tuple[str, ...]) -> dict[str, int]:
    part = levels[levels["basis"] == basis]
    counts = dict(zip(part["level"], part["risks"]))
    return {name: int(counts.get(name, 0)) for name in names}


def _figures(settings: Settings, d: dt.date, levels: pd.DataFrame, totals: pd.Series, results: pd.DataFrame) -> PostureFigures:
    """One date's figures from the store's counts and its KRIs' latest results (`latest_results`):
    KRIs are not tied to risks and stay whole."""
    names = settings.matrix.levels
    assessed = int(totals["assessed_risks"])
    kri = kri_statuses(results, d).value_counts()
    return PostureFigures(
        as_of=d,
        residual_by_level=_by_level(levels, "residual", names),
        inherent_by_level=_by_level(levels, "inherent", names),
        open_risks=int(totals["open_risks"]),
        assessed_risks=assessed,
        residual_exposure=int(totals["residual_exposure"]),
        inherent_exposure=int(totals["inherent_exposure"]),
        within_appetite=int(totals["within_appetite"]),
        above_appetite=int(totals["above_appetite"]),
        within_appetite_share=(int(totals["within_appetite"]) / assessed) if assessed else None,
        above_appetite_unaddressed=int(totals["above_appetite_unaddressed"]),
        treatments=TreatmentCounts(**{k: int(totals[k]) for k in TreatmentCounts.model_fields}),
        exceptions_expiring=int(totals["exceptions_expiring"]),
        exceptions_expired_open=int(totals["exceptions_expired_open"]),
        kris=KriCounts(**{k: int(kri.get(k, 0)) for k in KriCounts.model_fields}),
    )


def scorecard(
    con: duckdb.DuckDBPyConnection, settings: Settings, as_of: dt.date, compare_to: dt.date | None = None,
    filters: RiskFilter = RiskFilter(),
) -> Scorecard:
    """The one place that turns the store's counts into a scorecard: the Risk Review and Security
    Health views, the review packs and `python -m isms scorecard` all call it, so they agree by
    construction. `filters` narrow the register; KRIs stay whole."""
    compare_to = compare_to or previous_quarter_end(as_of)
    dates = sorted({as_of, compare_to})
    levels, totals = posture_counts(con, settings, dates, filters)
    return scorecard_from(con, settings, as_of, compare_to, levels, totals)


def posture_counts(con: duckdb.DuckDBPyConnection, settings: Settings, dates: list[dt.date],
                   filters: RiskFilter = RiskFilter(), treatments: pd.DataFrame | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Level counts and scorecard totals per date, one query over all the dates: a view that shows
    trends reads them once for its trend dates and its scorecard's. `treatments`: `treatment_figures`
    already read for (at least) these dates, whose state counts are then used."""
    levels, totals = queries.posture_figures(con, settings.matrix, dates, settings.late_tolerance_points,
                                             settings.exception_warning_days, filters, treatments)
    return dated(levels), dated(totals)


def scorecard_from(con: duckdb.DuckDBPyConnection, settings: Settings, as_of: dt.date, compare_to: dt.date,
                   levels: pd.DataFrame, totals: pd.DataFrame) -> Scorecard:
    """The scorecard from `posture_counts` of dates that include `as_of` and `compare_to`."""
    m = settings.matrix
    dates = sorted({as_of, compare_to})
    results = queries.latest_results_on(con, dates)
    on = results["as_of"].dt.date
    figures = {d: _figures(settings, d, levels[levels["as_of"] == d], totals[totals["as_of"] == d].iloc[0],
                           results[on == d].drop(columns="as_of").reset_index(drop=True))
               for d in dates}
    return Scorecard(
        as_of=as_of, compare_to=compare_to, matrix=m.name, levels=list(m.levels), appetite=m.appetite,
        current=figures[as_of], previous=figures[compare_to],
    )


def progress_of(figures: pd.DataFrame, months: list[dt.date]) -> pd.DataFrame:
    """The treatment trend (per month end: weighted percent complete against the linear plan, late and
    overdue counts) of `months`, out of `queries.treatment_figures` read for dates that include them."""
    wanted = figures["as_of"].isin(pd.to_datetime(months))
    return dated(figures.loc[wanted, list(queries.TREND_COLUMNS)].reset_index(drop=True))


