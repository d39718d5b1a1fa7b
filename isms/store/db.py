"""Opening the database: one connection per process, a cursor per thread or call.

DuckDB refuses to share one connection between threads ("connection is busy"), and Streamlit
serves each session on its own thread, so callers take `con.cursor()` for each unit of work.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from isms.store import lake
from isms.store.migrations import MIGRATIONS


def sibling(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """Another cursor on the database `con` reads, for a second thread: pointed at the catalog and
    schema `con` is (`USE` holds per connection: the lake, a DuckLake replica's schema), without
    `con`'s temporary tables. Close it when done."""
    where = con.execute("SELECT current_database(), current_schema()").fetchone()
    other = con.cursor()
    try:
        other.execute("USE " + ".".join('"' + part.replace('"', '""') + '"' for part in where))
    except BaseException:
        other.close()
        raise
    return other


def connect(path: str | os.PathLike = ":memory:", *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open (and create, owner-only, if missing) the database and bring its schema up to date.

    A `ducklake:postgres:...` path opens the DuckLake store instead (isms.store.lake), with the
    same schema and queries."""
    path = str(path)
    if lake.is_lake(path):
        con = lake.connect(path, read_only=read_only)
        if not read_only:
            lake.retrying(lambda: migrate(con))  # two servers starting at once: the second finds it done
        return con
    in_memory = path == ":memory:"
    created = not in_memory and not Path(path).exists()
    if created:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(path, read_only=read_only)
    except duckdb.IOException as exc:
        if "newer version of DuckDB" not in str(exc):
            raise
        raise duckdb.IOException(
            f"{path} was written by a newer DuckDB than this version pins ({duckdb.__version__}; see the README, "
            "'Why DuckDB 1.5.5'). The sample: delete the file and `make run` builds it again. Your own ISMS: "
            "export its registers with the version that wrote it and import them here.") from None
    if created:
        os.chmod(path, 0o600)
    if not read_only:
        migrate(con)
    return con


def exists(path: str | os.PathLike) -> bool:
    """Whether there is a database to read: a DuckLake always is one (attaching it creates its
    catalog, and the first writer its tables); a local file when it is there."""
    return lake.is_lake(path) or Path(path).exists()


def migrate(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Apply pending migrations, each in its own transaction; returns the versions applied."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_migration (version INTEGER NOT NULL, name VARCHAR, applied_at TIMESTAMP)"
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
            rollback(con)
            raise
        applied.append(version)
    return applied


def rollback(con: duckdb.DuckDBPyConnection) -> None:
    """Roll back what is open; a commit that failed (a DuckLake conflict) has already rolled back."""
    try:
        con.execute("ROLLBACK")
    except duckdb.TransactionException:
        pass


def data_version(con: duckdb.DuckDBPyConnection) -> str:
    """Changes whenever a batch is committed or undone, or a suggested mapping decided (it changes
    coverage and a risk's controls): the key for cached query results."""
    n_batches, n_undo, n_decided = con.execute(
        "SELECT (SELECT count(*) FROM import_batch), (SELECT count(*) FROM batch_undo), (SELECT count(*) FROM mapping_decision)"
    ).fetchone()
    return f"{n_batches}.{n_undo}" + (f".{n_decided}" if n_decided else "")


def checkpoint(con: duckdb.DuckDBPyConnection) -> None:
    """Write everything to the database file, so a database built under a temporary name is
    whole before it is renamed into place."""
    con.execute("CHECKPOINT")
