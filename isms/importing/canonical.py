"""The canonical template's vocabulary (sheet names, headers, the About sheet), the shapes an
import produces (plan, outcome), and the path the sample ISMS is built by.

A template workbook goes through the same pipeline as any analyst's file (isms.importing.mapped):
it is simply the layout in which every sheet and header matches exactly, so there is one set of
rules for reading, validating and committing.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from isms.matrix import RiskMatrix
from isms.importing.problems import Problem, errors

ABOUT_SHEET = "About"
# The blank template's guide to every column; never data, so the importer ignores it.
INSTRUCTIONS_SHEET = "Instructions"


def fold(header: Any) -> str:
    """'Risk ID ' -> 'risk_id': case, spaces and punctuation do not matter in a header."""
    return re.sub(r"[^0-9a-z]+", "_", str(header).strip().casefold()).strip("_")


_ACRONYMS = {"annex a": "Annex A", "nist": "NIST", "id": "ID", "ids": "IDs"}


def header_label(field_name: str) -> str:
    """The header the template writes for a model field: 'risk_id' -> 'Risk ID', 'annex_a_theme' ->
    'Annex A theme'. Headers are matched after folding case, so any spelling still imports."""
    words = field_name.replace("_", " ").capitalize()
    for plain, proper in _ACRONYMS.items():
        words = re.sub(rf"\b{plain}\b", proper, words, flags=re.IGNORECASE)
    return words


@dataclass
class ImportPlan:
    """What an import would write, and every problem that stops it or deserves a look."""

    file_name: str
    sha256: str
    as_of: dt.date
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not errors(self.problems)

    @property
    def row_counts(self) -> dict[str, int]:
        return {k: len(v) for k, v in self.frames.items()}


@dataclass(frozen=True)
class ImportOutcome:
    status: str  # committed, unchanged, refused, dry-run
    file_name: str
    as_of: dt.date
    batch_id: int | None
    row_counts: dict[str, int]
    problems: list[Problem]

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "file": self.file_name,
            "as_of": self.as_of.isoformat(),
            "batch_id": self.batch_id,
            "row_counts": self.row_counts,
            "problems": [p.as_dict() for p in self.problems],
        }


def plan_import(
    data: bytes,
    file_name: str,
    matrix: RiskMatrix,
    *,
    as_of: dt.date | None = None,
    con: duckdb.DuckDBPyConnection | None = None,
    max_rows: int = 200_000,
) -> ImportPlan:
    """Read and validate a workbook; writes nothing. A template file is the case of the analyst
    import (isms.importing.mapped) in which every header matches, so both take one pipeline."""
    from isms.importing.mapped import build_plan

    return build_plan(data, file_name, matrix, as_of=as_of, con=con, max_rows=max_rows, max_bytes=len(data) + 1)


def import_file(
    con: duckdb.DuckDBPyConnection,
    path: str | Path,
    matrix: RiskMatrix,
    *,
    as_of: dt.date | None = None,
    imported_by: str = "cli",
    dry_run: bool = False,
    source: str = "canonical",
    max_rows: int = 200_000,
    data: bytes | None = None,
) -> ImportOutcome:
    """Plan, then commit in one transaction unless refused, a dry run, or already imported."""
    from isms.importing.mapped import commit

    path = Path(path)
    if data is None:
        data = path.read_bytes()
    plan = plan_import(data, path.name, matrix, as_of=as_of, con=con, max_rows=max_rows)
    return commit(con, plan, imported_by, dry_run=dry_run, source=source)
