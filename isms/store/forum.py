"""The forum's tables (migration 16): held meetings, minutes approvals, decisions and action changes.

Rows are only ever appended. Reads take an as-of date and see what had been recorded for dates on
or before it, so a past meeting's actions come back exactly as they stood that day.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import duckdb
import pandas as pd

from isms.store.ids import atomically

OPEN = ("open", "in progress", "blocked")
CLOSED = ("done", "verified", "cancelled")
STATUSES = OPEN + CLOSED

MEETING_COLUMNS = ("meeting_id", "series", "held_on", "period_start", "period_end", "attendees", "minutes",
                   "pack_file", "pack_sha256", "pack", "recorded_at", "recorded_by")
DECISION_COLUMNS = ("decision_id", "meeting_id", "decided_on", "kind", "text", "review_on", "risk_ids",
                    "treatment_ids", "exception_ids", "kri_ids", "finding_ids", "recorded_at", "recorded_by")
ACTION_COLUMNS = ("action_id", "change_no", "recorded_on", "title", "series", "owner", "due_on", "original_due_on",
                  "status", "closure_note", "verified_by", "meeting_id", "decision_id", "risk_id", "kri_id",
                  "finding_id", "recorded_at", "recorded_by")


def live(table: str, alias: str | None = None) -> str:
    """A forum table's rows that reads see, without their batch: those recorded on the page and
    those of imports not undone (migration 22)."""
    return (f"(SELECT * EXCLUDE (batch_id) FROM {table} WHERE batch_id IS NULL "
            f"OR batch_id IN (SELECT batch_id FROM active_batch)) {alias or table}")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def next_id(con: duckdb.DuckDBPyConnection, table: str, column: str, prefix: str) -> str:
    """`prefix` and the next number: one more than both the highest number used (an imported minutes
    sheet brings its own ids) and the last one handed out, kept in the prefix's `store_counter` row.
    Bumping that row makes two servers taking an id at the same moment conflict on DuckLake, so the
    second takes it again (`atomically`) instead of both writing the same id; an id taken by a
    write that then failed is not given again (ids may have gaps, never repeats)."""
    counter = f"forum:{prefix}"

    def take() -> int:
        (used,) = con.execute(
            f"SELECT coalesce(max(TRY_CAST(substr({column}, {len(prefix) + 1}) AS INTEGER)), 0) FROM {table} "
            f"WHERE starts_with({column}, ?)", [prefix]).fetchone()
        con.execute("UPDATE store_counter SET value = greatest(value, ?) + 1 WHERE name = ?", [used, counter])
        (n,) = con.execute("SELECT value FROM store_counter WHERE name = ?", [counter]).fetchone()
        return int(n)

    return f"{prefix}{atomically(con, take):04d}"


def _insert(con: duckdb.DuckDBPyConnection, table: str, columns: tuple[str, ...], row: dict[str, Any]) -> None:
    con.execute(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                [row.get(c) for c in columns])


def insert_meeting(con, row: dict[str, Any]) -> None:
    _insert(con, "forum_meeting", MEETING_COLUMNS, row)


def insert_approval(con, meeting_id: str, approved_on: dt.date, approved_by: str) -> None:
    con.execute("INSERT INTO minutes_approval VALUES (?, ?, ?, ?)", [meeting_id, approved_on, approved_by, utcnow()])


def insert_decision(con, row: dict[str, Any]) -> None:
    _insert(con, "forum_decision", DECISION_COLUMNS, row)


def insert_action_change(con, row: dict[str, Any]) -> None:
    _insert(con, "action_change", ACTION_COLUMNS, row)


def insert_many(con, table: str, columns: tuple[str, ...], rows: list[dict[str, Any]]) -> None:
    """Many rows at once (the sample, the benchmark): one INSERT from a frame."""
    if rows:
        frame = pd.DataFrame.from_records([{c: r.get(c) for c in columns} for r in rows], columns=list(columns))
        con.register("_forum_rows", frame)
        try:
            con.execute(f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(columns)} FROM _forum_rows")
        finally:
            con.unregister("_forum_rows")


def meeting(con, meeting_id: str) -> dict[str, Any] | None:
    cur = con.execute(f"SELECT * EXCLUDE (pack) FROM {live('forum_meeting')} WHERE meeting_id = ?", [meeting_id])
    row = cur.fetchone()
    return dict(zip([d[0] for d in cur.description], row)) if row else None


def meeting_pack(con, meeting_id: str) -> tuple[str, bytes] | None:
    row = con.execute(f"SELECT pack_file, pack FROM {live('forum_meeting')} WHERE meeting_id = ? AND pack IS NOT NULL",
                      [meeting_id]).fetchone()
    return (row[0], bytes(row[1])) if row else None


def decision(con, decision_id: str) -> dict[str, Any] | None:
    cur = con.execute(f"SELECT * FROM {live('forum_decision')} WHERE decision_id = ?", [decision_id])
    row = cur.fetchone()
    return dict(zip([d[0] for d in cur.description], row)) if row else None


def latest_action(con, action_id: str) -> dict[str, Any] | None:
    """The action's newest change (its state now), whatever its date."""
    cur = con.execute(f"SELECT * FROM {live('action_change')} WHERE action_id = ? ORDER BY change_no DESC LIMIT 1",
                      [action_id])
    row = cur.fetchone()
    return dict(zip([d[0] for d in cur.description], row)) if row else None


