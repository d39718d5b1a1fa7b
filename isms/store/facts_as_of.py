"""Every fact as it stood on a date, table by table: what an export writes.

The reads follow the store's one meaning of "as of D" (see isms.store.queries): a register is the
rows of the latest active batch with that kind dated on or before D; dated events are all those
dated on or before D, from any active batch, the latest batch's where two batches gave the same key
and date (as every read picks them). So an exported table holds exactly what the dashboard counts,
and history (every assessment, update and result, every earlier register) goes with it.

Each function returns SQL, so the same query feeds DuckDB's own Parquet writer (`copy_parquet`)
and the rows handed to the CSV and XLSX writers (`rows`).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

from isms.matrix import RiskMatrix
from isms.models import KINDS, PER_FRAMEWORK_KINDS, SNAPSHOT_KINDS
from isms.store.migrations import TABLES
from isms.store.queries import dates_cte, posture_cte, snapshot_cte, treatment_cte

# The date column of each kind of dated event, beside its key in KINDS. Not the control tests: a
# test is known from the date of the batch that brought it, whatever its period (a test log of 6
# December lists the quarter's tests, period 31 December), and its result from the day it was
# tested (isms.store.compliance.tests_sql), as the Compliance review counts them.
EVENT_DATE = {"assessments": "assessed_on", "treatment_updates": "updated_on", "monitoring_results": "period"}


def _fields(kind: str, alias: str = "t") -> str:
    return ", ".join(f"{alias}.{f}" for f in KINDS[kind][1].model_fields)


def register_sql(kind: str, as_of: dt.date) -> str:
    """The register of `kind` as it stood on `as_of`, each row with the batch that brought it (the SoA
    and user-imported catalogs: per framework, isms.store.compliance)."""
    key = KINDS[kind][2][0]
    if kind in PER_FRAMEWORK_KINDS:
        from isms.store.compliance import per_framework_sql

        return f"SELECT * FROM ({per_framework_sql(kind, as_of)}) ORDER BY ALL"
    return f"""WITH {dates_cte([as_of])}, {snapshot_cte(kind, 'snap')}
        SELECT {_fields(kind)}, t.batch_id FROM {TABLES[kind]} t JOIN snap USING (batch_id) ORDER BY t.{key}"""


def register_history_sql(kind: str, dates: list[dt.date]) -> str:
    """The register of `kind` as it stood on each date (where it existed), a column `as_of` first."""
    key = KINDS[kind][2][0]
    if not dates:
        return f"SELECT NULL::DATE AS as_of, {_fields(kind)}, t.batch_id FROM {TABLES[kind]} t WHERE FALSE"
    return f"""WITH {dates_cte(dates)}, {snapshot_cte(kind, 'snap')}
        SELECT snap.as_of, {_fields(kind)}, t.batch_id FROM {TABLES[kind]} t JOIN snap USING (batch_id)
        ORDER BY snap.as_of, t.{key}"""


def events_sql(kind: str, as_of: dt.date, after: dt.date | None = None) -> str:
    """Every event of `kind` dated on or before `as_of` (and after `after`, if given), one per key
    and date: the latest batch's, as the reads take it."""
    key, when = KINDS[kind][2][0], EVENT_DATE[kind]
    lower = f" AND t.{when} > DATE '{after.isoformat()}'" if after else ""
    return f"""SELECT {_fields(kind)}, t.batch_id FROM {TABLES[kind]} t JOIN active_batch USING (batch_id)
        WHERE t.{when} <= DATE '{as_of.isoformat()}'{lower}
        QUALIFY row_number() OVER (PARTITION BY t.{key}, t.{when} ORDER BY t.batch_id DESC) = 1
        ORDER BY t.{key}, t.{when}"""


