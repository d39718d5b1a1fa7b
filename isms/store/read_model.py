"""The read model: each register's and each risk's, treatment's and KRI's state as intervals of time.

History is append-only and "as of D" picks, per key, the latest fact on or before D (see
isms.store.queries). Deriving that anew in every query, for every date a trend asks about, made
every read cost in proportion to the whole history. Here it is derived once per change of the
data, in the transaction that changes it (`refresh`, called by every commit and undo of a batch,
and by the migration that adds these tables), as intervals: a row holds from `valid_from`
(included) to `valid_to` (excluded; 'infinity' while it still holds). "As of D" is then a range
filter, `valid_from <= D AND D < valid_to`, and a trend over many dates one range join.

- `register_span`: per kind of register, the batch whose rows are the register over each interval
  (the latest active batch with that kind dated on or before the date; the latest batch of a day
  when a day has several).
- `risk_span`: each risk of a register with its latest assessment then (NULL before its first).
- `treatment_span`: each treatment of a register with its latest progress update then, and the
  status and completion date that update implies (an update newer than the register row wins).
- `result_span`: each KRI result, until the KRI's next result.

Events are those of active batches, the latest batch's where two give the same key and date.
These tables hold nothing of their own: `refresh` rebuilds them from the facts, so they can be
dropped and derived again at any time.

Trends ask about many dates at once, and every date they ask about is a month end (quarter ends,
month ends). For those the state is also kept per month end, the interval rows that hold on it:
`risk_month_end` and `treatment_month_end` (the columns of `risk_span` and `treatment_span`, with
`month_end` for the interval, and for a treatment `risk_listed`: whether it counts with its risk
then, its risk in the risk register and open, or the treatment done: `counted_with_its_risk`),
from the first month end with a row up to `read_model_extent`'s
`last_month_end`, the month end of the last date any interval begins or ends. Nothing changes
after that date, so a later month end holds the rows of `last_month_end`. A trend then reads its
dates' rows by equality, one scan for all of them, instead of one range filter per date.
"""

from __future__ import annotations

import duckdb

REGISTER_KINDS = ("assets", "risks", "treatments", "metrics", "exceptions", "controls", "audits", "findings")

SCHEMA = """
CREATE TABLE register_span (
    kind VARCHAR NOT NULL, batch_id INTEGER NOT NULL, valid_from DATE NOT NULL, valid_to DATE NOT NULL
);
CREATE TABLE risk_span (
    valid_from DATE NOT NULL, valid_to DATE NOT NULL,
    batch_id INTEGER NOT NULL, risk_id VARCHAR NOT NULL, title VARCHAR NOT NULL,
    description VARCHAR, annex_a_theme VARCHAR NOT NULL, annex_a_controls VARCHAR[],
    nist_family VARCHAR, asset_ids VARCHAR[], owner VARCHAR NOT NULL, status VARCHAR NOT NULL,
    identified_on DATE NOT NULL, source VARCHAR NOT NULL, business_unit VARCHAR,
    assessment_batch_id INTEGER, assessed_on DATE,
    inherent_likelihood TINYINT, inherent_impact TINYINT, control_effectiveness VARCHAR,
    residual_likelihood TINYINT, residual_impact TINYINT,
    target_likelihood TINYINT, target_impact TINYINT, assessor VARCHAR
);
CREATE TABLE treatment_span (
    valid_from DATE NOT NULL, valid_to DATE NOT NULL,
    batch_id INTEGER NOT NULL, register_as_of DATE NOT NULL,
    treatment_id VARCHAR NOT NULL, risk_id VARCHAR NOT NULL,
    decision VARCHAR NOT NULL, description VARCHAR, owner VARCHAR NOT NULL,
    start_on DATE NOT NULL, due_on DATE NOT NULL,
    status VARCHAR NOT NULL,         -- the register's, or a newer update's
    completed_on DATE,               -- the register's, or the date of a newer update that says Done
    reported_percent DOUBLE, last_update_on DATE
);
CREATE TABLE result_span (
    valid_from DATE NOT NULL, valid_to DATE NOT NULL, metric_id VARCHAR NOT NULL, period DATE NOT NULL,
    value DOUBLE NOT NULL, note VARCHAR, batch_id INTEGER NOT NULL
);
"""

