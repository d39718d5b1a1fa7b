"""Cold builds: what a new filter, a new date or the first page after an import costs.

A cold build is the view's `build` for settings it has not been asked for before, on an open
connection: nothing of Streamlit's cache helps it, only the read model. Each figure is the median
of a few distinct cold builds (different dates and filters), so one slow moment of a shared machine
does not decide it.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from isms.config import load_settings
from isms.filters import RiskFilter
from isms.store import connect
from isms.views import risk_review, security_health

FLOOR_RUNS = 7


def _seconds(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def risk_review_cold(db: Path) -> float:
    """Median of three cold Risk Review builds: the default view, one Annex A theme, the quarter before."""
    settings = load_settings(db_path=str(db))
    con = connect(db, read_only=True)
    try:
        dates = risk_review.review_dates(con, include_interim=True)
        as_of = risk_review.default_review_date(dates)
        earlier = [d for d in dates if d < as_of and risk_review.is_quarter_end(d)] or [as_of]
        theme = risk_review.filter_options(con, as_of)["themes"][0]
        runs = [
            _seconds(lambda: risk_review.build(con, settings, as_of, risk_review.default_compare(as_of))),
            _seconds(lambda: risk_review.build(con, settings, as_of, risk_review.default_compare(as_of),
                                               RiskFilter(themes=(theme,)))),
            _seconds(lambda: risk_review.build(con, settings, earlier[0], risk_review.default_compare(earlier[0]))),
        ]
    finally:
        con.close()
    return statistics.median(runs)


def security_health_cold(db: Path) -> float:
    """Median of three cold Security Health month changes (each month compared with the one before)."""
    settings = load_settings(db_path=str(db))
    con = connect(db, read_only=True)
    try:
        months = security_health.months_with_results(con)
        security_health.build(con, settings, months[0], months[1])  # the page as first opened
        runs = [_seconds(lambda m=m, c=c: security_health.build(con, settings, m, c))
                for m, c in zip(months[1:4], months[2:5])]
    finally:
        con.close()
    return statistics.median(runs)


def assessment_scan(db: Path) -> float:
    """The floor: one DuckDB scan that aggregates the assessment table by risk (median of a few)."""
    con = connect(db, read_only=True)
    try:
        sql = "SELECT risk_id, count(*) AS assessments, max(assessed_on) AS last_assessed FROM assessment GROUP BY risk_id"
        con.execute(sql).fetchall()
        return statistics.median(_seconds(lambda: con.execute(sql).fetchall()) for _ in range(FLOOR_RUNS))
    finally:
        con.close()
