"""What a review pack reads besides the meeting's bundle: the saved section choice and the import
batches its figures come from (the appendix names them, so a pack says which data it shows)."""

from __future__ import annotations

import datetime as dt

import duckdb

from isms.store import batches, pack_preferences
from isms.store.batches import BatchInfo


def saved_sections(con: duckdb.DuckDBPyConnection, meeting: str) -> list[str] | None:
    return pack_preferences.latest(con, meeting)


def batches_read(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> list[BatchInfo]:
    """The active batches dated on or before `as_of`, newest first: every one a trend may read."""
    return sorted(batches.active_batches(con, until=as_of), key=lambda b: (b.as_of, b.batch_id), reverse=True)