MONTH_END_TABLES = {"risk_span": "risk_month_end", "treatment_span": "treatment_month_end"}

# The kinds of rows each span is derived from: a batch that brings none of them (a month of KRI
# results, say) cannot change that span, so its commit or undo leaves the span's rows as they are
# rather than deriving the same rows again (which on DuckLake is a delete and an insert, and every
# server's replica then copies the whole table again; see isms.store.shared.LakeStore).
SPAN_KINDS = {"risk_span": frozenset({"risks", "assessments"}),
              "treatment_span": frozenset({"treatments", "treatment_updates"}),
              "result_span": frozenset({"monitoring_results"})}


def counted_with_its_risk(risk: str, treatment: str) -> str:
    """Whether a treatment counts in the treatment figures, given its risk's register row `risk`
    on the date (SQL aliases): while the risk is open, and once the treatment is done. A closed
    risk's unfinished treatment is no longer work the ISMS tracks; counted, it stayed overdue for
    good (R-073, closed on 30 September 2026, kept its T-038, due February 2025 and 'In progress',
    among the '14 treatments overdue' of the tiles, the headline and the packs)."""
    return f"({risk}.status <> 'Closed' OR {treatment}.status = 'Done')"


def risk_listed(row: str) -> str:
    """`risk_listed` of a month-end copy's row `row`: its risk is in the risk register on that
    month end (past the risks' own extent, on their last month end) and the treatment counts with
    it (`counted_with_its_risk`)."""
    return f"""EXISTS (SELECT 1 FROM risk_month_end r
                       WHERE r.month_end = least({row}.month_end, (SELECT last_month_end FROM read_model_extent
                                                                  WHERE name = 'risk_month_end'))
                         AND r.risk_id = {row}.risk_id AND {counted_with_its_risk('r', row)})"""


# What a month-end copy holds besides its span's columns: whether a treatment counts with its risk
# on that month end (a trend counts only those; asked per row, it was a join of every treatment
# with every risk for every month). The copy then depends on the risks' too, so it reaches at least
# as far as theirs: past both, nothing changes.
MONTH_END_EXTRA = {
    "treatment_month_end": ("risk_month_end", "risk_listed BOOLEAN NOT NULL", f"{risk_listed('e')} AS risk_listed"),
}


def treatment_measures(date: str) -> dict[str, str]:
    """A treatment's measures on `date` (an SQL date) that no setting changes, as SQL expressions
    over a row of `treatment_span`'s columns: percent complete (Done counts 100), the linear plan's
    percent, the planned duration in days (a trend's weight), the state when it is settled without
    the late tolerance (done, cancelled, not started, overdue; NULL: on track or late, which
    isms.store.queries.treatment_cte decides) and the days overdue.

    The month-end copy keeps them (migration 24): a trend over five years of month ends reads them
    instead of computing them for every treatment on every month end. Other dates compute them from
    here, the one definition."""
    return {
        "percent_complete": "CASE WHEN status = 'Done' THEN 100.0 ELSE coalesce(reported_percent, 0.0) END",
        "planned_percent": f"""100.0 * greatest(0.0, least(1.0,
            date_diff('day', start_on, {date})::DOUBLE / greatest(1, date_diff('day', start_on, due_on))))""",
        "weight_days": "greatest(1, date_diff('day', start_on, due_on))",
        "settled_state": f"""CASE WHEN status = 'Done' THEN 'done' WHEN status = 'Cancelled' THEN 'cancelled'
            WHEN start_on > {date} THEN 'not started' WHEN due_on < {date} THEN 'overdue' END""",
        "days_overdue": f"""CASE WHEN due_on < {date} AND status NOT IN ('Done', 'Cancelled')
            THEN date_diff('day', due_on, {date}) ELSE 0 END""",
    }


def selected(expressions: dict[str, str]) -> str:
    """`expressions` as a select list."""
    return ", ".join(f"{sql} AS {name}" for name, sql in expressions.items())


TREATMENT_MEASURE_TYPES = {"percent_complete": "DOUBLE", "planned_percent": "DOUBLE", "weight_days": "BIGINT",
                           "settled_state": "VARCHAR", "days_overdue": "BIGINT"}
