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
from isms.dates import month_ends, previous_quarter_end
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


def _figures(con, settings: Settings, dates: list[dt.date]) -> dict[dt.date, PostureFigures]:
    m = settings.matrix
    levels = queries.level_counts(con, m, dates)
    totals = queries.posture_totals(con, m, dates, settings.late_tolerance_points,
                                    settings.exception_warning_days).set_index("as_of")
    out = {}
    for d in dates:
        key = pd.Timestamp(d)
        lv = levels[pd.to_datetime(levels["as_of"]) == key]

        def by(basis: str) -> dict[str, int]:
            part = lv[lv["basis"] == basis]
            counts = dict(zip(part["level"], part["risks"].astype(int)))
            return {name: int(counts.get(name, 0)) for name in m.levels}

        t = totals.loc[totals.index == key].iloc[0]
        assessed = int(t["assessed_risks"])
        kri = kri_statuses(queries.latest_results(con, d), d).value_counts()
        out[d] = PostureFigures(
            as_of=d,
            residual_by_level=by("residual"),
            inherent_by_level=by("inherent"),
            open_risks=int(t["open_risks"]),
            assessed_risks=assessed,
            residual_exposure=int(t["residual_exposure"]),
            inherent_exposure=int(t["inherent_exposure"]),
            within_appetite=int(t["within_appetite"]),
            above_appetite=int(t["above_appetite"]),
            within_appetite_share=(int(t["within_appetite"]) / assessed) if assessed else None,
            above_appetite_unaddressed=int(t["above_appetite_unaddressed"]),
            treatments=TreatmentCounts(
                on_track=int(t["on_track"]), late=int(t["late"]), overdue=int(t["overdue"]),
                done=int(t["done"]), not_started=int(t["not_started"]),
            ),
            exceptions_expiring=int(t["exceptions_expiring"]),
            exceptions_expired_open=int(t["exceptions_expired_open"]),
            kris=KriCounts(**{k: int(kri.get(k, 0)) for k in ("red", "amber", "green", "unrated", "stale")}),
        )
    return out


def scorecard(
    con: duckdb.DuckDBPyConnection, settings: Settings, as_of: dt.date, compare_to: dt.date | None = None
) -> Scorecard:
    compare_to = compare_to or previous_quarter_end(as_of)
    figs = _figures(con, settings, sorted({as_of, compare_to}))
    m = settings.matrix
    return Scorecard(
        as_of=as_of, compare_to=compare_to, matrix=m.name, levels=list(m.levels), appetite=m.appetite,
        current=figs[as_of], previous=figs[compare_to],
    )


def treatment_progress(
    con: duckdb.DuckDBPyConnection, settings: Settings, start: dt.date, end: dt.date
) -> pd.DataFrame:
    """Per month end: weighted percent complete against the linear plan, and late and overdue counts."""
    dates = month_ends(start, end)
    df = queries.treatment_trend(con, dates, settings.late_tolerance_points)
    df["as_of"] = pd.to_datetime(df["as_of"]).dt.date
    return df


