"""The analyst's own workbook back, each bad cell filled and its reason in a cell comment.

Fixing a file is faster in the file: the annotated copy keeps the analyst's layout (an .xlsx or
.xlsm is edited in place; a .csv or .ods becomes an .xlsx of the same rows) and adds a sheet that
lists every problem, including those that belong to no single cell.

Three promises: the copy carries no formula (formulas become their last calculated values, and
text a spreadsheet would evaluate stays text); its cost is linear in the filled cells (a sheet
that declares 100,000 repeated rows costs what it holds); and a workbook openpyxl cannot edit is
rebuilt from the values that were read, so every failure ends in a copy or a sentence.
"""

from __future__ import annotations

import io
import re
from collections import defaultdict
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill

from isms.exports import append_row, protect_cell, protect_cells
from isms.importing.problems import Problem
from isms.importing.reading import FORMULAS_NOTE

FILLS = {"error": PatternFill("solid", fgColor="F4B6B6"), "warning": PatternFill("solid", fgColor="FFE08A")}
PROBLEM_SHEET = "Import problems"
MAX_COMMENTS = 1_000
MAX_LISTED = 5_000
_BAD_TITLE = re.compile(r"[\[\]:*?/\\]")


class AnnotationError(ValueError):
    """No marked copy could be made; the message says why, for the page and the CLI."""


def annotated_workbook(data: bytes, file_format: str, sheets: dict[str, list[list[Any]]],
                       problems: list[Problem]) -> bytes:
    """Bytes of an .xlsx (.xlsm keeps its macros) with the problems marked."""
    note = None
    titles = {name: name for name in sheets}
    wb = None
    if file_format in ("xlsx", "xlsm"):
        try:
            wb = load_workbook(io.BytesIO(data), keep_vba=file_format == "xlsm", rich_text=False, data_only=True)
            for ws in wb.worksheets:
                protect_cells(ws)
        except Exception as exc:  # openpyxl refuses some files calamine reads (odd sheet names, DTDs)
            note = f"the copy was rebuilt from the values read; your formatting is not kept ({type(exc).__name__})"
            wb = None
    if wb is None:
        wb, titles = _rebuilt(sheets)
    if any(not p.cell and p.message.startswith(FORMULAS_NOTE) for p in problems):
        # the copy carries no formula (the promise above): said, so that nobody fixes this copy and
        # loses the formulas of their own workbook with it
        kept = ("this copy holds each formula's last calculated value, not the formula (a formula without one is "
                "empty here): make your fixes in your own workbook")
        note = f"{note}; {kept}" if note else kept
    try:
        marked = _mark(wb, titles, problems)
        if marked > MAX_COMMENTS:
            more = f"{marked:,} cells are marked; the first {MAX_COMMENTS:,} carry their reason in a comment"
            note = f"{note}; {more}" if note else more
        _problem_sheet(wb, problems, note)
        out = io.BytesIO()
        wb.save(out)
    except Exception as exc:
        raise AnnotationError(f"no marked copy could be made ({type(exc).__name__}: {exc}); the problems are "
                              "listed above") from None
    return out.getvalue()


def problems_workbook(problems: list[Problem], note: str) -> bytes:
    """An .xlsx of the problem list alone, with `note` first: what the analyst gets when no
    marked copy of their own workbook could be made."""
    wb = Workbook()
    wb.remove(wb.active)
    _problem_sheet(wb, problems, note)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _title(name: str, taken: set[str]) -> str:
    """A sheet title Excel accepts: no []:*?/\\ and at most 31 characters, unique."""
    base = _BAD_TITLE.sub("_", name)[:31] or "Sheet"
    title, n = base, 2
    while title in taken or title == PROBLEM_SHEET:
        suffix = f" ({n})"
        title, n = base[:31 - len(suffix)] + suffix, n + 1
    taken.add(title)
    return title


def _rebuilt(sheets: dict[str, list[list[Any]]]) -> tuple[Workbook, dict[str, str]]:
    """A new workbook of the rows as read, writing only the filled cells (rows stay where they were)."""
    wb = Workbook()
    wb.remove(wb.active)
    titles: dict[str, str] = {}
    taken: set[str] = set()
    for name, rows in sheets.items():
        titles[name] = _title(name, taken)
        ws = wb.create_sheet(titles[name])
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is not None and value != "":
                    protect_cell(ws.cell(row=r, column=c, value=value))
    return wb, titles


def _mark(wb: Workbook, titles: dict[str, str], problems: list[Problem]) -> int:
    """Fill every problem's cell; comment the first MAX_COMMENTS (a comment costs openpyxl a
    drawing, and 100,000 of them take minutes: the problem sheet lists every one anyway)."""
    by_cell: dict[tuple[str, str], list[Problem]] = defaultdict(list)
    for p in problems:
        title = titles.get(p.sheet, p.sheet)
        if p.row and title in wb.sheetnames:
            by_cell[(title, f"{p.column or 'A'}{p.row}")].append(p)
    for n, ((sheet, ref), found) in enumerate(by_cell.items()):
        cell = wb[sheet][ref]
        worst = "error" if any(p.severity == "error" for p in found) else "warning"
        cell.fill = FILLS[worst]
        if n < MAX_COMMENTS:
            text = "\n".join(f"{p.severity}: {p.message}" for p in found)
            cell.comment = Comment(text[:2000], "ISMS import", width=320, height=min(400, 60 + 40 * len(found)))
    return len(by_cell)


def _problem_sheet(wb: Workbook, problems: list[Problem], note: str | None) -> None:
    if PROBLEM_SHEET in wb.sheetnames:
        wb.remove(wb[PROBLEM_SHEET])
    ws = wb.create_sheet(PROBLEM_SHEET, 0)
    append_row(ws, ["Severity", "Sheet", "Cell", "Column", "Value", "Problem"])
    for c in ws[1]:
        c.font = Font(bold=True)
    if note:
        append_row(ws, ["note", None, None, None, None, note])
    for p in problems[:MAX_LISTED]:
        append_row(ws, [p.severity, p.sheet, p.cell, p.header, None if p.value is None else str(p.value), p.message])
        ws.cell(ws._current_row, 1).fill = FILLS[p.severity]
    if len(problems) > MAX_LISTED:
        append_row(ws, ["note", None, None, None, None, f"and {len(problems) - MAX_LISTED:,} more problems: their cells "
                                                        "are filled in the sheets"])
    for col, width in zip("ABCDEF", (10, 22, 10, 24, 24, 90)):
        ws.column_dimensions[col].width = width