def tests_sql(as_of: dt.date) -> str:
    """The control tests known on `as_of`, as the Compliance review counts them: per control and
    period, the latest batch's row dated on or before it, its result only once tested by then."""
    from isms.store.compliance import tests_sql as known

    return f"SELECT {_fields('control_tests')}, t.batch_id FROM ({known(as_of)}) t ORDER BY t.control_id, t.period"


def tests_brought_sql(day: dt.date, after: dt.date | None = None, until: dt.date | None = None) -> str:
    """The control tests as the active batches dated on or before `day` (and after `after`, if
    given) brought them, per control and period the latest batch's: a workbook dated `day` gives
    them back from that day, and each result from the day it was tested, up to `until` (the
    export's date: a result tested after it is not yet one, as the export's tables have it)."""
    lower = f" AND b.as_of > DATE '{after.isoformat()}'" if after else ""
    known = "TRUE" if until is None else f"t.tested_on <= DATE '{until.isoformat()}'"
    fields = ", ".join(f"CASE WHEN {known} THEN t.{f} END AS {f}" if f in ("tested_on", "result") else f"t.{f}"
                       for f in KINDS["control_tests"][1].model_fields)
    return f"""SELECT {fields}, t.batch_id FROM control_test t JOIN active_batch b USING (batch_id)
        WHERE b.as_of <= DATE '{day.isoformat()}'{lower}
        QUALIFY row_number() OVER (PARTITION BY t.control_id, t.period ORDER BY b.as_of DESC, t.batch_id DESC) = 1
        ORDER BY t.control_id, t.period"""


def table_sql(kind: str, as_of: dt.date) -> str:
    if kind == "control_tests":
        return tests_sql(as_of)
    return events_sql(kind, as_of) if kind in EVENT_DATE else register_sql(kind, as_of)


def since_sql(kind: str, day: dt.date, previous: dt.date | None, until: dt.date | None = None) -> str:
    """What a workbook dated `day` holds of `kind` (the export's workbooks, one per date a register
    can have changed, for an export as of `until`): the register as it stood that day, or what
    happened since `previous`."""
    if kind == "control_tests":
        return tests_brought_sql(day, previous, until)
    return events_sql(kind, day, previous) if kind in EVENT_DATE else register_sql(kind, day)


def risk_scores_sql(matrix: RiskMatrix, as_of: dt.date) -> str:
    """Each risk in the register on `as_of` with its latest assessment scored and levelled on
    `matrix`: the figures the dashboard counts, so a BI tool need not rebuild the matrix (and
    cannot rebuild it differently). The same `posture` every scorecard reads."""
    return f"""WITH {dates_cte([as_of])}, {posture_cte(matrix, [as_of])}
        SELECT as_of, risk_id, title, owner, status, assessed_on,
               inherent_likelihood, inherent_impact, inherent_score, inherent_level,
               residual_likelihood, residual_impact, residual_score, residual_level, within_appetite,
               target_likelihood, target_impact, target_level,
               status <> 'Closed' AND assessed_on IS NOT NULL AS counted
        FROM posture ORDER BY risk_id"""


def treatment_progress_sql(late_tolerance_points: float, as_of: dt.date) -> str:
    """Each treatment in the register on `as_of` with its progress against the linear plan and its
    state then (on track, late, overdue, done, cancelled, not started), and whether it counts in
    the treatment figures: the same `treatment_state` the scorecard and the late lists read."""
    return f"""WITH {dates_cte([as_of])}, {treatment_cte(late_tolerance_points, [as_of])}
        SELECT as_of, treatment_id, risk_id, owner, start_on, due_on, status, last_update_on,
               percent_complete, planned_percent, state, days_overdue, risk_listed AS counted
        FROM treatment_state ORDER BY treatment_id"""


