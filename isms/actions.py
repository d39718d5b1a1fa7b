"""The write actions, each checked against the user's role and recorded in the audit trail.

The CLI and the pages call these rather than the store, so no path can write without the
role check and the audit record happening with it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

from isms import audit, sessions, settings_file, throttle, users
from isms.auth import Refused, Role, User, check, may_undo
from isms.config import Settings
from isms.importing import pipeline
from isms.filters import WHOLE, Scope
from isms.importing.plan import ImportOutcome, ImportPlan
from isms.importing.preview import Preview
from isms.importing.mapping import Profile
from isms.importing.problems import Problem
from isms.store import batches, pack_preferences


def guard(con: duckdb.DuckDBPyConnection, user: User | None, action: str, **detail) -> None:
    """Raise Refused unless the user may act; a refusal is itself an audit event."""
    try:
        check(user, action)
    except Refused as exc:
        audit.record(con, user.name if user else "anonymous", audit.ACCESS_REFUSED,
                     {"action": action, "reason": str(exc), **detail})
        raise


def upload_refusal(settings: Settings, file_name: str, size: int) -> str | None:
    """The size cap from the settings file, checked before a byte of the workbook is parsed."""
    if size > settings.max_upload_bytes:
        return f"the file is {size / 1024 / 1024:.1f} MB, over the upload limit of {settings.max_upload_mb:g} MB"
    return None


def refused(file_name: str, reason: str, as_of: dt.date | None = None) -> ImportOutcome:
    """The outcome of a file refused before it was read (too large, say), for the report and the trail."""
    return ImportOutcome("refused", file_name, as_of or dt.date.today(), None, {},
                         [Problem(file_name, None, None, None, None, reason)])


def plan_upload(con: duckdb.DuckDBPyConnection | None, settings: Settings, data: bytes, file_name: str, *,
                as_of: dt.date | None = None, profile: Profile | None = None, mode: str | None = WHOLE,
                scope: Scope | None = None) -> ImportPlan:
    """Read, map and validate a file under the settings' caps, as the whole register or part of it
    (`mode` None: not said, so a file that would retire rows waits for an answer); writes nothing."""
    plan = pipeline.build_plan(data, file_name, settings.matrix, as_of=as_of, con=con, profile=profile,
                               max_rows=settings.max_rows, max_bytes=settings.max_upload_bytes,
                               isolated=settings.read_limits)
    return pipeline.with_mode(con, plan, mode, scope)


def commit_import(con: duckdb.DuckDBPyConnection, user: User, plan: ImportPlan, *,
                  dry_run: bool = False) -> ImportOutcome:
    """Commit a planned import as `user` in one transaction; committed and refused are audited."""
    guard(con, user, "import", file=plan.file_name)
    outcome = pipeline.commit(con, plan, user.name, dry_run=dry_run)
    record_import(con, user.name, outcome, dry_run=dry_run, preview=plan.preview)
    return outcome


def import_workbook(con: duckdb.DuckDBPyConnection, user: User, settings: Settings, data: bytes, file_name: str, *,
                    as_of: dt.date | None = None, dry_run: bool = False, profile: Profile | None = None,
                    mode: str | None = WHOLE, scope: Scope | None = None) -> tuple[ImportOutcome, ImportPlan | None]:
    """Plan and commit one file as `user` (the CLI's path); returns the outcome and the plan (its
    rules, such as a stated scale mapping, go in the report, and its preview says what would leave
    the register), None for a file refused unread. With `mode` None a file that would retire rows
    is `undecided`: nothing is written, and nothing is audited (a question, not an attempt)."""
    guard(con, user, "import", file=file_name)
    too_big = upload_refusal(settings, file_name, len(data))
    if too_big:
        outcome = refused(file_name, too_big, as_of)
        record_import(con, user.name, outcome, dry_run=dry_run)
        return outcome, None
    plan = plan_upload(con, settings, data, file_name, as_of=as_of, profile=profile, mode=mode, scope=scope)
    return commit_import(con, user, plan, dry_run=dry_run), plan


def record_import(con: duckdb.DuckDBPyConnection, who: str, outcome: ImportOutcome, *, dry_run: bool = False,
                  preview: Preview | None = None) -> None:
    """Committed and refused imports enter the trail, a refused dry run too (an attempt is worth
    auditing, marked `dry_run`); a passing dry run or an unchanged re-import writes nothing at all.
    A commit records what the file was (whole or part, its scope) and how many rows it retired."""
    action = {"committed": audit.IMPORT_COMMITTED, "refused": audit.IMPORT_REFUSED}.get(outcome.status)
    if action is None:
        return
    detail = {"file": outcome.file_name, "as_of": outcome.as_of.isoformat(), "batch_id": outcome.batch_id,
              "rows": outcome.row_counts}
    if action == audit.IMPORT_COMMITTED and preview is not None:
        detail |= {"mode": preview.mode or WHOLE, "scope": preview.scope.describe() if preview.scope else None,
                   "retired": {k: len(v) for k, v in preview.leaving.items()}}
    if dry_run:
        detail["dry_run"] = True
    if action == audit.IMPORT_REFUSED:
        problems = [str(p) for p in outcome.problems if p.severity == "error"]
        detail |= {"problems": len(problems), "first_problems": problems[:5]}
    audit.record(con, who, action, detail)


def undo_import(con: duckdb.DuckDBPyConnection, user: User, batch_id: int) -> None:
    """Undo a batch: an analyst their own, an administrator any; audited."""
    guard(con, user, "undo-own-import", batch_id=batch_id)
    batch = batches.active_batch(con, batch_id)
    if batch is None:
        raise ValueError(f"batch {batch_id} does not exist or is already undone")
    imported_by, file_name, as_of = batch.imported_by, batch.file_name, batch.as_of
    if not may_undo(user, imported_by):
        audit.record(con, user.name, audit.ACCESS_REFUSED, {"action": "undo-any-import", "batch_id": batch_id})
        raise Refused(f"batch {batch_id} was imported by {imported_by}; only they or an administrator may undo it")
    batches.undo_batch(con, batch_id, user.name)
    audit.record(con, user.name, audit.IMPORT_UNDONE,
                 {"batch_id": batch_id, "file": file_name, "as_of": as_of, "imported_by": imported_by})


def undo_latest_import(con: duckdb.DuckDBPyConnection, user: User) -> int | None:
    """Undo the newest active batch (the only one the Import page offers); its rows stay in the
    history but no read sees them. Returns the batch undone, or None when there is none."""
    active = batches.active_batches(con)
    if not active:
        return None
    latest = max(b.batch_id for b in active)
    undo_import(con, user, latest)
    return latest


def change_settings(con: duckdb.DuckDBPyConnection, user: User, settings: Settings,
                    changes: dict[tuple[str, str], object]) -> dict[str, dict]:
    """Write the changed keys to the settings file (validated first) and audit before and after."""
    guard(con, user, "change-settings")
    before, after = settings_file.update(settings.config_path, changes)
    changed = {k: {"before": before[k], "after": after[k]} for k in after if before[k] != after[k]}
    if changed:
        audit.record(con, user.name, audit.SETTINGS_CHANGED, {"file": settings.config_path, "changes": changed})
    return changed


def add_user(con: duckdb.DuckDBPyConnection, user: User, settings: Settings, username: str, password: str,
             role: Role, *, name: str = "", email: str = "") -> None:
    guard(con, user, "manage-users")
    users.add_user(settings.users_path, username, password, role, name=name, email=email)
    audit.record(con, user.name, audit.USERS_CHANGED, {"user": username, "change": "added", "role": role.name})


def _end_sessions(con: duckdb.DuckDBPyConnection, user: User, username: str, reason: str) -> None:
    """A role or password change, or a removal, ends the user's sessions at once (every copy of
    their cookie); audited when there were any."""
    ended = sessions.revoke_all(con, username, user.name, reason)
    if ended:
        audit.record(con, user.name, audit.SESSION_REVOKED, {"user": username, "reason": reason, "sessions": ended})


def set_role(con: duckdb.DuckDBPyConnection, user: User, settings: Settings, username: str, role: Role) -> None:
    guard(con, user, "manage-users")
    before = users.load_users(settings.users_path).get(username)
    users.set_role(settings.users_path, username, role)
    audit.record(con, user.name, audit.USERS_CHANGED,
                 {"user": username, "change": "role", "before": before.role.name if before else None, "after": role.name})
    if before is None or before.role is not role:
        _end_sessions(con, user, username, sessions.ROLE_CHANGED)


def remove_user(con: duckdb.DuckDBPyConnection, user: User, settings: Settings, username: str) -> None:
    guard(con, user, "manage-users")
    users.remove_user(settings.users_path, username)
    audit.record(con, user.name, audit.USERS_CHANGED, {"user": username, "change": "removed"})
    _end_sessions(con, user, username, sessions.USER_REMOVED)


def set_password(con: duckdb.DuckDBPyConnection, user: User, settings: Settings, username: str, password: str) -> None:
    guard(con, user, "manage-users")
    users.set_password(settings.users_path, username, password)
    audit.record(con, user.name, audit.USERS_CHANGED, {"user": username, "change": "password"})
    _end_sessions(con, user, username, sessions.PASSWORD_CHANGED)


def lift_lockout(con: duckdb.DuckDBPyConnection, user: User, key: str) -> None:
    """Lift a sign-in lock (`user:<name>` or `client:<address>`, as isms.throttle names them)
    before it expires, forgetting its failures; audited. Raises ValueError when nothing is locked."""
    guard(con, user, "manage-users", lock=key)
    lifted = throttle.lift(con, key)
    if lifted is None or lifted.locked_until is None or lifted.locked_until <= throttle.utcnow():
        raise ValueError(f"{throttle.describe(key)} is not locked")
    audit.record(con, user.name, audit.LOCKOUT_LIFTED,
                 {"lock": key, "failures": lifted.failures,
                  "locked_until": lifted.locked_until.isoformat(timespec="seconds")})


def record_pack(con: duckdb.DuckDBPyConnection, user: User, meeting: str, as_of: dt.date, file_name: str) -> None:
    """A review pack leaves the dashboard: who took which meeting's figures, as of when."""
    guard(con, user, "generate-pack", meeting=meeting)
    audit.record(con, user.name, audit.PACK_GENERATED, {"meeting": meeting, "as_of": as_of, "file": file_name})


