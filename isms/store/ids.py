"""Ids for batches and audit events, from the `store_counter` table.

DuckLake has no sequences, so both stores take ids the same way: bump the counter's row and read
it back, inside the transaction that uses the id. On one machine writers are one at a time anyway;
on DuckLake two writers on different servers that both bump it touch the same table, so the
second to commit gets a transaction conflict and commits nothing (it is retried, see
`isms.store.lake.retrying`), never a duplicate id. An id given to a transaction that then rolled
back is not given again: ids may have gaps, never repeats.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Callable, Iterator, TypeVar

import duckdb

from isms.store import lake
from isms.store.db import rollback

T = TypeVar("T")


def next_id(con: duckdb.DuckDBPyConnection, name: str) -> int:
    """The next id of `name` ('batch', 'audit'); call inside a transaction."""
    con.execute("UPDATE store_counter SET value = value + 1 WHERE name = ?", [name])
    (value,) = con.execute("SELECT value FROM store_counter WHERE name = ?", [name]).fetchone()
    return int(value)


# Connections inside a `transaction` block: a nested block joins the open transaction. (Asking
# DuckDB to BEGIN inside one fails, and the failure aborts the transaction that was open.)
_open: set[int] = set()


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """A transaction of its own, or the caller's when the caller opened one with this function
    (then the caller commits)."""
    if id(con) in _open:
        yield
        return
    con.execute("BEGIN TRANSACTION")
    _open.add(id(con))
    try:
        yield
    except BaseException:
        _open.discard(id(con))
        rollback(con)
        raise
    _open.discard(id(con))
    con.execute("COMMIT")


def atomically(con: duckdb.DuckDBPyConnection, work: Callable[[], T]) -> T:
    """`work` in a transaction of its own, run again whole when DuckLake refused its commit for a
    conflict with another server's (two servers bumping the same counter, revoking the same
    session): a sign-in or an audit event on one server must not fail because another wrote at the
    same moment. Inside a caller's transaction it runs once; the caller's commit decides."""

    def once() -> T:
        with transaction(con):
            return work()

    return lake.retrying(once)