def _d(value: dt.date) -> str:
    return f"DATE '{value.isoformat()}'"


def meetings_sql(as_of: dt.date, newest_first: bool = True) -> str:
    """Meetings held on or before `as_of` (without the stored pack's bytes), with their minutes'
    approval as it stood then: the page's list and the export's table."""
    order = "m.held_on DESC, m.meeting_id DESC" if newest_first else "m.held_on, m.meeting_id"
    return f"""
        SELECT m.* EXCLUDE (pack), a.approved_on, a.approved_by
        FROM {live('forum_meeting', 'm')}
        LEFT JOIN (SELECT meeting_id, min(approved_on) AS approved_on, arg_min(approved_by, approved_on) AS approved_by
                   FROM minutes_approval WHERE approved_on <= {_d(as_of)} GROUP BY meeting_id) a USING (meeting_id)
        WHERE m.held_on <= {_d(as_of)}
        ORDER BY {order}"""


def decisions_sql(as_of: dt.date) -> str:
    return f"SELECT * FROM {live('forum_decision')} WHERE decided_on <= {_d(as_of)} ORDER BY decided_on, decision_id"


def actions_sql(as_of: dt.date, series: str | None = None) -> str:
    """Every action recorded on or before `as_of` in its state that day (its latest change up to
    it), with the day it was raised (`raised_on`) and, when closed, the day it was closed
    (`closed_on`: its first closed change after it was last open, so a verification does not move it).
    `series` is bound as the parameter `$series`."""
    where = f"WHERE recorded_on <= {_d(as_of)}" + (" AND series = $series" if series else "")
    return f"""
        WITH up_to AS (SELECT * FROM {live('action_change')} {where}),
        stats AS (
            SELECT action_id, min(recorded_on) AS raised_on,
                   coalesce(max(change_no) FILTER (WHERE status IN {OPEN}), 0) AS last_open_no
            FROM up_to GROUP BY action_id
        ),
        closing AS (
            SELECT u.action_id, min(u.recorded_on) AS closed_on
            FROM up_to u JOIN stats s USING (action_id)
            WHERE u.status IN {CLOSED} AND u.change_no > s.last_open_no GROUP BY u.action_id
        ),
        latest AS (SELECT * FROM up_to QUALIFY row_number() OVER (PARTITION BY action_id ORDER BY change_no DESC) = 1)
        SELECT l.action_id, l.title, l.series, l.owner, l.due_on, l.original_due_on, l.status, l.closure_note,
               l.verified_by, l.meeting_id, l.decision_id, l.risk_id, l.kri_id, l.finding_id,
               s.raised_on, c.closed_on, l.recorded_on AS changed_on, l.change_no AS changes
        FROM latest l JOIN stats s USING (action_id) LEFT JOIN closing c USING (action_id)
        ORDER BY l.due_on, l.action_id"""