# the month-end copies' columns a later migration added (migration 17's DDL leaves them out): per
# copy, their types and their expressions over the copy's rows
MONTH_END_MEASURES = {"treatment_month_end": (TREATMENT_MEASURE_TYPES, treatment_measures)}


def _month_end_ddl(span: str, table: str) -> str:
    """`table` with `span`'s columns, `month_end` in place of the interval, then its extra ones, as
    migration 17 made it (MONTH_END_MEASURES come from a later one).
    (Spelled out from the span's DDL: a table made by CREATE TABLE AS ... LIMIT 0 inside a
    transaction read as empty to aggregates on the same connection after the commit, with DuckDB 2.0.)"""
    body = SCHEMA.split(f"CREATE TABLE {span} (")[1].split(");")[0].rstrip()
    interval = "valid_from DATE NOT NULL, valid_to DATE NOT NULL,"
    assert interval in body, f"{span} starts with its interval"
    body = body.replace(interval, "month_end DATE NOT NULL,", 1)
    extra = f",\n    {MONTH_END_EXTRA[table][1]}" if table in MONTH_END_EXTRA else ""
    return f"CREATE TABLE {table} ({body}{extra}\n);"


def month_end_measures_migration() -> str:
    """Migration 24: the month-end copies gain their measures, computed for the rows they hold."""
    out = []
    for table, (types, measures) in MONTH_END_MEASURES.items():
        out += [f"ALTER TABLE {table} ADD COLUMN {name} {sql_type};" for name, sql_type in types.items()]
        out.append(f"UPDATE {table} SET " + ", ".join(f"{name} = {sql}" for name, sql in measures("month_end").items()) + ";")
    return "\n".join(out)


# Added by a later migration than SCHEMA (which migration 10 created as it stands above).
MONTH_END_SCHEMA = "\n".join(_month_end_ddl(span, m) for span, m in MONTH_END_TABLES.items()) + """
CREATE TABLE read_model_extent (name VARCHAR NOT NULL, last_month_end DATE);
INSERT INTO read_model_extent VALUES """ + ", ".join(f"('{m}', NULL)" for m in MONTH_END_TABLES.values()) + ";\n"


def _segments(table: str, key: str, when: str, since: str) -> str:
    """Per key, the interval each event of active batches holds for (until the key's next event),
    and one interval before a key's first event (its columns NULL), so that a key's intervals cover
    every date; where two batches gave the same key and date, the latest batch's event.

    Only what a change from `since` on needs is read whole: the events on or after `since` and,
    per key, the last one before it; so a new quarter's batch costs its own rows, not the history.
    (Picking the batch by key and date first, then joining back, is several times quicker than a
    window or an arg_max over whole rows.)"""
    return f"""(WITH last_before AS (
            SELECT x.{key}, max(x.{when}) AS last_before FROM {table} x JOIN active_batch USING (batch_id)
            WHERE x.{when} < {since} GROUP BY x.{key}),
        pick AS (
            SELECT x.{key}, x.{when}, max(x.batch_id) AS batch_id
            FROM {table} x JOIN active_batch USING (batch_id) LEFT JOIN last_before lb USING ({key})
            WHERE x.{when} >= {since} OR x.{when} = lb.last_before
            GROUP BY x.{key}, x.{when}),
        ev AS MATERIALIZED (
            SELECT e.*, lead(e.{when}, 1, 'infinity'::DATE) OVER (PARTITION BY e.{key} ORDER BY e.{when}) AS seg_to
            FROM {table} e JOIN pick USING ({key}, {when}, batch_id))
        SELECT ev.*, ev.{when} AS seg_from FROM ev
        UNION ALL BY NAME
        SELECT {key}, '-infinity'::DATE AS seg_from, min({when}) AS seg_to FROM ev
        WHERE {key} NOT IN (SELECT {key} FROM last_before) GROUP BY {key})"""


_KINDS_LIST = "[" + ", ".join(f"'{k}'" for k in REGISTER_KINDS) + "]"


