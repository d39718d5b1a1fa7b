"""Creating a database: an empty one for an organisation's own ISMS, or one holding the sample.

An adopter starts on an empty database and imports their own register; the sample is for looking
around, so it is built into a file of its own and never mixed with real data. Both are created
whole or not at all (built under a temporary name, then renamed), so a crash halfway never
leaves a database that looks finished.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from isms.config import ROOT
from isms.importing.pipeline import import_file
from isms.matrix import RiskMatrix
from isms.sample.forum import write_forum
from isms.store import connect, lake
from isms.store.db import checkpoint

SAMPLE_WORKBOOKS = ROOT / "data" / "sample"


class SampleError(RuntimeError):
    """The sample could not be imported (for instance on a matrix whose scales it does not fit)."""


def sample_path(db_path: str | Path) -> Path:
    """Where the sample goes beside a database: `data/acme.duckdb` -> `data/acme.sample.duckdb`, so
    the two sit side by side and the name says which is which."""
    if lake.is_lake(db_path):
        return lake.beside_folder() / "isms.sample.duckdb"
    db_path = Path(db_path)
    return db_path.with_name(db_path.stem + ".sample.duckdb")


def open_sample(path: str | Path) -> duckdb.DuckDBPyConnection:
    """The sample beside a database, read-only, its schema brought up to date first: a sample built
    by an earlier version is reused, and the reads need the tables later migrations add (the read
    model's month-end copies, say). When another process holds it open, it is read as it is."""
    try:
        connect(path).close()
    except duckdb.Error:
        pass  # held by another process, which opened it through here and so brought it up to date
    return connect(path, read_only=True)


def create_empty(path: str | Path) -> bool:
    """An empty database with the current schema (owner-only); False when the file already exists,
    which is left untouched."""
    path = Path(path)
    if path.exists():
        return False
    tmp = path.with_name(path.name + ".building")
    tmp.unlink(missing_ok=True)
    connect(tmp).close()
    tmp.rename(path)
    return True


def import_sample(con, matrix: RiskMatrix, sample_dir: str | Path = SAMPLE_WORKBOOKS, max_rows: int = 200_000) -> int:
    """Import the sample workbooks, in date order, into `con`; returns how many. SampleError names
    the first one refused."""
    files = sorted(Path(sample_dir).glob("*.xlsx"))
    if not files:
        raise FileNotFoundError(f"no sample workbooks in {sample_dir}")
    for f in files:
        out = import_file(con, f, matrix, imported_by="sample", source="sample", max_rows=max_rows)
        if out.status != "committed":
            first = next((str(p) for p in out.problems if p.severity == "error"), out.status)
            raise SampleError(f"sample {f.name} was {out.status} on the {matrix.name} matrix: {first}")
    write_forum(con)  # the forum is recorded in the dashboard, not imported: written from the sample's registers
    return len(files)


def build_sample(path: str | Path, matrix: RiskMatrix, sample_dir: str | Path = SAMPLE_WORKBOOKS,
                 max_rows: int = 200_000) -> int:
    """Import the sample workbooks, in date order, into a new database at `path`; returns how many.

    Raises FileNotFoundError when there are no workbooks, FileExistsError when `path` exists, and
    SampleError (naming the first problem) when a workbook is refused; nothing is left behind then.
    """
    path = Path(path)
    if path.exists():
        raise FileExistsError(f"{path} exists")
    files = sorted(Path(sample_dir).glob("*.xlsx"))
    if not files:
        raise FileNotFoundError(f"no sample workbooks in {sample_dir}")
    tmp = path.with_name(path.name + ".building")
    tmp.unlink(missing_ok=True)
    con = connect(tmp)
    try:
        import_sample(con, matrix, sample_dir, max_rows)
        checkpoint(con)
    except BaseException:
        con.close()
        tmp.unlink(missing_ok=True)
        raise
    con.close()
    tmp.rename(path)
    return len(files)
