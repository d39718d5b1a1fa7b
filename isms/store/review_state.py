"""The Risk Review's sections for one date and its comparison date, from one read of the register.

Every section of the page (heatmap cells, movements, changes, top risks, the detail picker,
above appetite, the exposure projection, exceptions) asks about the same two dates. Asked one by
one, each query selected the register as of both dates again, joined its treatments and
exceptions again and, above all, was bound and planned again: most of a cold build's time went
to planning a dozen queries that differ only in their last lines. Here the state of every risk
in the register on both dates is read once (`review_state`: its posture, whether it passes the
filters, its treatments' and exceptions' figures) into a temporary table, and each section is a
short query over those few thousand rows.

What each section means is unchanged (isms.store.queries had them as one query each).
"""

from __future__ import annotations

import datetime as dt
import itertools
from contextlib import contextmanager
from typing import Iterable, Iterator

import duckdb
import pandas as pd

from isms.filters import RiskFilter
from isms.matrix import RiskMatrix
from isms.store.queries import _at, _cell_index, _cell_list, _lit, _review_with, exception_cte
from isms.store.read_model import ACTIVE_TREATMENT

_names = itertools.count()


def _state_sql(matrix: RiskMatrix, as_of: dt.date, compare_to: dt.date, f: RiskFilter, late_tolerance_points: float) -> str:
    """Per (as_of, risk in the register then): its posture; `selected`, whether it passes the
    filters; `live`, selected and open and assessed; its treatments' figures then (the top risks'
    progress, the above-appetite check, the projection's plan end); its granted exceptions then.
    (Not their decisions: only the top risks show those, so `top_risks` lists them for its few.)
    On the comparison date the sections read only open, assessed risks (none reads a closed or
    unassessed risk's earlier state), so only those are kept of it.

    A live risk's treatments are the same whether taken from every treatment or from those of the
    risks that pass the filters, so they are counted once, per risk."""
    dates = sorted({as_of, compare_to})
    needs = ("posture", "treatment_state", "exception_state") + (() if f.empty else ("selected_risk",))
    selected, join = ("TRUE", "") if f.empty else \
        ("s.risk_id IS NOT NULL", "LEFT JOIN selected_risk s ON s.as_of = p.as_of AND s.risk_id = p.risk_id")
    score = _cell_list(matrix, 2)
    active = ACTIVE_TREATMENT
    return f"""{_review_with(matrix, dates, f, late_tolerance_points, *needs)},
        plan AS (
            SELECT as_of, risk_id,
                   sum(weight_days * percent_complete) FILTER (WHERE state <> 'cancelled')
                     / nullif(sum(weight_days) FILTER (WHERE state <> 'cancelled'), 0) AS percent_complete,
                   max(days_overdue) AS days_overdue,
                   count(*) FILTER (WHERE state = 'late') AS late_treatments,
                   count(*) FILTER (WHERE {active}) AS active_treatments,
                   max(due_on) FILTER (WHERE {active}) AS plan_end
            FROM treatment_state GROUP BY as_of, risk_id),
        excepted AS (
            SELECT as_of, risk_id, count(*) AS granted_exceptions FROM exception_state
            WHERE status = 'Granted' AND expires_on >= as_of AND risk_id IS NOT NULL GROUP BY as_of, risk_id)
        SELECT p.as_of, p.risk_id, p.title, p.owner, p.status,
               p.assessed_on IS NOT NULL AS assessed, {selected} AS selected,
               {selected} AND p.status <> 'Closed' AND p.assessed_on IS NOT NULL AS live,
               p.inherent_likelihood, p.inherent_impact,
               p.residual_likelihood, p.residual_impact, p.residual_score, p.residual_level, p.residual_rank,
               p.within_appetite, p.target_likelihood, p.target_impact,
               least(p.residual_score, {score}[{_cell_index(matrix, 'p.target_likelihood', 'p.target_impact')}]) AS target_score,
               t.percent_complete, coalesce(t.days_overdue, 0) AS days_overdue,
               coalesce(t.late_treatments, 0) AS late_treatments, coalesce(t.active_treatments, 0) AS active_treatments,
               t.plan_end, coalesce(e.granted_exceptions, 0) AS granted_exceptions
        FROM posture p {join}
        LEFT JOIN plan t ON t.as_of = p.as_of AND t.risk_id = p.risk_id
        LEFT JOIN excepted e ON e.as_of = p.as_of AND e.risk_id = p.risk_id
        WHERE p.as_of = {_lit(as_of)} OR (p.status <> 'Closed' AND p.assessed_on IS NOT NULL)"""


