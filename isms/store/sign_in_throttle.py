"""The `sign_in_throttle` table: failed sign-ins in a row per user name and per client address.

One row per key, shared by every server process on the database (see isms.throttle for the
policy). Rows are replaced whole; a successful sign-in or an administrator's lift deletes one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb

from isms.store.ids import next_id, transaction


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
    # No unique key (DuckLake has none): two transactions that both insert a new key's row would both
    # commit. Bumping one shared counter row first makes them conflict instead, and the loser retries.
    next_id(con, "sign_in_throttle")
    con.execute(
        "MERGE INTO sign_in_throttle t USING (SELECT ? AS throttle_key, ? AS failures, ?::TIMESTAMP AS last_failure_at, "
        "?::TIMESTAMP AS next_attempt_at, ?::TIMESTAMP AS locked_until) s ON t.throttle_key = s.throttle_key "
        "WHEN MATCHED THEN UPDATE SET failures = s.failures, last_failure_at = s.last_failure_at, "
        "next_attempt_at = s.next_attempt_at, locked_until = s.locked_until "
        f"WHEN NOT MATCHED THEN INSERT ({_COLUMNS}) VALUES (s.throttle_key, s.failures, s.last_failure_at, "
        "s.next_attempt_at, s.locked_until)",
        [row.key, row.failures, row.last_failure_at, row.next_attempt_at, row.locked_until],
    )


def delete(con: duckdb.DuckDBPyConnection, key: str) -> ThrottleRow | None:
    """Remove one key's row; returns what it held, or None when there was none."""
    with transaction(con):  # no DELETE ... RETURNING on DuckLake: read, then delete
        gone = con.execute(f"SELECT {_COLUMNS} FROM sign_in_throttle WHERE throttle_key = ?", [key]).fetchall()
        if gone:
            con.execute("DELETE FROM sign_in_throttle WHERE throttle_key = ?", [key])
    return ThrottleRow(*gone[0]) if gone else None


def locked(con: duckdb.DuckDBPyConnection, now: dt.datetime) -> list[ThrottleRow]:
    """Keys locked at `now`, the latest lock first."""
    found = con.execute(f"SELECT {_COLUMNS} FROM sign_in_throttle WHERE locked_until > ? "
                        "ORDER BY locked_until DESC, throttle_key", [now]).fetchall()
    return [ThrottleRow(*r) for r in found]
