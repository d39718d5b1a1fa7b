"""The canonical import: the template workbook (a sheet per kind, headers as in data/templates).

This is the path the sample ISMS and scheduled CLI imports take. It is strict about layout
(sheet names and headers come from the template) but still reports every problem at once, with
the cell address, before anything is written.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
from pydantic import ValidationError
from python_calamine import CalamineError, CalamineWorkbook

from isms.matrix import RiskMatrix
from isms.importing.problems import Problem, column_letter, errors
from isms.models import KINDS, Record
from isms.store import queries
from isms.store.writes import commit_batch, find_batch

SHEET_TO_KIND = {sheet.casefold(): kind for kind, (sheet, _, _) in KINDS.items()}
ABOUT_SHEET = "About"
_SPLIT = re.compile(r"[,;\n]+")


def fold(header: Any) -> str:
    """'Risk ID ' -> 'risk_id': case, spaces and punctuation do not matter in a header."""
    return re.sub(r"[^0-9a-z]+", "_", str(header).strip().casefold()).strip("_")


def header_label(field_name: str) -> str:
    """The header the template writes for a model field: 'risk_id' -> 'Risk id'."""
    return field_name.replace("_", " ").capitalize()


def _list_fields(model: type[Record]) -> set[str]:
    return {
        name
        for name, info in model.model_fields.items()
        if typing.get_origin(info.annotation) is list
    }


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


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    if isinstance(value, dt.datetime):
        return value.date() if value.time() == dt.time() else value
    return value


def _as_of_from_about(wb: CalamineWorkbook) -> dt.date | None:
    names = {n.casefold(): n for n in wb.sheet_names}
    if ABOUT_SHEET.casefold() not in names:
        return None
    for row in wb.get_sheet_by_name(names[ABOUT_SHEET.casefold()]).to_python():
        if len(row) >= 2 and fold(row[0]) == "as_of":
            value = _clean(row[1])
            if isinstance(value, dt.datetime):
                return value.date()
            if isinstance(value, dt.date):
                return value
            if isinstance(value, str):
                try:
                    return dt.date.fromisoformat(value)
                except ValueError:
                    return None
    return None


def _read_sheet(kind: str, sheet: str, rows: list[list[Any]], matrix: RiskMatrix, problems: list[Problem]) -> pd.DataFrame:
    _, model, key = KINDS[kind]
    fields = list(model.model_fields)
    lists = _list_fields(model)
    if not rows:
        problems.append(Problem(sheet, None, None, None, None, "the sheet is empty: it needs a header row"))
        return pd.DataFrame(columns=fields)
    header = rows[0]
    col_of: dict[str, int] = {}
    for idx, name in enumerate(header):
        if name in ("", None):
            continue
        f = fold(name)
        if f in model.model_fields and f not in col_of:
            col_of[f] = idx
        else:
            problems.append(Problem(sheet, 1, column_letter(idx), str(name), None, "unknown column, ignored", "warning"))
    missing = [f for f, info in model.model_fields.items() if info.is_required() and f not in col_of]
    if missing:
        problems.append(
            Problem(sheet, 1, None, None, None, "required column(s) missing: " + ", ".join(header_label(m) for m in missing))
        )
        return pd.DataFrame(columns=fields)

    level_fields = [f for f in fields if f.endswith("likelihood") or f.endswith("impact")]
    records: list[dict[str, Any]] = []
    seen: dict[tuple, int] = {}
    for offset, raw in enumerate(rows[1:]):
        excel_row = offset + 2
        if all(_clean(v) is None for v in raw):
            continue
        values: dict[str, Any] = {}
        for f, idx in col_of.items():
            v = _clean(raw[idx]) if idx < len(raw) else None
            if f in lists:
                v = [p.strip() for p in _SPLIT.split(str(v)) if p.strip()] if v is not None else []
            elif isinstance(v, float) and v.is_integer() and f in level_fields:
                v = int(v)
            if v is not None:
                values[f] = v
        try:
            rec = model.model_validate(values)
        except ValidationError as exc:
            for err in exc.errors():
                loc = err["loc"][0] if err["loc"] else None
                idx = col_of.get(loc) if isinstance(loc, str) else None
                problems.append(
                    Problem(
                        sheet,
                        excel_row,
                        column_letter(idx) if idx is not None else None,
                        header_label(loc) if isinstance(loc, str) else None,
                        values.get(loc) if isinstance(loc, str) else None,
                        err["msg"].removeprefix("Value error, "),
                    )
                )
            continue
        dumped = rec.model_dump(mode="python")
        bad_scale = False
        for f in level_fields:
            v = dumped.get(f)
            limit = matrix.steps_likelihood if f.endswith("likelihood") else matrix.steps_impact
            if v is not None and v > limit:
                bad_scale = True
                problems.append(
                    Problem(sheet, excel_row, column_letter(col_of[f]), header_label(f), v,
                            f"the {matrix.name} matrix has {limit} steps: {v} is off the scale")
                )
        k = tuple(dumped[c] for c in key)
        if k in seen:
            problems.append(
                Problem(sheet, excel_row, column_letter(col_of[key[0]]), header_label(key[0]), ", ".join(map(str, k)),
                        f"duplicate of row {seen[k]}: each {' + '.join(header_label(c) for c in key)} may appear once")
            )
            continue
        seen[k] = excel_row
        if not bad_scale:
            records.append({f: (v.value if hasattr(v, "value") else v) for f, v in dumped.items()})
    return pd.DataFrame.from_records(records, columns=fields)


def _check_references(con: duckdb.DuckDBPyConnection | None, plan: ImportPlan) -> None:
    """Rows that point at a risk, treatment or metric that neither the file nor the store has."""

    def known(kind: str, column: str) -> set[str]:
        ids = set(plan.frames[kind][column]) if kind in plan.frames else set()
        if con is not None:
            ids |= queries.known_ids(con, kind, plan.as_of)
        return ids

    checks = [
        ("assessments", "risk_id", "risks", "risk"),
        ("treatments", "risk_id", "risks", "risk"),
        ("exceptions", "risk_id", "risks", "risk"),
        ("treatment_updates", "treatment_id", "treatments", "treatment"),
        ("monitoring_results", "metric_id", "metrics", "metric"),
    ]
    for kind, column, target, noun in checks:
        if kind not in plan.frames or plan.frames[kind].empty:
            continue
        ids = known(target, column)
        df = plan.frames[kind]
        unknown = df[df[column].notna() & ~df[column].isin(ids)]
        for value in sorted(set(unknown[column])):
            plan.problems.append(
                Problem(KINDS[kind][0], None, None, header_label(column), value,
                        f"no {noun} {value!r} in this file or in the register as of {plan.as_of}")
            )


def plan_import(
    data: bytes,
    file_name: str,
    matrix: RiskMatrix,
    *,
    as_of: dt.date | None = None,
    con: duckdb.DuckDBPyConnection | None = None,
    max_rows: int = 200_000,
) -> ImportPlan:
    """Read and validate a template workbook; writes nothing."""
    sha = hashlib.sha256(data).hexdigest()
    plan = ImportPlan(file_name=file_name, sha256=sha, as_of=as_of or dt.date.today())
    if not data:
        plan.problems.append(Problem(file_name, None, None, None, None, "the file is empty"))
        return plan
    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except (CalamineError, ValueError, OSError) as exc:
        plan.problems.append(Problem(file_name, None, None, None, None, f"not a readable workbook ({type(exc).__name__}: {exc})"))
        return plan
    if as_of is None:
        plan.as_of = _as_of_from_about(wb) or plan.as_of
    for sheet in wb.sheet_names:
        kind = SHEET_TO_KIND.get(sheet.strip().casefold())
        if kind is None:
            if sheet.strip().casefold() not in (ABOUT_SHEET.casefold(), "instructions"):
                plan.problems.append(Problem(sheet, None, None, None, None, "not a template sheet, ignored", "warning"))
            continue
        try:
            rows = wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        except CalamineError as exc:
            plan.problems.append(Problem(sheet, None, None, None, None, f"cannot read the sheet: {exc}"))
            continue
        if len(rows) - 1 > max_rows:
            plan.problems.append(Problem(sheet, None, None, None, None, f"{len(rows) - 1} rows is over the limit of {max_rows}"))
            continue
        plan.frames[kind] = _read_sheet(kind, sheet, rows, matrix, plan.problems)
    if not plan.frames:
        plan.problems.append(
            Problem(file_name, None, None, None, None,
                    "no template sheet found; expected one of: " + ", ".join(s for s, _, _ in KINDS.values()))
        )
    else:
        _check_references(con, plan)
    return plan


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
    path = Path(path)
    if data is None:
        data = path.read_bytes()
    plan = plan_import(data, path.name, matrix, as_of=as_of, con=con, max_rows=max_rows)
    if not plan.ok:
        return ImportOutcome("refused", plan.file_name, plan.as_of, None, plan.row_counts, plan.problems)
    existing = find_batch(con, plan.sha256, plan.as_of)
    if existing is not None:
        return ImportOutcome("unchanged", plan.file_name, plan.as_of, existing, plan.row_counts, plan.problems)
    if dry_run:
        return ImportOutcome("dry-run", plan.file_name, plan.as_of, None, plan.row_counts, plan.problems)
    batch_id = commit_batch(
        con, source=source, file_name=plan.file_name, sha256=plan.sha256, as_of=plan.as_of,
        imported_by=imported_by, frames=plan.frames,
    )
    return ImportOutcome("committed", plan.file_name, plan.as_of, batch_id, plan.row_counts, plan.problems)