@contextmanager
def review_state(con: duckdb.DuckDBPyConnection, matrix: RiskMatrix, as_of: dt.date, compare_to: dt.date, f: RiskFilter,
                 late_tolerance_points: float) -> Iterator[str]:
    """The name under which the state of both dates (see `_state_sql`) can be queried on `con` while
    the block runs. A temporary table: it belongs to this connection (each unit of work has its own
    cursor), is dropped when the block ends, and can be made on a read-only snapshot or a DuckLake
    replica as on the primary. (An Arrow table scanned in place was tried: each section's scan of it
    cost more than writing the table saves.)"""
    name = f"review_state_{next(_names)}"
    con.execute(f"CREATE TEMP TABLE {name} AS {_state_sql(matrix, as_of, compare_to, f, late_tolerance_points)}")
    try:
        yield name
    finally:
        con.execute(f"DROP TABLE IF EXISTS {name}")


def cells(con: duckdb.DuckDBPyConnection, state: str, as_of: dt.date) -> pd.DataFrame:
    """Risks per matrix cell on each basis (inherent, residual, target) for the heatmap."""
    live = f"(SELECT * FROM {state} WHERE as_of = {_lit(as_of)} AND live)"
    return con.execute(f"""
        SELECT 'inherent' AS basis, inherent_likelihood AS likelihood, inherent_impact AS impact, count(*) AS risks FROM {live} GROUP BY ALL
        UNION ALL SELECT 'residual', residual_likelihood, residual_impact, count(*) FROM {live} GROUP BY ALL
        UNION ALL SELECT 'target', target_likelihood, target_impact, count(*) FROM {live} WHERE target_likelihood IS NOT NULL GROUP BY ALL
        ORDER BY 1, 2, 3""").df()


def movements(con: duckdb.DuckDBPyConnection, state: str, as_of: dt.date, compare_to: dt.date) -> pd.DataFrame:
    """How many risks moved from which residual cell to which between the two dates."""
    return con.execute(f"""
        SELECT p.residual_likelihood AS from_likelihood, p.residual_impact AS from_impact, p.residual_level AS from_level,
               c.residual_likelihood AS to_likelihood, c.residual_impact AS to_impact, c.residual_level AS to_level,
               count(*) AS risks
        FROM {state} c JOIN {state} p ON p.risk_id = c.risk_id AND p.as_of = {_lit(compare_to)}
                                      AND p.assessed AND p.status <> 'Closed'
        WHERE c.as_of = {_lit(as_of)} AND c.live
          AND (p.residual_likelihood <> c.residual_likelihood OR p.residual_impact <> c.residual_impact)
        GROUP BY ALL ORDER BY risks DESC, from_likelihood, from_impact, to_likelihood, to_impact""").df()


