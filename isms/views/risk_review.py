"""The Risk Review (quarterly) view model."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb
import pandas as pd

from isms.config import Settings
from isms.dates import month_end, previous_quarter_end
from isms.posture import Scorecard, scorecard
from isms.store import queries


@dataclass(frozen=True)
class RiskReviewData:
    scorecard: Scorecard
    residual_cells: pd.DataFrame  # likelihood, impact, risks


def review_dates(con: duckdb.DuckDBPyConnection) -> list[dt.date]:
    """Quarter ends at which a register was imported, newest first (the meetings' dates)."""
    ends = {d for d in queries.assessment_dates(con) if d == month_end(d) and d.month % 3 == 0}
    return sorted(ends, reverse=True)


def default_compare(as_of: dt.date) -> dt.date:
    return previous_quarter_end(as_of)


def build(con: duckdb.DuckDBPyConnection, settings: Settings, as_of: dt.date, compare_to: dt.date) -> RiskReviewData:
    card = scorecard(con, settings, as_of, compare_to)
    p = queries.posture(con, settings.matrix, [as_of])
    live = p[(p["status"] != "Closed") & p["assessed_on"].notna()]
    cells = (
        live.groupby(["residual_likelihood", "residual_impact"]).size().reset_index(name="risks")
        .rename(columns={"residual_likelihood": "likelihood", "residual_impact": "impact"})
    )
    return RiskReviewData(scorecard=card, residual_cells=cells)