def save_pack_sections(con: duckdb.DuckDBPyConnection, user: User, meeting: str, sections: list[str]) -> None:
    """The sections every later pack of this meeting starts from (the pages and the CLI alike)."""
    from isms.packs.content import section_choices

    guard(con, user, "save-pack-sections", meeting=meeting)
    bad = set(sections) - {key for key, _ in section_choices(meeting)}
    if bad:
        raise ValueError(f"unknown section(s) {sorted(bad)} for {meeting}")
    pack_preferences.save(con, meeting, sections, user.name)


def record_export(con: duckdb.DuckDBPyConnection, user: User, as_of: dt.date, fmt: str, target: str) -> None:
    """Every fact up to a date leaves the dashboard: who took it, as of when, in which form, where to."""
    guard(con, user, "export-data", as_of=as_of, format=fmt)
    audit.record(con, user.name, audit.DATA_EXPORTED, {"as_of": as_of, "format": fmt, "to": target})


def load_sample(con: duckdb.DuckDBPyConnection, user: User, settings: Settings) -> Path:
    """Build the sample into a database of its own beside this one (to look around in without
    mixing it with real data); returns its path. Built once: an existing sample is reused."""
    from isms import databases

    guard(con, user, "load-sample")
    path = databases.sample_path(settings.db_path)
    if not path.exists():
        n = databases.build_sample(path, settings.matrix, max_rows=settings.max_rows)
        audit.record(con, user.name, audit.SAMPLE_LOADED, {"database": str(path), "workbooks": n})
    return path
