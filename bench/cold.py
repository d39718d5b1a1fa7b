"""Cold builds: what a new filter, a new date or the first page after an import costs.

A cold build is the view's `build` for settings it has not been asked for before, on an open
connection: nothing of Streamlit's cache helps it, only the read model (DuckDB keeps no results).
Each figure is the median of three distinct cold builds (different dates and filters), each built
REPEATS times, so one slow moment of a shared machine (seen: the same build taking 1.5 times as
long a minute later) does not decide it.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from isms.dates import previous_quarter_end
from isms.config import load_settings
from isms.filters import RiskFilter
from isms.store import connect
from isms.views import risk_review, security_health

FLOOR_RUNS = 7
REPEATS = 3


def _seconds(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _interleaved(dbs: tuple[Path, ...], cases_of, build, floor=None, first=None) -> tuple[float, ...]:
    """Per database, the median of its cold builds, the databases' builds taken in turn (one build
    on each, then the next) so that a slow minute of the machine weighs on each side alike; with
    `floor` (a query run on the first database's connection), its median too, timed in the same turns.
    `first`: the case a page builds when it is opened, built untimed before the others."""
    settings = {db: load_settings(db_path=str(db)) for db in dbs}
    cons = {db: connect(db, read_only=True) for db in dbs}
    try:
        cases = {db: cases_of(cons[db]) for db in dbs}
        for db in dbs if first is not None else ():
            build(cons[db], settings[db], *first(cons[db]))
        runs: dict[Path, list[float]] = {db: [] for db in dbs}
        floors: list[float] = []
        for _ in range(REPEATS):
            for i in range(max(len(c) for c in cases.values())):
                for db in dbs:
                    if i < len(cases[db]):
                        runs[db].append(_seconds(lambda db=db: build(cons[db], settings[db], *cases[db][i])))
                if floor is not None:
                    floors += [_seconds(lambda: floor(cons[dbs[0]])) for _ in range(FLOOR_RUNS)]
        medians = tuple(statistics.median(runs[db]) for db in dbs)
        return medians + ((statistics.median(floors),) if floor is not None else ())
    finally:
        for con in cons.values():
            con.close()


def _review_cases(con) -> list[tuple]:
    """The default view, one Annex A theme, the quarter before."""
    dates = risk_review.review_dates(con, include_interim=True)
    as_of = risk_review.default_review_date(dates)
    earlier = [d for d in dates if d < as_of and risk_review.is_quarter_end(d)] or [as_of]
    theme = risk_review.filter_options(con, as_of)["themes"][0]
    return [(as_of, RiskFilter()), (as_of, RiskFilter(themes=(theme,))), (earlier[0], RiskFilter())]


SCAN = "SELECT risk_id, count(*) AS assessments, max(assessed_on) AS last_assessed FROM assessment GROUP BY risk_id"


def risk_review_cold(large: Path, sample: Path) -> tuple[float, float, float]:
    """The median cold Risk Review build (`_review_cases`) on each database, and the floor: one
    DuckDB scan that aggregates the large one's assessment table by risk, timed between the builds."""
    return _interleaved((large, sample), _review_cases,
                        lambda con, settings, d, f: risk_review.build(con, settings, d, previous_quarter_end(d), f),
                        floor=lambda con: con.execute(SCAN).fetchall())


def _month_cases(con) -> list[tuple]:
    """Three month changes, each month compared with the one before."""
    months = security_health.months_with_results(con)
    return list(zip(months[1:4], months[2:5]))


def _latest_month(con) -> tuple:
    months = security_health.months_with_results(con)
    return months[0], months[1]


def security_health_cold(*dbs: Path) -> tuple[float, ...]:
    """Per database, the median of its cold Security Health month changes (`_month_cases`), after
    the page as first opened (its latest month) was built."""
    return _interleaved(dbs, _month_cases, security_health.build, first=_latest_month)
