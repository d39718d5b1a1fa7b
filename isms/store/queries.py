"""Named read queries. Aggregation and as-of selection happen here, in DuckDB.

"As of D" means: for a register (risks, treatments, ...), the rows of the latest active batch
with that kind dated on or before D; for dated events (assessments, updates, results), per key
the latest event on or before D. Levels come from `matrix_cte`, generated from the one
`RiskMatrix.level`, so SQL and Python can never disagree on a label.

That selection is derived once per change of the data, as intervals (isms.store.read_model):
here "as of D" is a range filter on `register_span`, `risk_span`, `treatment_span` and
`result_span`, and a trend over many dates one range join, never the history derived again.
"""

from __future__ import annotations

import datetime as dt
from typing import Iterable

import duckdb
import numpy as np
import pandas as pd

from isms.dates import month_end, month_ends
from isms.filters import PART, WHOLE, RiskFilter, Scope
from isms.matrix import RiskMatrix
from isms.models import KINDS
from isms.store import risk_controls
from isms.store.migrations import TABLES
from isms.store.read_model import ACTIVE_TREATMENT, MONTH_END_TABLES, counted_with_its_risk, late, selected, treatment_measures

KEY_COLUMN = {
    "assets": "asset_id",
    "risks": "risk_id",
    "treatments": "treatment_id",
    "metrics": "metric_id",
    "exceptions": "exception_id",
    "controls": "control_id",
    "audits": "audit_id",
    "findings": "finding_id",
}


def _lit(value: object) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, dt.date):
        return f"DATE '{value.isoformat()}'"
    return "'" + str(value).replace("'", "''") + "'"


def matrix_cte(matrix: RiskMatrix) -> str:
    rows = ", ".join("(" + ", ".join(_lit(v) for v in cell) + ")" for cell in matrix.cells())
    return (
        f"matrix_cell(likelihood, impact, score, level, level_rank, within_appetite) AS (VALUES {rows})"
    )


def dates_cte(dates: Iterable[dt.date]) -> str:
    rows = ", ".join(f"({_lit(d)})" for d in sorted(set(dates)))
    return f"as_of_date(as_of) AS (VALUES {rows})"


def _at(name: str, table: str, dates: Iterable[dt.date]) -> str:
    """`name`: the rows of a read-model table that hold on each date, with the date as `as_of`
    (the table's columns without its interval).

    Month ends read the table's month-end copy (isms.store.read_model): all of them in one scan by
    equality, and a month end after the copy's extent the rows of its last month end. Any other
    date is one filtered scan of the intervals: with a few dates against hundreds of thousands of
    intervals, several times quicker than the range joins DuckDB plans for
    `valid_from <= as_of AND as_of < valid_to`.
    """
    dates = sorted(set(dates))
    copy = MONTH_END_TABLES.get(table)
    ends = [d for d in dates if copy and d == month_end(d)]
    # a copy's extra columns (isms.store.read_model.MONTH_END_EXTRA), asked of the intervals
    extra = {"treatment_span": lambda d: f""", EXISTS (SELECT 1 FROM risk_span r
                                                WHERE r.risk_id = t.risk_id AND {during('r', d)}
                                                  AND {counted_with_its_risk('r', 't')}) AS risk_listed,
                                         {selected(treatment_measures(d))}"""}
    more = extra.get(table, lambda d: "")
    # past the copy's extent the rows of its last month end hold, but their measures are the date's
    measured = {"treatment_span": f" REPLACE ({selected(treatment_measures('d.as_of'))})"}.get(table, "")
    parts = [f"SELECT {_lit(d)} AS as_of, t.* EXCLUDE (valid_from, valid_to){more(_lit(d))} FROM {table} t WHERE {during('t', _lit(d))}"
             for d in dates if d not in ends]
    if ends:
        listed = ", ".join(_lit(d) for d in ends)
        parts.append(f"SELECT m.month_end AS as_of, m.* EXCLUDE (month_end) FROM {copy} m WHERE {_among('m.month_end', ends)}")
        parts.append(f"""SELECT d.as_of, m.* EXCLUDE (month_end){measured}
            FROM (SELECT unnest([{listed}]) AS as_of) d
            JOIN read_model_extent x ON x.name = '{copy}' AND d.as_of > x.last_month_end
            JOIN {copy} m ON m.month_end = x.last_month_end""")
    return f"{name} AS NOT MATERIALIZED ({' UNION ALL '.join(parts)})"


def _among(column: str, ends: list[dt.date]) -> str:
    """`column` is one of the month ends `ends` (sorted); every month end of a span (a trend's) as a
    range the scan skips to, not a join with the list."""
    if ends == month_ends(ends[0], ends[-1]):
        return f"{column} BETWEEN {_lit(ends[0])} AND {_lit(ends[-1])}"
    return f"{column} IN ({', '.join(_lit(d) for d in ends)})"


def _counts_kept(con: duckdb.DuckDBPyConnection, copy: str, dates: list[dt.date], f: RiskFilter) -> list[dt.date]:
    """The dates whose trend counts are kept in the counts tables of month-end copy `copy`
    (isms.store.read_model.TOTALS): with no filter but Annex A themes (the counts are kept per
    theme), the month ends up to the copy's extent. Other dates, and other filters, are counted
    from the risks and treatments themselves."""
    ends = [d for d in dates if d == month_end(d)]
    if not f.only("themes") or not ends:
        return []
    row = con.execute("SELECT last_month_end FROM read_model_extent WHERE name = ?", [copy]).fetchone()
    extent = row[0] if row else None
    return [d for d in ends if extent is not None and d <= extent]


def _themes_kept(f: RiskFilter, alias: str = "") -> str:
    """The rows of a counts table (isms.store.read_model.TOTALS) under `f`'s themes."""
    return _in(f"{alias}annex_a_theme", f.themes) if f.themes else "TRUE"


def during(alias: str, date: str = "d.as_of") -> str:
    """The rows of a read-model table (see isms.store.read_model) that hold on `date`."""
    return f"{alias}.valid_from <= {date} AND {date} < {alias}.valid_to"


def snapshot_cte(kind: str, name: str) -> str:
    """Per date in `as_of_date`, the batch that holds the register of `kind` as of that date."""
    return f"""{name} AS (
        SELECT d.as_of, s.batch_id FROM as_of_date d
        JOIN register_span s ON s.kind = '{kind}' AND {during('s')})"""


