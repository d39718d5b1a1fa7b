"""The Security Health (monthly) view model."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb
import pandas as pd

from isms.config import Settings
from isms.dates import add_months, month_end
from isms.posture import Scorecard, kri_statuses, scorecard
from isms.store import queries


@dataclass(frozen=True)
class SecurityHealthData:
    scorecard: Scorecard
    status_by_month: pd.DataFrame  # period, status, kris


def months_with_results(con: duckdb.DuckDBPyConnection) -> list[dt.date]:
    """Months (first day) that have monitoring results, newest first."""
    return sorted(queries.result_periods(con), reverse=True)


def build(con: duckdb.DuckDBPyConnection, settings: Settings, month: dt.date, compare_month: dt.date) -> SecurityHealthData:
    as_of, compare_to = month_end(month), month_end(compare_month)
    card = scorecard(con, settings, as_of, compare_to)
    rows = []
    for i in range(11, -1, -1):
        m = add_months(month, -i)
        statuses = kri_statuses(queries.latest_results(con, month_end(m)), month_end(m))
        for status, n in statuses.value_counts().items():
            rows.append({"period": m, "status": status, "kris": int(n)})
    return SecurityHealthData(scorecard=card, status_by_month=pd.DataFrame(rows, columns=["period", "status", "kris"]))
