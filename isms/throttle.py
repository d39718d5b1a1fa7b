"""Password guessing costs time: growing delays per user name and per client, then a lockout.

Each failed password sign-in counts against two keys, the user name typed (whether or not such
a user exists, so a lock says nothing about which names are real) and the client address. The
n-th failure in a row for a user name makes the next attempt wait `delay_seconds * 2**(n-1)`
seconds (at most `max_delay_seconds`); an address is delayed the same way for its failures
beyond `max_failures` (so people sharing an address are not slowed by each other's typos, but
one address trying many user names is). The `max_failures`-th failure for a user name, or the
`max_client_failures`-th from one address, locks that key for `lockout_minutes`. A locked key is
refused without its password being checked, so the right password does not get through a lock
either. A successful sign-in clears its user name's count (not the address's: one valid account
must not reset an address that is guessing others); failures older than `lockout_minutes`, and
an expired lock, are forgotten. An administrator may lift a lock early (isms.actions).

The state lives in the database (isms.store.sign_in_throttle), so every server process on one
database counts the same failures. Nothing here sleeps or audits: isms.sign_in does both.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from dataclasses import dataclass

import duckdb

from isms.auth import AuthSettings
from isms.store import sign_in_throttle
from isms.store.sign_in_throttle import ThrottleRow

USER, CLIENT = "user", "client"


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def user_key(username: str) -> str:
    return f"{USER}:{username.strip().lower()}"


def client_key(client: str) -> str:
    return f"{CLIENT}:{client}"


def describe(key: str) -> str:
    kind, _, value = key.partition(":")
    return f"user name {value!r}" if kind == USER else f"client address {value}"


def _limit(auth: AuthSettings, key: str) -> int:
    return auth.max_failures if key.startswith(USER + ":") else auth.max_client_failures


def delay_after(auth: AuthSettings, failures: int) -> float:
    """Seconds the attempt after `failures` failures in a row waits."""
    if failures <= 0:
        return 0.0
    return float(min(auth.delay_seconds * 2 ** (failures - 1), auth.max_delay_seconds))


@dataclass(frozen=True)
class Verdict:
    """Before a password is checked: a lock refuses it; otherwise it waits `wait` seconds."""

    locked_key: str | None = None
    locked_until: dt.datetime | None = None
    wait: float = 0.0


def _current(row: ThrottleRow | None, auth: AuthSettings, now: dt.datetime) -> ThrottleRow | None:
    """The row as it counts now: None once its lock has expired or its failures are stale."""
    if row is None:
        return None
    if row.locked_until is not None:
        return row if row.locked_until > now else None
    if now - row.last_failure_at > dt.timedelta(minutes=auth.lockout_minutes):
        return None
    return row


def verdict(con: duckdb.DuckDBPyConnection, auth: AuthSettings, keys: list[str], now: dt.datetime) -> Verdict:
    found = sign_in_throttle.rows(con, keys)
    wait = 0.0
    for key in keys:
        row = _current(found.get(key), auth, now)
        if row is None:
            continue
        if row.locked_until is not None:
            return Verdict(key, row.locked_until)
        wait = max(wait, (row.next_attempt_at - now).total_seconds())
    return Verdict(wait=min(max(wait, 0.0), auth.max_delay_seconds))


@dataclass(frozen=True)
class Failure:
    """What one failed sign-in did: the failures in a row per key, the next delay, new locks."""

    failures: dict[str, int]
    delay: float
    locked: dict[str, dt.datetime]


def _retrying(fn, within: float = 15.0):
    """Two threads writing the same row conflict in DuckDB (a write-write conflict, or a duplicate
    key when both insert it first); the loser retries on fresh data. Bounded by time, not by a
    count of tries: eight sign-ins at once on a loaded machine can lose twenty times in a row, and a
    sign-in that fails for that would be a failure not counted."""
    deadline = time.monotonic() + within
    attempt = 0
    while True:
        try:
            return fn()
        except (duckdb.TransactionException, duckdb.ConstraintException):
            attempt += 1
            if time.monotonic() > deadline:
                raise
            time.sleep(random.uniform(0.005, 0.01 * min(attempt, 20)))


def record_failure(con: duckdb.DuckDBPyConnection, auth: AuthSettings, keys: list[str], now: dt.datetime) -> Failure:
    def write() -> Failure:
        con.execute("BEGIN TRANSACTION")
        try:
            found = sign_in_throttle.rows(con, keys)
            failures, locked, delay = {}, {}, 0.0
            for key in keys:
                row = _current(found.get(key), auth, now)
                n = (row.failures if row is not None and row.locked_until is None else 0) + 1
                until = now + dt.timedelta(minutes=auth.lockout_minutes) if n >= _limit(auth, key) else None
                wait = delay_after(auth, n if key.startswith(USER + ":") else n - auth.max_failures)
                sign_in_throttle.put(con, ThrottleRow(key, n, now, now + dt.timedelta(seconds=wait), until))
                failures[key] = n
                delay = max(delay, wait)
                if until is not None:
                    locked[key] = until
            con.execute("COMMIT")
        except BaseException:
            try:
                con.execute("ROLLBACK")
            except duckdb.Error:  # a failed COMMIT has rolled back already
                pass
            raise
        return Failure(failures, 0.0 if locked else delay, locked)

    return _retrying(write)


def record_success(con: duckdb.DuckDBPyConnection, username: str) -> None:
    _retrying(lambda: sign_in_throttle.delete(con, user_key(username)))


def lift(con: duckdb.DuckDBPyConnection, key: str) -> ThrottleRow | None:
    """Forget a key's failures and lock; returns what was there (None: nothing to lift)."""
    return _retrying(lambda: sign_in_throttle.delete(con, key))


def lockouts(con: duckdb.DuckDBPyConnection, now: dt.datetime | None = None) -> list[ThrottleRow]:
    return sign_in_throttle.locked(con, now or utcnow())
