"""The audit trail: who did what, when; appended to, never changed.

ISO 27001 (A.8.15 logging) and SOC 2 auditors ask who changed the register, the risk matrix or
the users, and when. Every write path records here in the same process that did the write;
there is deliberately no function that updates or deletes an event.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import duckdb
import pandas as pd

SIGN_IN = "sign-in"
ACCESS_REFUSED = "access-refused"
IMPORT_COMMITTED = "import-committed"
IMPORT_REFUSED = "import-refused"
IMPORT_UNDONE = "import-undone"
SETTINGS_CHANGED = "settings-changed"
USERS_CHANGED = "users-changed"
PACK_GENERATED = "pack-generated"

ACTIONS = (SIGN_IN, ACCESS_REFUSED, IMPORT_COMMITTED, IMPORT_REFUSED, IMPORT_UNDONE,
           SETTINGS_CHANGED, USERS_CHANGED, PACK_GENERATED)


@dataclass(frozen=True)
class AuditFilter:
    actions: tuple[str, ...] = ()
    who: str = ""
    since: dt.date | None = None
    until: dt.date | None = None


def record(con: duckdb.DuckDBPyConnection, who: str, action: str, detail: dict[str, Any] | None = None) -> int:
    """Append one event and return its id; an unknown action is a programming error and raises."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}; known: {', '.join(ACTIONS)}")
    if not who:
        raise ValueError("an audit event needs the name of who did it")
    (event_id,) = con.execute(
        "INSERT INTO audit_event (occurred_at, who, action, detail) VALUES (?, ?, ?, ?) RETURNING event_id",
        [dt.datetime.now(dt.timezone.utc).replace(tzinfo=None), who, action, json.dumps(detail or {}, sort_keys=True, default=str)],
    ).fetchone()
    return int(event_id)


def events(con: duckdb.DuckDBPyConnection, flt: AuditFilter = AuditFilter(), limit: int | None = None) -> pd.DataFrame:
    """Newest first, filtered in SQL; times are UTC, `detail` stays the JSON text that was recorded."""
    where, params = [], []
    if flt.actions:
        where.append("action IN (SELECT unnest(?))")
        params.append(list(flt.actions))
    if flt.who:
        where.append("who = ?")
        params.append(flt.who)
    if flt.since:
        where.append("occurred_at >= ?")
        params.append(flt.since)
    if flt.until:
        where.append("occurred_at < ?")
        params.append(flt.until + dt.timedelta(days=1))
    sql = "SELECT event_id, occurred_at, who, action, detail FROM audit_event"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY event_id DESC"
    if limit:
        sql += f" LIMIT {int(limit)}"
    return con.execute(sql, params).df()


def people(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [w for (w,) in con.execute("SELECT DISTINCT who FROM audit_event ORDER BY who").fetchall()]
