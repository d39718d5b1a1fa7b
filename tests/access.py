"""Setting up an app under test in one of the sign-in modes: settings file, users file, database."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from isms.auth import Role
from isms.store import connect
from isms.users import add_user
from tests.conftest import ROOT

PASSWORD = "correct horse battery"


@dataclass
class AppEnv:
    db: Path
    config: Path
    users: Path

    def events(self, action: str | None = None) -> list[dict]:
        """The audit trail as the database holds it, oldest first."""
        st.cache_resource.clear()
        con = connect(self.db)
        try:
            sql = "SELECT who, action, detail FROM audit_event"
            rows = con.execute(sql + (" WHERE action = ?" if action else "") + " ORDER BY event_id",
                               [action] if action else []).fetchall()
        finally:
            con.close()
        return [{"who": w, "action": a, "detail": json.loads(d)} for w, a, d in rows]


def write_config(path: Path, auth_toml: str) -> None:
    path.write_text((ROOT / "isms.toml").read_text(encoding="utf-8") + "\n" + auth_toml, encoding="utf-8")


def make_env(tmp_path: Path, sample_db_path: Path, monkeypatch, auth_toml: str = "",
             users: dict[str, Role] | None = None) -> AppEnv:
    db = tmp_path / "isms.duckdb"
    shutil.copy(sample_db_path, db)
    config = tmp_path / "isms.toml"
    write_config(config, auth_toml)
    users_path = tmp_path / "users.toml"
    for name, role in sorted((users or {}).items(), key=lambda kv: -kv[1]):
        add_user(users_path, name, PASSWORD, role, name=name.title())
    monkeypatch.setenv("ISMS_DB", str(db))
    monkeypatch.setenv("ISMS_CONFIG", str(config))
    st.cache_resource.clear()
    st.cache_data.clear()
    return AppEnv(db, config, users_path)