def action_changes_sql(as_of: dt.date) -> str:
    """Every change to every action recorded on or before `as_of`: the history an action's state on
    any earlier date is read from (its latest change up to that date)."""
    return f"SELECT * FROM {live('action_change')} WHERE recorded_on <= {_d(as_of)} ORDER BY action_id, change_no"


def meetings(con, as_of: dt.date) -> pd.DataFrame:
    """Meetings held on or before `as_of`, newest first, with their minutes' approval as it stood then."""
    return con.execute(meetings_sql(as_of)).df()


def decisions(con, as_of: dt.date) -> pd.DataFrame:
    return con.execute(decisions_sql(as_of)).df()


def actions_as_of(con, as_of: dt.date, series: str | None = None) -> pd.DataFrame:
    """Every action recorded on or before `as_of` in its state that day (see `actions_sql`)."""
    return con.execute(actions_sql(as_of, series), {"series": series} if series else {}).df()


def action_history(con, action_id: str) -> pd.DataFrame:
    return con.execute(f"SELECT * FROM {live('action_change')} WHERE action_id = ? ORDER BY change_no", [action_id]).df()


def version(con) -> str:
    """Changes with every forum write: the cache key of the forum's figures (imports have their own)."""
    row = con.execute(
        "SELECT (SELECT count(*) FROM forum_meeting), (SELECT count(*) FROM minutes_approval), "
        "(SELECT count(*) FROM forum_decision), (SELECT count(*) FROM action_change)").fetchone()
    return ".".join(str(n) for n in row)


def held_on(con, series: str, period_end: dt.date):
    """The day the series' meeting for the period ending `period_end` was held, or None: the first
    that reviewed it. A later meeting recorded for the same period (an extra one) does not take its
    place, so a pack for that period's date is built again as it was (with the latest, recording a
    meeting on 5 December rewrote the agenda of the 14 November one)."""
    return con.execute(f"SELECT min(held_on) FROM {live('forum_meeting')} WHERE series = ? AND period_end = ?",
                       [series, period_end]).fetchone()[0]


def last_record_day(con) -> dt.date | None:
    """The latest day the forum recorded anything on: a meeting held, a decision taken, an action
    changed (None for none, or a database made before the forum)."""
    if not has_forum_tables(con):
        return None
    days = con.execute(f"""SELECT (SELECT max(held_on) FROM {live('forum_meeting')}),
                                  (SELECT max(decided_on) FROM {live('forum_decision')}),
                                  (SELECT max(recorded_on) FROM {live('action_change')})""").fetchone()
    days = [d for d in days if d is not None]
    return max(days) if days else None


def minutes_approved(con, meeting_id: str) -> bool:
    return bool(con.execute("SELECT count(*) FROM minutes_approval WHERE meeting_id = ?", [meeting_id]).fetchone()[0])


def has_forum_tables(con) -> bool:
    """A snapshot (or a sample) made before the forum's migrations (16, 21) lacks their tables or columns."""
    return bool(con.execute("SELECT count(*) FROM information_schema.columns WHERE table_name = 'action_change' "
                            "AND column_name = 'batch_id'").fetchone()[0])


def latest_exceptions(con) -> list[tuple]:
    """The newest exception log's rows (id, status, requested, granted, expires, risk), by id: what
    the sample's decisions are written from."""
    return con.execute(
        """SELECT exception_id, status, requested_on, granted_on, expires_on, risk_id FROM policy_exception
           WHERE batch_id = (SELECT max(batch_id) FROM policy_exception) ORDER BY exception_id""").fetchall()


def latest_acceptances(con) -> list[tuple]:
    """The newest treatment tracker's 'Accept' treatments (id, risk, start), by id."""
    return con.execute(
        """SELECT treatment_id, risk_id, start_on FROM treatment
           WHERE batch_id = (SELECT max(batch_id) FROM treatment) AND decision = 'Accept' ORDER BY treatment_id""").fetchall()


