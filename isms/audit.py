"""The audit trail: who did what, when; appended to, never changed.

ISO 27001 (A.8.15 logging) and SOC 2 auditors ask who changed the register, the risk matrix or
the users, and when. Every write path records here in the same process that did the write;
there is deliberately no function that updates or deletes an event.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import duckdb
import pandas as pd

from isms.store import audit_log

SIGN_IN = "sign-in"
SIGN_IN_FAILED = "sign-in-failed"      # wrong password, unknown user, or refused by a lock
LOCKOUT = "lockout"                    # a user name or client address locked after failures in a row
LOCKOUT_LIFTED = "lockout-lifted"      # an administrator lifted a lock early
SIGN_OUT = "sign-out"
SESSION_REVOKED = "session-revoked"    # ended by a role or password change or a removed user
ACCESS_REFUSED = "access-refused"
IMPORT_COMMITTED = "import-committed"
IMPORT_REFUSED = "import-refused"
IMPORT_UNDONE = "import-undone"
SETTINGS_CHANGED = "settings-changed"
USERS_CHANGED = "users-changed"
PACK_GENERATED = "pack-generated"
DATA_EXPORTED = "data-exported"        # every fact as of a date left the dashboard (isms.data_export)
SAMPLE_LOADED = "sample-loaded"        # the sample built into a database of its own, beside this one
MEETING_RECORDED = "meeting-recorded"  # a held forum meeting (isms.forum)
MINUTES_APPROVED = "minutes-approved"
DECISION_RECORDED = "decision-recorded"
ACTION_RECORDED = "action-recorded"    # an action raised
ACTION_UPDATED = "action-updated"      # a change of an action's owner, due date or status
MAPPING_DECIDED = "mapping-decided"    # a suggested control-to-requirement link accepted or rejected

ACTIONS = (SIGN_IN, SIGN_IN_FAILED, LOCKOUT, LOCKOUT_LIFTED, SIGN_OUT, SESSION_REVOKED, ACCESS_REFUSED,
           IMPORT_COMMITTED, IMPORT_REFUSED, IMPORT_UNDONE, SETTINGS_CHANGED, USERS_CHANGED, PACK_GENERATED,
           DATA_EXPORTED, SAMPLE_LOADED, MEETING_RECORDED, MINUTES_APPROVED, DECISION_RECORDED, ACTION_RECORDED,
           ACTION_UPDATED, MAPPING_DECIDED)


@dataclass(frozen=True)
class AuditFilter:
    actions: tuple[str, ...] = ()
    who: str = ""
    since: dt.date | None = None
    until: dt.date | None = None


def record(con: duckdb.DuckDBPyConnection, who: str, action: str, detail: dict[str, Any] | None = None) -> int:
    """Append one event and return its id; an unknown action is a programming error and raises."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}; known: {', '.join(ACTIONS)}")
    if not who:
        raise ValueError("an audit event needs the name of who did it")
    return audit_log.append(con, who, action, json.dumps(detail or {}, sort_keys=True, default=str))


def events(con: duckdb.DuckDBPyConnection, flt: AuditFilter = AuditFilter(), limit: int | None = None) -> pd.DataFrame:
    """Newest first, filtered in SQL; times are UTC, `detail` stays the JSON text that was recorded."""
    return audit_log.events(con, flt.actions, flt.who, flt.since, flt.until, limit)


def detail_of(text: str | None) -> Any:
    """An event's recorded detail as data, to show whole (the table cuts it at its column's width);
    text that is not JSON as it was recorded."""
    try:
        return json.loads(text) if text else {}
    except (TypeError, ValueError):
        return {"recorded": text}


def people(con: duckdb.DuckDBPyConnection) -> list[str]:
    return audit_log.people(con)