def _clip(table: str, since: str) -> str:
    """Keep a table's intervals before `since`, cut at `since`: the part a change from `since` on
    cannot touch. What follows `since` is derived again."""
    return f"""DELETE FROM {table} WHERE valid_from >= {since};
        UPDATE {table} SET valid_to = {since} WHERE valid_to > {since};"""


def refresh_sql(since: str = "'-infinity'::DATE", spans: frozenset[str] | None = None) -> str:
    """SQL that derives the read model again from `since` on (an SQL date: the earliest date a
    change can touch); from '-infinity', all of it. With `spans`, only those span tables (and the
    register intervals, which are small) are derived again."""
    assessments = _segments("assessment", "risk_id", "assessed_on", since)
    updates = _segments("treatment_update", "treatment_id", "updated_on", since)
    results = _segments("monitoring_result", "metric_id", "period", since)
    # a row holds where its register interval, its event interval and [since, infinity) overlap
    bounds = f"""greatest(reg.reg_from, coalesce(seg.seg_from, reg.reg_from), {since}) AS valid_from,
           least(reg.reg_to, coalesce(seg.seg_to, reg.reg_to)) AS valid_to"""
    sections = {}
    register = f"""
DELETE FROM register_span;
INSERT INTO register_span
    SELECT kind, batch_id, as_of AS valid_from,
           lead(as_of, 1, 'infinity'::DATE) OVER (PARTITION BY kind ORDER BY as_of) AS valid_to
    FROM (SELECT k.kind, b.as_of, max(b.batch_id) AS batch_id
          FROM active_batch b JOIN (SELECT unnest({_KINDS_LIST}) AS kind) k ON list_contains(b.kinds, k.kind)
          GROUP BY k.kind, b.as_of);
"""
    sections["risk_span"] = f"""
{_clip("risk_span", since)}
INSERT INTO risk_span BY NAME
    WITH reg AS (SELECT s.valid_from AS reg_from, s.valid_to AS reg_to, r.*
                 FROM register_span s JOIN risk r ON r.batch_id = s.batch_id
                 WHERE s.kind = 'risks' AND s.valid_to > {since}),
         seg AS (SELECT * FROM {assessments} WHERE seg_to > {since})
    SELECT {bounds}, reg.* EXCLUDE (reg_from, reg_to),
           seg.batch_id AS assessment_batch_id, seg.assessed_on,
           seg.inherent_likelihood, seg.inherent_impact, seg.control_effectiveness,
           seg.residual_likelihood, seg.residual_impact, seg.target_likelihood, seg.target_impact, seg.assessor
    FROM reg LEFT JOIN seg ON seg.risk_id = reg.risk_id AND seg.seg_from < reg.reg_to AND seg.seg_to > reg.reg_from;
"""
    sections["treatment_span"] = f"""
{_clip("treatment_span", since)}
INSERT INTO treatment_span BY NAME
    WITH reg AS (SELECT s.valid_from AS reg_from, s.valid_to AS reg_to, t.*
                 FROM register_span s JOIN treatment t ON t.batch_id = s.batch_id
                 WHERE s.kind = 'treatments' AND s.valid_to > {since}),
         seg AS (SELECT * FROM {updates} WHERE seg_to > {since})
    SELECT {bounds}, reg.reg_from AS register_as_of,
           reg.* EXCLUDE (reg_from, reg_to) REPLACE (
               -- status follows the latest update when that update is newer than the register row
               -- (T-107 reported Done on 13 October is done as of 31 October)
               CASE WHEN seg.updated_on > reg.reg_from AND seg.status IS NOT NULL THEN seg.status
                    ELSE reg.status END AS status,
               CASE WHEN seg.updated_on > reg.reg_from AND seg.status = 'Done' AND reg.status <> 'Done'
                    THEN seg.updated_on ELSE reg.completed_on END AS completed_on),
           seg.percent_complete AS reported_percent, seg.updated_on AS last_update_on
    FROM reg LEFT JOIN seg ON seg.treatment_id = reg.treatment_id
                          AND seg.seg_from < reg.reg_to AND seg.seg_to > reg.reg_from;
"""
    sections["result_span"] = f"""
{_clip("result_span", since)}
INSERT INTO result_span BY NAME
    SELECT greatest(seg_from, {since}) AS valid_from, seg_to AS valid_to, metric_id, period, value, note, batch_id
    FROM {results} WHERE seg_to > {since} AND period IS NOT NULL;
"""
    return register + "".join(sql for span, sql in sections.items() if spans is None or span in spans)