def changes(con: duckdb.DuckDBPyConnection, state: str, as_of: dt.date, compare_to: dt.date) -> pd.DataFrame:
    """New, closed, escalated and de-escalated risks between the two dates, with from and to levels.

    A risk is new when it was not an open, assessed risk at the comparison date, and closed when
    it was one then and is closed or gone now: the filters choose the side that is shown, so a
    risk that merely changed owner does not show as closed under an owner filter.
    """
    a, c = _lit(as_of), _lit(compare_to)
    return con.execute(f"""
        WITH everywhere AS (SELECT * FROM {state} WHERE status <> 'Closed' AND assessed),
        now_side AS (
            SELECT n.risk_id, n.title, n.owner,
                   CASE WHEN p.risk_id IS NULL THEN 'New' WHEN n.residual_rank > p.residual_rank THEN 'Escalated'
                        WHEN n.residual_rank < p.residual_rank THEN 'De-escalated' END AS change,
                   p.residual_level AS from_level, n.residual_level AS to_level,
                   p.residual_score AS from_score, n.residual_score AS to_score
            FROM {state} n LEFT JOIN everywhere p ON p.risk_id = n.risk_id AND p.as_of = {c}
            WHERE n.as_of = {a} AND n.live),
        closed_side AS (
            SELECT p.risk_id, p.title, p.owner, 'Closed' AS change, p.residual_level AS from_level, 'Closed' AS to_level,
                   p.residual_score AS from_score, NULL::INTEGER AS to_score
            FROM {state} p WHERE p.as_of = {c} AND p.live
              AND NOT EXISTS (SELECT 1 FROM everywhere n WHERE n.as_of = {a} AND n.risk_id = p.risk_id))
        SELECT * FROM (SELECT * FROM now_side WHERE change IS NOT NULL UNION ALL SELECT * FROM closed_side)
        ORDER BY CASE change WHEN 'Escalated' THEN 0 WHEN 'New' THEN 1 WHEN 'De-escalated' THEN 2 ELSE 3 END,
                 coalesce(to_score, from_score) DESC, risk_id""").df()


def changes_between(con: duckdb.DuckDBPyConnection, matrix: RiskMatrix, as_of: dt.date, compare_to: dt.date,
                    f: RiskFilter, late_tolerance_points: float) -> pd.DataFrame:
    """`changes` where nothing else of the two dates is asked (a meeting's agenda)."""
    with review_state(con, matrix, as_of, compare_to, f, late_tolerance_points) as state:
        return changes(con, state, as_of, compare_to)


def top_risks(con: duckdb.DuckDBPyConnection, state: str, as_of: dt.date, compare_to: dt.date, limit: int) -> pd.DataFrame:
    """The highest residual risks with their trend, decisions and treatment progress.

    Progress is the duration-weighted percent complete of the risk's treatments that are not
    cancelled (the same weighting as the register-wide figure); days overdue is the worst one.
    Decisions are the distinct decisions of the risk's treatments then (NULL: it has none; each
    reader says so its own way, as it says an empty progress), read for these few risks
    (listing them for every risk of the register was about 6 ms of the state's 41 on the large ISMS).
    """
    return con.execute(f"""
        WITH {_at('treatment_at', 'treatment_span', [as_of])},
        before AS (SELECT risk_id, residual_level, residual_score FROM {state}
                   WHERE as_of = {_lit(compare_to)} AND status <> 'Closed' AND assessed),
        top AS (
            SELECT l.risk_id, l.title, l.owner, l.status, l.residual_level, l.residual_score, l.residual_rank,
                   b.residual_level AS previous_level, b.residual_score AS previous_score,
                   CASE WHEN b.risk_id IS NULL THEN 'new' WHEN l.residual_score > b.residual_score THEN 'up'
                        WHEN l.residual_score < b.residual_score THEN 'down' ELSE 'same' END AS trend,
                   l.percent_complete, l.days_overdue, l.late_treatments
            FROM {state} l LEFT JOIN before b ON b.risk_id = l.risk_id
            WHERE l.as_of = {_lit(as_of)} AND l.live
            ORDER BY l.residual_score DESC, l.residual_rank DESC, l.risk_id
            LIMIT {int(limit)}),
        decided AS (
            SELECT risk_id, array_to_string(list_sort(list_distinct(list(decision))), ', ') AS decisions
            FROM treatment_at WHERE risk_id IN (SELECT risk_id FROM top) GROUP BY risk_id)
        SELECT t.risk_id, t.title, t.owner, t.status, t.residual_level, t.residual_score,
               t.previous_level, t.previous_score, t.trend,
               d.decisions, t.percent_complete,
               t.days_overdue, t.late_treatments
        FROM top t LEFT JOIN decided d ON d.risk_id = t.risk_id
        ORDER BY t.residual_score DESC, t.residual_rank DESC, t.risk_id""").df()


