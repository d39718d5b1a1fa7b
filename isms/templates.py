"""Writing workbooks in the canonical template layout (openpyxl, which writes validation lists).

The sample ISMS and the blank import template come from the same writer, so the sample is
always a file that an analyst could have filled in by hand.
"""

from __future__ import annotations

import datetime as dt
import typing
from enum import Enum
from pathlib import Path
from typing import Any, Iterable

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from isms.exports import is_formula_like
from isms.importing.canonical import ABOUT_SHEET, header_label
from isms.models import KINDS

HEADER_FILL = PatternFill("solid", fgColor="1F3864")
HEADER_FONT = Font(color="FFFFFF", bold=True)


def _enum_of(annotation: Any) -> type[Enum] | None:
    for arg in (annotation, *typing.get_args(annotation)):
        if isinstance(arg, type) and issubclass(arg, Enum):
            return arg
    return None


def _safe(value: Any) -> Any:
    """Plain cell values for openpyxl; see `_append` for text a spreadsheet would evaluate."""
    if isinstance(value, Enum):
        value = value.value
    if isinstance(value, (list, tuple)):
        value = ", ".join(map(str, value))
    return value


def _append(ws, values: list[Any]) -> None:
    """Append a row; text beginning with =, +, - or @ stays text (OWASP CSV/formula injection)."""
    ws.append(values)
    for cell in ws[ws.max_row]:
        if is_formula_like(cell.value):
            cell.data_type = "s"
            cell.quotePrefix = True


def write_workbook(
    path: str | Path,
    rows_by_kind: dict[str, Iterable[dict[str, Any]]],
    *,
    as_of: dt.date | None = None,
    title: str = "ISMS import",
    levels: int = 5,
    validation_rows: int = 1000,
) -> Path:
    """One sheet per kind given (in template order), header row from the models, an About sheet."""
    wb = Workbook()
    about = wb.active
    about.title = ABOUT_SHEET
    about.append([title])
    about["A1"].font = Font(bold=True, size=14)
    about.append(["As of", as_of])
    about.append([])
    about.append(["Each sheet holds one kind of record; headers must stay as written."])
    about.append(["Registers (Assets, Risks, Treatments, Metrics, Exceptions) are the whole register as of the date above."])
    about.append(["Assessments, TreatmentUpdates and MonitoringResults are dated events and accumulate."])
    about.append(["Lists (controls, asset ids) take several values separated by commas."])
    about.column_dimensions["A"].width = 16
    about.column_dimensions["B"].width = 14
    if as_of:
        about["B2"].number_format = "yyyy-mm-dd"
    for kind, (sheet, model, _) in KINDS.items():
        if kind not in rows_by_kind:
            continue
        ws = wb.create_sheet(sheet)
        fields = list(model.model_fields)
        ws.append([header_label(f) for f in fields])
        for cell in ws[1]:
            cell.fill, cell.font = HEADER_FILL, HEADER_FONT
        ws.freeze_panes = "A2"
        for rec in rows_by_kind[kind]:
            _append(ws, [_safe(rec.get(f)) for f in fields])
        last = max(ws.max_row, validation_rows)
        for idx, f in enumerate(fields, start=1):
            col = get_column_letter(idx)
            ws.column_dimensions[col].width = max(12, min(40, len(header_label(f)) + 4))
            info = model.model_fields[f]
            enum = _enum_of(info.annotation)
            if enum is not None:
                choices = ",".join(e.value for e in enum)
                if len(choices) <= 255:
                    dv = DataValidation(type="list", formula1=f'"{choices}"', allow_blank=not info.is_required())
                    dv.error = f"Choose one of: {choices}"
                    ws.add_data_validation(dv)
                    dv.add(f"{col}2:{col}{last}")
            elif f.endswith("likelihood") or f.endswith("impact"):
                dv = DataValidation(type="whole", operator="between", formula1="1", formula2=str(levels))
                dv.error = f"A whole number from 1 to {levels}"
                ws.add_data_validation(dv)
                dv.add(f"{col}2:{col}{last}")
            if "on" == f.rsplit("_", 1)[-1] or f == "period":
                for row in ws.iter_rows(min_row=2, min_col=idx, max_col=idx):
                    row[0].number_format = "yyyy-mm-dd"
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def write_blank_template(path: str | Path, levels: int = 5) -> Path:
    return write_workbook(path, {kind: [] for kind in KINDS}, title="ISMS import template", levels=levels)
