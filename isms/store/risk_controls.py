"""Risks and controls, both ways, as of a date: which controls stand behind a risk, how their last
tests went, and which audit findings touch the risk or those controls.

There is no risk-to-control table. A risk names Annex A controls in the register
(`risk.annex_a_controls`, 'A.8.8'); a control of the organisation's register names the requirements
it satisfies (`control.requirements`, 'ISO27001-2022:A.8.8'). A risk's controls are therefore
*derived*: the controls in the register on the date whose Annex A requirements (their own, and
suggested links accepted by then) include one of the Annex A references the risk has on that date. A finding belongs to a risk when it
names the risk (`finding.risk_id`) or one of the risk's controls (`finding.control_id`).

Control effectiveness, per control as of D (the Compliance review's words, isms.store.compliance_reads):
- its last result: the result of its latest period with a result known on D;
- overdue: a period whose test was due on or before D and has no result known on D.
A risk's controls are then, on D:
- FAILING: one of them last failed (Fail, or passed with Exceptions) or is overdue for testing;
- PASSED: it has at least one, each last passed and none is overdue;
- UNTESTED: none has a result yet (a risk with no controls at all among them).
A risk may be none of these (one control passed, another not yet due for its first test).
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

from isms.store.compliance import control_links_at_sql, register_sql, tests_at_sql
from isms.store.compliance_reads import OPEN

ANNEX_A = "ISO27001-2022"  # the framework code of the shipped Annex A catalog (isms.catalogs)
NOT_PASSED = ("Fail", "Exceptions")
FAILING, PASSED, UNTESTED = "failing", "passed", "untested"


def _d(value: dt.date) -> str:
    return f"DATE '{value.isoformat()}'"


def control_state_sql(dates: str = "as_of_date") -> str:
    """(as_of, control_id, last_period, last_result, last_tested_on, tester, overdue_tests) per
    control with a test on each date of `dates`."""
    return f"""SELECT as_of, control_id,
                      max(period) FILTER (WHERE result IS NOT NULL) AS last_period,
                      arg_max(result, period) FILTER (WHERE result IS NOT NULL) AS last_result,
                      arg_max(tested_on, period) FILTER (WHERE result IS NOT NULL) AS last_tested_on,
                      arg_max(tester, period) FILTER (WHERE result IS NOT NULL) AS tester,
                      count(*) FILTER (WHERE result IS NULL AND due_on <= as_of) AS overdue_tests
               FROM ({tests_at_sql(dates)}) GROUP BY as_of, control_id"""


def risk_control_sql(risks: str, dates: str = "as_of_date") -> str:
    """(as_of, risk_id, control_id, annex_a): each risk of `risks` (a relation of as_of, risk_id,
    annex_a_controls) with the controls derived from its Annex A references (see the module)."""
    return f"""SELECT r.as_of, r.risk_id, l.control_id, list(DISTINCT l.ref ORDER BY l.ref) AS annex_a
               FROM (SELECT as_of, risk_id, unnest(annex_a_controls) AS ref FROM {risks}) r
               JOIN ({control_links_at_sql(dates)}) l ON l.as_of = r.as_of AND l.framework = '{ANNEX_A}' AND l.ref = r.ref
               GROUP BY ALL"""


def effectiveness_cte(name: str, risks: str, dates: str = "as_of_date") -> str:
    """`name`(as_of, risk_id, failing, passed, tested): the state of each risk's controls per date,
    for the risks of `risks` that have any (see the module for the words). Materialised: the filter
    asks it once per risk row, and inlined it was computed again for each (the sample's cold Risk
    Review bundle with this filter took about twice as long)."""
    return f"""{name} AS MATERIALIZED (
        SELECT rc.as_of, rc.risk_id,
               bool_or(s.last_result IN {NOT_PASSED} OR coalesce(s.overdue_tests, 0) > 0) AS failing,
               bool_and(coalesce(s.last_result = 'Pass' AND s.overdue_tests = 0, FALSE)) AS passed,
               bool_or(s.last_result IS NOT NULL) AS tested
        FROM ({risk_control_sql(risks, dates)}) rc
        LEFT JOIN ({control_state_sql(dates)}) s USING (as_of, control_id)
        GROUP BY rc.as_of, rc.risk_id)"""


def effectiveness_condition(choice: str, name: str, risk: str = "r") -> str:
    """The SQL condition that keeps the risk row `risk` (as_of, risk_id) whose controls are `choice`."""
    match = f"SELECT 1 FROM {name} e WHERE e.as_of = {risk}.as_of AND e.risk_id = {risk}.risk_id"
    if choice == FAILING:
        return f"EXISTS ({match} AND e.failing)"
    if choice == PASSED:
        return f"EXISTS ({match} AND e.passed)"
    if choice == UNTESTED:
        return f"NOT EXISTS ({match} AND e.tested)"
    raise ValueError(f"no control effectiveness {choice!r}")


def _one_risk(risk_id: str, as_of: dt.date) -> str:
    """The CTEs `as_of_date` and `one_risk` (the risk's register row on the date, from the read model)."""
    rid = "'" + risk_id.replace("'", "''") + "'"
    return f"""as_of_date AS (SELECT {_d(as_of)} AS as_of),
        one_risk AS (SELECT d.as_of, s.risk_id, s.annex_a_controls FROM as_of_date d
                     JOIN risk_span s ON s.valid_from <= d.as_of AND d.as_of < s.valid_to AND s.risk_id = {rid})"""


def risk_controls(con: duckdb.DuckDBPyConnection, risk_id: str, as_of: dt.date) -> pd.DataFrame:
    """One risk's controls on a date (derived from its Annex A references), each with its last test
    known then: control_id, name, owner, status, annex_a, last_period, last_tested_on, last_result,
    tester, overdue_tests. Failing first, then untested, then passed."""
    sql = f"""WITH {_one_risk(risk_id, as_of)}
        SELECT rc.control_id, c.name, c.owner, c.status, list_aggr(rc.annex_a, 'string_agg', ', ') AS annex_a,
               s.last_period, s.last_tested_on, s.last_result, s.tester, coalesce(s.overdue_tests, 0) AS overdue_tests
        FROM ({risk_control_sql('one_risk')}) rc
        JOIN ({register_sql('controls', as_of)}) c USING (control_id)
        LEFT JOIN ({control_state_sql()}) s USING (as_of, control_id)
        ORDER BY CASE WHEN s.last_result IN {NOT_PASSED} OR coalesce(s.overdue_tests, 0) > 0 THEN 0
                      WHEN s.last_result IS NULL THEN 1 ELSE 2 END, rc.control_id"""
    return con.execute(sql).df()


def risk_findings(con: duckdb.DuckDBPyConnection, risk_id: str, as_of: dt.date) -> pd.DataFrame:
    """Findings in the register on a date that name the risk or one of its controls: finding_id,
    title, grade, status, due_on, overdue (open and past due), linked_by ('risk' or the control id).
    Open ones first, the most overdue first."""
    rid = "'" + risk_id.replace("'", "''") + "'"
    sql = f"""WITH {_one_risk(risk_id, as_of)},
        mine AS (SELECT control_id FROM ({risk_control_sql('one_risk')}))
        SELECT f.finding_id, f.title, f.grade, f.status, f.due_on,
               coalesce(f.status IN {OPEN} AND f.due_on < {_d(as_of)}, FALSE) AS overdue,
               CASE WHEN f.risk_id = {rid} THEN 'risk' ELSE f.control_id END AS linked_by,
               f.control_id, f.audit_id, f.raised_on, f.closed_on
        FROM ({register_sql('findings', as_of)}) f
        WHERE f.risk_id = {rid} OR f.control_id IN (SELECT control_id FROM mine)
        ORDER BY f.status NOT IN {OPEN}, f.due_on NULLS LAST, f.finding_id"""
    return con.execute(sql).df()


def has_controls(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> bool:
    """Whether a control register was imported by the date (the Risk Review offers its control filter then)."""
    return con.execute(f"SELECT count(*) > 0 FROM ({register_sql('controls', as_of)})").fetchone()[0]
