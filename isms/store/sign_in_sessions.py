"""The `sign_in_session` table: who a session cookie (or an ID token) signs in, until when.

A row is added at sign-in and marked revoked at sign-out, a role or password change, or when an
administrator removes the user; a revoked or expired row signs nobody in (see isms.sessions).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb

from isms.store.ids import atomically


@dataclass(frozen=True)
class SessionRow:
    session_hash: str
    who: str
    mode: str
    role: str
    credential: str | None
    client: str | None
    created_at: dt.datetime
    expires_at: dt.datetime
    revoked_at: dt.datetime | None
    revoked_by: str | None
    revoked_reason: str | None


_COLUMNS = ("session_hash, who, mode, role, credential, client, created_at, expires_at, revoked_at, revoked_by, "
            "revoked_reason")


def add(con: duckdb.DuckDBPyConnection, session_hash: str, who: str, mode: str, role: str, credential: str | None,
        client: str | None, created_at: dt.datetime, expires_at: dt.datetime) -> None:
    con.execute("INSERT INTO sign_in_session (session_hash, who, mode, role, credential, client, created_at, expires_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [session_hash, who, mode, role, credential, client, created_at, expires_at])


def get(con: duckdb.DuckDBPyConnection, session_hash: str) -> SessionRow | None:
    found = con.execute(f"SELECT {_COLUMNS} FROM sign_in_session WHERE session_hash = ?", [session_hash]).fetchall()
    return SessionRow(*found[0]) if found else None


def revoke(con: duckdb.DuckDBPyConnection, session_hash: str, at: dt.datetime, by: str, reason: str) -> bool:
    """Mark one live session revoked; False when it was already revoked or never existed."""

    def once() -> int:  # no UPDATE ... RETURNING on DuckLake: count, then update
        (n,) = con.execute("SELECT count(*) FROM sign_in_session WHERE session_hash = ? AND revoked_at IS NULL",
                           [session_hash]).fetchone()
        if n:
            con.execute("UPDATE sign_in_session SET revoked_at = ?, revoked_by = ?, revoked_reason = ? "
                        "WHERE session_hash = ? AND revoked_at IS NULL", [at, by, reason, session_hash])
        return n

    return bool(atomically(con, once))


def revoke_all(con: duckdb.DuckDBPyConnection, who: str, mode: str, at: dt.datetime, by: str, reason: str) -> int:
    """Revoke every live (unrevoked, unexpired) session of one person in one mode; returns how many."""
    live_where = "WHERE who = ? AND mode = ? AND revoked_at IS NULL AND expires_at > ?"

    def once() -> int:
        (n,) = con.execute(f"SELECT count(*) FROM sign_in_session {live_where}", [who, mode, at]).fetchone()
        if n:
            con.execute(f"UPDATE sign_in_session SET revoked_at = ?, revoked_by = ?, revoked_reason = ? {live_where}",
                        [at, by, reason, who, mode, at])
        return int(n)

    return atomically(con, once)


def live(con: duckdb.DuckDBPyConnection, now: dt.datetime) -> list[SessionRow]:
    found = con.execute(f"SELECT {_COLUMNS} FROM sign_in_session WHERE revoked_at IS NULL AND expires_at > ? "
                        "ORDER BY created_at DESC", [now]).fetchall()
    return [SessionRow(*r) for r in found]
