"""What a review pack reads besides the meeting's bundle: the saved section choice and the import
batches its figures come from (the appendix names them, so a pack says which data it shows)."""

from __future__ import annotations

import datetime as dt

import duckdb

from isms.models import COMPLIANCE_KINDS
from isms.store import batches, pack_preferences
from isms.store.batches import BatchInfo


def saved_sections(con: duckdb.DuckDBPyConnection, meeting: str) -> list[str] | None:
    return pack_preferences.latest(con, meeting)


def batches_read(con: duckdb.DuckDBPyConnection, as_of: dt.date, compliance: bool = False) -> list[BatchInfo]:
    """The active batches dated on or before `as_of`, newest first: every one a trend may read (and,
    for the risk meetings, a later one that holds KRI results for months up to `as_of`); for
    the risk meetings those that bring risk data, for the Compliance review those that bring
    compliance data (a batch of controls is not what a risk figure comes from)."""
    def ours(b: BatchInfo) -> bool:
        mine = [k for k in b.row_counts if (k in COMPLIANCE_KINDS) == compliance]
        return bool(mine) or not b.row_counts

    found = [b for b in batches.active_batches(con, until=as_of) if ours(b)]
    if not compliance:  # KRI results count by the month they are for, from a batch of any date
        later = batches.result_batches(con, as_of) - {b.batch_id for b in found}
        found += [b for b in batches.active_batches(con) if b.batch_id in later]
    return sorted(found, key=lambda b: (b.as_of, b.batch_id), reverse=True)
