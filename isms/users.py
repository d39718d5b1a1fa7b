"""Password users for teams without an identity provider: a TOML file of bcrypt hashes and roles.

Only bcrypt's own hashing is used (no home-made crypto); the file is written owner-only and
replaced atomically, so a crash mid-write never leaves a half-written user list.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import bcrypt
import tomlkit

from isms.auth import Role
from isms.files import replace_file

MIN_PASSWORD = 12
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")


class UserError(ValueError):
    """A user cannot be added or changed; the message says why."""


@dataclass(frozen=True)
class PasswordUser:
    username: str
    name: str
    email: str
    role: Role
    password_hash: str


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise UserError(f"the password needs at least {MIN_PASSWORD} characters")
    if len(password.encode()) > 72:
        raise UserError("the password may have at most 72 bytes (bcrypt's limit)")
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt()).decode()


def load_users(path: str | os.PathLike) -> dict[str, PasswordUser]:
    path = Path(path)
    if not path.exists():
        return {}
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"{path}: {exc}") from None
    users = {}
    for username, u in raw.get("users", {}).items():
        try:
            users[username] = PasswordUser(username, str(u.get("name", username)), str(u.get("email", "")),
                                           Role.parse(u["role"]), str(u["password"]))
        except (KeyError, ValueError) as exc:
            raise UserError(f"{path}: user {username!r}: {exc}") from None
    return users


def _write(path: Path, users: dict[str, PasswordUser]) -> None:
    if not any(u.role is Role.admin for u in users.values()):
        raise UserError("the users file needs at least one administrator (add one first), or nobody could manage users and settings")
    doc = tomlkit.document()
    doc.add(tomlkit.comment("Dashboard users (password mode). Written by `python -m isms user ...`; hashes are bcrypt."))
    table = tomlkit.table()
    for u in sorted(users.values(), key=lambda u: u.username):
        entry = tomlkit.table()
        entry.update({"name": u.name, "email": u.email, "role": u.role.name, "password": u.password_hash})
        table.add(u.username, entry)
    doc.add("users", table)
    replace_file(path, tomlkit.dumps(doc), mode=0o600)


def add_user(path: str | os.PathLike, username: str, password: str, role: Role, *, name: str = "",
             email: str = "") -> PasswordUser:
    if not _USERNAME.match(username):
        raise UserError(f"user name {username!r}: use 2-64 lower-case letters, digits, '.', '_' or '-'")
    users = load_users(path)
    if username in users:
        raise UserError(f"user {username!r} exists; set a new password or role instead")
    users[username] = PasswordUser(username, name or username, email, role, hash_password(password))
    _write(Path(path), users)
    return users[username]


def _change(path: str | os.PathLike, username: str, **changes) -> PasswordUser:
    users = load_users(path)
    if username not in users:
        raise UserError(f"no user {username!r}")
    old = users[username]
    users[username] = PasswordUser(**{**old.__dict__, **changes})
    _write(Path(path), users)
    return users[username]


def set_role(path: str | os.PathLike, username: str, role: Role) -> PasswordUser:
    return _change(path, username, role=role)


def set_password(path: str | os.PathLike, username: str, password: str) -> PasswordUser:
    return _change(path, username, password_hash=hash_password(password))


def remove_user(path: str | os.PathLike, username: str) -> None:
    users = load_users(path)
    if users.pop(username, None) is None:
        raise UserError(f"no user {username!r}")
    _write(Path(path), users)