def batches_sql(as_of: dt.date) -> str:
    """The active batches an export's rows come from, every column of them: every one dated on or
    before `as_of`, and any later one that brought an event dated on or before it (a back-filled
    result, say)."""
    late_events = " UNION ".join(
        f"SELECT batch_id FROM {TABLES[k]} WHERE {EVENT_DATE[k]} <= DATE '{as_of.isoformat()}'" for k in EVENT_DATE)
    return f"""SELECT * FROM active_batch
        WHERE as_of <= DATE '{as_of.isoformat()}' OR batch_id IN ({late_events})
        ORDER BY batch_id"""


def register_dates(con: duckdb.DuckDBPyConnection, as_of: dt.date, *, tests: bool = False) -> list[dt.date]:
    """The dates on or before `as_of` on which an active batch brought a register (with `tests`, or
    control tests, known from their batch's date, as the export's workbooks need them): the days
    the registers can have changed, so the registers as of these dates are all of their history."""
    kinds = ", ".join(f"'{k}'" for k in (*SNAPSHOT_KINDS, *(("control_tests",) if tests else ())))
    rows = con.execute(
        f"""SELECT DISTINCT as_of FROM active_batch
            WHERE as_of <= ? AND len(list_intersect(kinds, [{kinds}])) > 0 ORDER BY as_of""", [as_of]).fetchall()
    return [r[0] for r in rows]


def register_kinds_on(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> dict[dt.date, set[str]]:
    """Per date on or before `as_of`, the registers an active batch dated that day brought."""
    kinds = ", ".join(f"'{k}'" for k in SNAPSHOT_KINDS)
    rows = con.execute(
        f"""SELECT as_of, list_distinct(flatten(list(list_intersect(kinds, [{kinds}])))) FROM active_batch
            WHERE as_of <= ? GROUP BY as_of""", [as_of]).fetchall()
    return {day: set(brought) for day, brought in rows if brought}


def forum_sql(table: str, as_of: dt.date) -> str:
    """The forum's records and the mapping decisions as they stood on `as_of` (isms.store.forum):
    meetings held, decisions taken, each action's state, every change to an action, and every
    accepted or rejected mapping suggestion, each on or before the date."""
    from isms.store import forum

    return {
        "meetings": lambda: forum.meetings_sql(as_of, newest_first=False),
        "decisions": lambda: forum.decisions_sql(as_of),
        "actions": lambda: forum.actions_sql(as_of),
        "action_changes": lambda: forum.action_changes_sql(as_of),
        "mapping_decisions": lambda: f"""SELECT * FROM mapping_decision WHERE decided_on <= DATE '{as_of.isoformat()}'
            ORDER BY decision_no""",
    }[table]()


def has_forum(con: duckdb.DuckDBPyConnection) -> bool:
    """A snapshot made before the forum's migrations (16, 21, 22) lacks its tables: nothing to export."""
    from isms.store import forum

    found = con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'mapping_decision'").fetchone()[0]
    return bool(found) and forum.has_forum_tables(con)


def rows(con: duckdb.DuckDBPyConnection, sql: str) -> tuple[list[str], list[tuple]]:
    """Column names and rows as Python values (dates, ints, None, lists), for the file writers."""
    cur = con.execute(sql)
    return [d[0] for d in cur.description], cur.fetchall()


def count(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    return con.execute(f"SELECT count(*) FROM ({sql})").fetchone()[0]


def columns(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple[str, str]]:
    """Name and DuckDB type of each column a query returns, for the export's README."""
    return [(r[0], r[1]) for r in con.execute(f"DESCRIBE ({sql})").fetchall()]


def copy_parquet(con: duckdb.DuckDBPyConnection, sql: str, path: Path) -> None:
    """DuckDB's own Parquet writer: types (dates, lists, integers) survive as they are stored."""
    target = str(path).replace("'", "''")
    con.execute(f"COPY ({sql}) TO '{target}' (FORMAT parquet)")


def last_batch_date(con: duckdb.DuckDBPyConnection) -> dt.date | None:
    """The date of the latest active batch: an export's natural default."""
    return con.execute("SELECT max(as_of) FROM active_batch").fetchone()[0]