def _month(date: str) -> str:
    """A date's month as a number (months since year 0), so the month ends in [a, b) are those of
    the months `_month(a)` to `_month(b) - 1`: a month's end is on or after any day of it."""
    return f"(year({date}) * 12 + month({date}) - 1)"


def month_end_refresh_sql(since: str = "'-infinity'::DATE", spans: frozenset[str] | None = None,
                          measures: bool = True) -> str:
    """SQL that derives the month-end tables again from the first month end a change from `since`
    can touch, or from the month after the old extent when that comes first (the month ends between
    the old extent and `since` were never written), up to the new extent. With `spans`, only the
    copies of those spans, and of the spans whose copies read theirs. `measures=False`: as
    migration 17 did, before the copies had MONTH_END_MEASURES."""
    out = []
    for span, table in MONTH_END_TABLES.items():  # risks first: a treatment's copy reads theirs
        depends, _, column = MONTH_END_EXTRA.get(table, (None, None, None))
        if spans is not None and span not in spans and not (depends and _span_of(depends) in spans):
            continue
        extra = f", {column}" if column else ""
        if measures and table in MONTH_END_MEASURES:
            extra += f", {selected(MONTH_END_MEASURES[table][1]('e.month_end'))}"
        reach = f"(SELECT last_month_end FROM read_model_extent WHERE name = '{depends}')" if depends else "NULL"
        first = f"""(SELECT CASE WHEN NOT isfinite({since}) OR last_month_end IS NULL THEN '-infinity'::DATE
                                 ELSE least(last_day({since}), last_day(last_month_end + 1)) END
                     FROM read_model_extent WHERE name = '{table}')"""
        out.append(f"""
CREATE OR REPLACE TEMP TABLE month_end_refresh AS SELECT {first} AS first_month_end,
    greatest((SELECT last_day(greatest(max(valid_from), max(valid_to) FILTER (WHERE isfinite(valid_to)))) FROM {span}),
             {reach}) AS last_month_end;
UPDATE read_model_extent SET last_month_end = (SELECT last_month_end FROM month_end_refresh) WHERE name = '{table}';
DELETE FROM {table} WHERE month_end >= (SELECT first_month_end FROM month_end_refresh);
INSERT INTO {table} BY NAME
    SELECT e.*{extra} FROM (
    SELECT last_day(make_date((k // 12)::BIGINT, (k % 12 + 1)::BIGINT, 1)) AS month_end,
           s.* EXCLUDE (k, valid_from, valid_to)
    FROM (SELECT unnest(range(
                     CASE WHEN isfinite(x.first_month_end) THEN greatest({_month('s.valid_from')}, {_month('x.first_month_end')})
                          ELSE {_month('s.valid_from')} END,
                     CASE WHEN isfinite(s.valid_to) THEN {_month('s.valid_to')}
                          ELSE {_month('x.last_month_end')} + 1 END)) AS k, s.*
          FROM {span} s, month_end_refresh x
          WHERE s.valid_to > x.first_month_end AND s.valid_from <= x.last_month_end) s) e
    ORDER BY month_end;
DROP TABLE month_end_refresh;""")
    return "\n".join(out)


