"""The sections chosen for each meeting's review pack: the latest choice wins, earlier ones stay."""

from __future__ import annotations

import json

import duckdb


def latest(con: duckdb.DuckDBPyConnection, meeting: str) -> list[str] | None:
    # by time alone: a DuckLake server reads a view of its replica, which has no rowid, and each save
    # is a transaction of its own, so two never share a saved_at
    row = con.execute(
        "SELECT sections FROM pack_preference WHERE meeting = ? ORDER BY saved_at DESC LIMIT 1", [meeting]
    ).fetchone()
    return json.loads(row[0]) if row else None


def save(con: duckdb.DuckDBPyConnection, meeting: str, sections: list[str], saved_by: str) -> None:
    con.execute("INSERT INTO pack_preference VALUES (?, ?, now()::TIMESTAMP, ?)", [meeting, json.dumps(sections), saved_by])
