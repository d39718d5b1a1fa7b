"""The compliance commands of `python -m isms`: `catalogs` (and, as they land, `compliance`, `soa`).

Kept beside isms.cli so that module stays about imports, the scorecard and packs.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

COMMANDS = ("catalogs",)


def add_parsers(sub, date_type) -> None:
    c = sub.add_parser("catalogs", help="the framework catalogs: shipped ones and those imported, with requirement counts")
    c.add_argument("--as-of", type=date_type, help="user-imported catalogs as they stood on this date (default: the latest)")
    c.add_argument("--json", action="store_true")


def run(args, settings, store, database_exists) -> int:
    if args.command == "catalogs":
        return _catalogs(settings, args, store)
    return 2


def _catalogs(settings, args, store) -> int:
    from isms.catalogs import shipped
    from isms.store import compliance

    if Path(settings.db_path).exists():
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
