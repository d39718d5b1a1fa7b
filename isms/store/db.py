"""Opening the database: one connection per process, a cursor per thread or call.

DuckDB refuses to share one connection between threads ("connection is busy"), and Streamlit
serves each session on its own thread, so callers take `con.cursor()` for each unit of work.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from isms.store.migrations import MIGRATIONS


def connect(path: str | os.PathLike = ":memory:", *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open (and create, owner-only, if missing) the database and bring its schema up to date."""
    path = str(path)
    in_memory = path == ":memory:"
    created = not in_memory and not Path(path).exists()
    if created:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(path, read_only=read_only)
    if created:
        os.chmod(path, 0o600)
    if not read_only:
        migrate(con)
    return con


def migrate(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Apply pending migrations, each in its own transaction; returns the versions applied."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_migration (version INTEGER PRIMARY KEY, name VARCHAR, applied_at TIMESTAMP)"
    )
    done = {v for (v,) in con.execute("SELECT version FROM schema_migration").fetchall()}
    applied = []
    for version, name, sql in MIGRATIONS:
        if version in done:
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(sql)
            con.execute("INSERT INTO schema_migration VALUES (?, ?, now())", [version, name])
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
        applied.append(version)
    return applied


def data_version(con: duckdb.DuckDBPyConnection) -> str:
    """Changes whenever a batch is committed or undone: the key for cached query results."""
    n_batches, n_undo = con.execute(
        "SELECT (SELECT count(*) FROM import_batch), (SELECT count(*) FROM batch_undo)"
    ).fetchone()
    return f"{n_batches}.{n_undo}"


def checkpoint(con: duckdb.DuckDBPyConnection) -> None:
    """Write everything to the database file, so a database built under a temporary name is
    whole before it is renamed into place."""
    con.execute("CHECKPOINT")
