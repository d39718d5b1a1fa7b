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


def refresh_sql(since: str = "'-infinity'::DATE") -> str:
    """SQL that derives the read model again from `since` on (an SQL date: the earliest date a
    change can touch); from '-infinity', all of it."""
    assessments = _segments("assessment", "risk_id", "assessed_on", since)
    updates = _segments("treatment_update", "treatment_id", "updated_on", since)
    results = _segments("monitoring_result", "metric_id", "period", since)
    # a row holds where its register interval, its event interval and [since, infinity) overlap
    bounds = f"""greatest(reg.reg_from, coalesce(seg.seg_from, reg.reg_from), {since}) AS valid_from,
           least(reg.reg_to, coalesce(seg.seg_to, reg.reg_to)) AS valid_to"""
    return f"""
DELETE FROM register_span;
INSERT INTO register_span
    SELECT kind, batch_id, as_of AS valid_from,
           lead(as_of, 1, 'infinity'::DATE) OVER (PARTITION BY kind ORDER BY as_of) AS valid_to
    FROM (SELECT k.kind, b.as_of, max(b.batch_id) AS batch_id
          FROM active_batch b JOIN (SELECT unnest({_KINDS_LIST}) AS kind) k ON list_contains(b.kinds, k.kind)
          GROUP BY k.kind, b.as_of);

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

{_clip("result_span", since)}
INSERT INTO result_span BY NAME
    SELECT greatest(seg_from, {since}) AS valid_from, seg_to AS valid_to, metric_id, period, value, note, batch_id
    FROM {results} WHERE seg_to > {since} AND period IS NOT NULL;
"""


def refresh(con: duckdb.DuckDBPyConnection, batch_id: int | None = None) -> None:
    """Derive the read model again; with `batch_id`, only from the earliest date that batch can
    change (its own date, or an earlier event it brings), after committing or undoing it. Callers
    run it inside the transaction that changed the facts, so a reader never sees the two disagree."""
    since = "'-infinity'::DATE"
    if batch_id is not None:
        (first,) = con.execute(
            """SELECT least(b.as_of, (SELECT min(assessed_on) FROM assessment WHERE batch_id = b.batch_id),
                            (SELECT min(updated_on) FROM treatment_update WHERE batch_id = b.batch_id),
                            (SELECT min(period) FROM monitoring_result WHERE batch_id = b.batch_id))
               FROM import_batch b WHERE b.batch_id = ?""", [int(batch_id)]).fetchone()
        since = f"DATE '{first.isoformat()}'"
    con.execute(refresh_sql(since))
