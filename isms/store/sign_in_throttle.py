"""The `sign_in_throttle` table: failed sign-ins in a row per user name and per client address.

One row per key, shared by every server process on the database (see isms.throttle for the
policy). Rows are replaced whole; a successful sign-in or an administrator's lift deletes one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb


@dataclass(frozen=True)
class ThrottleRow:
    key: str
    failures: int
    last_failure_at: dt.datetime
    next_attempt_at: dt.datetime
    locked_until: dt.datetime | None


_COLUMNS = "throttle_key, failures, last_failure_at, next_attempt_at, locked_until"


def rows(con: duckdb.DuckDBPyConnection, keys: list[str]) -> dict[str, ThrottleRow]:
    found = con.execute(f"SELECT {_COLUMNS} FROM sign_in_throttle WHERE throttle_key IN (SELECT unnest(?))",
                        [list(keys)]).fetchall()
    return {r[0]: ThrottleRow(*r) for r in found}


def put(con: duckdb.DuckDBPyConnection, row: ThrottleRow) -> None:
    con.execute(
        f"INSERT INTO sign_in_throttle ({_COLUMNS}) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (throttle_key) DO UPDATE SET failures = excluded.failures, "
        "last_failure_at = excluded.last_failure_at, next_attempt_at = excluded.next_attempt_at, "
        "locked_until = excluded.locked_until",
        [row.key, row.failures, row.last_failure_at, row.next_attempt_at, row.locked_until],
    )


def delete(con: duckdb.DuckDBPyConnection, key: str) -> ThrottleRow | None:
    """Remove one key's row; returns what it held, or None when there was none."""
    gone = con.execute(f"DELETE FROM sign_in_throttle WHERE throttle_key = ? RETURNING {_COLUMNS}", [key]).fetchall()
    return ThrottleRow(*gone[0]) if gone else None


def locked(con: duckdb.DuckDBPyConnection, now: dt.datetime) -> list[ThrottleRow]:
    """Keys locked at `now`, the latest lock first."""
    found = con.execute(f"SELECT {_COLUMNS} FROM sign_in_throttle WHERE locked_until > ? "
                        "ORDER BY locked_until DESC, throttle_key", [now]).fetchall()
    return [ThrottleRow(*r) for r in found]
