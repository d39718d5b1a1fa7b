"""Signing in and out, whatever draws the form: throttled password checks, sessions, audit events.

ui/auth.py (Streamlit) calls these; they know nothing about Streamlit, so tests drive them with
a database and a fake clock. Every outcome is in the audit trail: a sign-in, each failed one
(wrong password, unknown user name, or refused by a lock), each lockout, a sign-out, and a
session ended because the user's role or password changed.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import time
from dataclasses import dataclass
from typing import Any, Callable, Mapping

import bcrypt
import duckdb

from isms import audit, sessions, throttle
from isms.auth import AuthSettings, Role
from isms.store.sign_in_sessions import SessionRow
from isms.users import PasswordUser

WRONG = "User name or password is wrong."

# Why a session no longer signs anyone in, as the person at the sign-in form is told.
ENDED = {
    sessions.SIGNED_OUT: "This session was signed out. Sign in again.",
    sessions.ROLE_CHANGED: "Your role has changed, which ends your session. Sign in again.",
    sessions.PASSWORD_CHANGED: "Your password has changed, which ends your session. Sign in again.",
    sessions.USER_REMOVED: "Your user has been removed; this session has ended.",
    "expired": "Your session has expired. Sign in again.",
}


@functools.cache
def _decoy_hash() -> bytes:
    """Checked for an unknown user name, so it takes as long as a wrong password for a real one."""
    return bcrypt.hashpw(b"no such user, no such password", bcrypt.gensalt())


def _password_matches(password: str, user: PasswordUser | None) -> bool:
    raw = password.encode()
    if len(raw) > 72:  # bcrypt's limit; no stored password is longer (isms.users refuses them)
        raw = raw[:72]
        user = None
    ok = bcrypt.checkpw(raw, user.password_hash.encode() if user else _decoy_hash())
    return ok and user is not None


def locked_message(key: str, until: dt.datetime, now: dt.datetime) -> str:
    minutes = max(1, math.ceil((until - now).total_seconds() / 60))
    whose = "this user name" if key.startswith(throttle.USER + ":") else "this address"
    return (f"Too many failed sign-ins for {whose}: signing in is locked until {until:%H:%M} UTC "
            f"(about {minutes} minute{'s' if minutes != 1 else ''}). An administrator can lift the lock sooner.")


def wrong_message(delay: float) -> str:
    """The same for an unknown user name as for a wrong password, so neither tells which it was."""
    if delay <= 0:
        return WRONG
    return (f"{WRONG} The answer was held back {delay:g} s; each wrong password in a row doubles that, "
            "and too many lock signing in for a while.")


@dataclass(frozen=True)
class Attempt:
    """A password sign-in: `user`, the cookie's `secret` and the `session` when it succeeded,
    else the `message` for the form. `waited` is the seconds the server held the answer back."""

    user: PasswordUser | None = None
    secret: str | None = None
    session: SessionRow | None = None
    message: str = ""
    waited: float = 0.0


def _refused_by_lock(con, who: str, client: str, verdict: throttle.Verdict, now: dt.datetime, waited: float) -> Attempt:
    audit.record(con, who, audit.SIGN_IN_FAILED,
                 {"mode": "password", "client": client, "reason": "locked", "lock": verdict.locked_key,
                  "locked_until": verdict.locked_until.isoformat(timespec="seconds")})
    return Attempt(message=locked_message(verdict.locked_key, verdict.locked_until, now), waited=waited)


def pending_wait(con: duckdb.DuckDBPyConnection, auth: AuthSettings, username: str, client: str,
                 clock: Callable[[], dt.datetime] = throttle.utcnow) -> float:
    """Seconds an attempt now would wait before its password is checked (0 when locked: that is
    refused at once). Read from a snapshot, so a caller can wait it out before taking the writers'
    lock, which `password_sign_in` needs for what it records."""
    name = username.strip().lower()
    verdict = throttle.verdict(con, auth, [throttle.user_key(name), throttle.client_key(client)], clock())
    return verdict.wait if verdict.locked_key is None else 0.0


def password_sign_in(con: duckdb.DuckDBPyConnection, auth: AuthSettings, users: Mapping[str, PasswordUser],
                     username: str, password: str, client: str, *, sleep: Callable[[float], None] = time.sleep,
                     clock: Callable[[], dt.datetime] = throttle.utcnow) -> Attempt:
    """Check one password sign-in under the throttle; audited whatever the outcome.

    A locked user name or address is refused before the password is looked at. Otherwise the
    attempt first waits out the delay its key's earlier failures set (another tab or script may
    be guessing in parallel), and a failure holds its answer back for the next, longer, delay.
    """
    name = username.strip().lower()
    who = name[:64] or "(no user name)"
    keys = [throttle.user_key(name), throttle.client_key(client)]
    verdict = throttle.verdict(con, auth, keys, clock())
    waited = 0.0
    if verdict.wait > 0 and verdict.locked_key is None:
        sleep(verdict.wait)
        waited = verdict.wait
        verdict = throttle.verdict(con, auth, keys, clock())
    if verdict.locked_key is not None:
        return _refused_by_lock(con, who, client, verdict, clock(), waited)

    user = users.get(name)
    if _password_matches(password, user):
        throttle.record_success(con, name)
        secret, session = sessions.start_password(con, user.username, user.role.name,
                                                  sessions.fingerprint(user.password_hash), client=client,
                                                  hours=auth.session_hours, now=clock())
        audit.record(con, user.username, audit.SIGN_IN,
                     {"mode": "password", "role": user.role.name, "client": client,
                      "session": sessions.short(session.session_hash)})
        return Attempt(user, secret, session, waited=waited)

    now = clock()
    failure = throttle.record_failure(con, auth, keys, now)
    audit.record(con, who, audit.SIGN_IN_FAILED,
                 {"mode": "password", "client": client, "reason": "wrong password" if user else "unknown user",
                  "failures": failure.failures[keys[0]], "client_failures": failure.failures[keys[1]],
                  "delay_seconds": failure.delay})
    for key, until in failure.locked.items():
        audit.record(con, who, audit.LOCKOUT,
                     {"lock": key, "failures": failure.failures[key], "locked_until": until.isoformat(timespec="seconds"),
                      "minutes": auth.lockout_minutes, "client": client})
    if failure.locked:
        key = keys[0] if keys[0] in failure.locked else keys[1]
        return Attempt(message=locked_message(key, failure.locked[key], now), waited=waited)
    sleep(failure.delay)
    return Attempt(message=wrong_message(failure.delay), waited=waited + failure.delay)


@dataclass(frozen=True)
class Resumed:
    """A session cookie looked up on a run: the user it signs in, or why it signs nobody in."""

    user: PasswordUser | None
    session: SessionRow | None
    reason: str = ""


def password_session(con: duckdb.DuckDBPyConnection, users: Mapping[str, PasswordUser], secret: str,
                     now: dt.datetime | None = None, *, may_write: bool = True) -> Resumed | None:
    """The user a cookie's secret signs in on this run. A session whose user was removed, or whose
    role or password in the users file is no longer the one it began with, is revoked here (the
    change may have been made outside the dashboard) and audited. With `may_write=False` (a
    read-only snapshot, as on most runs) that case returns None: ask again on a writable connection."""
    session_hash = sessions.digest(secret)
    found = sessions.check(con, session_hash, now)
    if found.row is None:
        return Resumed(None, None, found.reason)
    row = found.row
    user = users.get(row.who)
    if user is None:
        reason = sessions.USER_REMOVED
    elif user.role.name != row.role:
        reason = sessions.ROLE_CHANGED
    elif sessions.fingerprint(user.password_hash) != row.credential:
        reason = sessions.PASSWORD_CHANGED
    else:
        return Resumed(user, row)
    if not may_write:
        return None
    if sessions.revoke(con, session_hash, "dashboard", reason, now):
        audit.record(con, row.who, audit.SESSION_REVOKED,
                     {"user": row.who, "reason": reason, "sessions": 1, "session": sessions.short(session_hash),
                      "noticed": "when the session was next used"})
    return Resumed(None, None, reason)


def sign_out(con: duckdb.DuckDBPyConnection, session_hash: str, mode: str) -> SessionRow | None:
    """Revoke the session server-side (so a copy of its cookie signs nobody in) and audit it."""
    found = sessions.check(con, session_hash)
    if found.row is None or not sessions.revoke(con, session_hash, found.row.who, sessions.SIGNED_OUT):
        return None
    audit.record(con, found.row.who, audit.SIGN_OUT, {"mode": mode, "session": sessions.short(session_hash)})
    return found.row


def known_oidc_session(con: duckdb.DuckDBPyConnection, claims: Mapping[str, Any], role: Role,
                       now: dt.datetime | None = None) -> sessions.Check | None:
    """What `oidc_session` answers when it would write nothing (a live session with the same role,
    or one already ended), read from a read-only snapshot; None when it must start or end one."""
    found = sessions.check(con, sessions.oidc_hash(claims), now)
    if found.row is not None:
        return found if found.row.role == role.name else None
    return None if found.reason == "unknown" else found


def oidc_session(con: duckdb.DuckDBPyConnection, auth: AuthSettings, claims: Mapping[str, Any], who: str,
                 role: Role, client: str, now: dt.datetime | None = None) -> sessions.Check:
    """The session of the ID token behind st.user: started the first time the token is seen,
    refused once it was signed out or expired, ended when the role its claims map to changes."""
    session_hash = sessions.oidc_hash(claims)
    found = sessions.check(con, session_hash, now)
    if found.row is not None:
        if found.row.role == role.name:
            return found
        if sessions.revoke(con, session_hash, "dashboard", sessions.ROLE_CHANGED, now):
            audit.record(con, who, audit.SESSION_REVOKED,
                         {"user": who, "reason": sessions.ROLE_CHANGED, "sessions": 1,
                          "session": sessions.short(session_hash), "before": found.row.role, "after": role.name})
        return sessions.Check(None, sessions.ROLE_CHANGED)
    if found.reason != "unknown":
        return found
    try:
        return sessions.Check(sessions.start(con, session_hash, who, "oidc", role.name, client=client,
                                             hours=auth.session_hours, now=now))
    except duckdb.ConstraintException:  # another tab started it at the same moment
        return sessions.check(con, session_hash, now)