def risk_choices(con: duckdb.DuckDBPyConnection, state: str, as_of: dt.date, limit: int) -> pd.DataFrame:
    """Ids and titles of the highest residual risks that pass the filters (the detail picker)."""
    return con.execute(f"""
        SELECT risk_id, title FROM {state} WHERE as_of = {_lit(as_of)} AND selected
        ORDER BY residual_score DESC NULLS LAST, risk_id LIMIT {int(limit)}""").df()


def above_appetite(con: duckdb.DuckDBPyConnection, state: str, as_of: dt.date) -> pd.DataFrame:
    """Filtered open risks above appetite; `unaddressed` when neither an active treatment nor a
    granted, unexpired exception covers them (the issue's definition). `accepted` tells apart the
    unaddressed risks the register records as formally accepted: accepted above appetite still
    needs the meeting's decision, but it is not the same as nobody having looked."""
    return con.execute(f"""
        SELECT risk_id, title, owner, residual_level, residual_score, active_treatments, granted_exceptions,
               active_treatments = 0 AND granted_exceptions = 0 AS unaddressed,
               status = 'Accepted' AS accepted
        FROM {state} WHERE as_of = {_lit(as_of)} AND live AND NOT within_appetite
        ORDER BY unaddressed DESC, residual_score DESC, risk_id""").df()


def exposure_projection(con: duckdb.DuckDBPyConnection, state: str, from_date: dt.date,
                        months: Iterable[dt.date]) -> pd.DataFrame:
    """Residual exposure implied by the treatment plans as they stood on `from_date`.

    A risk is expected to fall to its target once the last of its active treatments is due;
    risks without a target or without an active treatment keep their residual score. Plans
    already overdue on `from_date` count from the month after, so the line starts at the actual.
    """
    months = sorted(set(months))
    if not months:  # compared with a date past the projection's horizon: nothing to project
        return pd.DataFrame({"as_of": pd.Series(dtype="datetime64[us]"), "projected_exposure": pd.Series(dtype="float64")})
    month_rows = ", ".join(f"({_lit(m)})" for m in months)
    f = _lit(from_date)
    return con.execute(f"""
        WITH proj_month(month_end) AS (VALUES {month_rows}),
        basis AS (SELECT residual_score, target_score, plan_end FROM {state} WHERE as_of = {f} AND live)
        SELECT m.month_end AS as_of,
               coalesce(sum(CASE WHEN b.target_score IS NOT NULL AND b.plan_end IS NOT NULL AND greatest(b.plan_end, {f} + 1) <= m.month_end THEN b.target_score
                                 ELSE b.residual_score END), 0) AS projected_exposure
        FROM proj_month m LEFT JOIN basis b ON TRUE GROUP BY m.month_end ORDER BY m.month_end""").df()


def exceptions(con: duckdb.DuckDBPyConnection, state: str, as_of: dt.date, f: RiskFilter, horizon_days: int = 90) -> pd.DataFrame:
    """Granted exceptions that expire within the horizon or have expired but are still open,
    with the residual level of the linked risk as of the date; under a filter, only those of the
    risks that pass it (an exception tied to no risk belongs to the whole register)."""
    a = _lit(as_of)
    selected = "TRUE" if f.empty else f"e.risk_id IN (SELECT risk_id FROM {state} WHERE as_of = {a} AND selected)"
    return con.execute(f"""
        WITH as_of_date(as_of) AS (VALUES ({a})), {exception_cte()}
        SELECT e.exception_id, e.policy, e.title, e.control, e.risk_id, e.approver, e.expires_on, e.days_to_expiry,
               CASE WHEN e.days_to_expiry < 0 THEN 'Expired, still open'
                    WHEN e.days_to_expiry <= 30 THEN 'Within 30 days'
                    WHEN e.days_to_expiry <= 60 THEN 'Within 60 days'
                    ELSE 'Within 90 days' END AS window,
               p.residual_level AS risk_level, p.residual_score AS risk_score
        FROM exception_state e LEFT JOIN {state} p ON p.risk_id = e.risk_id AND p.as_of = {a}
        WHERE {selected} AND e.status = 'Granted' AND e.days_to_expiry <= {int(horizon_days)}
        ORDER BY e.days_to_expiry, e.exception_id""").df()
