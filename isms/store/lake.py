"""DuckLake with a PostgreSQL catalog: the store for several servers, behind the same queries.

`ISMS_DB="ducklake:postgres:<libpq connection string>"` names the catalog (a PostgreSQL database
that holds DuckLake's metadata: tables, snapshots, which Parquet files hold which rows) and
`ISMS_DATA_PATH` the folder (shared by every server) or object-store URL where the Parquet files
go. Every process attaches the same lake; DuckLake gives each transaction a snapshot and refuses
the second of two conflicting commits, so any number of dashboard servers, CLI imports and pack
builds work at once.

The extensions come from the packages `duckdb-extension-ducklake` and `duckdb-extension-postgres`
(pinned in requirements.txt with the DuckDB they were built for), loaded from their files: DuckDB's
own `INSTALL` fetches from the internet, which a server may not reach. DuckDB finds the postgres
extension's entry point by the file's name, so it is loaded from a copy named
`postgres_scanner.duckdb_extension`.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import time
from pathlib import Path
from dataclasses import dataclass
from typing import Callable, TypeVar

import duckdb

PREFIX = "ducklake:"
CATALOG = "isms"  # the name the lake is attached under; USE makes it the default for every query
T = TypeVar("T")


class LakeSettingsError(ValueError):
    """ISMS_DB names a lake but something it needs is missing."""


def is_lake(path: str | os.PathLike) -> bool:
    return str(path).startswith(PREFIX)


def data_path() -> str:
    value = os.environ.get("ISMS_DATA_PATH", "").strip()
    if not value:
        raise LakeSettingsError("ISMS_DB names a DuckLake, so ISMS_DATA_PATH must name the folder (shared by every "
                                "server) or object-store URL for its data files")
    return value


def beside_folder() -> Path:
    """The local folder for files kept beside the database (mapping profiles, the sample to look
    around in): the data path when it is a folder, else data/ under the working directory."""
    where = os.environ.get("ISMS_DATA_PATH", "")
    return Path(where) if where and "://" not in where else Path("data")


def _extension(package: str, name: str, load_as: str) -> Path:
    """The extension file shipped by `package`, for the DuckDB that is running."""
    import importlib

    try:
        module = importlib.import_module(package)
    except ImportError:
        raise LakeSettingsError(f"the DuckLake store needs the Python package {package.replace('_', '-')} "
                                "(pinned in requirements.txt)") from None
    src = Path(module.__file__).parent / "extensions" / f"v{duckdb.__version__}" / f"{name}.duckdb_extension"
    if not src.exists():
        raise LakeSettingsError(f"{package.replace('_', '-')} has no extension for DuckDB {duckdb.__version__}: "
                                "install the versions requirements.txt pins")
    if load_as == name:
        return src
    folder = Path(tempfile.gettempdir()) / f"isms-duckdb-extensions-{os.geteuid()}" / f"v{duckdb.__version__}"
    dst = folder / f"{load_as}.duckdb_extension"
    if not dst.exists() or dst.stat().st_size != src.stat().st_size:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = folder / f".{load_as}.{os.getpid()}"
        shutil.copyfile(src, tmp)
        tmp.rename(dst)
    return dst


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def connect(url: str, *, read_only: bool = False, data: str | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with the lake attached as the default catalog."""
    con = duckdb.connect(":memory:")
    try:
        con.execute(f"LOAD {_quote(str(_extension('duckdb_extension_ducklake', 'ducklake', 'ducklake')))}")
        con.execute(f"LOAD {_quote(str(_extension('duckdb_extension_postgres', 'postgres', 'postgres_scanner')))}")
        where = data or data_path()
        if "://" not in where:
            Path(where).mkdir(parents=True, exist_ok=True)
        # OVERRIDE_DATA_PATH: the path each server was told wins over the one the catalog recorded first,
        # so servers may mount the shared folder at different places
        options = f"DATA_PATH {_quote(where)}, OVERRIDE_DATA_PATH true" + (", READ_ONLY" if read_only else "")
        con.execute(f"ATTACH {_quote(url)} AS {CATALOG} ({options})")
        con.execute(f"USE {CATALOG}")
    except BaseException:
        con.close()
        raise
    return con


