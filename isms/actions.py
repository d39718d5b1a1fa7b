"""The write actions, each checked against the user's role and recorded in the audit trail.

The CLI and the pages call these rather than the store, so no path can write without the
role check and the audit record happening with it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

from isms import audit, decision_effects, sessions, settings_file, throttle, users
from isms.auth import Refused, Role, User, check, may_undo
from isms.config import Settings
from isms.filters import WHOLE, Scope
from isms.importing import pipeline
from isms.importing.mapping import Profile
from isms.importing.plan import ImportOutcome, ImportPlan
from isms.importing.preview import Preview
from isms.importing.problems import Problem
from isms.store import batches, pack_preferences
from isms.store.ids import atomically


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
                               isolated=settings.read_limits, series=settings.meeting_series)
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
    from isms.store import forum

    guard(con, user, "undo-own-import", batch_id=batch_id)
    batch = batches.active_batch(con, batch_id)
    if batch is None:
        raise ValueError(f"batch {batch_id} does not exist or is already undone")
    imported_by, file_name, as_of = batch.imported_by, batch.file_name, batch.as_of
    if batch.source == decision_effects.SOURCE:
        # the register change a recorded decision made: undoing it alone would leave the decision
        # standing with its change gone (isms.decision_effects)
        raise ValueError(f"batch {batch_id} is the register change of a forum {file_name}, not an import: "
                         "it stands with the decision")
    copied = batches.copies_of(con, batch_id, decision_effects.SOURCE)
    if copied:
        # a decision's batch holds the whole register of its day, this import's rows included
        raise ValueError(f"batch {batch_id}'s register was copied since by the register change of "
                         f"{', '.join(copied[:5])}; undoing it would leave its rows in that copy")
    resting = forum.resting_on_batch(con, batch_id)
    if resting:
        raise ValueError(f"batch {batch_id} recorded meetings or decisions that {', '.join(resting[:10])} "
                         f"{'were' if len(resting) > 1 else 'was'} recorded against since; undoing it would leave them "
                         "pointing at nothing")
    if not may_undo(user, imported_by):
        audit.record(con, user.name, audit.ACCESS_REFUSED, {"action": "undo-any-import", "batch_id": batch_id})
        raise Refused(f"batch {batch_id} was imported by {imported_by}; only they or an administrator may undo it")
    batches.undo_batch(con, batch_id, user.name)
    audit.record(con, user.name, audit.IMPORT_UNDONE,
                 {"batch_id": batch_id, "file": file_name, "as_of": as_of, "imported_by": imported_by})


def undo_latest_import(con: duckdb.DuckDBPyConnection, user: User) -> int | None:
    """Undo the newest active import (the only one the Import page offers; a forum decision's
    register change is no import); its rows stay in the history but no read sees them. Returns the
    batch undone, or None when there is none."""
    active = [b for b in batches.active_batches(con) if b.source != decision_effects.SOURCE]
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


def record_pack(con: duckdb.DuckDBPyConnection, user: User, meeting: str, as_of: dt.date, file_name: str,
                compare_to: dt.date | None = None, scope: str = "") -> None:
    """A review pack leaves the dashboard: who took which meeting's figures, as of when, compared
    with when, and filtered to what (`scope`, the pack's own words; left out for the whole register):
    the date alone does not say which changes and which risks the pack showed."""
    guard(con, user, "generate-pack", meeting=meeting)
    detail = {"meeting": meeting, "as_of": as_of, "compare_to": compare_to, "file": file_name}
    audit.record(con, user.name, audit.PACK_GENERATED, detail | ({"scope": scope} if scope else {}))


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


# --- the forum: meetings, decisions, actions (isms.forum) ------------------------------------------


def _ids(values) -> list[str]:
    return sorted({str(v).strip() for v in (values or []) if str(v).strip()})


def record_meeting(con: duckdb.DuckDBPyConnection, user: User, settings: Settings, series: str, held_on: dt.date, *,
                   attendees: list[str], minutes: str = "", period_end: dt.date | None = None,
                   pack: tuple[str, bytes] | None = None) -> str:
    """A held meeting of a series: who attended, the period it reviewed (by default the one its
    calendar says), the pack presented (stored with its sha256) and the minutes; audited. Returns its id."""
    import hashlib

    from isms.store import forum

    guard(con, user, "record-forum", series=series)
    s = settings.series(series)
    people = [a.strip() for a in attendees if a and a.strip()]
    if not people:
        raise ValueError("a held meeting needs its attendees")
    if pack and (too_large := upload_refusal(settings, pack[0], len(pack[1]))):
        raise ValueError(f"the pack {pack[0]} is not stored: {too_large}")
    period_end = s.period_end(period_end) if period_end else s.covers(held_on)
    if period_end >= held_on:
        raise ValueError(f"the period reviewed ends {period_end}, not before the meeting on {held_on}")
    meeting_id = forum.next_id(con, "forum_meeting", "meeting_id", "M-")
    sha = hashlib.sha256(pack[1]).hexdigest() if pack else None
    forum.insert_meeting(con, dict(
        meeting_id=meeting_id, series=series, held_on=held_on, period_start=s.period_start(period_end),
        period_end=period_end, attendees=people, minutes=minutes or None, pack_file=pack[0] if pack else None,
        pack_sha256=sha, pack=pack[1] if pack else None, recorded_at=forum.utcnow(), recorded_by=user.name))
    audit.record(con, user.name, audit.MEETING_RECORDED,
                 {"meeting": meeting_id, "series": series, "held_on": held_on, "period_end": period_end,
                  "attendees": len(people), "pack": pack[0] if pack else None, "pack_sha256": sha})
    return meeting_id


def approve_minutes(con: duckdb.DuckDBPyConnection, user: User, settings: Settings, meeting_id: str,
                    approved_on: dt.date) -> None:
    """The chair approves a meeting's minutes (once); the series' chair role, admin by default."""
    from isms.store import forum

    guard(con, user, "approve-minutes", meeting=meeting_id)
    m = forum.meeting(con, meeting_id)
    if m is None:
        raise ValueError(f"no meeting {meeting_id}")
    chair = settings.series(m["series"]).chair
    if user.role < chair:
        audit.record(con, user.name, audit.ACCESS_REFUSED, {"action": "approve-minutes", "meeting": meeting_id,
                                                           "reason": f"the chair role is {chair.name}"})
        raise Refused(f"the minutes of {meeting_id} are approved by the {chair.name} role")
    if forum.minutes_approved(con, meeting_id):
        raise ValueError(f"the minutes of {meeting_id} are already approved")
    if approved_on < m["held_on"]:
        raise ValueError(f"minutes cannot be approved ({approved_on}) before the meeting was held ({m['held_on']})")
    forum.insert_approval(con, meeting_id, approved_on, user.name)
    audit.record(con, user.name, audit.MINUTES_APPROVED, {"meeting": meeting_id, "approved_on": approved_on})


def record_decision(con: duckdb.DuckDBPyConnection, user: User, meeting_id: str, kind: str, text: str, *,
                    decided_on: dt.date | None = None, review_on: dt.date | None = None, risk_ids=(),
                    treatment_ids=(), exception_ids=(), kri_ids=(), finding_ids=()) -> str:
    """A decision of a meeting, linked to what it concerns; a risk acceptance needs its review date.
    Audited; returns its id."""
    from isms.forum import DECISION_KINDS
    from isms.store import forum

    guard(con, user, "record-forum", meeting=meeting_id, kind=kind)
    m = forum.meeting(con, meeting_id)
    if m is None:
        raise ValueError(f"no meeting {meeting_id}")
    if kind not in DECISION_KINDS:
        raise ValueError(f"unknown decision kind {kind!r}; one of {list(DECISION_KINDS)}")
    if not text or not text.strip():
        raise ValueError("a decision needs its text")
    decided_on = decided_on or m["held_on"]
    if decided_on < m["held_on"]:
        raise ValueError(f"a decision of {meeting_id} cannot be dated {decided_on}, before the meeting ({m['held_on']})")
    if kind == "risk-acceptance" and (review_on is None or not _ids(risk_ids)):
        raise ValueError("a risk acceptance names the risk(s) it accepts and the date it is reviewed again")
    if kind.startswith("exception-") and not _ids(exception_ids):
        raise ValueError("an exception decision names the exception(s) it decides")
    if review_on is not None and review_on <= decided_on:
        raise ValueError(f"the review date {review_on} must be after the decision ({decided_on})")
    links = dict(risk_ids=_ids(risk_ids), treatment_ids=_ids(treatment_ids), exception_ids=_ids(exception_ids),
                 kri_ids=_ids(kri_ids), finding_ids=_ids(finding_ids))
    # the decision, the register change it makes (isms.decision_effects) and its audit record: all or
    # nothing, and tried again whole when DuckLake refuses the commit for a conflict with another
    # server's write (its id, batch and audit counters are shared), as an import is
    def once() -> str:
        decision_id = forum.next_id(con, "forum_decision", "decision_id", "D-")
        row = dict(decision_id=decision_id, meeting_id=meeting_id, decided_on=decided_on, kind=kind, text=text.strip(),
                   review_on=review_on, recorded_at=forum.utcnow(), recorded_by=user.name, **links)
        changes = decision_effects.frames_for(con, row, m)
        forum.insert_decision(con, row)
        batch_id = decision_effects.write(con, row, changes, user.name)
        audit.record(con, user.name, audit.DECISION_RECORDED,
                     {"decision": decision_id, "meeting": meeting_id, "kind": kind, "decided_on": decided_on,
                      "review_on": review_on, **{k: v for k, v in links.items() if v},
                      **({"batch": batch_id, "changed": decision_effects.changed_ids(changes)}
                         if batch_id else {})})
        return decision_id

    return atomically(con, once)


def record_action(con: duckdb.DuckDBPyConnection, user: User, settings: Settings, title: str, owner: str,
                  due_on: dt.date, *, raised_on: dt.date, series: str | None = None, meeting_id: str | None = None,
                  decision_id: str | None = None, risk_id: str | None = None, kri_id: str | None = None,
                  finding_id: str | None = None) -> str:
    """An action given to an owner, from a meeting, a decision, a risk, a finding or a KRI breach.
    Its series is its meeting's (or given, for one raised outside a meeting); audited. Returns its id."""
    from isms.store import forum

    guard(con, user, "record-forum", title=title)
    if decision_id:
        d = forum.decision(con, decision_id)
        if d is None:
            raise ValueError(f"no decision {decision_id}")
        meeting_id = meeting_id or d["meeting_id"]
    if meeting_id:
        m = forum.meeting(con, meeting_id)
        if m is None:
            raise ValueError(f"no meeting {meeting_id}")
        if series and series != m["series"]:
            raise ValueError(f"{meeting_id} is a {m['series']} meeting, not {series}")
        series = m["series"]
    if not series:
        raise ValueError("an action raised outside a meeting names the series that follows it up")
    settings.series(series)
    if not any([meeting_id, risk_id, kri_id, finding_id]):
        raise ValueError("an action comes from a meeting, a decision, a risk, a finding or a KRI breach: name one")
    if not title or not title.strip() or not owner or not owner.strip():
        raise ValueError("an action needs a title and an owner")
    if due_on < raised_on:
        raise ValueError(f"due {due_on} is before the action was raised ({raised_on})")
    action_id = forum.next_id(con, "action_change", "action_id", "A-")
    row = dict(action_id=action_id, change_no=1, recorded_on=raised_on, title=title.strip(), series=series,
               owner=owner.strip(), due_on=due_on, original_due_on=due_on, status="open", meeting_id=meeting_id,
               decision_id=decision_id, risk_id=risk_id or None, kri_id=kri_id or None, finding_id=finding_id or None,
               recorded_at=forum.utcnow(), recorded_by=user.name)
    forum.insert_action_change(con, row)
    audit.record(con, user.name, audit.ACTION_RECORDED,
                 {"action": action_id, "series": series, "owner": row["owner"], "due_on": due_on, "raised_on": raised_on,
                  "from": {k: row[k] for k in ("meeting_id", "decision_id", "risk_id", "kri_id", "finding_id") if row[k]}})
    return action_id


def update_action(con: duckdb.DuckDBPyConnection, user: User, action_id: str, on: dt.date, *, status: str | None = None,
                  owner: str | None = None, due_on: dt.date | None = None, closure_note: str | None = None) -> int:
    """A change of an action, appended as a new dated row holding its whole state (nothing is
    overwritten, so the action as of any earlier date stays as it was). Done and cancelled need a
    closure note; verified needs the action done first, and records who verified it. A change may
    not be dated before the action's latest change: the past is not rewritten. Returns the change number."""
    from isms.store import forum

    guard(con, user, "record-forum", action_id=action_id)
    last = forum.latest_action(con, action_id)
    if last is None:
        raise ValueError(f"no action {action_id}")
    if on < last["recorded_on"]:
        raise ValueError(f"{action_id} last changed on {last['recorded_on']}; a change cannot be dated {on}, before it")
    row = {**last, "change_no": last["change_no"] + 1, "recorded_on": on, "recorded_at": forum.utcnow(),
           "recorded_by": user.name}
    if status is not None:
        if status not in forum.STATUSES:
            raise ValueError(f"unknown status {status!r}; one of {list(forum.STATUSES)}")
        if status == "verified":
            if last["status"] != "done":
                raise ValueError(f"{action_id} is {last['status']}; an action is verified once it is done")
            row["verified_by"] = user.name
        elif status in ("done", "cancelled"):
            if not (closure_note or "").strip():
                raise ValueError(f"closing {action_id} ({status}) needs a closure note")
        elif status in forum.OPEN:
            row["verified_by"] = None
        row["status"] = status
    if closure_note is not None and closure_note.strip():
        row["closure_note"] = closure_note.strip()
    if owner is not None and owner.strip():
        row["owner"] = owner.strip()
    if due_on is not None:
        row["due_on"] = due_on
    changed = {k: {"before": last[k], "after": row[k]} for k in ("status", "owner", "due_on", "closure_note", "verified_by")
               if last[k] != row[k]}
    if not changed:
        raise ValueError(f"nothing to change on {action_id}")
    forum.insert_action_change(con, row)
    audit.record(con, user.name, audit.ACTION_UPDATED, {"action": action_id, "on": on, "changes": changed})
    return row["change_no"]


def decide_mapping(con: duckdb.DuckDBPyConnection, user: User, control_id: str, framework: str, ref: str,
                   status: str, decided_on: dt.date, note: str | None = None) -> None:
    """An analyst accepts or rejects a suggested control-to-requirement link (an imported mapping
    offered on the Compliance Review); only a suggestion as of `decided_on` can be decided, and
    only an accepted one then counts towards coverage. Audited."""
    from isms.store import forum, mapping_suggestions
    from isms.store.ids import next_id

    guard(con, user, "decide-mappings", control=control_id, requirement=f"{framework}:{ref}")
    offered = mapping_suggestions.suggestions(con, decided_on, control_id)
    if not ((offered["framework"] == framework) & (offered["ref"] == ref)).any():
        raise ValueError(f"{framework}:{ref} is not suggested for control {control_id} as of {decided_on}")
    def once() -> None:   # the decision and its audit record together (retried whole on a DuckLake conflict)
        mapping_suggestions.insert_decision(
            con, decision_no=next_id(con, "mapping_decision"), control_id=control_id, framework=framework, ref=ref,
            status=status, decided_on=decided_on, note=note, recorded_at=forum.utcnow(), recorded_by=user.name)
        audit.record(con, user.name, audit.MAPPING_DECIDED, {"control": control_id, "requirement": f"{framework}:{ref}",
                                                             "status": status, "decided_on": decided_on})

    atomically(con, once)
