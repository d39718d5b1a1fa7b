"""Import batches: writing one (all of it in one transaction, or nothing), undoing one, and the
history of them.

Validation happens before anything is written (see isms.importing); this module's transaction
guards against whatever can still fail while writing, so a refused or failed import leaves the
database exactly as it was. Undo is append-only: a `batch_undo` row, never a deleted batch. Both
bring the read model (isms.store.read_model) up to date in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import duckdb
import pandas as pd

from isms.filters import PART, WHOLE, Scope, mode_of
from isms.models import KINDS, PER_FRAMEWORK_KINDS, SNAPSHOT_KINDS
from isms.store import compliance, forum, lake, queries, read_model
from isms.store.ids import next_id, transaction
from isms.store.migrations import TABLES


@dataclass(frozen=True)
class BatchInfo:
    batch_id: int
    source: str
    file_name: str
    sha256: str
    as_of: dt.date
    imported_at: dt.datetime
    imported_by: str
    row_counts: dict[str, int]


def find_batch(con: duckdb.DuckDBPyConnection, sha256: str, as_of: dt.date, mode: str | None = None,
               scope: Scope | None = None) -> int | None:
    """The active batch that already holds this exact file for this date, if any; with `mode`, one
    committed as that (the same file as the whole register, after it was merged as a part, changes
    the register, so it is not 'already imported')."""
    row = con.execute(
        """SELECT batch_id FROM active_batch WHERE sha256 = ? AND as_of = ?
           AND (?::VARCHAR IS NULL OR (coalesce(mode, 'whole') = ? AND scope_field IS NOT DISTINCT FROM ?
                                      AND scope_values IS NOT DISTINCT FROM ?::VARCHAR[]))
           ORDER BY batch_id LIMIT 1""",
        [sha256, as_of, mode, mode, scope.field if scope else None, list(scope.values) if scope else None],
    ).fetchone()
    return row[0] if row else None


def commit_batch(
    con: duckdb.DuckDBPyConnection,
    *,
    source: str,
    file_name: str,
    sha256: str,
    as_of: dt.date,
    imported_by: str,
    frames: dict[str, pd.DataFrame],
    mode: str = WHOLE,
    scope: Scope | None = None,
    parts: frozenset[str] = frozenset(),
) -> int:
    """Insert the batch row and every kind's rows in one transaction; returns the batch id.

    A register the file brings is written whole: the file's rows and, for a part (or a whole file
    with a scope), the rows of the register as of the date that it keeps (`queries.carried_select`),
    read inside the same transaction. So the reads never need to know a batch's mode, and undoing
    the batch brings back exactly the register before it. `row_counts` are the rows the file
    listed, `carried_counts` the rows kept beside them. `parts`: registers the file only adds to,
    whatever `mode` says (KRI definitions made from a results file's indicator names).
    """
    return lake.retrying(lambda: _commit_once(con, source, file_name, sha256, as_of, imported_by, frames, mode, scope,
                                              parts))


def _commit_once(con, source, file_name, sha256, as_of, imported_by, frames, mode, scope, parts=frozenset()) -> int:
    """One attempt: on DuckLake another server's commit may conflict with it, and it is then rolled
    back whole and tried again (the local store never conflicts: its writers take turns)."""
    with transaction(con):  # a write inside it that asks for a transaction of its own joins this one
        batch_id = write_batch(con, source=source, file_name=file_name, sha256=sha256, as_of=as_of,
                               imported_by=imported_by, frames=frames, mode=mode, scope=scope, parts=parts)
    return batch_id


def write_batch(con: duckdb.DuckDBPyConnection, *, source: str, file_name: str, sha256: str, as_of: dt.date,
                imported_by: str, frames: dict[str, pd.DataFrame], mode: str = WHOLE, scope: Scope | None = None,
                parts: frozenset[str] = frozenset()) -> int:
    """`commit_batch`'s writes inside the caller's open transaction: a forum decision that changes a
    register writes its batch in the transaction that records the decision, so both or neither stand."""
    counts = {kind: int(len(df)) for kind, df in frames.items()}
    merging = mode != WHOLE or scope is not None
    batch_id = next_id(con, "batch")
    carried: dict[str, int] = {}
    listed_risks = frames["risks"]["risk_id"].tolist() if "risks" in frames else []
    for kind, df in frames.items():
        said = mode_of(kind, mode, parts)
        if kind in PER_FRAMEWORK_KINDS and said == PART:  # an SoA's few lines, merged into its framework's
            keys = df[list(KINDS[kind][2])].astype(str).agg("\x1f".join, axis=1).tolist() if len(df) else []
            (n,) = con.execute(f"INSERT INTO {TABLES[kind]} BY NAME SELECT {int(batch_id)} AS batch_id, * FROM "
                               f"({compliance.carried_per_framework_sql(kind, as_of)})",
                               {"frameworks": sorted(set(df["framework"].astype(str))), "listed": keys}).fetchone()
            carried[kind] = int(n)
            continue
        if kind not in SNAPSHOT_KINDS or not (said != WHOLE or scope is not None):
            continue
        # before the batch row exists, so "the register as of the date" is the one before this batch
        sql = queries.carried_select(kind, as_of, said, scope)
        params = queries.carried_params(sql, df[queries.KEY_COLUMN[kind]].tolist(), listed_risks)
        (n,) = con.execute(f"INSERT INTO {TABLES[kind]} BY NAME SELECT {int(batch_id)} AS batch_id, * FROM ({sql})",
                           params).fetchone()
        carried[kind] = int(n)
    con.execute(
        """INSERT INTO import_batch (batch_id, source, kinds, file_name, sha256, as_of, imported_at, imported_by,
                                     row_counts, mode, scope_field, scope_values, carried_counts)
           VALUES (?, ?, ?, ?, ?, ?, now()::TIMESTAMP, ?, ?, ?, ?, ?, ?)""",
        [batch_id, source, sorted(frames), file_name, sha256, as_of, imported_by, json.dumps(counts, sort_keys=True),
         mode, scope.field if scope else None, list(scope.values) if scope else None,
         json.dumps(carried, sort_keys=True) if merging or carried else None],
    )
    # the minutes before the action log, whatever the sheets' order: an action names its meeting by
    # series and date, and the minutes may be what records that meeting
    ordered = sorted(frames.items(), key=lambda kv: kv[0] == "actions")
    for kind, df in ordered:
        if kind in forum.FORUM_IMPORT_KINDS:   # the forum's own tables, not a register's
            forum.write_imported(con, batch_id, kind, df, imported_by, as_of)
            continue
        table = TABLES[kind]
        cols = [c for c in df.columns]
        staged = df.assign(batch_id=batch_id)
        con.register("_staged", staged)
        try:
            col_sql = ", ".join(["batch_id", *cols])
            con.execute(f"INSERT INTO {table} ({col_sql}) SELECT {col_sql} FROM _staged")
        finally:
            con.unregister("_staged")
    read_model.refresh(con, batch_id)
    return int(batch_id)


def later_batches(con: duckdb.DuckDBPyConnection, after: dt.date, kinds: list[str]) -> list[tuple]:
    """(as_of, source, file_name, kinds) of the active batches dated after `after` that bring any of
    `kinds`, oldest first (isms.decision_effects carries a decision's change into them)."""
    return con.execute(
        """SELECT as_of, source, file_name, kinds FROM active_batch
           WHERE as_of > ? AND len(list_intersect(kinds, ?)) > 0 ORDER BY as_of, batch_id""", [after, kinds]).fetchall()


def copies_of(con: duckdb.DuckDBPyConnection, batch_id: int, source: str) -> list[str]:
    """File names of the active batches of `source` made after `batch_id`, dated on or after it and
    bringing a kind it brought: a decision's batch copies the whole register of its day, so such a
    batch holds this one's rows."""
    (names,) = con.execute(
        """SELECT list(f.file_name ORDER BY f.batch_id) FROM active_batch f, import_batch b
           WHERE b.batch_id = ? AND f.source = ? AND f.batch_id > b.batch_id AND f.as_of >= b.as_of
             AND len(list_intersect(f.kinds, b.kinds)) > 0""", [batch_id, source]).fetchone()
    return list(names or [])


def undo_batch(con: duckdb.DuckDBPyConnection, batch_id: int, undone_by: str) -> None:
    """Mark a batch undone. Its rows stay (history is append-only) but no read sees them."""
    with transaction(con):
        exists = con.execute("SELECT count(*) FROM active_batch WHERE batch_id = ?", [batch_id]).fetchone()[0]
        if not exists:
            raise ValueError(f"batch {batch_id} does not exist or is already undone")
        con.execute("INSERT INTO batch_undo VALUES (?, now()::TIMESTAMP, ?)", [batch_id, undone_by])
        read_model.refresh(con, batch_id)


def active_batches(con: duckdb.DuckDBPyConnection, until: dt.date | None = None) -> list[BatchInfo]:
    """The batches reads see (not undone), oldest first; with `until`, those dated on or before it."""
    rows = con.execute(
        """SELECT batch_id, source, file_name, sha256, as_of, imported_at, imported_by, row_counts
           FROM active_batch WHERE ? IS NULL OR as_of <= ? ORDER BY batch_id""", [until, until]
    ).fetchall()
    return [BatchInfo(*r[:7], row_counts=json.loads(r[7])) for r in rows]


def result_batches(con: duckdb.DuckDBPyConnection, until: dt.date) -> set[int]:
    """The active batches that hold a KRI result for a month on or before `until`, whatever their
    own date: Security Health reads a result by the month it is for, so a file of last year's results
    imported today supplies the figures of every month it covers."""
    rows = con.execute("""SELECT DISTINCT r.batch_id FROM monitoring_result r JOIN active_batch USING (batch_id)
                          WHERE r.period <= ?""", [until]).fetchall()
    return {r[0] for r in rows}


def active_batch(con: duckdb.DuckDBPyConnection, batch_id: int) -> BatchInfo | None:
    return next((b for b in active_batches(con) if b.batch_id == batch_id), None)


def history(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    """Every batch, newest first, undone ones included with when and by whom they were undone, then
    what the file was (whole or part, its scope) and the rows it kept from the register."""
    return con.execute(
        """SELECT b.batch_id, b.imported_at, b.imported_by, b.file_name, b.sha256, b.as_of, b.source,
                  b.row_counts, u.undone_at, u.undone_by, b.mode, b.scope_field, b.scope_values, b.carried_counts
           FROM import_batch b LEFT JOIN batch_undo u USING (batch_id)
           ORDER BY b.batch_id DESC"""
    ).fetchall()


def as_of_range(con: duckdb.DuckDBPyConnection) -> tuple[dt.date | None, dt.date | None]:
    """The earliest and latest as-of date among the active batches (None, None when there are none)."""
    row = con.execute("SELECT min(as_of), max(as_of) FROM active_batch").fetchone()
    return (row[0], row[1]) if row else (None, None)


def count(con: duckdb.DuckDBPyConnection) -> int:
    """How many batches were ever committed (undone ones included): zero means a database never imported into."""
    return con.execute("SELECT count(*) FROM import_batch").fetchone()[0]


def sample_only(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the data is the sample's alone (isms.organisation): built from the sample workbooks
    (isms.databases, the only imports whose source is 'sample'), with no import of anyone's own
    still counted beside them (the forum's records on the sample's meetings are the sample's too).
    Read to the end (fetchall): a result left pending keeps the caller's connection in a
    transaction, and another connection's CHECKPOINT then fails."""
    return bool(con.execute("""SELECT EXISTS (SELECT 1 FROM import_batch WHERE source = 'sample')
                               AND NOT EXISTS (SELECT 1 FROM active_batch WHERE source NOT IN ('sample', 'forum'))""").fetchall()[0][0])
