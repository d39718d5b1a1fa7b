"""A cell that shows an Excel error (#N/A, #DIV/0!: a formula that failed) is given as empty by
every reader, so the import says so at the cell rather than taking it silently for a blank: a
warning at each such cell of the table's imported columns, none for columns not imported or
cells outside the table.

Expected cells and values are written here by hand from the workbooks the tests build.
"""

import datetime as dt
import io

from openpyxl import Workbook

from isms.importing.isolation import ReadLimits
from isms.importing.pipeline import build_plan
from isms.importing.reading import read_workbook
from isms.matrix import PRESETS

HEADERS = ["Risk ID", "Title", "Owner", "Inherent likelihood", "Inherent impact", "Residual likelihood",
           "Residual impact", "Target likelihood", "Target impact", "Notes"]
MATRIX = PRESETS["5x5"]


def register(stray: bool = False) -> bytes:
    """A title row, the header (row 2), three risks, then a footnote below blank rows; errors in
    imported columns (H3, I3, D4), in a column not imported (J3) and in a footnote below the table (B9)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Risks"
    ws.append(["Risk register (title)"])
    ws.append(HEADERS)
    ws.append(["R-1", "Phishing", "CISO", 3, 4, 2, 3, "#N/A", "#N/A", "#DIV/0!"])
    ws.append(["R-2", "Ransomware", "CISO", "#VALUE!", 5, 2, 3, 1, 1, "fine"])
    ws.append(["R-3", "Lost laptop", "IT", 2, 2, 1, 2, 1, 1, None])
    ws.append([])
    ws.append([])
    ws.append([])
    ws.append(["Scores as of the last review", "#REF!"])
    if stray:  # a far stray cell: the sheet is read by its cells (openpyxl), which keeps an error's text
        ws["XFD5000"] = "x"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def plan_of(data: bytes, isolated: bool = True):
    limits = ReadLimits(10**8, 10_000) if isolated else None
    return build_plan(data, "register.xlsx", MATRIX, as_of=dt.date(2026, 9, 30), max_bytes=10**8, isolated=limits)


def test_error_cells_are_placed_by_the_read():
    [sheet] = read_workbook(register(), "register.xlsx", max_bytes=10**8, max_rows=1000).sheets
    assert sheet.errors == {(2, 7): "#N/A", (2, 8): "#N/A", (2, 9): "#DIV/0!", (3, 3): "#VALUE!", (8, 1): "#REF!"}
    assert sheet.error_cells == 5
    assert sheet.rows[2][7] == "" and sheet.rows[3][3] == ""  # what every reader gives such a cell


def test_each_error_cell_of_an_imported_column_is_a_warning_at_its_cell():
    plan = plan_of(register())  # through the reader child, as an upload is read
    shown = [(p.cell, p.header, p.value, p.message, p.severity) for p in plan.problems if "Excel error" in p.message]
    assert shown == [
        ("H3", "Target likelihood", "#N/A", "the cell shows the Excel error #N/A (a formula that failed): read as empty", "warning"),
        ("I3", "Target impact", "#N/A", "the cell shows the Excel error #N/A (a formula that failed): read as empty", "warning"),
        ("D4", "Inherent likelihood", "#VALUE!", "the cell shows the Excel error #VALUE! (a formula that failed): read as empty",
         "warning"),
    ]  # not J3 (Notes is not imported), nor B9 (below the table's end)
    risks = plan.frames["risks"].set_index("risk_id")
    assert sorted(risks.index) == ["R-1", "R-2", "R-3"]
    assessed = plan.frames["assessments"].set_index("risk_id")
    # R-1 is assessed without a target (both target cells failed); R-2 gives an inherent impact
    # without its likelihood (the failed cell): its assessment is refused, at that cell
    assert sorted(assessed.index) == ["R-1", "R-3"]
    assert [(p.cell, p.severity) for p in plan.problems if "given but not" in p.message] == [("D4", "error")]
    assert assessed.loc["R-1", ["target_likelihood", "target_impact"]].isna().all()
    assert int(assessed.loc["R-3", "target_likelihood"]) == 1


def test_a_sheet_read_by_its_cells_keeps_the_error_text_and_says_nothing_of_empty_cells():
    """openpyxl, which reads a sparse sheet, gives an error cell's text: the cell is then not a
    likelihood, an error at the cell, and its row is left out."""
    plan = plan_of(register(stray=True))
    assert not [p for p in plan.problems if "read as empty" in p.message]
    refused = [(p.cell, p.value, p.severity) for p in plan.problems if p.cell in ("D4", "H3", "I3")]
    assert sorted(refused) == [("D4", "#VALUE!", "error"), ("H3", "#N/A", "error"), ("I3", "#N/A", "error")]
    assert list(plan.frames["assessments"]["risk_id"]) == ["R-3"]


def rated(rows: list[list]) -> tuple[list[tuple], object]:
    wb = Workbook()
    ws = wb.active
    ws.title = "Risks"
    ws.append(HEADERS[:7])
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    plan = plan_of(out.getvalue(), isolated=False)
    return [(p.cell, p.message, p.severity) for p in plan.problems if p.cell != "row 1"], plan.frames["assessments"]


def test_half_an_inherent_or_residual_rating_is_refused_not_replaced():
    """An inherent impact of 5 without its likelihood was taken silently as the residual pair
    (impact 3): a rating dropped. Half a pair is now an error at its empty cell."""
    problems, assessed = rated([["R-1", "a", "o", None, 5, 2, 3], ["R-2", "b", "o", 4, 4, 3, None],
                                ["R-3", "c", "o", 2, 2, 1, 2]])
    assert problems == [("D2", "the inherent impact is given but not the likelihood: give both, or neither", "error"),
                        ("G3", "the residual likelihood is given but not the impact: give both, or neither", "error")]
    assert assessed[["risk_id", "inherent_likelihood", "inherent_impact"]].values.tolist() == [["R-3", 2, 2]]


def test_an_unrated_inherent_risk_takes_the_residual_rating_and_says_so():
    problems, assessed = rated([["R-1", "a", "o", None, None, 2, 3], ["R-2", "b", "o", 4, 4, None, None]])
    assert problems == [("D2", "inherent risk not rated: the residual rating is used as the inherent", "warning"),
                        ("F3", "residual risk not rated: the inherent rating is used as the residual", "warning")]
    assert assessed[["risk_id", "inherent_likelihood", "inherent_impact", "residual_likelihood", "residual_impact"]
                    ].values.tolist() == [["R-1", 2, 3, 2, 3], ["R-2", 4, 4, 4, 4]]
