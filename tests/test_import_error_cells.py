"""A cell that shows an Excel error (#N/A, #DIV/0!: a formula that failed) is given as empty by
every reader, so the import says so at the cell rather than taking it silently for a blank: a
warning at each such cell of the table's imported columns, none for columns not imported or
cells outside the table.

Expected cells and values are written here by hand from the workbooks the tests build.
"""

import datetime as dt
import io
import re
import zipfile

import pytest

from openpyxl import Workbook

from isms.importing.isolation import ReadLimits
from isms.importing.pipeline import build_plan
from isms.importing.reading import read_workbook
from isms.matrix import PRESETS
from tests.hostile_files import _xlsx

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


@pytest.mark.parametrize("stray", [False, True], ids=["calamine", "cell by cell"])
def test_each_error_cell_of_an_imported_column_is_a_warning_at_its_cell(stray):
    """The same whichever reader: with a far stray cell the sheet is read cell by cell (openpyxl,
    which gives an error's text), and the cells the scan placed are emptied as calamine gives them."""
    plan = plan_of(register(stray=stray))  # through the reader child, as an upload is read
    shown = [(p.cell, p.header, p.value, p.message, p.severity) for p in plan.problems if "Excel error" in p.message]
    read_as_empty = "(a formula that failed, or the error typed in): read as empty"
    assert shown == [
        ("H3", "Target likelihood", "#N/A", f"the cell shows the Excel error #N/A {read_as_empty}", "warning"),
        ("I3", "Target impact", "#N/A", f"the cell shows the Excel error #N/A {read_as_empty}", "warning"),
        ("D4", "Inherent likelihood", "#VALUE!", f"the cell shows the Excel error #VALUE! {read_as_empty}", "warning"),
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


def sheet_of(rows: list[list], title: str = "Risks") -> bytes:
    return _xlsx(rows, title)


def excel_errors(data: bytes) -> list[tuple]:
    plan = plan_of(data, isolated=False)
    return [(p.cell, p.value, p.message.split(":")[0]) for p in plan.problems if "Excel error" in p.message]


FAILED = "(a formula that failed, or the error typed in)"


def test_a_formula_filled_down_past_the_table_says_nothing_of_its_blank_rows():
    rows = [HEADERS[:7] + ["Lookup"], ["R-1", "a", "o", 3, 4, 2, 3, "#N/A"], ["R-2", "b", "o", 2, 2, 1, 1, 1]]
    rows += [[None] * 7 + ["#N/A"] for _ in range(30)]  # rows 4 to 33: nothing but the failed lookup
    assert excel_errors(sheet_of(rows)) == []  # Lookup is not imported: not even R-1's H2
    rows[0][7] = "Residual score"
    assert excel_errors(sheet_of(rows)) == [("H2", "#N/A", f"the cell shows the Excel error #N/A {FAILED}")]


def test_a_header_that_shows_an_error_is_said_to_leave_its_column_unread():
    rows = [["Risk ID", "Title", "Owner", "#REF!", "Inherent impact"], ["R-1", "a", "o", 3, 4]]
    assert excel_errors(sheet_of(rows)) == [("D1", "#REF!", "the header cell shows the Excel error #REF!")]


def test_a_row_per_indicator_sheet_warns_only_for_its_indicator_and_month_columns():
    rows = [["KRI", "2026-07-31", "2026-08-31", "Notes"], ["KRI-1", 5, "#DIV/0!", "#N/A"], ["KRI-2", 3, 4, "ok"]]
    assert excel_errors(sheet_of(rows, "Monitoring results")) == [
        ("C2", "#DIV/0!", f"the cell shows the Excel error #DIV/0! {FAILED}")]


def rewritten(data: bytes, change) -> bytes:
    src, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            name, body = change(info.filename, src.read(info))
            dst.writestr(name, body)
    return out.getvalue()


def test_error_cells_without_an_address_are_counted_in_a_sentence():
    rows = [HEADERS[:7], ["R-1", "a", "#N/A", 3, 4, 2, 3], ["R-2", "b", "o", 2, 2, 1, 1]]

    def unaddressed(name, body):
        return name, (re.sub(rb'<c r="C2"', b"<c", body) if name == "xl/worksheets/sheet1.xml" else body)

    plan = plan_of(rewritten(sheet_of(rows), unaddressed), isolated=False)
    [said] = [p.message for p in plan.problems if "Excel error" in p.message]
    assert said.startswith("1 more cell(s) show an Excel error and are read as empty without being named here")


def test_a_worksheet_part_of_any_name_is_scanned():
    """The relationships name a sheet's part; Excel calls them sheetN.xml, other writers need not."""
    rows = [HEADERS[:7], ["R-1", "a", "o", 3, 4, 2, "#N/A"], ["R-2", "b", "o", 2, 2, 1, 1]]

    def renamed(name, body):
        if name == "xl/worksheets/sheet1.xml":
            return "xl/worksheets/risks.xml", body
        return name, body.replace(b"worksheets/sheet1.xml", b"worksheets/risks.xml")

    data = rewritten(sheet_of(rows), renamed)
    assert "xl/worksheets/risks.xml" in zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert [c for c, _, _ in excel_errors(data)] == ["G2"]


def rated(rows: list[list]) -> tuple[list[tuple], object]:
    plan = plan_of(sheet_of([HEADERS[:7], *rows]), isolated=False)
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


def test_a_csv_cell_that_holds_an_excel_error_code_is_read_as_empty_and_said():
    """Excel saves a cell that shows an error as its code: '#N/A' is no owner's name."""
    text = "\n".join([",".join(HEADERS[:7]), "R-1,Phishing,#N/A,3,4,2,3", "R-2,Ransomware,CISO,#DIV/0!,5,2,3",
                      "R-3,Lost laptop,IT,2,2,1,2", "R-4,#hashtag title,IT,2,2,1,2"])
    plan = build_plan(text.encode(), "Risks.csv", MATRIX, as_of=dt.date(2026, 9, 30), max_bytes=10**8)
    shown = [(p.cell, p.value) for p in plan.problems if "Excel error" in p.message]
    assert shown == [("C2", "#N/A"), ("D3", "#DIV/0!")]
    risks = plan.frames["risks"].set_index("risk_id")
    assert risks.loc["R-1", "owner"] != "#N/A" and risks.loc["R-4", "title"] == "#hashtag title"
    assert [(p.cell, p.severity) for p in plan.problems if "given but not" in p.message] == [("D3", "error")]
