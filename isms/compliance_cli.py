"""The compliance commands of `python -m isms`: `catalogs` (and, as they land, `compliance`, `soa`).

Kept beside isms.cli so that module stays about imports, the scorecard and packs.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

COMMANDS = ("catalogs", "compliance", "soa")


def add_parsers(sub, date_type) -> None:
    c = sub.add_parser("catalogs", help="the framework catalogs: shipped ones and those imported, with requirement counts")
    c.add_argument("--as-of", type=date_type, help="user-imported catalogs as they stood on this date (default: the latest)")
    c.add_argument("--json", action="store_true")

    r = sub.add_parser("compliance", help="the Compliance review figures as of a date: per framework, testing, audits, findings")
    r.add_argument("--as-of", type=date_type, required=True)
    r.add_argument("--compare-to", type=date_type,
                   help="default: as the page compares the date (the period end or the import before it; else the "
                        "quarter end before)")
    r.add_argument("--frameworks", help="comma-separated framework codes (default: those with an SoA)")
    r.add_argument("--json", action="store_true")

    s = sub.add_parser("soa", help="write a framework's Statement of Applicability as xlsx, in the auditors' layout")
    s.add_argument("--framework", required=True, help="framework code, e.g. ISO27001-2022 (python -m isms catalogs)")
    s.add_argument("--as-of", type=date_type, required=True)
    s.add_argument("--out", type=Path, required=True)


def run(args, settings, store, database_exists) -> int:
    if args.command == "catalogs":
        return _catalogs(settings, args, store)
    if args.command == "compliance":
        return _compliance(settings, args, store, database_exists)
    if args.command == "soa":
        return _soa(settings, args, store, database_exists)
    return 2


def _soa(settings, args, store, database_exists) -> int:
    import sys

    from isms.soa_export import soa_table, write_soa
    from isms.store import compliance

    if not database_exists(settings):
        return 2
    with store(settings).read() as con:
        known = {f["framework"]: f["name"] for f in compliance.frameworks(con, args.as_of)}
        if args.framework not in known:
            print(f"error: no framework {args.framework!r}; known: {', '.join(sorted(known))}", file=sys.stderr)
            return 1
        table = soa_table(con, args.framework, args.as_of, known[args.framework])
    print(write_soa(table, args.out))
    return 0


def _compliance(settings, args, store, database_exists) -> int:
    from isms import organisation
    from isms.dates import previous_quarter_end
    from isms.views import compliance

    if not database_exists(settings):
        return 2
    scope = [f.strip() for f in args.frameworks.split(",") if f.strip()] if args.frameworks else None
    with store(settings).read() as con:
        # the page's comparison for the date (the period end or the import before it), so the CLI
        # and the page agree: the CLI compared with the quarter end before, the page with the import
        opening = compliance.opening_dates(con, settings.series("compliance"), dt.date.today(), args.as_of)
        compare = args.compare_to or (opening[1] if opening else previous_quarter_end(args.as_of))
        bundle = compliance.build(con, args.as_of, compare, scope)
        name = organisation.shown_on(con, settings)
    if args.json:
        print(json.dumps(bundle.as_json(), indent=2))
        return 0
    # the first review on record has no change to show, as the page, the pack and --json say
    compared = f"compared with {bundle.compare_to}" if bundle.compared else "first review on record"
    print(f"{name}: compliance as of {bundle.as_of} ({compared})")
    print(f"  {'framework':<24} {'applicable':>10} {'covered':>8} {'effective':>9} {'change':>7}  open findings "
          "(major / minor / obs / OFI)")
    for f in bundle.totals.to_dict("records"):
        change = f"{f['effective_change']:>+7d}" if bundle.compared else f"{'–':>7}"
        print(f"  {f['framework']:<24} {f['applicable']:>10} {f['covered']:>8} {f['effective']:>9} "
              f"{change}  {f['open_major']} / {f['open_minor']} / {f['open_observation']} / {f['open_ofi']}")
    t = bundle.testing
    rate = f"{t['pass_rate']:.0%}" if t["pass_rate"] is not None else "n/a"
    print(f"  tests: {t['due']} due within {t['due_window_days']} days, {t['overdue']} overdue; since {bundle.compare_to}: "
          f"{t['tested']} tested, {t['failed']} failed, {t['exceptions']} with exceptions, pass rate {rate}")
    print(f"  calendar (next 12 months): {len(bundle.calendar)} date(s); in progress: {len(bundle.in_progress)}")
    print(f"  findings: {int(bundle.findings_open['total'].sum())} open, {len(bundle.findings_overdue)} overdue")
    return 0


def _catalogs(settings, args, store) -> int:
    from isms.catalogs import shipped
    from isms.store import compliance
    from isms.store.db import exists as db_exists

    if db_exists(settings.db_path):
        with store(settings).read() as con:
            found = compliance.frameworks(con, args.as_of)
    else:  # no database yet: the shipped ones are still there
        found = [{k: f[k] for k in ("framework", "name", "version", "licence", "requirements")}
                 for f in shipped.frameworks()]
    if args.json:
        print(json.dumps({"as_of": (args.as_of or dt.date.today()).isoformat(), "frameworks": found}, indent=2))
        return 0
    for f in found:
        print(f"{f['framework']:<24} {f['requirements']:>6}  {f['licence']:<14} {f['name']} ({f['version'] or 'no version'})")
    return 0
