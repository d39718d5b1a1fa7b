"""The analyst's own workbook back, each bad cell filled and its reason in a cell comment.

Fixing a file is faster in the file: the annotated copy keeps the analyst's layout (an .xlsx or
.xlsm is edited in place; a .csv or .ods becomes an .xlsx of the same rows) and adds a sheet that
lists every problem, including those that belong to no single cell.
"""

from __future__ import annotations

import io
from collections import defaultdict
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill

from isms.importing.problems import Problem

FILLS = {"error": PatternFill("solid", fgColor="F4B6B6"), "warning": PatternFill("solid", fgColor="FFE08A")}
PROBLEM_SHEET = "Import problems"


def _text_safe(ws, row: list[Any]) -> None:
    """Append a row; text that a spreadsheet would evaluate (=, +, -, @) stays text."""
    ws.append(row)
    for cell in ws[ws.max_row]:
        if isinstance(cell.value, str) and cell.value[:1] in ("=", "+", "-", "@"):
            cell.data_type = "s"
            cell.quotePrefix = True


def annotated_workbook(data: bytes, file_format: str, sheets: dict[str, list[list[Any]]],
                       problems: list[Problem]) -> bytes:
    """Bytes of an .xlsx (.xlsm keeps its macros) with the problems marked."""
    if file_format in ("xlsx", "xlsm"):
        wb = load_workbook(io.BytesIO(data), keep_vba=file_format == "xlsm", rich_text=False)
    else:
        wb = Workbook()
        wb.remove(wb.active)
        for name, rows in sheets.items():
            ws = wb.create_sheet(name[:31])
            for row in rows:
                _text_safe(ws, list(row))
    by_cell: dict[tuple[str, str], list[Problem]] = defaultdict(list)
    for p in problems:
        if p.row and p.sheet in wb.sheetnames:
            by_cell[(p.sheet, f"{p.column or 'A'}{p.row}")].append(p)
    for (sheet, ref), found in by_cell.items():
        cell = wb[sheet][ref]
        worst = "error" if any(p.severity == "error" for p in found) else "warning"
        cell.fill = FILLS[worst]
        text = "\n".join(f"{p.severity}: {p.message}" for p in found)
        cell.comment = Comment(text[:2000], "ISMS import", width=320, height=min(400, 60 + 40 * len(found)))
    if PROBLEM_SHEET in wb.sheetnames:
        wb.remove(wb[PROBLEM_SHEET])
    ws = wb.create_sheet(PROBLEM_SHEET, 0)
    _text_safe(ws, ["Severity", "Sheet", "Cell", "Column", "Value", "Problem"])
    for c in ws[1]:
        c.font = Font(bold=True)
    for p in problems:
        _text_safe(ws, [p.severity, p.sheet, p.cell, p.header, None if p.value is None else str(p.value), p.message])
        ws.cell(ws.max_row, 1).fill = FILLS[p.severity]
    for col, width in zip("ABCDEF", (10, 22, 10, 24, 24, 90)):
        ws.column_dimensions[col].width = width
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
