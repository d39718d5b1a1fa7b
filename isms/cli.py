"""`python -m isms ...`: the sample, imports and the scorecard, for people and scheduled jobs.

Exit codes: 0 done, 1 refused (the problems are printed), 2 usage.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import getpass
import json
import os
import sys
from pathlib import Path

import duckdb

from isms import organisation
from isms.config import SettingsError, load_settings
from isms.store import batches, lake
from isms.store.db import exists as db_exists


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m isms", description="ISMS risk-posture dashboard tools")
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("sample", help="write the sample ISMS workbooks")
    s.add_argument("--out", default="data/sample", help="folder for the workbooks (default data/sample)")

    i = sub.add_parser("import", help="import spreadsheets (.xlsx, .xlsm, .ods, .csv) in any layout, each in one transaction")
    i.add_argument("files", nargs="+", type=Path)
    i.add_argument("--as-of", type=_date, help="date of the batch (default: the file's About sheet, else today)")
    i.add_argument("--mapping", help="a mapping profile saved on the Import page (default: the proposed mapping)")
    i.add_argument("--dry-run", action="store_true", help="validate and report, write nothing")
    i.add_argument("--json", action="store_true", help="print the outcome as JSON")
    i.add_argument("--user", default=None, help="who is importing (default: the login name)")
    i.add_argument("--annotate", type=Path, metavar="OUT.xlsx",
                   help="write the file back with each problem marked in its cell (a folder for several files)")
    what = i.add_mutually_exclusive_group()
    what.add_argument("--whole", dest="mode", action="store_const", const="whole",
                      help="the file is the whole register (or, with a scope, the scope's): rows it does not list leave")
    what.add_argument("--part", dest="mode", action="store_const", const="part",
                      help="the file is part of the register, such as a business unit's: merged, rows it does not list stay")
    i.add_argument("--scope", metavar="NAME",
                   help="the business unit the file is for (or owner=NAME); default: the file's business unit column")

    c = sub.add_parser("scorecard", help="the posture as of a date, with deltas")
    c.add_argument("--as-of", type=_date, required=True)
    c.add_argument("--compare-to", type=_date, help="default: the previous quarter end (as the page: the latest "
                   "earlier date where the register begins later; none on the first review on record)")
    c.add_argument("--json", action="store_true")

    t = sub.add_parser("template", help="write the blank import template")
    t.add_argument("--out", default="data/templates/isms-import-template.xlsx")

    k = sub.add_parser("pack", help="build a review pack (PowerPoint, PDF or a zip of chart images)")
    k.add_argument("--meeting", choices=["risk-review", "security-health", "compliance", "management-review"], required=True)
    k.add_argument("--as-of", type=_date, help="meeting date (default: the latest quarter end / month with data; "
                   "management-review: a date in the year under review, default the latest closed year)")
    k.add_argument("--compare-to", type=_date, help="default: the previous quarter end / month")
    k.add_argument("--format", choices=["pptx", "pdf", "zip"], help="default: from --out's extension, else pptx")
    k.add_argument("--sections", help="comma-separated section keys (default: the saved choice, else all)")
    k.add_argument("--out", type=Path, required=True)
    k.add_argument("--user", default=None, help="who builds it, for the audit trail (default: the login name)")
    u = sub.add_parser("user", help="password-mode users: add, set a role or password, remove, list")
    usub = u.add_subparsers(dest="user_command", required=True)
    roles = ["viewer", "analyst", "admin"]
    ua = usub.add_parser("add", help="add a user (prompts for the password)")
    ua.add_argument("username")
    ua.add_argument("--role", required=True, choices=roles)
    ua.add_argument("--name", default="")
    ua.add_argument("--email", default="")
    ua.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    ur = usub.add_parser("set-role", help="change a user's role")
    ur.add_argument("username")
    ur.add_argument("role", choices=roles)
    up = usub.add_parser("set-password", help="set a user's password (prompts for it)")
    up.add_argument("username")
    up.add_argument("--password-stdin", action="store_true")
    ux = usub.add_parser("remove", help="remove a user")
    ux.add_argument("username")
    usub.add_parser("list", help="list users and roles")
    uk = usub.add_parser("unlock", help="lift a sign-in lockout early (audited)")
    uk.add_argument("username", help="the user name locked, or with --client the client address")
    uk.add_argument("--client", action="store_true", help="USERNAME is a client address (as the Settings page lists it)")
    u.add_argument("--by", default=None, help="who makes the change, for the audit trail (default: the login name)")

    a = sub.add_parser("check-address", help="refuse to serve local mode (no sign-in) on a network address")
    a.add_argument("address")

    b = sub.add_parser("init-db", help="create the database if it does not exist: empty (--empty) or from the sample")
    b.add_argument("--empty", action="store_true", help="an empty database, for your own ISMS (default: the sample)")
    b.add_argument("--sample", default="data/sample", type=Path, help="folder of the sample workbooks")

    _export_parser(sub)
    from isms import compliance_cli

    f = sub.add_parser("actions", help="forum actions as of a date (--overdue: only those past due, for a reminder)")
    f.add_argument("--as-of", type=_date, default=dt.date.today(), help="as they stood on this date (default: today)")
    f.add_argument("--overdue", action="store_true", help="only open actions whose due date is before the date")
    f.add_argument("--series", default=None, help="only this meeting series' actions (e.g. risk, security-health)")
    f.add_argument("--json", action="store_true", help="a JSON list, for a scheduled reminder")

    compliance_cli.add_parsers(sub, _date)
    return p


def _export_parser(sub) -> None:
    e = sub.add_parser("export", help="every fact as it stood on a date, as Parquet, CSV or XLSX, for BI tools or to leave")
    e.add_argument("--as-of", type=_date, required=True, help="the registers as they stood on this date, events up to it")
    e.add_argument("--format", choices=["parquet", "csv", "xlsx"], default="parquet",
                   help="parquet (default) or csv: one file per table; xlsx: import-template workbooks, one per date")
    e.add_argument("--out", type=Path, required=True, help="folder to write (created; must be empty if it exists)")
    e.add_argument("--user", default=None, help="who exports, for the audit trail (default: the login name)")


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0) and 2
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    from isms.store.shared import HeldOutside, WriterBusy

    if argv is None:   # the program itself (`python -m isms`), not a caller in its own process such as a test
        yield_to_the_dashboard(args.command)
        from isms.importing.isolation import one_shot

        one_shot()
    try:
        return _run(parser, args, settings)
    except (WriterBusy, HeldOutside) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except duckdb.IOException as exc:
        if "lock" not in str(exc).lower():
            raise
        print(f"error: the database {settings.db_path} is held by a process outside the shared store (an older "
              "version of the dashboard?): stop it, or point ISMS_DB at a copy", file=sys.stderr)
        return 2


# The commands a scheduled job runs (the nightly import, the export for other tools, the pack the
# evening before a meeting), as against the quick reads an analyst types
JOBS = frozenset({"import", "export", "pack", "init-db", "sample"})


def yield_to_the_dashboard(command: str) -> int:
    """Run a job at a lower CPU priority (`ISMS_JOB_NICE`, 10 by default; 0 keeps it), so the dashboard
    serving a meeting on the same machine is not slowed by it: on two cores an import at the same
    priority doubled a page's rerun (shared_read_ratio 2.14). Children, such as the importer's
    isolated reader, inherit it. Returns the increment applied."""
    if command not in JOBS:
        return 0
    try:
        step = max(0, int(os.environ.get("ISMS_JOB_NICE", "10")))
    except ValueError:
        step = 10
    if step:
        os.nice(step)
    return step


def _store(settings):
    """The shared store: readers on snapshots, writers one at a time; a writer that has to wait says so."""
    from isms.store.shared import open_store

    return open_store(settings.db_path, on_wait=lambda message: print(f"note: {message}", file=sys.stderr, flush=True))


def _init_lake(settings, sample_dir: Path, *, empty: bool) -> int:
    """A DuckLake: its tables are made when it is first opened; the sample goes in only while it
    holds no batch (it is never mixed with an organisation's data)."""
    from isms import databases

    with _store(settings).write("python -m isms init-db") as con:
        n_batches = batches.count(con)
        if empty or n_batches:
            print(f"the DuckLake at {settings.db_path} is ready ({n_batches} batches); left as it is")
            return 0
        try:
            n = databases.import_sample(con, settings.matrix, sample_dir, max_rows=settings.max_rows)
        except (FileNotFoundError, databases.SampleError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2 if isinstance(exc, FileNotFoundError) else 1
    print(f"imported {n} sample workbooks into the DuckLake at {settings.db_path}")
    return 0


def _run(parser, args, settings) -> int:
    if args.command == "sample":
        from isms.sample import write_sample

        for path in write_sample(args.out):
            print(path)
        return 0
    if args.command == "template":
        from isms.importing.template import write_blank_template

        print(write_blank_template(args.out, settings.matrix))
        return 0
    if args.command == "init-db":
        return _init_db(settings, args.sample, empty=args.empty)
    if args.command == "export":
        return _export(settings, args)
    if args.command == "import":
        return _import(settings, args)
    if args.command == "scorecard":
        return _scorecard(settings, args)
    if args.command == "pack":
        return _pack(settings, args)
    if args.command == "actions":
        return _actions(settings, args)
    if args.command == "user":
        return _user(settings, args)
    if args.command == "check-address":
        return _check_address(settings, args.address)
    from isms import compliance_cli

    if args.command in compliance_cli.COMMANDS:
        return compliance_cli.run(args, settings, _store, _database_exists)
    return 2


def _database_exists(settings) -> bool:
    """Readers say how to make the database rather than create an empty one by opening it."""
    if db_exists(settings.db_path):
        return True
    print(f"error: no database at {settings.db_path}; create it with 'python -m isms init-db --empty' "
          "(your own ISMS) or 'python -m isms init-db' (the sample)", file=sys.stderr)
    return False


def _pack(settings, args) -> int:
    from isms.actions import record_pack
    from isms.auth import Role, User
    from isms.images import ImageUnavailable
    from isms.packs.build import make_pack

    if not _database_exists(settings):
        return 2
    fmt = args.format or (args.out.suffix.lstrip(".").lower() if args.out.suffix.lower() in (".pptx", ".pdf", ".zip") else "pptx")
    sections = [s.strip() for s in args.sections.split(",") if s.strip()] if args.sections else None
    store = _store(settings)
    try:
        with store.read() as con:  # a pack only reads: it runs beside the dashboard and any import
            made = make_pack(con, settings, args.meeting, fmt, args.as_of, args.compare_to, sections)
        with store.write("python -m isms pack (its audit record)") as con:
            record_pack(con, User(args.user or getpass.getuser(), Role.viewer, via="cli"), args.meeting,
                        made.pack.as_of, args.out.name, made.pack.compare_to, made.pack.scope)
    except ImageUnavailable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(made.data)
    print(f"wrote {args.out} ({made.fmt}, {len(made.pack.sections)} sections, {made.images_rendered} images)")
    for title in made.missing_images:
        print(f"  note: '{title}' has no image: install Debian's chromium for it", file=sys.stderr)
    return 0


def _init_db(settings, sample_dir: Path, *, empty: bool = False) -> int:
    """One way to make a database: empty for your own ISMS, or the sample to look around in."""
    from isms import databases

    if lake.is_lake(settings.db_path):
        return _init_lake(settings, sample_dir, empty=empty)
    if Path(settings.db_path).exists():
        print(f"{settings.db_path} exists; left as it is")
        return 0
    if empty:
        databases.create_empty(settings.db_path)
        print(f"created an empty database at {settings.db_path}; start the dashboard and follow its welcome")
        if settings.organisation.strip() == organisation.SAMPLE_ORGANISATION:
            print(f"note: {settings.config_path} names the sample's organisation ({organisation.SAMPLE_ORGANISATION}), "
                  f"which this database's pages and packs call '{organisation.UNNAMED}'; give your organisation's "
                  "name on the welcome, or as [organisation] name there, before the first pack")
        return 0
    try:
        n = databases.build_sample(settings.db_path, settings.matrix, sample_dir, max_rows=settings.max_rows)
    except (FileNotFoundError, databases.SampleError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2 if isinstance(exc, FileNotFoundError) else 1
    print(f"created {settings.db_path} from {n} sample workbooks")
    return 0


def _export(settings, args) -> int:
    """Every fact as it stood on a date, into a folder a BI tool (or another dashboard) loads as it is."""
    from isms.actions import record_export
    from isms.auth import Role, User
    from isms.data_export import export

    if not _database_exists(settings):
        return 2
    store = _store(settings)
    try:
        with store.read() as con:
            result = export(con, settings, args.as_of, args.format, args.out)
        # Whoever can run the CLI can read the database file itself: the CLI acts as an administrator.
        with store.write("python -m isms export (its audit record)") as con:
            record_export(con, User(args.user or getpass.getuser(), Role.admin, via="cli"), args.as_of, args.format,
                          str(args.out))
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    counts = ", ".join(f"{name} {n}" for name, n in result.rows.items() if not name.endswith("_history"))
    print(f"wrote {len(result.files)} files to {result.folder} ({result.fmt}, as of {result.as_of}): {counts}")
    return 0


def _import(settings, args) -> int:
    """Exit 0 committed (or unchanged), 1 refused, 2 usage; also 2 when a file would retire rows
    from the register and neither --whole nor --part says whether it is the whole register."""
    from isms.auth import Role, User
    from isms.filters import Scope
    from isms.importing.mapping import load_profile, profiles_folder
    from isms.importing.preview import register_change, register_sentences

    profile = scope = None
    try:
        if args.mapping:
            profile = load_profile(profiles_folder(settings.db_path), args.mapping)
        if args.scope is not None:
            scope = Scope.parse(args.scope)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    missing = [f for f in args.files if not f.is_file()]
    if missing:
        print(f"error: {missing[0]}: no such file", file=sys.stderr)
        return 2
    store = _store(settings)
    if not db_exists(settings.db_path):
        with store.write("python -m isms import (creating the database)"):
            pass  # an import into a new ISMS_DB creates it, empty, as the dashboard's first-run does
    # Whoever can run the CLI can open the database file itself: the CLI acts as an administrator.
    user = User(args.user or getpass.getuser(), Role.admin, via="cli")
    outcomes, plans, marked = [], [], []
    for f in args.files:
        with f.open("rb") as fh:
            data = fh.read(settings.max_upload_bytes + 1)  # one byte over the cap is enough to refuse
        outcome, plan = _import_one(store, user, settings, data, f.name, args, profile, scope)
        outcomes.append(outcome)
        plans.append(plan)
        if args.annotate:
            marked.append(_annotate(settings, args.annotate, len(args.files) > 1, f, data, plan))
    if args.json:
        print(json.dumps([o.as_dict() | {"rules": list(p.rules) if p else [],
                                         "rating_moves": list(p.rating_moves) if p else []}
                          | register_change(p and p.preview) for o, p in zip(outcomes, plans)], indent=2, default=str))
    else:
        for o, p in zip(outcomes, plans):
            counts = ", ".join(f"{k} {v}" for k, v in o.row_counts.items())
            what = {
                "committed": f"committed as batch {o.batch_id}",
                "unchanged": f"already imported as batch {o.batch_id}; nothing changed",
                "refused": "refused; the database is unchanged" + (" (the refusal is in the audit trail)" if args.dry_run else ""),
                "dry-run": "dry run; nothing written",
                "undecided": "not imported; the database is unchanged",
            }[o.status]
            print(f"{o.file_name} (as of {o.as_of}): {what}" + (f" [{counts}]" if counts else ""))
            for line in register_sentences(p and p.preview, o.status):
                print(f"  {line}")
            for move in (p.rating_moves if p else []):  # as the Import page names them, escalations first
                print(f"  residual level: {move}")
            for rule in (p.rules if p else []):
                print(f"  rule: {rule}")
            for problem in o.problems:
                print(f"  {problem}")
    for line in marked:
        print(line, file=sys.stderr if args.json or line.startswith("no marked copy") else sys.stdout)
    if any(o.status == "refused" for o in outcomes):
        return 1
    return 2 if any(o.status == "undecided" for o in outcomes) else 0


def _import_one(store, user, settings, data: bytes, name: str, args, profile, scope):
    """Read, map and check the file against a snapshot (no lock: the dashboard and other writers carry
    on meanwhile), then commit under the writers' lock, one file at a time so each batch is published
    before the next. If another writer committed in between, the file is planned again under the lock."""
    from isms.actions import commit_import, import_workbook, plan_upload, upload_refusal
    from isms.store.db import data_version

    what = f"python -m isms import {name}"
    if upload_refusal(settings, name, len(data)):
        with store.write(what) as con:  # refused unread; the refusal goes in the audit trail
            return import_workbook(con, user, settings, data, name, as_of=args.as_of, dry_run=args.dry_run)

    def plan(con):
        return plan_upload(con, settings, data, name, as_of=args.as_of, profile=profile, mode=args.mode, scope=scope)

    with store.read() as cur:
        seen, planned = data_version(cur), plan(cur)
    with store.write(what) as con:
        if data_version(con) != seen:
            planned = plan(con)
        return commit_import(con, user, planned, dry_run=args.dry_run), planned


def _annotate(settings, out: Path, several: bool, source: Path, data: bytes, plan) -> str:
    """The analyst's file back with each problem marked, for a scheduled job to send to them."""
    from isms.importing.isolation import annotate_isolated
    from isms.importing.reading import ReadError

    if plan is None or not plan.sheets or not any(p.row for p in plan.problems):
        return f"no marked copy for {source.name}: no problem points at a cell or row"
    target = out / f"{source.stem}-marked.xlsx" if several or out.is_dir() else out
    try:
        marked = annotate_isolated(data, plan.file_format, plan.sheets, plan.problems, settings.read_limits)
    except ReadError as exc:
        return f"no marked copy for {source.name}: {exc}"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(marked)
    return f"marked copy of {source.name}: {target}"


def _check_address(settings, address: str) -> int:
    """`make run` asks before starting, so local mode never listens beyond this computer."""
    from isms.auth import local_mode_refusal

    refusal = local_mode_refusal(address) if settings.auth.mode == "local" else None
    if refusal:
        print(f"error: {refusal}", file=sys.stderr)
        return 2
    return 0


def _password(args) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Again: ") != first:
        raise ValueError("the two passwords differ")
    return first


def _user(settings, args) -> int:
    """User changes are audited in the database when there is one (the dashboard may keep running;
    the password is asked for before the writers' lock is taken, so nobody waits on a person typing)."""
    from isms import users
    from isms.auth import Role, User
    from isms.store import connect

    if args.user_command == "list":
        for u in users.load_users(settings.users_path).values():
            print(f"{u.username}\t{u.role.name}\t{u.name}\t{u.email}")
        return 0
    if settings.auth.mode != "password":
        print(f"note: [auth] mode is {settings.auth.mode!r}; these users sign in only in password mode", file=sys.stderr)
    by = User(args.by or getpass.getuser(), Role.admin, via="cli")
    try:
        password = _password(args) if args.user_command in ("add", "set-password") else None
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if db_exists(settings.db_path):
        writer = _store(settings).write("python -m isms user")
    else:
        print(f"note: no database at {settings.db_path} yet, so this change is not in the audit trail", file=sys.stderr)
        writer = contextlib.closing(connect(":memory:"))
    with writer as con:
        return _change_user(settings, args, by, con, password)


def _change_user(settings, args, by, con, password: str | None) -> int:
    from isms import actions, throttle
    from isms.auth import Role

    try:
        if args.user_command == "add":
            actions.add_user(con, by, settings, args.username, password, Role.parse(args.role),
                             name=args.name, email=args.email)
        elif args.user_command == "set-role":
            actions.set_role(con, by, settings, args.username, Role.parse(args.role))
        elif args.user_command == "set-password":
            actions.set_password(con, by, settings, args.username, password)
        elif args.user_command == "remove":
            actions.remove_user(con, by, settings, args.username)
        elif args.user_command == "unlock":
            key = throttle.client_key(args.username) if args.client else throttle.user_key(args.username)
            actions.lift_lockout(con, by, key)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"{args.user_command} {args.username}: done ({settings.users_path})")
    return 0


def _actions(settings, args) -> int:
    """The actions as of a date (open, overdue first) or only the overdue ones, as text or JSON."""
    from isms import forum
    from isms.store import forum as forum_store

    if not _database_exists(settings):
        return 2
    if args.series:
        try:
            settings.series(args.series)
        except KeyError as exc:
            print(f"error: {exc.args[0]}", file=sys.stderr)
            return 2
    with _store(settings).read() as con:
        if args.overdue:
            rows = forum.overdue_actions(con, args.as_of, args.series)
        else:
            rows = forum_store.actions_as_of(con, args.as_of, args.series)
        name = organisation.shown_on(con, settings)
    listed = [forum.action_record(r, args.as_of) for r in rows.to_dict("records")]
    if args.json:
        print(json.dumps(listed, indent=2))
        return 0
    what = "overdue actions" if args.overdue else "actions"
    print(f"{name}: {len(listed)} {what} as of {args.as_of}")
    for a in listed:
        late = f", {a['days_overdue']} days overdue" if a["days_overdue"] else ""
        print(f"  {a['action_id']} [{a['series']}] {a['title']} · {a['owner']} · due {a['due_on']} · {a['status']}{late}")
    return 0


def _scorecard(settings, args) -> int:
    from isms.posture import scorecard

    if not _database_exists(settings):
        return 2
    with _store(settings).read() as con:
        from isms.views.risk_review import compare_date

        # as the page compares it: the quarter end before, or with nothing earlier the first review on record
        card = scorecard(con, settings, args.as_of, args.compare_to or compare_date(con, args.as_of))
        name = organisation.shown_on(con, settings)
    if args.json:
        print(card.model_dump_json(indent=2))
        return 0
    cur = card.current
    # the first review on record has no change to show, as the page and the pack say
    compared = f"compared with {card.compare_to}" if card.compared else "first review on record"
    print(f"{name}: risk posture as of {card.as_of} ({compared}), matrix {card.matrix}")
    print(f"  {'level':<10} {'residual':>8} {'change':>7} {'inherent':>9}")
    for level in reversed(card.levels):
        change = f"{card.level_delta(level):>+7d}" if card.compared else f"{'':>7}"
        print(f"  {level:<10} {cur.residual_by_level[level]:>8} {change} {cur.inherent_by_level[level]:>9}")
    share = f"{cur.within_appetite_share:.0%}" if cur.within_appetite_share is not None else "n/a"
    moved = f" ({card.delta('residual_exposure'):+})" if card.compared else ""
    print(f"  residual exposure {cur.residual_exposure}{moved}  within appetite {share}")
    print(f"  above appetite with neither an active treatment nor a granted exception: {cur.above_appetite_unaddressed}")
    t = cur.treatments
    print(f"  treatments: {t.on_track} on track, {t.late} late, {t.overdue} overdue, {t.done} done")
    print(f"  exceptions: {cur.exceptions_expiring} expiring within {settings.exception_warning_days} days, {cur.exceptions_expired_open} expired but open")
    k = cur.kris
    print(f"  KRIs: {k.red} red, {k.amber} amber, {k.green} green, {k.stale} stale")
    return 0
