"""The `audit_event` table: appended to, never changed (see isms.audit for what is recorded)."""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

from isms.store.ids import atomically, next_id


def append(con: duckdb.DuckDBPyConnection, who: str, action: str, detail_json: str) -> int:
    def once() -> int:
        event_id = next_id(con, "audit")
        con.execute(
            "INSERT INTO audit_event (event_id, occurred_at, who, action, detail) VALUES (?, ?, ?, ?, ?)",
            [event_id, dt.datetime.now(dt.timezone.utc).replace(tzinfo=None), who, action, detail_json],
        )
        return event_id

    return atomically(con, once)


def events(con: duckdb.DuckDBPyConnection, actions: tuple[str, ...] = (), who: str = "",
           since: dt.date | None = None, until: dt.date | None = None, limit: int | None = None) -> pd.DataFrame:
    """Newest first, filtered in SQL; times are UTC, `detail` stays the JSON text that was recorded."""
    where, params = [], []
    if actions:
        where.append("action IN (SELECT unnest(?))")
        params.append(list(actions))
    if who:
        where.append("who = ?")
        params.append(who)
    if since:
        where.append("occurred_at >= ?")
        params.append(since)
    if until:
        where.append("occurred_at < ?")
        params.append(until + dt.timedelta(days=1))
    sql = "SELECT event_id, occurred_at, who, action, detail FROM audit_event"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY event_id DESC"
    if limit:
        sql += f" LIMIT {int(limit)}"
    return con.execute(sql, params).df()


def people(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [w for (w,) in con.execute("SELECT DISTINCT who FROM audit_event ORDER BY who").fetchall()]