def assessed_risk_ids(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> set[str]:
    """The risks some active assessment rated on or before a date (an import tells of the rest)."""
    return {r for (r,) in con.execute(
        """SELECT DISTINCT a.risk_id FROM assessment a JOIN active_batch b USING (batch_id)
           WHERE a.assessed_on <= ?""", [as_of]).fetchall()}


def residual_ratings(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> dict[str, tuple[int, int]]:
    """Each risk's residual (likelihood, impact) by its latest assessment on or before a date, from
    the read model: what a new file's ratings are compared with."""
    return {r: (int(l), int(i)) for r, l, i in con.execute(
        """SELECT risk_id, residual_likelihood, residual_impact FROM risk_span
           WHERE valid_from <= ? AND ? < valid_to AND residual_likelihood IS NOT NULL""",
        [as_of, as_of]).fetchall()}


def next_whole_register(con: duckdb.DuckDBPyConnection, kind: str, after: dt.date) -> dt.date | None:
    """The date of the first active whole register of `kind` dated after a date, if any: from then
    on the register is that batch's, whatever an earlier part added."""
    return con.execute("""SELECT min(as_of) FROM active_batch WHERE list_contains(kinds, ?) AND as_of > ?
                          AND (mode IS NULL OR mode = 'whole')""", [kind, after]).fetchone()[0]


def known_ids(con: duckdb.DuckDBPyConnection, kind: str, as_of: dt.date) -> set[str]:
    """Ids in the register of `kind` as of a date (for reference checks on import)."""
    table, key = TABLES[kind], KEY_COLUMN[kind]
    sql = f"""WITH {dates_cte([as_of])}, {snapshot_cte(kind, 'snap')}
              SELECT DISTINCT t.{key} FROM {table} t JOIN snap USING (batch_id)"""
    return {r[0] for r in con.execute(sql).fetchall()}


def register_exists(con: duckdb.DuckDBPyConnection, kind: str, as_of: dt.date) -> bool:
    """Whether any batch holds a register of `kind` as of a date (an empty one included)."""
    return bool(con.execute(f"SELECT count(*) FROM register_span s WHERE s.kind = ? AND {during('s', '?')}",
                            [kind, as_of, as_of]).fetchone()[0])


def stored_events(con: duckdb.DuckDBPyConnection, kind: str, ids: list) -> pd.DataFrame:
    """The dated events (assessments, updates, results) already stored for these ids, in active
    batches only: what an import's preview compares its rows with."""
    key = KINDS[kind][2][0]
    if not ids:
        return pd.DataFrame(columns=list(KINDS[kind][1].model_fields))
    return con.execute(
        f"""SELECT t.* EXCLUDE (batch_id) FROM {TABLES[kind]} t JOIN active_batch USING (batch_id)
            WHERE t.{key} IN (SELECT unnest(?))""", [ids]).df()


def register(con: duckdb.DuckDBPyConnection, kind: str, as_of: dt.date) -> pd.DataFrame:
    """The register of one kind as it stood on a date."""
    table = TABLES[kind]
    sql = f"""WITH {dates_cte([as_of])}, {snapshot_cte(kind, 'snap')}
              SELECT t.* EXCLUDE (batch_id) FROM {table} t JOIN snap USING (batch_id)
              ORDER BY 1"""
    return con.execute(sql).df()


def posture_cte(matrix: RiskMatrix, dates: Iterable[dt.date]) -> str:
    """`posture`: one row per (as_of, risk in the register then) with its latest assessment (and
    `risk_at`, the register rows it reads)."""
    return f"{_at('risk_at', 'risk_span', dates)}, {_posture(matrix)}"


def _cell_list(matrix: RiskMatrix, field: int) -> str:
    """One field of every matrix cell (score, level, ...: its position in `RiskMatrix.cells`) as an
    SQL list, the cell of (likelihood, impact) at `_cell_index`."""
    values: list[object] = [None] * (matrix.steps_likelihood * matrix.steps_impact)
    for cell in matrix.cells():
        values[(cell[0] - 1) * matrix.steps_impact + cell[1] - 1] = cell[field]
    return "[" + ", ".join("NULL" if v is None else _lit(v) for v in values) + "]"


def _cell_index(matrix: RiskMatrix, likelihood: str, impact: str) -> str:
    """The position of a (likelihood, impact) cell in a `_cell_list`; NULL outside the matrix."""
    return f"""CASE WHEN {likelihood} BETWEEN 1 AND {matrix.steps_likelihood} AND {impact} BETWEEN 1 AND {matrix.steps_impact}
                    THEN ({likelihood}::INTEGER - 1) * {matrix.steps_impact} + {impact}::INTEGER END"""


def _posture(matrix: RiskMatrix) -> str:
    """`posture` over `risk_at` (see `posture_cte`). Scores and levels are looked up in lists of the
    matrix's cells by position, the same cells `matrix_cte` joins, without a join per row."""
    score, level, rank, within = (_cell_list(matrix, i) for i in (2, 3, 4, 5))
    return f"""posture AS (
            SELECT r.as_of, r.risk_id, r.title, r.annex_a_theme, r.owner, r.status, r.asset_ids,
                   r.source, r.identified_on, r.assessed_on,
                   r.inherent_likelihood, r.inherent_impact, {score}[r.inherent_cell] AS inherent_score,
                   {level}[r.inherent_cell] AS inherent_level, {rank}[r.inherent_cell] AS inherent_rank,
                   r.residual_likelihood, r.residual_impact, {score}[r.residual_cell] AS residual_score,
                   {level}[r.residual_cell] AS residual_level, {rank}[r.residual_cell] AS residual_rank,
                   {within}[r.residual_cell] AS within_appetite,
                   r.target_likelihood, r.target_impact, {level}[r.target_cell] AS target_level
            FROM (SELECT *, {_cell_index(matrix, 'inherent_likelihood', 'inherent_impact')} AS inherent_cell,
                         {_cell_index(matrix, 'residual_likelihood', 'residual_impact')} AS residual_cell,
                         {_cell_index(matrix, 'target_likelihood', 'target_impact')} AS target_cell
                  FROM risk_at) r
        )"""


def treatment_cte(late_tolerance_points: float, dates: Iterable[dt.date]) -> str:
    """`treatment_state`: per (as_of, treatment in the register then) its progress and state.

    Plan is linear from start to due. Done and cancelled are taken from the register, or from a
    progress update newer than the register row; a treatment past its due date is overdue; one whose progress trails the plan by more than the
    tolerance is late; otherwise on track. `risk_listed`: the treatment counts with its risk then
    (isms.store.read_model.counted_with_its_risk: its risk is in the register, and open unless the
    treatment is done).
    """
    return f"""{_at('treatment_at', 'treatment_span', dates)},
        treatment_progress AS (
            -- status and completion already follow the latest update on or before the date when that
            -- update is newer than the register row; the measures are the date's
            -- (isms.store.read_model.treatment_measures)
            SELECT t.as_of, t.batch_id, t.treatment_id, t.risk_id, t.decision, t.description, t.owner,
                   t.start_on, t.due_on, t.status, t.completed_on, t.reported_percent, t.last_update_on, t.risk_listed,
                   t.percent_complete, t.planned_percent, t.weight_days, t.settled_state, t.days_overdue
            FROM treatment_at t
        ),
        treatment_state AS (
            SELECT * EXCLUDE (settled_state, days_overdue),
                coalesce(settled_state,
                         CASE WHEN {late(late_tolerance_points)} THEN 'late'
                              ELSE 'on track' END) AS state,
                days_overdue
            FROM treatment_progress
        )"""


def exception_cte() -> str:
    return f"""{snapshot_cte('exceptions', 'exception_snap')},
        exception_state AS (
            SELECT s.as_of, e.* EXCLUDE (batch_id),
                   date_diff('day', s.as_of, e.expires_on) AS days_to_expiry
            FROM exception_snap s JOIN policy_exception e ON e.batch_id = s.batch_id
        )"""


def posture(con: duckdb.DuckDBPyConnection, matrix: RiskMatrix, dates: Iterable[dt.date]) -> pd.DataFrame:
    """Every risk in the register at each date, with its assessment and levels then."""
    sql = f"WITH {dates_cte(dates)}, {posture_cte(matrix, dates)} SELECT * FROM posture ORDER BY as_of, risk_id"
    return con.execute(sql).df()


def treatment_states(con: duckdb.DuckDBPyConnection, dates: Iterable[dt.date], late_tolerance_points: float) -> pd.DataFrame:
    sql = f"""WITH {dates_cte(dates)}, {treatment_cte(late_tolerance_points, dates)}
              SELECT * EXCLUDE (batch_id, risk_listed) FROM treatment_state ORDER BY as_of, treatment_id"""
    return con.execute(sql).df()


def exceptions(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> pd.DataFrame:
    sql = f"WITH {dates_cte([as_of])}, {exception_cte()} SELECT * FROM exception_state ORDER BY expires_on NULLS LAST"
    return con.execute(sql).df()


def latest_results(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> pd.DataFrame:
    """Each metric in the register as of a date, with its latest result on or before it."""
    return latest_results_on(con, [as_of]).drop(columns="as_of")


def latest_results_on(con: duckdb.DuckDBPyConnection, dates: Iterable[dt.date]) -> pd.DataFrame:
    """`latest_results` of each date (its `as_of`) in one query: a scorecard's two dates cost one
    read, not two."""
    sql = f"""WITH {dates_cte(dates)}, {snapshot_cte('metrics', 'ms')}
        SELECT ms.as_of, m.* EXCLUDE (batch_id), res.period, res.value
        FROM ms JOIN metric m ON m.batch_id = ms.batch_id
        LEFT JOIN result_span res ON res.metric_id = m.metric_id AND {during('res', 'ms.as_of')}
        ORDER BY ms.as_of, m.metric_id"""
    return con.execute(sql).df()


def assessment_dates(con: duckdb.DuckDBPyConnection) -> list[dt.date]:
    """Dates of the active batches that brought a risk register, oldest first."""
    rows = con.execute(
        "SELECT DISTINCT as_of FROM active_batch WHERE list_contains(kinds, 'risks') ORDER BY as_of"
    ).fetchall()
    return [r[0] for r in rows]


def interim_dates(con: duckdb.DuckDBPyConnection) -> list[dt.date]:
    """Dates on which something the Risk Review reads changed without a new risk register, oldest
    first: a forum decision (its batch, isms.decision_effects), or an import of exceptions,
    treatments, their updates, assessments or assets alone (an exception log imported today is a
    date the page must offer, not a change that shows nowhere until the next register)."""
    rows = con.execute("""SELECT DISTINCT as_of FROM active_batch WHERE source = 'forum'
        OR len(list_intersect(kinds, ['exceptions', 'treatments', 'treatment_updates', 'assessments', 'assets'])) > 0
        ORDER BY as_of""").fetchall()
    return [r[0] for r in rows]


def result_periods(con: duckdb.DuckDBPyConnection) -> list[dt.date]:
    """Months with results that a KRI register covers by the month's end: a result can only be
    judged against its indicator's definition, so earlier months would show an empty board."""
    rows = con.execute(
        """SELECT DISTINCT r.period FROM monitoring_result r JOIN active_batch USING (batch_id)
           WHERE last_day(r.period) >= (SELECT min(b.as_of) FROM metric JOIN active_batch b USING (batch_id))
           ORDER BY r.period"""
    ).fetchall()
    return [r[0] for r in rows]


def results_held(con: duckdb.DuckDBPyConnection) -> tuple[int, dt.date | None, dt.date | None]:
    """(KRI results held, the first result's month end, the first KRI register's date): what
    Security Health says when `result_periods` has no month to show."""
    held, first = con.execute("SELECT count(*), last_day(min(r.period)) FROM monitoring_result r "
                              "JOIN active_batch USING (batch_id)").fetchone()
    (defined,) = con.execute("SELECT min(b.as_of) FROM metric JOIN active_batch b USING (batch_id)").fetchone()
    return int(held), first, defined


def metrics_first_defined(con: duckdb.DuckDBPyConnection) -> dict[str, dt.date]:
    """Each indicator's first definition date: the earliest batch date of a KRI register that holds
    it. Security Health shows a month's result only where its indicator was defined by then
    (`result_periods`); the import warns of results that would fall before."""
    return dict(con.execute("""SELECT m.metric_id, min(b.as_of) FROM metric m JOIN active_batch b USING (batch_id)
                               GROUP BY m.metric_id""").fetchall())


# --- Register files that are part of the register (issue 11): add below this line ---

# Registers that hang off a risk: a scope that names risks names their rows too.
RISK_LINKED = ("treatments", "exceptions")


def _scope_sql(kind: str, scope: Scope) -> str:
    """The rows of `kind` in the register as of the date (alias t) that a scope speaks for; FALSE for
    registers a scope does not divide (assets, KRI definitions merge whatever the mode)."""
    values = "[" + ", ".join(_lit(v) for v in scope.values) + "]::VARCHAR[]"
    if kind == "risks":
        return f"coalesce(list_contains({values}, t.{scope.field}), FALSE)"
    if kind in RISK_LINKED:
        return f"""(t.risk_id IN (SELECT r.risk_id FROM scope_risk_snap s JOIN risk r ON r.batch_id = s.batch_id
                                  WHERE coalesce(list_contains({values}, r.{scope.field}), FALSE))
                    OR t.risk_id IN (SELECT unnest($listed_risks::VARCHAR[])))"""
    return "FALSE"


def carried_select(kind: str, as_of: dt.date, mode: str, scope: Scope | None = None) -> str:
    """SQL for the rows of the register of `kind` as of a date that a new batch keeps besides the
    rows its file lists (parameter $listed: their keys): every unlisted row for a part, the
    unlisted rows outside the scope for a whole file with a scope, none for a whole file without
    one. A scope names risks, and through them their treatments and exceptions (parameter
    $listed_risks: the file's risk ids, in its scope whatever unit they were filed under before).

    The one definition of what leaves the register: the preview reads it (`carried_rows`) and the
    commit writes it in its transaction (isms.store.batches), so a batch holds the whole register
    it leaves behind and every as-of read ("the latest batch's rows") stays right.
    """
    table, key = TABLES[kind], KEY_COLUMN[kind]
    if mode == WHOLE and scope is None:
        keep = "FALSE"
    elif mode == WHOLE:
        keep = f"NOT {_scope_sql(kind, scope)}"
    elif mode == PART:
        keep = "TRUE"
    else:
        raise ValueError(f"an import is {' or '.join(repr(m) for m in (WHOLE, PART))}, not {mode!r}")
    return f"""WITH {dates_cte([as_of])}, {snapshot_cte(kind, 'snap')}, {snapshot_cte('risks', 'scope_risk_snap')}
              SELECT t.* EXCLUDE (batch_id) FROM {table} t JOIN snap USING (batch_id)
              WHERE t.{key} NOT IN (SELECT unnest($listed::VARCHAR[])) AND {keep}
              ORDER BY t.{key}"""


def carried_params(sql: str, listed: Iterable[str], listed_risks: Iterable[str]) -> dict[str, list[str]]:
    """The parameters a `carried_select` statement uses (DuckDB refuses ones it does not)."""
    params = {"listed": [str(k) for k in listed]}
    if "$listed_risks" in sql:
        params["listed_risks"] = [str(r) for r in listed_risks]
    return params


def carried_rows(con: duckdb.DuckDBPyConnection, kind: str, as_of: dt.date, listed: Iterable[str], mode: str,
                 scope: Scope | None = None, listed_risks: Iterable[str] = ()) -> pd.DataFrame:
    """The rows a new batch would keep from the register (see `carried_select`)."""
    sql = carried_select(kind, as_of, mode, scope)
    return con.execute(sql, carried_params(sql, listed, listed_risks)).df()


def later_register_dates(con: duckdb.DuckDBPyConnection, kinds: Iterable[str], as_of: dt.date) -> list[dt.date]:
    """Dates after `as_of` of active batches that bring one of these registers: from each on, the
    register is that batch's, which holds nothing of a file dated earlier."""
    rows = con.execute(
        """SELECT DISTINCT as_of FROM active_batch
           WHERE as_of > ? AND len(list_intersect(kinds, ?::VARCHAR[])) > 0 ORDER BY as_of""",
        [as_of, list(kinds)]).fetchall()
    return [r[0] for r in rows]


def first_identified(con: duckdb.DuckDBPyConnection, risk_ids: Iterable[str], as_of: dt.date) -> dict[str, dt.date]:
    """Per risk, the earliest 'identified on' any active register dated on or before `as_of` gave it:
    the first date the risk was seen, which a file without that column must not move."""
    rows = con.execute(
        """SELECT r.risk_id, min(r.identified_on) FROM risk r JOIN active_batch b USING (batch_id)
           WHERE b.as_of <= ? AND r.risk_id IN (SELECT unnest(?::VARCHAR[])) GROUP BY r.risk_id""",
        [as_of, [str(r) for r in risk_ids]]).fetchall()
    return dict(rows)


# --- Risk Review reads (issue 4): add below this line ---


def business_units(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> list[str]:
    """The business units the risk register names as of a date (what a business unit filter offers)."""
    sql = f"""WITH {dates_cte([as_of])}, {snapshot_cte('risks', 'snap')}
              SELECT DISTINCT r.business_unit FROM snap JOIN risk r USING (batch_id)
              WHERE r.business_unit IS NOT NULL ORDER BY 1"""
    return [u for (u,) in con.execute(sql).fetchall()]


def _in(column: str, values: Iterable[object]) -> str:
    return f"{column} IN ({', '.join(_lit(v) for v in values)})"


def risk_filter_cte(f: RiskFilter, dates: Iterable[dt.date]) -> str:
    """`selected_risk`: per (as_of, risk in the register then) the risks that pass the filters, for
    a query that reads no `risk_at` of its own (`f_risk_at`: the register rows it reads)."""
    return f"{_at('f_risk_at', 'risk_span', dates)}, {_selected_risk(f, 'f_risk_at')}"


def _selected_risk(f: RiskFilter, rows: str) -> str:
    """`selected_risk` from `rows`, a CTE of the risk register's rows as of each date (`risk_at`).

    Attributes are taken as of each date: a risk's own from its register row then, its assets from
    the asset register of that date, its treatment decisions from the treatment register of that date,
    its controls' effectiveness from the control register and the tests known on that date.
    """
    conds, snaps = [], []
    if f.themes:
        conds.append(_in("r.annex_a_theme", f.themes))
    if f.owners:
        conds.append(_in("r.owner", f.owners))
    if f.statuses:
        conds.append(_in("r.status", f.statuses))
    if f.business_units:
        conds.append(_in("r.business_unit", f.business_units))
    if f.asset_classes or f.assets:
        asset_conds = "".join(f" AND {_in(c, v)}" for c, v in (("a.asset_class", f.asset_classes), ("a.asset_id", f.assets)) if v)
        snaps.append(snapshot_cte('assets', 'f_asset_snap'))
        conds.append(f"""EXISTS (SELECT 1 FROM f_asset_snap fa JOIN asset a ON a.batch_id = fa.batch_id
                          WHERE fa.as_of = r.as_of AND list_contains(r.asset_ids, a.asset_id){asset_conds})""")
    if f.decisions:
        snaps.append(snapshot_cte('treatments', 'f_treatment_snap'))
        conds.append(f"""EXISTS (SELECT 1 FROM f_treatment_snap ft JOIN treatment t ON t.batch_id = ft.batch_id
                          WHERE ft.as_of = r.as_of AND t.risk_id = r.risk_id AND {_in('t.decision', f.decisions)})""")
    if f.control_effectiveness:
        # the state of each risk's controls on each date, from the tests known then (isms.store.risk_controls)
        snaps.append(risk_controls.effectiveness_cte("f_control_state", rows))
        conds.append(risk_controls.effectiveness_condition(f.control_effectiveness, "f_control_state"))
    where = " AND ".join(conds) or "TRUE"
    return "".join(f"{snap}, " for snap in snaps) + f"""selected_risk AS (
            SELECT r.as_of, r.risk_id FROM {rows} r WHERE {where})"""


def _review_with(matrix: RiskMatrix | None, dates: Iterable[dt.date], f: RiskFilter, late_tolerance_points: float = 10.0,
                 *needs: str, state_dates: Iterable[dt.date] | None = None) -> str:
    """The CTEs a Risk Review read names in `needs`, with those they build on, and no others: the
    SQL DuckDB binds and plans is what the query uses.

    `live`: open, assessed risks that pass the filters; `selected_treatment`: treatments of
    risks that pass them that count with their risk (`risk_listed`); `selected_exception`:
    exceptions, restricted to risks that pass them when a filter is set (an exception tied to no
    risk belongs to the whole register). `posture`, `treatment_state`, `exception_state` and
    `selected_risk` as their own functions say; `risk_at`, the risk register's rows as of each date.
    `state_dates`: the dates of `risk_at` and `treatment_state` when not all of `dates` (a read that
    takes the others' counts from isms.store.read_model.TOTALS).
    """
    dates = sorted(set(dates))
    state_dates = dates if state_dates is None else sorted(set(state_dates))
    exc_where = "TRUE" if f.empty else "EXISTS (SELECT 1 FROM selected_risk s WHERE s.as_of = e.as_of AND s.risk_id = e.risk_id)"
    # with no filter every risk of the register passes, and `posture` holds exactly those
    live_from = "posture p" if f.empty else "posture p JOIN selected_risk USING (as_of, risk_id)"
    # the filters choose among every date's exceptions, even where `risk_at` holds some dates
    every = "risk_at" if state_dates == dates or "selected_exception" not in needs else "risk_at_every"
    parts = {  # name: (what it builds on, its SQL)
        "risk_at": ((), lambda: _at("risk_at", "risk_span", state_dates)),
        "risk_at_every": ((), lambda: _at("risk_at_every", "risk_span", dates)),
        "posture": (("risk_at",), lambda: _posture(matrix)),
        "matrix_cell": ((), lambda: matrix_cte(matrix)),
        "treatment_state": ((), lambda: treatment_cte(late_tolerance_points, state_dates)),
        "exception_state": ((), exception_cte),
        "selected_risk": ((every,), lambda: _selected_risk(f, every)),
        "live": (("posture",) if f.empty else ("posture", "selected_risk"),
                 lambda: f"live AS (SELECT p.* FROM {live_from} WHERE p.status <> 'Closed' AND p.assessed_on IS NOT NULL)"),
        "selected_treatment": (("treatment_state",) if f.empty else ("treatment_state", "selected_risk"),
                               lambda: "selected_treatment AS (SELECT t.* FROM treatment_state t WHERE t.risk_listed)" if f.empty
                               else """selected_treatment AS (
            SELECT t.* FROM treatment_state t JOIN selected_risk USING (as_of, risk_id) WHERE t.risk_listed)"""),
        "selected_exception": (("exception_state",) if f.empty else ("exception_state", "selected_risk"),
                               lambda: f"selected_exception AS (SELECT e.* FROM exception_state e WHERE {exc_where})"),
    }
    order: list[str] = []

    def add(name: str) -> None:
        if name not in order:
            for dep in parts[name][0]:
                add(dep)
            order.append(name)

    for name in needs:
        add(name)
    return "WITH " + ", ".join([dates_cte(dates), *(parts[n][1]() for n in order)])


def _with_state_counts(totals: pd.DataFrame, treatments: pd.DataFrame) -> pd.DataFrame:
    """`totals` with the treatment state counts of `treatments` (`treatment_figures`) on its dates."""
    missing = set(totals["as_of"]) - set(treatments["as_of"])
    if missing:
        raise ValueError(f"treatment figures lack {sorted(missing)[0]}")
    counts = treatments[["as_of", *TREATMENT_STATES]]
    merged = totals.drop(columns=list(TREATMENT_STATES)).merge(counts, on="as_of", how="left", validate="one_to_one")
    return merged[list(totals.columns)]


def posture_totals(con: duckdb.DuckDBPyConnection, matrix: RiskMatrix, dates: Iterable[dt.date],
                   late_tolerance_points: float, warning_days: int, f: RiskFilter = RiskFilter()) -> pd.DataFrame:
    """Per date, the scorecard's totals (one row per date); see `posture_figures`."""
    return posture_figures(con, matrix, dates, late_tolerance_points, warning_days, f)[1]


TREATMENT_STATES = {"on_track": "on track", "late": "late", "overdue": "overdue", "done": "done", "not_started": "not started"}
RISK_TOTALS = ("open_risks", "assessed_risks", "residual_exposure", "inherent_exposure", "within_appetite", "above_appetite",
               "above_appetite_unaddressed")


def posture_figures(con: duckdb.DuckDBPyConnection, matrix: RiskMatrix, dates: Iterable[dt.date],
                    late_tolerance_points: float, warning_days: int, f: RiskFilter = RiskFilter(),
                    treatments: pd.DataFrame | None = None, month_end_counts: bool = True) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per date, over the register or the risks that pass `f`: the level counts (one row per basis
    and level of the open, assessed risks) and the scorecard's totals (one row per date): the one
    definition of exposure, appetite, "unaddressed", treatment and exception counts.

    One query for both. The risks are first counted per date and pair of matrix cells (with
    whether an active treatment or a granted, unexpired exception addresses them), and scores,
    levels and appetite are looked up for those few hundred pairs rather than for every risk on
    every date; treatments and exceptions are counted in passes of their own. `treatments`: the
    `treatment_figures` of dates that include these, when the caller has read them already (a view
    that shows the treatment trend), whose state counts are then taken rather than counted again.

    The month ends the read model keeps counts for (`_counts_kept`) read those pairs of cells, with
    whether the risks are addressed, as kept; `month_end_counts=False` counts every date from the
    risks themselves (what the counts are tested against)."""
    dates = sorted(set(dates))
    kept = _counts_kept(con, "risk_month_end", dates, f) if month_end_counts else []
    derived = [d for d in dates if d not in kept]
    if kept and treatments is None:  # those month ends' treatment counts are kept too
        treatments = treatment_figures(con, dates, late_tolerance_points, f)
    counted = treatments is None
    needs = (("risk_at", "treatment_state") if derived else ()) + ("exception_state", "selected_exception") + \
        (("selected_treatment",) if counted else ()) + (() if f.empty else ("selected_risk",))
    score, level, rank, within = (_cell_list(matrix, i) for i in (2, 3, 4, 5))
    selected = "" if f.empty else "JOIN selected_risk USING (as_of, risk_id)"
    # the residual cells above appetite (a cell outside the matrix is neither within nor above)
    above = ", ".join(f"({c[0]}, {c[1]})" for c in matrix.cells() if c[5] is False) or "(NULL, NULL)"
    # the treatments' state counts, unless the caller's `treatments` bring them (placeholders until merged)
    treatment_totals, treatment_join, treatment_columns = (
        f"""treatment_totals AS (
            SELECT as_of, {", ".join(f"count(*) FILTER (WHERE state = '{v}') AS {k}" for k, v in TREATMENT_STATES.items())}
            FROM selected_treatment GROUP BY as_of),""",
        "LEFT JOIN treatment_totals t USING (as_of)",
        ", ".join(f"coalesce(t.{c}, 0) AS {c}" for c in TREATMENT_STATES),
    ) if counted else ("", "", ", ".join(f"0::BIGINT AS {c}" for c in TREATMENT_STATES))
    per_level = " UNION ALL ".join(
        f"""SELECT as_of, '{basis}' AS basis, {basis}_level AS level, {basis}_rank AS level_rank, sum(risks)::BIGINT AS risks
            FROM cell_pairs WHERE open AND assessed GROUP BY ALL""" for basis in ("inherent", "residual"))
    cells = ("inherent_likelihood", "inherent_impact", "residual_likelihood", "residual_impact")
    derived_cte, cell_counts, unaddressed = "", [], []
    if derived:
        derived_cte = f"""
        risk_rows AS (
            SELECT r.as_of, r.risk_id, r.status <> 'Closed' AS open, r.assessed_on IS NOT NULL AS assessed, {", ".join(f"r.{c}" for c in cells)}
            FROM risk_at r {selected}),
        addressed AS (  -- an active treatment or a granted, unexpired exception
            SELECT as_of, risk_id FROM treatment_state WHERE {ACTIVE_TREATMENT}
            UNION ALL
            SELECT as_of, risk_id FROM exception_state WHERE status = 'Granted' AND expires_on >= as_of),"""
        cell_counts.append(f"SELECT as_of, open, assessed, {', '.join(cells)}, count(*) AS risks FROM risk_rows GROUP BY ALL")
        # only the risks above appetite are looked up (an anti join, not a correlated one)
        unaddressed.append("""SELECT c.as_of, count(*) AS above_appetite_unaddressed
            FROM risk_rows c SEMI JOIN above_cell USING (residual_likelihood, residual_impact)
            ANTI JOIN addressed a ON a.as_of = c.as_of AND a.risk_id = c.risk_id
            WHERE c.open AND c.assessed
            GROUP BY c.as_of""")
    if kept:
        cell_counts.append(f"""SELECT month_end AS as_of, open, assessed, {', '.join(cells)}, sum(risks)::BIGINT AS risks
            FROM risk_cell_month_end WHERE {_among('month_end', kept)} AND {_themes_kept(f)} GROUP BY ALL""")
        unaddressed.append(f"""SELECT month_end AS as_of, sum(risks)::BIGINT AS above_appetite_unaddressed
            FROM risk_cell_month_end SEMI JOIN above_cell USING (residual_likelihood, residual_impact)
            WHERE {_among('month_end', kept)} AND {_themes_kept(f)} AND open AND assessed AND NOT addressed
            GROUP BY month_end""")
    sql = f"""{_review_with(matrix, dates, f, late_tolerance_points, *needs, state_dates=derived)},{derived_cte}
        above_cell(residual_likelihood, residual_impact) AS (VALUES {above}),
        unaddressed AS ({" UNION ALL ".join(unaddressed)}),
        cell_counts AS ({" UNION ALL ".join(cell_counts)}),
        cell_pairs AS MATERIALIZED (
            SELECT as_of, open, assessed, risks,
                   {score}[inherent_cell] AS inherent_score, {level}[inherent_cell] AS inherent_level, {rank}[inherent_cell] AS inherent_rank,
                   {score}[residual_cell] AS residual_score, {level}[residual_cell] AS residual_level, {rank}[residual_cell] AS residual_rank,
                   {within}[residual_cell] AS within_appetite
            FROM (SELECT as_of, open, assessed, risks,
                         {_cell_index(matrix, 'inherent_likelihood', 'inherent_impact')} AS inherent_cell,
                         {_cell_index(matrix, 'residual_likelihood', 'residual_impact')} AS residual_cell
                  FROM cell_counts)),
        risk_totals AS (
            SELECT as_of, sum(risks) FILTER (WHERE open)::BIGINT AS open_risks,
                   sum(risks) FILTER (WHERE open AND assessed)::BIGINT AS assessed_risks,
                   coalesce(sum(risks * residual_score) FILTER (WHERE open AND assessed), 0) AS residual_exposure,
                   coalesce(sum(risks * inherent_score) FILTER (WHERE open AND assessed), 0) AS inherent_exposure,
                   sum(risks) FILTER (WHERE open AND assessed AND within_appetite)::BIGINT AS within_appetite,
                   sum(risks) FILTER (WHERE open AND assessed AND NOT within_appetite)::BIGINT AS above_appetite
            FROM cell_pairs GROUP BY as_of),
        level_lists AS (
            SELECT as_of, list({{'basis': basis, 'level': level, 'level_rank': level_rank, 'risks': risks}}
                                ORDER BY basis, level_rank) AS levels
            FROM ({per_level}) GROUP BY as_of),
        {treatment_totals}
        exception_totals AS (
            SELECT as_of,
                   count(*) FILTER (WHERE status = 'Granted' AND days_to_expiry BETWEEN 0 AND {int(warning_days)}) AS exceptions_expiring,
                   count(*) FILTER (WHERE status = 'Granted' AND days_to_expiry < 0) AS exceptions_expired_open
            FROM selected_exception GROUP BY as_of)
        SELECT d.as_of,
               {", ".join(f"coalesce(r.{c}, 0) AS {c}" for c in RISK_TOTALS[:-1])},
               coalesce(u.above_appetite_unaddressed, 0) AS above_appetite_unaddressed,
               {treatment_columns},
               coalesce(e.exceptions_expiring, 0) AS exceptions_expiring,
               coalesce(e.exceptions_expired_open, 0) AS exceptions_expired_open,
               l.levels
        FROM as_of_date d LEFT JOIN risk_totals r USING (as_of) LEFT JOIN unaddressed u USING (as_of)
        LEFT JOIN level_lists l USING (as_of) {treatment_join}
        LEFT JOIN exception_totals e USING (as_of)
        ORDER BY d.as_of"""
    both = con.execute(sql).df()
    if not counted:
        both = _with_state_counts(both, treatments)
    rows = [(d, x["basis"], x["level"], x["level_rank"], x["risks"])
            for d, listed in zip(both["as_of"], both["levels"]) if isinstance(listed, (list, np.ndarray)) for x in listed]
    # the types DuckDB gives a query's result: text is `object` when there are no rows, and a rank
    # may be missing (a risk whose cell lies outside the matrix, after the matrix was changed)
    text = "str" if rows else object
    rank = "Int32" if any(r[3] is None for r in rows) else "int32"
    levels = pd.DataFrame(rows, columns=["as_of", "basis", "level", "level_rank", "risks"]).astype(
        {"as_of": both["as_of"].dtype, "basis": text, "level": text, "level_rank": rank, "risks": "int64"})
    return levels, both.drop(columns="levels")


def review_cell_risks(con: duckdb.DuckDBPyConnection, matrix: RiskMatrix, as_of: dt.date, f: RiskFilter,
                      basis: str, likelihood: int, impact: int) -> pd.DataFrame:
    """The open, assessed risks in one heatmap cell on one basis."""
    if basis not in ("inherent", "residual", "target"):
        raise ValueError(f"basis must be inherent, residual or target, not {basis!r}")
    sql = f"""{_review_with(matrix, [as_of], f, 10.0, "live")}
        SELECT risk_id, title, owner, status, residual_level, residual_score, inherent_level, target_level
        FROM live WHERE {basis}_likelihood = {int(likelihood)} AND {basis}_impact = {int(impact)}
        ORDER BY residual_score DESC, risk_id"""
    return con.execute(sql).df()


TREND_COLUMNS = ("as_of", "weighted_percent_complete", "weighted_percent_planned", "late", "overdue")


def treatment_figures(con: duckdb.DuckDBPyConnection, dates: Iterable[dt.date], late_tolerance_points: float,
                      f: RiskFilter = RiskFilter(), month_end_counts: bool = True) -> pd.DataFrame:
    """Per date, the treatments of the risks that pass `f`: percent complete against the linear plan,
    weighted by planned duration (an earned-value view: a year-long programme counts for more than a
    one-week fix; cancelled and not-yet-started treatments are left out), late and overdue counts
    (TREND_COLUMNS, the treatment trend), then how many are in each other state (TREATMENT_STATES,
    the scorecard's counts), in one pass.

    The month ends the read model keeps counts for (`_counts_kept`) are summed from those counts,
    only the late ones counted from the treatments then; `month_end_counts=False` counts every date
    from the treatments (what the counts are tested against)."""
    dates = sorted(set(dates))
    kept = _counts_kept(con, "treatment_month_end", dates, f) if month_end_counts else []
    derived = [d for d in dates if d not in kept]
    parts = []
    if derived:
        progress = "state NOT IN ('cancelled', 'not started')"
        parts.append(f"""
            SELECT as_of,
                   sum(weight_days * percent_complete) FILTER (WHERE {progress})
                     / nullif(sum(weight_days) FILTER (WHERE {progress}), 0) AS weighted_percent_complete,
                   sum(weight_days * planned_percent) FILTER (WHERE {progress})
                     / nullif(sum(weight_days) FILTER (WHERE {progress}), 0) AS weighted_percent_planned,
                   {", ".join(f"count(*) FILTER (WHERE state = '{v}') AS {k}" for k, v in TREATMENT_STATES.items())}
            FROM selected_treatment GROUP BY as_of""")
    if kept:
        # the settled states are kept; an unsettled treatment is on track or late, which the tolerance decides
        progress = "settled_state IS NULL OR settled_state IN ('done', 'overdue')"
        parts.append(f"""
            SELECT k.month_end AS as_of,
                   sum(k.weighted_complete) FILTER (WHERE {progress})
                     / nullif(sum(k.weight_days) FILTER (WHERE {progress}), 0) AS weighted_percent_complete,
                   sum(k.weighted_planned) FILTER (WHERE {progress})
                     / nullif(sum(k.weight_days) FILTER (WHERE {progress}), 0) AS weighted_percent_planned,
                   (sum(k.treatments) FILTER (WHERE settled_state IS NULL) - coalesce(any_value(l.late), 0))::BIGINT AS on_track,
                   coalesce(any_value(l.late), 0) AS late,
                   {", ".join(f"sum(k.treatments) FILTER (WHERE settled_state = '{v}')::BIGINT AS {n}"
                              for n, v in TREATMENT_STATES.items() if n not in ("on_track", "late"))}
            FROM treatment_total_month_end k
            LEFT JOIN (SELECT month_end, count(*) AS late FROM treatment_unsettled_month_end
                       WHERE {_among('month_end', kept)} AND {_themes_kept(f)} AND {late(late_tolerance_points)}
                       GROUP BY month_end) l USING (month_end)
            WHERE {_among('k.month_end', kept)} AND {_themes_kept(f, 'k.')} GROUP BY k.month_end""")
    needs = ("selected_treatment",) if derived else ()
    sql = f"""{_review_with(None, dates, f, late_tolerance_points, *needs, state_dates=derived)},
        counted AS (  -- per date first, then the dates without any joined to those few rows
            {" UNION ALL BY NAME ".join(parts)})
        SELECT d.as_of, c.weighted_percent_complete, c.weighted_percent_planned,
               coalesce(c.late, 0) AS late, coalesce(c.overdue, 0) AS overdue,
               {", ".join(f"coalesce(c.{k}, 0) AS {k}" for k in TREATMENT_STATES if k not in ("late", "overdue"))}
        FROM as_of_date d LEFT JOIN counted c ON c.as_of = d.as_of ORDER BY d.as_of"""
    return con.execute(sql).df()


def review_filter_options(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> dict[str, list]:
    """The values each filter can take as of a date (from the registers of that date)."""
    base = f"""WITH {dates_cte([as_of])}, {snapshot_cte('risks', 'f_risk_snap')}, {snapshot_cte('assets', 'f_asset_snap')},
        {snapshot_cte('treatments', 'f_treatment_snap')}"""
    risks = con.execute(f"""{base} SELECT DISTINCT r.annex_a_theme, r.owner, r.status, r.business_unit FROM f_risk_snap s
                            JOIN risk r ON r.batch_id = s.batch_id""").df()
    assets = con.execute(f"""{base} SELECT a.asset_id, a.name, a.asset_class FROM f_asset_snap s
                             JOIN asset a ON a.batch_id = s.batch_id ORDER BY a.asset_id""").df()
    decisions = con.execute(f"""{base} SELECT DISTINCT t.decision FROM f_treatment_snap s
                                JOIN treatment t ON t.batch_id = s.batch_id ORDER BY 1""").fetchall()
    return {
        "themes": sorted(risks["annex_a_theme"].unique()), "owners": sorted(risks["owner"].unique()),
        "statuses": sorted(risks["status"].unique()), "asset_classes": sorted(assets["asset_class"].unique()),
        "assets": list(zip(assets["asset_id"], assets["name"])), "decisions": [d for (d,) in decisions],
        "business_units": sorted(risks["business_unit"].dropna().unique()),
    }


def risk_record(con: duckdb.DuckDBPyConnection, risk_id: str, as_of: dt.date) -> pd.DataFrame:
    """One risk's register row as of a date (empty when it was not in the register then)."""
    sql = f"""WITH {dates_cte([as_of])}, {snapshot_cte('risks', 'snap')}
              SELECT r.* EXCLUDE (batch_id) FROM snap JOIN risk r ON r.batch_id = snap.batch_id
              WHERE r.risk_id = {_lit(risk_id)}"""
    return con.execute(sql).df()


def risk_assessments(con: duckdb.DuckDBPyConnection, matrix: RiskMatrix, risk_id: str, as_of: dt.date) -> pd.DataFrame:
    """Every assessment of one risk up to a date, with scores and levels, oldest first."""
    sql = f"""WITH {matrix_cte(matrix)}
        SELECT a.assessed_on, a.inherent_likelihood, a.inherent_impact, mi.score AS inherent_score, mi.level AS inherent_level,
               a.control_effectiveness, a.residual_likelihood, a.residual_impact, mr.score AS residual_score,
               mr.level AS residual_level, mt.level AS target_level, a.assessor
        FROM assessment a JOIN active_batch b USING (batch_id)
        JOIN matrix_cell mi ON mi.likelihood = a.inherent_likelihood AND mi.impact = a.inherent_impact
        JOIN matrix_cell mr ON mr.likelihood = a.residual_likelihood AND mr.impact = a.residual_impact
        LEFT JOIN matrix_cell mt ON mt.likelihood = a.target_likelihood AND mt.impact = a.target_impact
        WHERE a.risk_id = {_lit(risk_id)} AND a.assessed_on <= {_lit(as_of)}
        QUALIFY row_number() OVER (PARTITION BY a.assessed_on ORDER BY a.batch_id DESC) = 1
        ORDER BY a.assessed_on"""
    return con.execute(sql).df()


def risk_treatments(con: duckdb.DuckDBPyConnection, risk_id: str, as_of: dt.date, late_tolerance_points: float) -> pd.DataFrame:
    """One risk's treatments in the register as of a date, with their state then."""
    sql = f"""WITH {dates_cte([as_of])}, {treatment_cte(late_tolerance_points, [as_of])}
        SELECT treatment_id, decision, description, owner, start_on, due_on, status, completed_on,
               percent_complete, planned_percent, state, days_overdue
        FROM treatment_state WHERE risk_id = {_lit(risk_id)} ORDER BY start_on, treatment_id"""
    return con.execute(sql).df()


def risk_treatment_updates(con: duckdb.DuckDBPyConnection, risk_id: str, as_of: dt.date) -> pd.DataFrame:
    """Progress updates up to a date of the treatments one risk had in its register then."""
    sql = f"""WITH {dates_cte([as_of])}, {snapshot_cte('treatments', 'snap')},
        mine AS (SELECT t.treatment_id FROM snap JOIN treatment t ON t.batch_id = snap.batch_id
                 WHERE t.risk_id = {_lit(risk_id)})
        SELECT u.treatment_id, u.updated_on, u.percent_complete, u.status, u.note
        FROM treatment_update u JOIN active_batch b USING (batch_id) JOIN mine USING (treatment_id)
        WHERE u.updated_on <= {_lit(as_of)}
        QUALIFY row_number() OVER (PARTITION BY u.treatment_id, u.updated_on ORDER BY u.batch_id DESC) = 1
        ORDER BY u.treatment_id, u.updated_on"""
    return con.execute(sql).df()


def risk_exceptions(con: duckdb.DuckDBPyConnection, risk_id: str, as_of: dt.date) -> pd.DataFrame:
    sql = f"""WITH {dates_cte([as_of])}, {exception_cte()}
        SELECT exception_id, policy, control, status, granted_on, expires_on, days_to_expiry, approver, compensating_controls
        FROM exception_state WHERE risk_id = {_lit(risk_id)} ORDER BY expires_on NULLS LAST, exception_id"""
    return con.execute(sql).df()


def risk_assets(con: duckdb.DuckDBPyConnection, risk_id: str, as_of: dt.date) -> pd.DataFrame:
    """The assets a risk names, with the asset register's facts as of a date. An asset the register
    does not hold (a risk register that names 'User Accounts' and no asset register) is listed by
    its name, marked so: leaving it out told the analyst the risk named no asset at all."""
    sql = f"""WITH {dates_cte([as_of])}, {snapshot_cte('risks', 'rs')}, {snapshot_cte('assets', 'asn')},
        named AS (SELECT DISTINCT unnest(r.asset_ids) AS asset_id
                  FROM rs JOIN risk r ON r.batch_id = rs.batch_id AND r.risk_id = {_lit(risk_id)}),
        held AS (SELECT a.* FROM asn JOIN asset a ON a.batch_id = asn.batch_id)
        SELECT n.asset_id, coalesce(h.name, '(not in the asset register)') AS name, h.asset_class, h.asset_type,
               h.criticality, h.owner, h.location
        FROM named n LEFT JOIN held h USING (asset_id)
        ORDER BY h.asset_id IS NULL, n.asset_id"""
    return con.execute(sql).df()


# --- Security Health reads (issue 5): add below this line ---

KRI_FILTER = """(len($domains::VARCHAR[]) = 0 OR list_contains($domains::VARCHAR[], m.control_domain))
    AND (len($owners::VARCHAR[]) = 0 OR list_contains($owners::VARCHAR[], m.owner))
    AND (len($metrics::VARCHAR[]) = 0 OR list_contains($metrics::VARCHAR[], m.metric_id))"""


def _kri_params(domains, owners, metric_ids) -> dict:
    return {"domains": list(domains or []), "owners": list(owners or []), "metrics": list(metric_ids or [])}


def kri_register(con: duckdb.DuckDBPyConnection, as_of: dt.date, domains=(), owners=(), metric_ids=()) -> pd.DataFrame:
    """The KRIs in the register as of a date that pass the page's filters (empty filter: all)."""
    sql = f"""WITH {dates_cte([as_of])}, {snapshot_cte('metrics', 'ms')}
        SELECT m.* EXCLUDE (batch_id) FROM ms JOIN metric m ON m.batch_id = ms.batch_id
        WHERE {KRI_FILTER} ORDER BY m.metric_id"""
    return con.execute(sql, _kri_params(domains, owners, metric_ids)).df()


def kri_month_grid(con: duckdb.DuckDBPyConnection, month: dt.date, domains=(), owners=(), metric_ids=(),
                   known_on: dt.date | None = None) -> pd.DataFrame:
    """Per KRI of the register as of `month`'s end and per month from its first result to `month`:
    the latest result on or before that month (period, value, note), in one as-of join. With
    `known_on` (a day inside the month: a pack's agenda as of a mid-month date), only what was
    imported by that day: the register then, and results of batches dated on or before it.

    A month without a result carries the previous result forward with its own period, so the
    status rule can tell a quarterly KRI's current result from a silent feed. `listed`: the KRI
    was in the register at that month's end (the last month: as of `month`'s end, or `known_on`),
    so a trend counts a month's KRIs as that month's page does; one defined later was counted
    'stale' in every month before it existed.
    """
    month = month.replace(day=1)
    as_of = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    known = f" AND b.as_of <= DATE '{known_on.isoformat()}'" if known_on is not None else ""
    if known_on is not None:
        as_of = min(as_of, known_on)
    sql = f"""WITH {dates_cte([as_of])}, {snapshot_cte('metrics', 'ms')},
        kri AS (SELECT m.metric_id FROM ms JOIN metric m ON m.batch_id = ms.batch_id WHERE {KRI_FILTER}),
        res AS (
            SELECT r.metric_id, r.period, r.value, r.note
            FROM monitoring_result r JOIN active_batch b USING (batch_id)
            WHERE r.period <= DATE '{month.isoformat()}' AND r.metric_id IN (SELECT metric_id FROM kri){known}
            QUALIFY row_number() OVER (PARTITION BY r.metric_id, r.period ORDER BY r.batch_id DESC) = 1),
        months AS (
            SELECT unnest(generate_series((SELECT coalesce(min(period), DATE '{month.isoformat()}') FROM res),
                                          DATE '{month.isoformat()}', INTERVAL 1 MONTH))::DATE AS month),
        grid AS (SELECT k.metric_id, mo.month FROM kri k CROSS JOIN months mo),
        listed AS (SELECT DISTINCT g.metric_id, g.month FROM grid g
                   JOIN register_span s ON s.kind = 'metrics' AND {during('s', 'last_day(g.month)')}
                   JOIN metric m ON m.batch_id = s.batch_id AND m.metric_id = g.metric_id)
        SELECT g.metric_id, g.month, r.period, r.value, r.note,
               g.month = DATE '{month.isoformat()}' OR l.metric_id IS NOT NULL AS listed
        FROM grid g ASOF LEFT JOIN res r ON g.metric_id = r.metric_id AND g.month >= r.period
        LEFT JOIN listed l ON l.metric_id = g.metric_id AND l.month = g.month
        ORDER BY g.metric_id, g.month"""
    return con.execute(sql, _kri_params(domains, owners, metric_ids)).df()


def residual_level_changes(con: duckdb.DuckDBPyConnection, matrix: RiskMatrix, before: dt.date, after: dt.date,
                           f: RiskFilter | None = None) -> pd.DataFrame:
    """Open risks whose residual level at `after` differs from the level at `before` (new risks left
    out); `f` keeps those that pass the filters at `after`."""
    selected = "" if f is None or f.empty else f", {_selected_risk(f, 'risk_at')}"
    where = "" if not selected else " AND (as_of, risk_id) IN (SELECT (as_of, risk_id) FROM selected_risk)"
    sql = f"""WITH {dates_cte([before, after])}, {posture_cte(matrix, [before, after])}{selected},
        b AS (SELECT * FROM posture WHERE as_of = DATE '{before.isoformat()}' AND assessed_on IS NOT NULL),
        a AS (SELECT * FROM posture WHERE as_of = DATE '{after.isoformat()}' AND assessed_on IS NOT NULL AND status <> 'Closed'{where})
        SELECT a.risk_id, a.title, a.annex_a_theme, a.owner,
               b.residual_level AS level_before, a.residual_level AS level_now,
               b.residual_score AS score_before, a.residual_score AS score_now,
               a.residual_rank - b.residual_rank AS rank_change, a.assessed_on
        FROM a JOIN b USING (risk_id)
        WHERE a.residual_rank <> b.residual_rank
        ORDER BY rank_change, a.residual_score DESC, a.risk_id"""
    return con.execute(sql).df()


def treatments_completed(con: duckdb.DuckDBPyConnection, first: dt.date, last: dt.date,
                         f: RiskFilter | None = None) -> pd.DataFrame:
    """Treatments completed between two dates: by a Done progress update or the register's completion
    date; `f` keeps the treatments of risks that pass the filters at `last`."""
    selected = "" if f is None or f.empty else f", {risk_filter_cte(f, [last])}"
    where = "" if not selected else " WHERE (ts.as_of, t.risk_id) IN (SELECT (as_of, risk_id) FROM selected_risk)"
    sql = f"""WITH {dates_cte([last])}, {snapshot_cte('treatments', 'ts')}{selected},
        reg AS (SELECT t.* EXCLUDE (batch_id) FROM ts JOIN treatment t ON t.batch_id = ts.batch_id{where}),
        done AS (
            SELECT treatment_id, updated_on AS completed_on FROM treatment_update u JOIN active_batch b USING (batch_id)
            WHERE u.status = 'Done' AND u.updated_on BETWEEN DATE '{first.isoformat()}' AND DATE '{last.isoformat()}'
            UNION ALL
            SELECT treatment_id, completed_on FROM reg
            WHERE status = 'Done' AND completed_on BETWEEN DATE '{first.isoformat()}' AND DATE '{last.isoformat()}')
        SELECT r.treatment_id, r.risk_id, r.decision, r.description, r.owner, r.due_on, min(d.completed_on) AS completed_on
        FROM done d JOIN reg r USING (treatment_id)
        GROUP BY ALL ORDER BY completed_on, r.treatment_id"""
    return con.execute(sql).df()


def treatments_behind(con: duckdb.DuckDBPyConnection, as_of: dt.date, late_tolerance_points: float,
                      f: RiskFilter | None = None) -> pd.DataFrame:
    """Treatments late or overdue as of a date, the most overdue first; `f` keeps those of the
    risks that pass the Risk Review filters."""
    selected = "" if f is None or f.empty else f", {risk_filter_cte(f, [as_of])}"
    where = "" if not selected else " AND (as_of, risk_id) IN (SELECT (as_of, risk_id) FROM selected_risk)"
    sql = f"""WITH {dates_cte([as_of])}, {treatment_cte(late_tolerance_points, [as_of])}{selected}
        SELECT treatment_id, risk_id, decision, description, owner, start_on, due_on, state,
               percent_complete, planned_percent, days_overdue, last_update_on
        FROM treatment_state WHERE state IN ('late', 'overdue') AND risk_listed{where}
        ORDER BY days_overdue DESC, planned_percent - percent_complete DESC, treatment_id"""
    return con.execute(sql).df()


def closed_risks_unfinished(con: duckdb.DuckDBPyConnection, as_of: dt.date, f: RiskFilter | None = None) -> pd.DataFrame:
    """Treatments not done nor cancelled whose risk is closed as of a date: the treatment figures
    leave them out (isms.store.read_model.counted_with_its_risk), and the list of late and overdue
    treatments says which, so the register can be put right rather than the work lost silently."""
    selected = "" if f is None or f.empty else f", {_selected_risk(f, 'risk_at')}"
    where = "" if not selected else " AND (t.as_of, t.risk_id) IN (SELECT (as_of, risk_id) FROM selected_risk)"
    # the treatments `counted_with_its_risk` leaves out, cancelled ones aside (no work left to lose)
    sql = f"""WITH {dates_cte([as_of])}, {_at('treatment_at', 'treatment_span', [as_of])},
               {_at('risk_at', 'risk_span', [as_of])}{selected}
        SELECT t.treatment_id, t.risk_id, t.status, t.due_on
        FROM treatment_at t JOIN risk_at r ON r.as_of = t.as_of AND r.risk_id = t.risk_id
        WHERE NOT {counted_with_its_risk('r', 't')} AND t.status <> 'Cancelled'{where}
        ORDER BY t.treatment_id"""
    return con.execute(sql).df()


# --- end of page-specific blocks ---