def risk_and_kri_ids(con) -> tuple[list[str], list[str]]:
    """Every risk id and KRI id ever imported, sorted: what the sample's actions may come from."""
    risks = [r for (r,) in con.execute("SELECT DISTINCT risk_id FROM risk ORDER BY risk_id").fetchall()]
    kris = [k for (k,) in con.execute("SELECT DISTINCT metric_id FROM metric ORDER BY metric_id").fetchall()]
    return risks, kris


# --- minutes and actions imported from a spreadsheet (isms.importing.forum_kinds) -------------------

FORUM_IMPORT_KINDS = ("decisions", "actions")


def _meeting_on(con, series: str, held_on) -> str | None:
    row = con.execute(f"SELECT min(meeting_id) FROM {live('forum_meeting')} WHERE series = ? AND held_on = ?",
                      [series, held_on]).fetchone()
    return row[0] if row else None


def meeting_ids(con, keys: list[tuple[str, Any]]) -> dict[tuple[str, Any], str]:
    """The recorded meeting of each (series, date), where there is one: what an import links to."""
    return {k: m for k in keys if (m := _meeting_on(con, *k)) is not None}


def live_ids(con, table: str, column: str, ids: list[str]) -> set[str]:
    """Which of `ids` the forum holds (decisions, meetings, actions), imports undone left out."""
    if not ids:
        return set()
    return {r for (r,) in con.execute(f"SELECT DISTINCT {column} FROM {live(table)} WHERE {column} IN (SELECT unnest(?))",
                                      [list(ids)]).fetchall()}


def decision_links(con, decision_id: str, column: str) -> list[str]:
    """The ids a recorded decision names in `column` (risk_ids, exception_ids...)."""
    if column not in DECISION_COLUMNS or not column.endswith("_ids"):
        raise ValueError(f"no list of ids {column!r} on a decision")
    (ids,) = con.execute(f"SELECT coalesce(max({column}), []) FROM forum_decision WHERE decision_id = ?",
                         [decision_id]).fetchone()
    return list(ids or [])


def resting_on_batch(con, batch_id: int) -> list[str]:
    """What the forum recorded outside an import (on the page, or by another import) that rests on
    the meetings or decisions that import brought: a decision of one of its meetings, an action from
    one of its meetings or following one of its decisions. Undoing the import would leave them
    pointing at nothing, so the undo is refused while they stand."""
    rows = con.execute(
        """WITH meetings AS (SELECT meeting_id FROM forum_meeting WHERE batch_id = $b),
                 decisions AS (SELECT decision_id FROM forum_decision WHERE batch_id = $b)
            SELECT decision_id FROM forum_decision d
            WHERE (d.batch_id IS NULL OR d.batch_id <> $b)
              AND (d.batch_id IS NULL OR d.batch_id IN (SELECT batch_id FROM active_batch))
              AND d.meeting_id IN (SELECT meeting_id FROM meetings)
            UNION
            SELECT DISTINCT action_id FROM action_change a
            WHERE (a.batch_id IS NULL OR a.batch_id <> $b)
              AND (a.batch_id IS NULL OR a.batch_id IN (SELECT batch_id FROM active_batch))
              AND (a.meeting_id IN (SELECT meeting_id FROM meetings) OR a.decision_id IN (SELECT decision_id FROM decisions))
            ORDER BY 1""", {"b": batch_id}).fetchall()
    return [r for (r,) in rows]


def recorded_decisions(con, keys: list[tuple[str, Any, str]]) -> dict[tuple[str, Any, str], str]:
    """Decisions already recorded with the same series, meeting date and text, by that key: a
    minutes file imported again (or after the page recorded them) does not record them twice."""
    if not keys:
        return {}
    rows = con.execute(
        f"""SELECT m.series, d.decided_on, d.text, min(d.decision_id) FROM {live('forum_decision', 'd')}
            JOIN {live('forum_meeting', 'm')} USING (meeting_id) GROUP BY ALL""").fetchall()
    have = {(s, on, t): i for s, on, t, i in rows}
    return {k: have[k] for k in keys if k in have}


