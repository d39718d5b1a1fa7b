"""Server-side sessions: a sign-in counts only while its row in `sign_in_session` is live.

Password mode: the browser's `isms_auth` cookie holds a random secret; the database keeps only
its SHA-256, who it signs in, the role and a fingerprint of the password hash at sign-in, and an
expiry. Every run of every page looks the cookie up, so a copy of the cookie stops working as
soon as the row is revoked: at sign-out, when an administrator changes the user's role or
password or removes them, or when the run itself finds that the role or password in the users
file is no longer the one the session began with (a change made outside the dashboard).

OIDC mode: Streamlit keeps the identity in its own signed, HttpOnly cookie; the session row is
keyed by the ID token's issuer, subject, issue time and nonce, which a new sign-in at the
provider always changes, so signing out revokes that token's row and a copy of the cookie is
refused afterwards.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any, Mapping

import duckdb

from isms.store import sign_in_sessions
from isms.store.sign_in_sessions import SessionRow

COOKIE = "isms_auth"

# Why a session was revoked (the `revoked_reason` column).
SIGNED_OUT = "signed out"
ROLE_CHANGED = "role changed"
PASSWORD_CHANGED = "password changed"
USER_REMOVED = "user removed"


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def short(session_hash: str) -> str:
    """The part of a session's hash the audit trail shows, to tell sessions apart."""
    return session_hash[:12]


def fingerprint(password_hash: str) -> str:
    """Changes with every new password (bcrypt salts each hash), without storing the hash."""
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


def oidc_hash(claims: Mapping[str, Any]) -> str:
    """The session of one ID token: a new sign-in at the provider issues another (iat, nonce)."""
    parts = [claims.get(k) for k in ("iss", "sub", "iat", "nonce")]
    if not any(parts[1:]):
        parts = [claims.get("email"), claims.get("name")]
    return digest("oidc\x1f" + "\x1f".join(str(p) for p in parts))


@dataclass(frozen=True)
class Check:
    """A session looked up: `row` when it signs someone in, else why not (for the message)."""

    row: SessionRow | None
    reason: str = ""


def start(con: duckdb.DuckDBPyConnection, session_hash: str, who: str, mode: str, role: str, *,
          credential: str | None = None, client: str | None = None, hours: float = 12.0,
          now: dt.datetime | None = None) -> SessionRow:
    now = now or utcnow()
    sign_in_sessions.add(con, session_hash, who, mode, role, credential, client, now, now + dt.timedelta(hours=hours))
    return sign_in_sessions.get(con, session_hash)


def start_password(con: duckdb.DuckDBPyConnection, who: str, role: str, credential: str, *, client: str | None,
                   hours: float, now: dt.datetime | None = None) -> tuple[str, SessionRow]:
    """A new password session: returns the cookie's secret (shown to nobody else) and the row."""
    secret = secrets.token_urlsafe(32)
    return secret, start(con, digest(secret), who, "password", role, credential=credential, client=client,
                         hours=hours, now=now)


def check(con: duckdb.DuckDBPyConnection, session_hash: str, now: dt.datetime | None = None) -> Check:
    row = sign_in_sessions.get(con, session_hash)
    if row is None:
        return Check(None, "unknown")
    if row.revoked_at is not None:
        return Check(None, row.revoked_reason or "revoked")
    if row.expires_at <= (now or utcnow()):
        return Check(None, "expired")
    return Check(row)


def revoke(con: duckdb.DuckDBPyConnection, session_hash: str, by: str, reason: str,
           now: dt.datetime | None = None) -> bool:
    return sign_in_sessions.revoke(con, session_hash, now or utcnow(), by, reason)


def revoke_all(con: duckdb.DuckDBPyConnection, who: str, by: str, reason: str, *, mode: str = "password",
               now: dt.datetime | None = None) -> int:
    return sign_in_sessions.revoke_all(con, who, mode, now or utcnow(), by, reason)


def live(con: duckdb.DuckDBPyConnection, now: dt.datetime | None = None) -> list[SessionRow]:
    return sign_in_sessions.live(con, now or utcnow())