def cursor(root: duckdb.DuckDBPyConnection, database: str = CATALOG) -> duckdb.DuckDBPyConnection:
    """A cursor (a connection of its own, for one thread) on the lake or a replica of it: `USE` holds
    per connection, so each cursor is pointed there again."""
    cur = root.cursor()
    cur.execute(f"USE {database}")
    return cur


class Root:
    """The root connection as callers that take `.cursor()` from it expect, each cursor on `database`."""

    def __init__(self, con: duckdb.DuckDBPyConnection, database: str = CATALOG):
        self._con = con
        self._database = database

    def cursor(self) -> duckdb.DuckDBPyConnection:
        return cursor(self._con, self._database)

    def __getattr__(self, name: str):
        return getattr(self._con, name)


def lock_path(url: str) -> Path:
    """The file whose lock makes this machine's writers take turns: beside the data when that is a
    folder (so servers sharing it over a file system that honours locks take turns too), else in
    the temporary folder. Writers that do not share it are kept apart by DuckLake's conflicts."""
    digest = hashlib.sha256(url.encode()).hexdigest()[:16]
    where = os.environ.get("ISMS_DATA_PATH", "")
    if where and "://" not in where:
        return Path(where) / f".isms-writers-{digest}.lock"
    return Path(tempfile.gettempdir()) / f"isms-writers-{digest}.lock"


def is_conflict(exc: BaseException) -> bool:
    return isinstance(exc, duckdb.TransactionException) and "conflict" in str(exc).lower()


def retrying(work: Callable[[], T], attempts: int = 8) -> T:
    """Run `work` (one whole transaction) again when DuckLake refused its commit for a conflict with
    another server's; the local store never conflicts (its writers take turns), so it runs once."""
    for attempt in range(attempts):
        try:
            return work()
        except duckdb.TransactionException as exc:
            if not is_conflict(exc) or attempt == attempts - 1:
                raise
            time.sleep(0.05 * (attempt + 1))
    raise AssertionError("unreachable")


@dataclass(frozen=True)
class Changes:
    """The tables whose rows changed between two snapshots: `since` (exclusive) and the newer one."""

    since: int
    inserted: frozenset[str]
    deleted: frozenset[str]


# DuckLake's names (in `snapshots().changes`) for rows added and rows removed, in Parquet files or inlined
# in the catalog; any other change (a schema, table or view created, altered or dropped) is structural
_INSERTS = {"tables_inserted_into", "inlined_insert"}
_DELETES = {"tables_deleted_from", "inlined_delete"}


def changed_tables(con: duckdb.DuckDBPyConnection, since: int, until: int) -> Changes | None:
    """What the commits after snapshot `since` up to `until` did, by table name; None when any of them
    changed more than rows (the caller then reads every table anew)."""
    rows = con.execute(f"SELECT map_keys(changes), map_values(changes) FROM {CATALOG}.snapshots() "
                       "WHERE snapshot_id > ? AND snapshot_id <= ?", [since, until]).fetchall()
    inserted: set[str] = set()
    deleted: set[str] = set()
    for keys, values in rows:
        for key, ids in zip(keys, values):
            if key in _INSERTS:
                inserted.update(ids)
            elif key in _DELETES:
                deleted.update(ids)
            else:
                return None
    names = {str(i): n for i, n in con.execute("SELECT table_id, table_name FROM ducklake_table_info(?)",
                                               [CATALOG]).fetchall()}
    if not (inserted | deleted) <= names.keys():
        return None  # a table id this snapshot no longer names
    return Changes(since, frozenset(names[i] for i in inserted), frozenset(names[i] for i in deleted))