def latest_actions(con, ids: list[str]) -> pd.DataFrame:
    """The newest change of each of `ids` (its state now), imports undone left out."""
    return con.execute(
        f"""SELECT * FROM {live('action_change')} WHERE action_id IN (SELECT unnest(?))
            QUALIFY row_number() OVER (PARTITION BY action_id ORDER BY change_no DESC) = 1""", [list(ids)]).df()


def write_imported(con, batch_id: int, kind: str, frame: pd.DataFrame, who: str, as_of: dt.date) -> None:
    """An import's decisions or actions (rows as isms.importing.forum_kinds left them), each row
    marked with the batch, inside the batch's transaction (isms.store.batches.write_batch)."""
    now = utcnow()
    if kind == "decisions":
        for r in frame.to_dict("records"):
            meeting_id = _meeting_on(con, r["series"], r["held_on"])
            if meeting_id is None:   # minutes of a meeting the forum has not recorded: the import records it
                meeting_id = next_id(con, "forum_meeting", "meeting_id", "M-")
                _insert(con, "forum_meeting", MEETING_COLUMNS + ("batch_id",), dict(
                    meeting_id=meeting_id, series=r["series"], held_on=r["held_on"], period_start=r.get("period_start"),
                    period_end=r.get("period_end"), recorded_at=now, recorded_by=who, batch_id=batch_id))
            decision_id = r.get("decision_id") or next_id(con, "forum_decision", "decision_id", "D-")
            _insert(con, "forum_decision", DECISION_COLUMNS + ("batch_id",), dict(
                decision_id=decision_id, meeting_id=meeting_id, decided_on=r["held_on"], kind=r["decision_kind"],
                text=r["text"], review_on=r.get("review_on"), risk_ids=list(r["risk_ids"] or []),
                treatment_ids=list(r["treatment_ids"] or []), exception_ids=list(r["exception_ids"] or []),
                kri_ids=list(r["kri_ids"] or []), finding_ids=list(r["finding_ids"] or []),
                recorded_at=now, recorded_by=who, batch_id=batch_id))
        return
    last = {r["action_id"]: r for r in latest_actions(con, frame["action_id"].tolist()).to_dict("records")}
    state = ("title", "series", "owner", "due_on", "status", "closure_note", "meeting_id", "decision_id", "risk_id",
             "kri_id", "finding_id")
    for r in frame.to_dict("records"):
        r = {k: (None if v is None or (not isinstance(v, (list, str)) and pd.isna(v)) else v) for k, v in r.items()}
        if r.get("meeting_id") is None and r.get("held_on") is not None:
            r["meeting_id"] = _meeting_on(con, r["series"], r["held_on"])
        before = last.get(r["action_id"])
        row = {k: r.get(k) for k in state} | dict(action_id=r["action_id"], recorded_at=now, recorded_by=who,
                                                   batch_id=batch_id)
        if before is None:
            raised = r["raised_on"]
            rows = [row | dict(change_no=1, recorded_on=raised, original_due_on=r["due_on"])]
            if r["status"] not in OPEN and raised < as_of:   # opened when raised, closed as the file says
                rows = [rows[0] | dict(status="open", closure_note=None),
                        row | dict(change_no=2, recorded_on=as_of, original_due_on=r["due_on"])]
        else:
            keep = {k: before[k] for k in ("meeting_id", "decision_id", "risk_id", "kri_id", "finding_id")}
            row = row | {k: v for k, v in keep.items() if row[k] is None}
            if all(_same(row[k], before[k]) for k in state):
                continue
            rows = [row | dict(change_no=int(before["change_no"]) + 1, recorded_on=as_of,
                               original_due_on=before["original_due_on"], verified_by=before["verified_by"])]
        for one in rows:
            if one["status"] == "verified" and not one.get("verified_by"):
                one["verified_by"] = who
            _insert(con, "action_change", ACTION_COLUMNS + ("batch_id",), one)


def _same(a, b) -> bool:
    if a is None or (not isinstance(a, (list, str)) and pd.isna(a)):
        return b is None or (not isinstance(b, (list, str)) and pd.isna(b))
    if isinstance(b, pd.Timestamp):
        b = b.date()
    if isinstance(a, pd.Timestamp):
        a = a.date()
    return a == b
