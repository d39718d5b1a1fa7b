"""Exported cells that a spreadsheet would run as a formula are written as text.

OWASP's CSV-injection guidance: a cell beginning with =, +, - or @ (or a tab or carriage return,
which some spreadsheets skip before looking) is a formula to Excel and LibreOffice. A CSV cell
gets a leading apostrophe; an XLSX cell is typed as text with Excel's quote prefix.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(value: Any) -> bool:
    return isinstance(value, str) and value[:1] in FORMULA_TRIGGERS


def neutralise(value: Any) -> Any:
    return "'" + value if is_formula_like(value) else value


def to_csv(df: pd.DataFrame) -> bytes:
    """The frame as UTF-8 CSV (with a BOM, so Excel reads the accents), every text cell neutralised."""
    safe = df.copy()
    safe.columns = [neutralise(str(c)) for c in safe.columns]
    for col in safe.columns:
        if not pd.api.types.is_numeric_dtype(safe[col]) and not pd.api.types.is_datetime64_any_dtype(safe[col]):
            safe[col] = safe[col].map(neutralise)
    return safe.to_csv(index=False).encode("utf-8-sig")


def protect_cell(cell) -> None:
    """One openpyxl cell: formula-like text is typed as text and shown with Excel's quote prefix."""
    if is_formula_like(cell.value):
        cell.data_type = "s"
        cell.quotePrefix = True


def append_row(ws, values: list[Any]) -> None:
    """Append a row to an openpyxl worksheet, every formula-like text kept as text. Constant work
    per cell: it never asks the sheet for its size (`ws.max_row` walks every cell)."""
    ws.append(values)
    row = ws._current_row
    for col in range(1, len(values) + 1):
        cell = ws._cells.get((row, col))
        if cell is not None:
            protect_cell(cell)


def protect_cells(ws) -> None:
    """Make every formula-like text cell of an openpyxl worksheet plain text; visits only the
    cells that exist, so a sparse sheet costs its cells, not its rectangle."""
    for cell in list(ws._cells.values()):
        protect_cell(cell)
