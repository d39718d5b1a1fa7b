"""Who may do what: modes of sign-in, roles, and the rules that every page and write action checks.

The rules live here, in plain Python, so the CLI, the pages and the tests ask the same question
(`allows(role, action)`) and get the same answer; the Streamlit glue (ui/auth.py) only finds out
who is signed in.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any, Mapping

MODES = ("local", "oidc", "password")


class Role(IntEnum):
    """Ordered: each role may do everything the roles below it may."""

    viewer = 1
    analyst = 2
    admin = 3

    @classmethod
    def parse(cls, text: str) -> "Role":
        try:
            return cls[str(text).strip().lower()]
        except KeyError:
            raise ValueError(f"unknown role {text!r}; choose one of {[r.name for r in cls]}") from None


# The least role each action needs. Pages name their action; write paths check theirs.
NEEDS: dict[str, Role] = {
    "view": Role.viewer,
    "generate-pack": Role.viewer,
    "save-pack-sections": Role.analyst,
    "import": Role.analyst,
    "undo-own-import": Role.analyst,
    "download-annotated": Role.analyst,
    "undo-any-import": Role.admin,
    "change-settings": Role.admin,
    "manage-users": Role.admin,
    "manage-mapping-profiles": Role.admin,
    "read-audit": Role.admin,
    "export-data": Role.admin,
    "load-sample": Role.analyst,
    "record-forum": Role.analyst,      # meetings, decisions, actions and their changes
    "decide-mappings": Role.analyst,   # accept or reject a suggested control-to-requirement link
    "approve-minutes": Role.admin,     # the chair; a series may name its own chair role in isms.toml
}


class Refused(PermissionError):
    """The signed-in user's role does not allow the action; the message says which role would."""


@dataclass(frozen=True)
class User:
    """The signed-in person as the audit trail names them (`name`), and their role."""

    name: str
    role: Role
    display: str = ""
    via: str = "local"


def allows(role: Role | None, action: str) -> bool:
    if action not in NEEDS:
        raise ValueError(f"unknown action {action!r}")
    return role is not None and role >= NEEDS[action]


def check(user: User | None, action: str) -> None:
    """Raise Refused unless the user may perform the action: the server-side gate of every write."""
    if not allows(user.role if user else None, action):
        who = f"{user.name} ({user.role.name})" if user else "nobody signed in"
        raise Refused(f"{action} needs the {NEEDS[action].name} role; {who} may not")


def may_undo(user: User, imported_by: str) -> bool:
    """Analysts undo their own imports; administrators may undo anyone's."""
    if allows(user.role, "undo-any-import"):
        return True
    return allows(user.role, "undo-own-import") and imported_by == user.name


COOKIE_SECURE = ("auto", "always", "never")


@dataclass(frozen=True)
class AuthSettings:
    """The `[auth]` table of isms.toml; the throttle and session keys have production defaults."""

    mode: str = "local"
    users_file: str = "users.toml"
    group_claim: str = "groups"
    emails: Mapping[str, Role] = field(default_factory=dict, hash=False)
    groups: Mapping[str, Role] = field(default_factory=dict, hash=False)
    default_role: Role | None = None
    # Password sign-in throttling (isms.throttle): the n-th failure in a row for a user name
    # waits delay_seconds * 2**(n-1) (at most max_delay_seconds), and so do an address's failures
    # beyond max_failures; the max_failures-th for a user name, or the max_client_failures-th from
    # one client address, locks it for lockout_minutes.
    max_failures: int = 5
    max_client_failures: int = 20
    lockout_minutes: float = 15.0
    delay_seconds: float = 1.0
    max_delay_seconds: float = 30.0
    # Where the client's address comes from behind a reverse proxy (e.g. "X-Forwarded-For");
    # empty: the address of the connection itself.
    client_address_header: str = ""
    # Server-side sessions (isms.sessions): a sign-in lasts at most this long.
    session_hours: float = 12.0
    # The password-mode session cookie's Secure flag: "auto" (when the page is served over
    # https), "always" or "never".
    cookie_secure: str = "auto"


def _positive(section: Mapping[str, Any], key: str, default: float, kind=float):
    value = section.get(key, default)
    try:
        number = kind(value)
    except (TypeError, ValueError):
        raise ValueError(f"[auth] {key} = {value!r} is not a number") from None
    if isinstance(value, bool) or number < 0 or (kind is int and number < 1):
        raise ValueError(f"[auth] {key} = {value!r} must be {'at least 1' if kind is int else 'zero or more'}")
    return number


def auth_from_settings(section: Mapping[str, Any]) -> AuthSettings:
    mode = str(section.get("mode", "local")).strip().lower()
    if mode not in MODES:
        raise ValueError(f"[auth] mode {mode!r} is not one of {list(MODES)}")
    default = section.get("default_role") or None
    secure = section.get("cookie_secure", "auto")
    if isinstance(secure, bool):
        secure = "always" if secure else "never"
    secure = str(secure).strip().lower()
    if secure not in COOKIE_SECURE:
        raise ValueError(f"[auth] cookie_secure {secure!r} is not one of {list(COOKIE_SECURE)}")
    return AuthSettings(
        mode=mode,
        users_file=str(section.get("users_file", "users.toml")),
        group_claim=str(section.get("group_claim", "groups")),
        emails={str(k).strip().casefold(): Role.parse(v) for k, v in dict(section.get("emails", {})).items()},
        groups={str(k).strip(): Role.parse(v) for k, v in dict(section.get("groups", {})).items()},
        default_role=Role.parse(default) if default else None,
        max_failures=_positive(section, "max_failures", 5, int),
        max_client_failures=_positive(section, "max_client_failures", 20, int),
        lockout_minutes=_positive(section, "lockout_minutes", 15.0),
        delay_seconds=_positive(section, "delay_seconds", 1.0),
        max_delay_seconds=_positive(section, "max_delay_seconds", 30.0),
        client_address_header=str(section.get("client_address_header", "")).strip(),
        session_hours=_positive(section, "session_hours", 12.0),
        cookie_secure=secure,
    )


def role_from_claims(auth: AuthSettings, claims: Mapping[str, Any]) -> Role | None:
    """The highest role that the ID token's e-mail or groups map to, else the default role.

    An e-mail the provider marks unverified maps to nothing: anyone can type an address into
    a self-service account, and the mapping would otherwise hand them that address's role.
    """
    found: list[Role] = []
    email = claims.get("email")
    if email and claims.get("email_verified", True) is not False:
        role = auth.emails.get(str(email).strip().casefold())
        if role:
            found.append(role)
    groups = claims.get(auth.group_claim) or []
    if isinstance(groups, str):
        groups = [groups]
    found += [auth.groups[g] for g in groups if g in auth.groups]
    if found:
        return max(found)
    return auth.default_role


def is_loopback(address: str | None) -> bool:
    """Only a loopback address keeps a `local` (no sign-in) dashboard off the network.

    Streamlit listens on every interface when no address is given, so an empty one is not
    loopback either.
    """
    if not address:
        return False
    if address.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(address.strip().strip("[]")).is_loopback
    except ValueError:
        return False


def local_mode_refusal(address: str | None) -> str | None:
    """The message that refuses to serve `local` mode on a network address, or None when safe."""
    if is_loopback(address):
        return None
    shown = address or "every interface (no --server.address)"
    return (
        f"Local mode signs everyone in as an administrator, so it serves only on 127.0.0.1; "
        f"this server listens on {shown}. Start it with `--server.address 127.0.0.1` (as `make run` "
        "does), or set `[auth] mode = \"password\"` or `\"oidc\"` in the settings file to serve a network."
    )
