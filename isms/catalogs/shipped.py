"""The shipped catalogs (data/catalogs/*.json, written by isms.catalogs.build), read once per process.

They are files, not rows: they change with the code that reads them, and a read-only connection
sees them too. Queries get them as the relation `shipped_requirement` (see `register`).
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import duckdb
import pandas as pd

FOLDER = Path(__file__).resolve().parents[2] / "data" / "catalogs"
COLUMNS = ["framework", "ref", "parent", "title", "family"]


@functools.lru_cache(maxsize=1)
def _load() -> tuple[tuple[dict, ...], pd.DataFrame]:
    frameworks, rows = [], []
    for path in sorted(FOLDER.glob("*.json")):
        doc = json.loads(path.read_text())
        reqs = doc["requirements"]
        frameworks.append({k: doc[k] for k in ("framework", "name", "version", "licence", "source", "families")}
                          | {"requirements": len(reqs)})
        rows.extend((doc["framework"], r[0], r[1], r[2], r[3]) for r in reqs)
    return tuple(frameworks), pd.DataFrame.from_records(rows, columns=COLUMNS)


def frameworks() -> list[dict]:
    """Each shipped framework: code, name, version, licence, source, families and requirement count."""
    return [dict(f) for f in _load()[0]]


def codes() -> set[str]:
    return {f["framework"] for f in _load()[0]}


def requirements() -> pd.DataFrame:
    """framework, ref, parent, title, family of every shipped requirement (the text stays in the file)."""
    return _load()[1]


@functools.lru_cache(maxsize=16)
def texts(framework: str) -> dict[str, str]:
    """ref -> requirement text, for the frameworks that ship text (800-53, CSF)."""
    path = FOLDER / f"{framework}.json"
    if not path.exists():
        return {}
    return {r[0]: r[4] for r in json.loads(path.read_text())["requirements"] if r[4]}


def base(framework: str) -> str | None:
    """The catalog a shipped baseline selects from: a control citing NIST-800-53r5:AC-2 satisfies
    AC-2 in every NIST and FedRAMP Rev 5 baseline."""
    return "NIST-800-53r5" if framework.startswith(("NIST-800-53r5-", "FedRAMP-r5-")) else None


def register(con: duckdb.DuckDBPyConnection) -> None:
    """Make `shipped_requirement` visible to queries on this connection (or cursor)."""
    con.register("shipped_requirement", requirements())


# The Trust Services Criteria's series (AICPA, 2017): no SOC 2 catalog ships (its text is not
# public domain), but a user's SOC 2 list files its criteria under these codes, and a room shown
# 'CC6' without its name had to ask.
TSC_SERIES = {"CC1": "Control Environment", "CC2": "Communication and Information", "CC3": "Risk Assessment",
              "CC4": "Monitoring Activities", "CC5": "Control Activities", "CC6": "Logical and Physical Access Controls",
              "CC7": "System Operations", "CC8": "Change Management", "CC9": "Risk Mitigation", "A1": "Availability",
              "C1": "Confidentiality", "PI1": "Processing Integrity", "P": "Privacy"}


def family_names(framework: str, requirements: pd.DataFrame | None = None) -> dict[str, str]:
    """A framework's family codes and their names: a shipped catalog's own (AC: Access Control), else
    a requirement of the user's catalog whose ref is the family's code (its title), else for a SOC 2
    list the Trust Services series."""
    shipped = {f["framework"]: f["families"] for f in _load()[0]}
    out = {code: name for code, name in dict(shipped.get(framework) or {}).items() if code != name}
    if requirements is not None and not requirements.empty:
        own = requirements[(requirements["framework"] == framework) & (requirements["ref"] == requirements["family"])]
        out |= {r: t for r, t in zip(own["ref"], own["title"]) if r not in out}
    if framework.upper().replace(" ", "").startswith("SOC2"):
        out = TSC_SERIES | out
    return out