# Per month end, what the Risk Review's trends count, kept as counts (migration 25). A trend over
# twenty quarters read every risk on every quarter end and every treatment on every month end to
# count them; these hold the counts, so a trend reads a few hundred rows per date whatever the size
# of the register. They hold only what no setting changes: a risk's cells, not its score or level
# (the matrix decides those, from the cells); a treatment's settled state, not whether it is late
# (the late tolerance decides that: `treatment_unsettled_month_end` keeps what it is decided from,
# for the treatments neither settled state holds). They are kept per Annex A theme (of the risk,
# for a treatment), the page's first filter, so a theme filtered reads them too; other filters
# count from the risks themselves. They cover the month ends of the copy they count, up to its
# extent (`read_model_extent`); a date past it, or not a month end, is counted from the intervals
# (isms.store.queries).
TOTALS_SCHEMA = """
CREATE TABLE risk_cell_month_end (
    month_end DATE NOT NULL, annex_a_theme VARCHAR NOT NULL, open BOOLEAN NOT NULL, assessed BOOLEAN NOT NULL,
    addressed BOOLEAN NOT NULL,      -- an active treatment, or a granted exception not expired on the month end
    inherent_likelihood TINYINT, inherent_impact TINYINT, residual_likelihood TINYINT, residual_impact TINYINT,
    risks BIGINT NOT NULL
);
CREATE TABLE treatment_total_month_end (
    month_end DATE NOT NULL, annex_a_theme VARCHAR NOT NULL,
    settled_state VARCHAR,           -- NULL: on track or late
    treatments BIGINT NOT NULL, weight_days BIGINT NOT NULL,
    weighted_complete DOUBLE NOT NULL, weighted_planned DOUBLE NOT NULL
);
CREATE TABLE treatment_unsettled_month_end (
    month_end DATE NOT NULL, annex_a_theme VARCHAR NOT NULL, reported_percent DOUBLE, planned_percent DOUBLE NOT NULL
);
"""

# Per counts table, the kinds of rows whose change can change it: those of the copies it counts
# (a treatment is counted while its risk is in the risk register, under its risk's theme, and an
# assessment can take the copies to a later month end), and the exceptions (which address risks).
_COPIES = SPAN_KINDS["risk_span"] | SPAN_KINDS["treatment_span"]
TOTALS = {
    "risk_cell_month_end": _COPIES | {"exceptions"},
    "treatment_total_month_end": _COPIES,
    "treatment_unsettled_month_end": _COPIES,
}

ACTIVE_TREATMENT = "status IN ('Planned', 'In progress')"


def late(late_tolerance_points: float) -> str:
    """Whether an unsettled treatment (on track or late, see `treatment_measures`) is late: its
    progress trails the linear plan by more than the tolerance. The one definition, over a row of
    `treatment_span`'s columns with the date's measures."""
    return f"coalesce(reported_percent, 0.0) + {float(late_tolerance_points)!r} < planned_percent"


RISK_EXTENT = "(SELECT last_month_end FROM read_model_extent WHERE name = 'risk_month_end')"


def _totals_sql(table: str, first: str, risk_extent: str) -> str:
    """The rows of counts table `table` for the month ends from `first` on (SQL dates: literals, so
    that the scans skip the month ends before it; `risk_extent`, the risks' copy's)."""
    # a treatment's risk on its month end: past the risks' extent, the risks of their last month end
    # (as `risk_listed` is decided); only a treatment whose risk is in the register then is counted
    with_risk = f"""treatment_month_end t JOIN risk_month_end r ON r.risk_id = t.risk_id
        AND r.month_end = least(t.month_end, {risk_extent}) AND r.month_end >= least({first}, {risk_extent})"""
    if table == "treatment_total_month_end":
        return f"""
    SELECT t.month_end, r.annex_a_theme, t.settled_state, count(*) AS treatments, sum(t.weight_days)::BIGINT AS weight_days,
           sum(t.weight_days * t.percent_complete) AS weighted_complete, sum(t.weight_days * t.planned_percent) AS weighted_planned
    FROM {with_risk} WHERE t.risk_listed AND t.month_end >= {first} GROUP BY ALL"""
    if table == "treatment_unsettled_month_end":
        return f"""
    SELECT t.month_end, r.annex_a_theme, t.reported_percent, t.planned_percent
    FROM {with_risk} WHERE t.risk_listed AND t.settled_state IS NULL AND t.month_end >= {first}"""
    # a risk is addressed as the Risk Review's totals say (isms.store.queries.posture_figures): any
    # treatment of it in the treatment register then that is active, or a granted exception for it
    # in the exception register then that has not expired
    return f"""
    WITH ends AS (SELECT DISTINCT month_end FROM risk_month_end WHERE month_end >= {first}),
    excepted AS (
        SELECT DISTINCT m.month_end, e.risk_id FROM ends m
        JOIN register_span s ON s.kind = 'exceptions' AND s.valid_from <= m.month_end AND m.month_end < s.valid_to
        JOIN policy_exception e ON e.batch_id = s.batch_id
        WHERE e.status = 'Granted' AND e.expires_on >= m.month_end AND e.risk_id IS NOT NULL),
    treated AS (SELECT DISTINCT month_end, risk_id FROM treatment_month_end WHERE month_end >= {first} AND {ACTIVE_TREATMENT})
    SELECT r.month_end, r.annex_a_theme, r.status <> 'Closed' AS open, r.assessed_on IS NOT NULL AS assessed,
           t.risk_id IS NOT NULL OR x.risk_id IS NOT NULL AS addressed,
           r.inherent_likelihood, r.inherent_impact, r.residual_likelihood, r.residual_impact, count(*) AS risks
    FROM risk_month_end r LEFT JOIN treated t USING (month_end, risk_id) LEFT JOIN excepted x USING (month_end, risk_id)
    WHERE r.month_end >= {first} GROUP BY ALL"""


