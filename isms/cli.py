"""`python -m isms ...`: the sample, imports and the scorecard, for people and scheduled jobs.

Exit codes: 0 done, 1 refused (the problems are printed), 2 usage.
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import json
import sys
from pathlib import Path

from isms.config import SettingsError, load_settings


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

    c = sub.add_parser("scorecard", help="the posture as of a date, with deltas")
    c.add_argument("--as-of", type=_date, required=True)
    c.add_argument("--compare-to", type=_date, help="default: the previous quarter end")
    c.add_argument("--json", action="store_true")

    t = sub.add_parser("template", help="write the blank import template")
    t.add_argument("--out", default="data/templates/isms-import-template.xlsx")

    b = sub.add_parser("init-db", help="create the database from the sample workbooks if it does not exist")
    b.add_argument("--sample", default="data/sample", type=Path)
    return p


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
    if args.command == "sample":
        from isms.sample import write_sample

        for path in write_sample(args.out):
            print(path)
        return 0
    if args.command == "template":
        from isms.templates import write_blank_template

        print(write_blank_template(args.out, levels=max(settings.matrix.steps_likelihood, settings.matrix.steps_impact)))
        return 0
    if args.command == "init-db":
        return _init_db(settings, args.sample)
    if args.command == "import":
        return _import(settings, args)
    if args.command == "scorecard":
        return _scorecard(settings, args)
    return 2


def _init_db(settings, sample_dir: Path) -> int:
    from isms.importing.canonical import import_file
    from isms.store import connect

    if Path(settings.db_path).exists():
        print(f"{settings.db_path} exists; left as it is")
        return 0
    files = sorted(sample_dir.glob("*.xlsx"))
    if not files:
        print(f"error: no sample workbooks in {sample_dir}", file=sys.stderr)
        return 2
    tmp = Path(settings.db_path + ".building")
    tmp.unlink(missing_ok=True)
    con = connect(tmp)
    try:
        for f in files:
            out = import_file(con, f, settings.matrix, imported_by="sample", source="sample", max_rows=settings.max_rows)
            if out.status != "committed":
                for p in out.problems:
                    print(p, file=sys.stderr)
                print(f"error: sample {f.name} was {out.status}", file=sys.stderr)
                return 1
        con.execute("CHECKPOINT")
    finally:
        con.close()
    tmp.rename(settings.db_path)
    print(f"created {settings.db_path} from {len(files)} sample workbooks")
    return 0


def _import(settings, args) -> int:
    from isms.importing.mapped import build_plan, commit
    from isms.importing.mapping import load_profile, profiles_folder
    from isms.store import connect

    profile = None
    if args.mapping:
        try:
            profile = load_profile(profiles_folder(settings.db_path), args.mapping)
        except ValueError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    for f in args.files:
        if not f.is_file():
            print(f"error: {f}: no such file", file=sys.stderr)
            return 2
    con = connect(settings.db_path)
    user = args.user or getpass.getuser()
    outcomes, rules = [], []
    try:
        for f in args.files:
            with f.open("rb") as fh:
                data = fh.read(settings.max_upload_bytes + 1)  # one byte over the cap is enough to refuse
            plan = build_plan(data, f.name, settings.matrix, as_of=args.as_of, con=con, profile=profile,
                              max_rows=settings.max_rows, max_bytes=settings.max_upload_bytes)
            outcomes.append(commit(con, plan, user, dry_run=args.dry_run))
            rules.append(plan.rules)
    finally:
        con.close()
    if args.json:
        print(json.dumps([o.as_dict() | {"rules": r} for o, r in zip(outcomes, rules)], indent=2, default=str))
    else:
        for o, r in zip(outcomes, rules):
            counts = ", ".join(f"{k} {v}" for k, v in o.row_counts.items())
            what = {
                "committed": f"committed as batch {o.batch_id}",
                "unchanged": f"already imported as batch {o.batch_id}; nothing changed",
                "refused": "refused; the database is unchanged",
                "dry-run": "dry run; nothing written",
            }[o.status]
            print(f"{o.file_name} (as of {o.as_of}): {what}" + (f" [{counts}]" if counts else ""))
            for rule in r:
                print(f"  rule: {rule}")
            for p in o.problems:
                print(f"  {p}")
    return 1 if any(o.status == "refused" for o in outcomes) else 0


def _scorecard(settings, args) -> int:
    from isms.posture import scorecard
    from isms.store import connect

    if not Path(settings.db_path).exists():
        print(f"error: no database at {settings.db_path}; run 'make run' or 'python -m isms init-db'", file=sys.stderr)
        return 2
    con = connect(settings.db_path, read_only=True)
    card = scorecard(con, settings, args.as_of, args.compare_to)
    con.close()
    if args.json:
        print(card.model_dump_json(indent=2))
        return 0
    cur, prev = card.current, card.previous
    print(f"{settings.organisation}: risk posture as of {card.as_of} (compared with {card.compare_to}), matrix {card.matrix}")
    for level in card.levels:
        print(f"  {level:<10} {cur.residual_by_level[level]:>4}  ({card.level_delta(level):+d})")
    share = f"{cur.within_appetite_share:.0%}" if cur.within_appetite_share is not None else "n/a"
    print(f"  residual exposure {cur.residual_exposure} ({card.delta('residual_exposure'):+})  within appetite {share}")
    t = cur.treatments
    print(f"  treatments: {t.on_track} on track, {t.late} late, {t.overdue} overdue, {t.done} done")
    print(f"  exceptions: {cur.exceptions_expiring} expiring within {settings.exception_warning_days} days, {cur.exceptions_expired_open} expired but open")
    k = cur.kris
    print(f"  KRIs: {k.red} red, {k.amber} amber, {k.green} green, {k.stale} stale")
    return 0