def totals_refresh_sql(firsts: dict[str, str] | None = None, risk_extent: str = RISK_EXTENT) -> str:
    """SQL that derives counts tables again: per table in `firsts`, from that month end on (an SQL
    date); with none, all of them from the start (migration 25). Run after the month-end copies
    are up to date: the counts are taken from them."""
    if firsts is None:
        firsts = {table: "'-infinity'::DATE" for table in TOTALS}
    return "".join(f"""
DELETE FROM {table} WHERE month_end >= {first};
INSERT INTO {table} BY NAME SELECT * FROM ({_totals_sql(table, first, risk_extent)}) ORDER BY month_end;"""
                   for table, first in firsts.items())


def refresh_totals(con: duckdb.DuckDBPyConnection, since: str, kinds: frozenset[str] | None) -> None:
    """Derive the counts tables that `kinds` (those of the batch committed or undone; None: every
    kind) feed again, from the first month end a change from `since` can touch, or from the month
    after the last one a table holds when that comes first (the month ends the copies reached since
    were never counted). The month ends are read first and written into the SQL as dates: compared
    with a subquery, every month end of the copies was read, and a commit on the large ISMS took
    twice as long."""
    tables = [table for table, feeds in TOTALS.items() if kinds is None or feeds & kinds]
    if not tables:
        return
    firsts = [f"""(SELECT CASE WHEN NOT isfinite({since}) THEN '-infinity'
                               ELSE least(last_day({since}), coalesce(last_day(max(month_end) + 1), '-infinity'::DATE))::VARCHAR END
                   FROM {table})""" for table in tables]
    *found, extent = con.execute(f"SELECT {', '.join(firsts)}, {RISK_EXTENT}").fetchone()
    con.execute(totals_refresh_sql({table: f"DATE '{first}'" for table, first in zip(tables, found)},
                                   "NULL::DATE" if extent is None else f"DATE '{extent.isoformat()}'"))


def _span_of(month_end_table: str) -> str:
    return next(span for span, table in MONTH_END_TABLES.items() if table == month_end_table)


def refresh(con: duckdb.DuckDBPyConnection, batch_id: int | None = None) -> None:
    """Derive the read model again; with `batch_id`, only from the earliest date that batch can
    change (its own date, or an earlier event it brings), and only the spans its kinds of rows feed
    (SPAN_KINDS), after committing or undoing it. Callers run it inside the transaction that changed the facts, so a reader never sees the two disagree."""
    since = "'-infinity'::DATE"
    spans = None
    if batch_id is not None:
        (first, kinds) = con.execute(
            """SELECT least(b.as_of, (SELECT min(assessed_on) FROM assessment WHERE batch_id = b.batch_id),
                            (SELECT min(updated_on) FROM treatment_update WHERE batch_id = b.batch_id),
                            (SELECT min(period) FROM monitoring_result WHERE batch_id = b.batch_id)), b.kinds
               FROM import_batch b WHERE b.batch_id = ?""", [int(batch_id)]).fetchone()
        since = f"DATE '{first.isoformat()}'"
        spans = frozenset(span for span, feeds in SPAN_KINDS.items() if feeds & set(kinds or ()))
    con.execute(refresh_sql(since, spans))
    con.execute(month_end_refresh_sql(since, spans))
    refresh_totals(con, since, None if batch_id is None else frozenset(kinds or ()))
