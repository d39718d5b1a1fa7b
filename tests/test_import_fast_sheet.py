"""A long xlsx sheet read through fastexcel (isms.importing.fast_sheet) gives exactly the rows
calamine gives: the same cells, of the same types, in the same places.

The expected rows are calamine's own, read from the same bytes with the fast path switched off:
an independent reader of the file, not this module run twice. The top block is made small (3 rows)
so the real registers of ../shared (mostly a few dozen rows) are read the fast way too; a sheet
fastexcel would type differently (times, datetimes, mixed columns, durations) must be declined,
and is read by calamine, still the same rows.
"""

import datetime as dt
import io
import re
import threading
import zipfile

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.styles import PatternFill
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from bench.bench_import import assessments_workbook
from isms.importing import columns, fast_sheet, reading
from tests.conftest import ROOT
from tests.test_import_columns import same

SHARED = ROOT.parent / "shared" / "registers"


def workbook(epoch1904: bool = False, n: int = 60) -> bytes:
    """A table that starts at C3 under a title, with a note far to its right, and one sheet per kind
    of column."""
    wb = Workbook()
    if epoch1904:
        wb.epoch = CALENDAR_MAC_1904
    ws = wb.active
    ws.title = "Offset"
    ws["C2"], ws["H1"] = "Risk register (title)", "a note far to the right"
    for j, header in enumerate(["ID", "Assessed", "Score", "Accepted", "Empty", "Comment"]):
        ws.cell(3, 3 + j, header)
    for i in range(4, 4 + n):
        ws.cell(i, 3, f"R-{i}")
        ws.cell(i, 4, dt.date(2024, 1, 1) + dt.timedelta(days=i))
        ws.cell(i, 5, i * 1.25 if i % 7 else None)
        ws.cell(i, 6, i % 3 == 0)
        ws.cell(i, 8, "" if i % 4 else f"note {i}")
    kinds = {
        "Numbers": lambda i: i, "Errors": lambda i: "#N/A" if i % 5 == 0 else 2.5,
        "Booleans": lambda i: None if i % 4 == 0 else i % 3 == 0,
        "Dates": lambda i: dt.date(2025, 1, 1) + dt.timedelta(days=i),
        "Text with errors": lambda i: "#DIV/0!" if i % 5 == 0 else ("" if i % 3 == 0 else f"t{i}"),
        # fastexcel reads words like these as missing numbers, dates or yes/no: declined
        "Numbers and NA": lambda i: "N/A" if i == 7 else (None if i == 3 else float(i)),
        "Dates and null": lambda i: "null" if i == 7 else dt.date(2025, 1, 1) + dt.timedelta(days=i),
        "Booleans and None": lambda i: "None" if i == 7 else i % 2 == 0,
        "Numbers and nan": lambda i: "nan" if i == 7 else float(i),
        # fastexcel types these otherwise than calamine's cells: declined
        "Dates with blanks": lambda i: dt.date(2025, 1, 1) + dt.timedelta(days=i) if i % 6 else None,
        "Serials past 9999": lambda i: 20240115.0 if i == 7 else 45000.0 + i,
        "Huge serials": lambda i: 1e12 if i == 7 else 45000.0 + i,
        "Times": lambda i: dt.time(9, i % 60), "Datetimes": lambda i: dt.datetime(2024, 1, 1, 12, i % 60),
        "Dates with noise": lambda i: 45000.0000001 + i, "Mixed": lambda i: "n/a" if i == 9 else float(i),
        "Durations": lambda i: dt.timedelta(hours=i), "Dates of 1900": lambda i: dt.date(1900, 1, 1) + dt.timedelta(days=i),
        # serial 0 and below in the 1904 date system, which calamine gives as 00:00 (found by
        # test_any_long_sheet_reads_as_calamine_reads_it): declined in either system
        "Dates up to 1904": lambda i: dt.date(1904, 1, 1) - dt.timedelta(days=i),
    }
    for title, value in kinds.items():
        sheet = wb.create_sheet(title)
        sheet.append(["Key", title])
        for i in range(n):
            sheet.append([f"K-{i}", value(i)])
            if title in ("Dates with noise", "Serials past 9999", "Huge serials"):
                sheet.cell(i + 2, 2).number_format = "yyyy-mm-dd"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.fixture
def small_top(monkeypatch):
    """A top block of 3 rows, fast reads from the first row on, and a record of what was read how."""
    monkeypatch.setattr(columns, "TOP", 3)
    monkeypatch.setattr(fast_sheet, "TOP", 3)
    seen = {"fast": [], "declined": []}
    real = fast_sheet.read_sheet

    def recording(data, zf, part, name, reader=None):
        try:
            rows = real(data, zf, part, name, reader)
        except fast_sheet.Declined:
            seen["declined"].append(name)
            raise
        seen["fast"].append(name)
        return rows

    monkeypatch.setattr(fast_sheet, "read_sheet", recording)
    return seen


def both_ways(data: bytes, monkeypatch) -> tuple:
    """(calamine's workbook, the fast path's workbook) of the same bytes."""
    monkeypatch.setattr(fast_sheet, "FAST_ROWS", 10**9)
    slow = reading.read_workbook(data, "book.xlsx", max_bytes=1 << 28, max_rows=300_000)
    monkeypatch.setattr(fast_sheet, "FAST_ROWS", 0)
    fast = reading.read_workbook(data, "book.xlsx", max_bytes=1 << 28, max_rows=300_000)
    return slow, fast


def assert_same(slow, fast) -> None:
    assert [s.name for s in fast.sheets] == [s.name for s in slow.sheets]
    for a, b in zip(slow.sheets, fast.sheets):
        assert b.notes == a.notes, a.name
        assert len(b.rows) == len(a.rows), a.name
        assert same(list(b.rows), list(a.rows)), a.name
        if len(a.rows) > 5:
            assert same(b.rows[2:6], a.rows[2:6]) and same(b.rows[-1], a.rows[-1]), a.name


@pytest.mark.parametrize("epoch1904", [False, True])
def test_kinds_of_column_read_as_calamine_reads_them(epoch1904, small_top, monkeypatch):
    slow, fast = both_ways(workbook(epoch1904), monkeypatch)
    assert_same(slow, fast)
    assert small_top["fast"] == ["Offset", "Numbers", "Errors", "Booleans", "Dates", "Text with errors"]
    assert small_top["declined"] == ["Numbers and NA", "Dates and null", "Booleans and None", "Numbers and nan",
                                     "Dates with blanks", "Serials past 9999", "Huge serials", "Times", "Datetimes",
                                     "Dates with noise", "Mixed", "Durations", "Dates of 1900",
                                     "Dates up to 1904"]
    mixed = next(s for s in fast.sheets if s.name == "Numbers and NA").rows
    assert mixed[8][1] == "N/A" and mixed[4][1] == ""
    offset = next(s for s in fast.sheets if s.name == "Offset").rows
    assert offset[3][:4] == ["", "", "R-4", dt.date(2024, 1, 5)] and offset[0][7] == "a note far to the right"


def rewritten(data: bytes, part: str, change) -> bytes:
    src, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info)
            dst.writestr(info.filename, change(body) if info.filename == part else body)
    return out.getvalue()


def test_iso_dates_and_rows_out_of_order_are_left_to_calamine(small_top, monkeypatch):
    """Files no spreadsheet program writes this way: ISO date cells (t="d"), which calamine gives
    as datetimes even at midnight; a top row written after the rows below it."""
    wb = Workbook()
    wb.iso_dates = True
    ws = wb.active
    ws.append(["Key", "When"])
    for i in range(40):
        ws.append([f"K-{i}", dt.datetime(2025, 4, 10) + dt.timedelta(days=i)])
    out = io.BytesIO()
    wb.save(out)
    iso = out.getvalue()
    first = re.compile(rb'<row r="1".*?</row>', re.S)
    moved = rewritten(iso, "xl/worksheets/sheet1.xml",
                      lambda xml: first.sub(b"", xml).replace(b"</sheetData>", first.search(xml).group(0) + b"</sheetData>"))
    plain = rewritten(iso, "xl/worksheets/sheet1.xml", lambda xml: xml)
    for data in (iso, moved):
        slow, fast = both_ways(data, monkeypatch)
        assert_same(slow, fast)
    assert small_top["fast"] == []
    assert isinstance(both_ways(plain, monkeypatch)[0].sheets[0].rows[1][1], dt.datetime)


@pytest.mark.parametrize("prefix", [b"x", b"my-ns"])
def test_a_sheet_whose_elements_carry_a_prefix_reads_the_fast_way(prefix, small_top, monkeypatch):
    """<x:row>, <my-ns:c>: as some writers make a sheet; its top rows are cut by their prefix."""
    wb = Workbook()
    ws = wb.active
    ws.append(["Register (title)"])
    ws.append(["Key", "Score", "When"])
    for i in range(40):
        ws.append([f"K-{i}", i * 0.5, dt.date(2025, 1, 1) + dt.timedelta(days=i)])
    out = io.BytesIO()
    wb.save(out)

    def prefixed(xml: bytes) -> bytes:
        xml = xml.replace(b'<worksheet xmlns="', b'<worksheet xmlns:' + prefix + b'="')
        return re.sub(rb"<(/?)([a-zA-Z])", rb"<\1" + prefix + rb":\2", xml)

    slow, fast = both_ways(rewritten(out.getvalue(), "xl/worksheets/sheet1.xml", prefixed), monkeypatch)
    assert_same(slow, fast)
    assert small_top["fast"] == ["Sheet"] and fast.sheets[0].rows[1] == ["Key", "Score", "When"]


def test_the_real_registers_read_as_calamine_reads_them(small_top, monkeypatch):
    books = sorted(SHARED.rglob("*.xlsx")) if SHARED.is_dir() else []
    if not books:
        pytest.skip(f"{SHARED} is absent: the real registers are not here")
    for path in books:
        slow, fast = both_ways(path.read_bytes(), monkeypatch)
        assert_same(slow, fast)
    assert len(small_top["fast"]) >= 20  # most of their sheets are read the fast way (31 of 41 asked today)


def test_a_long_sheet_reads_the_fast_way_at_the_real_top(monkeypatch):
    """The bench's workbook (a title row, the header, 30,000 rows): the top block as it ships."""
    data = assessments_workbook(rows=30_000)
    slow, fast = both_ways(data, monkeypatch)
    assert_same(slow, fast)
    rows = fast.sheets[0].rows
    assert isinstance(rows, columns.ColumnRows) and rows.forms[1][0] == "d" and rows.forms[2][0] == "f"
    assert rows[2][:3] == ["R-0000", dt.date(2000, 1, 1), slow.sheets[0].rows[2][2]]


def test_any_surprise_of_the_fast_way_leaves_the_sheet_to_calamine(monkeypatch):
    data = assessments_workbook(rows=6_000)
    monkeypatch.setattr(fast_sheet, "FAST_ROWS", 10**9)
    expected = reading.read_workbook(data, "book.xlsx", max_bytes=1 << 28, max_rows=300_000)

    def surprise(*args, **kwargs):
        raise KeyError("xl/worksheets/sheet1.xml")

    monkeypatch.setattr(fast_sheet, "FAST_ROWS", 0)
    monkeypatch.setattr(fast_sheet, "read_sheet", surprise)
    got = reading.read_workbook(data, "book.xlsx", max_bytes=1 << 28, max_rows=300_000)
    assert same(list(got.sheets[0].rows), list(expected.sheets[0].rows))


# --- any long sheet: a property, against calamine's own rows ------------------------------------

_WORDS = ["N/A", "NA", "n/a", "nan", "NaN", "null", "NULL", "None", "none", "", " ", "TRUE", "false", "#N/A",
          "#DIV/0!", "12", "1.5", "2024-01-02", "-", "0", "inf", "-inf", "1e400", "<NA>", "NaT", "1.#QNAN"]
_TEXT = st.one_of(st.sampled_from(_WORDS), st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=6))
_VALUES = {
    "int": st.integers(-10**6, 10**6),
    "float": st.one_of(st.floats(-1e9, 1e9, allow_nan=False), st.sampled_from([0.0, -0.0, 1e15, 1e-9, 0.5])),
    "date": st.dates(dt.date(1900, 3, 1), dt.date(9999, 12, 31)),
    "early date": st.dates(dt.date(1900, 1, 1), dt.date(1904, 1, 3)),
    "datetime": st.datetimes(dt.datetime(1900, 3, 1), dt.datetime(9999, 1, 1)),
    "time": st.times(), "bool": st.booleans(), "text": _TEXT,
    "duration": st.timedeltas(dt.timedelta(0), dt.timedelta(days=3)),
}


@st.composite
def long_sheets(draw):
    """A table of 1 to 4 columns, each mostly of one kind with some cells of another and some
    empty, under a few top rows; in either date system, with an empty column inside, styled empty
    cells, blank rows, and the row or cell addresses left out (as some writers do)."""
    width, height = draw(st.integers(1, 4)), draw(st.integers(5, 30))
    columns_ = []
    for _ in range(width):
        kind, other = draw(st.sampled_from(sorted(_VALUES))), draw(st.sampled_from(sorted(_VALUES)))
        p_other, p_empty = draw(st.sampled_from([0, 0, 0.05, 0.3])), draw(st.sampled_from([0, 0, 0.1, 0.5, 1.0]))
        cells = []
        for _ in range(height):
            r = draw(st.floats(0, 1))
            cells.append(None if r < p_empty else draw(_VALUES[other] if r < p_empty + p_other else _VALUES[kind]))
        columns_.append((cells, draw(st.sampled_from([None, None, "yyyy-mm-dd", "0.00", "hh:mm", "@"]))))
    top = draw(st.lists(st.lists(st.one_of(st.none(), _TEXT, _VALUES["int"], _VALUES["date"]), max_size=width + 1),
                        max_size=4))
    return dict(columns=columns_, top=top, offset=draw(st.integers(0, 2)), epoch1904=draw(st.booleans()),
                gap=draw(st.sampled_from([None, None, 1, 2])),
                styled=draw(st.lists(st.tuples(st.integers(0, height + 5), st.integers(0, width + 2)), max_size=4)),
                blank_rows=draw(st.lists(st.integers(0, height - 1), max_size=3)),
                unaddressed=draw(st.sampled_from(["", "", "cell", "row", "both"])))


def _long_sheet_bytes(spec: dict) -> bytes:
    wb = Workbook()
    if spec["epoch1904"]:
        wb.epoch = CALENDAR_MAC_1904
    ws = wb.active
    for i, row in enumerate(spec["top"]):
        for j, value in enumerate(row):
            if value is not None:
                ws.cell(i + 1, j + 1 + spec["offset"], value)
    start = len(spec["top"]) + 1
    for j, (cells, number_format) in enumerate(spec["columns"]):
        column = j + 1 + spec["offset"] + (1 if spec["gap"] is not None and j >= spec["gap"] else 0)
        for i, value in enumerate(cells):
            if value is not None and i not in spec["blank_rows"]:
                cell = ws.cell(start + i, column, value)
                if number_format:
                    cell.number_format = number_format
    for r, c in spec["styled"]:
        cell = ws.cell(start + r, 1 + c)
        if cell.value is None:
            cell.fill = PatternFill("solid", fgColor="FFE08A")
    out = io.BytesIO()
    wb.save(out)
    strip = spec["unaddressed"]

    def unaddressed(body: bytes) -> bytes:
        if strip in ("cell", "both"):
            body = re.sub(rb'(<c) r="[A-Z]+[0-9]+"', rb"\1", body)
        if strip in ("row", "both"):
            body = re.sub(rb'(<row) r="[0-9]+"', rb"\1", body)
        return body

    return rewritten(out.getvalue(), "xl/worksheets/sheet1.xml", unaddressed) if strip else out.getvalue()


def test_any_long_sheet_reads_as_calamine_reads_it():
    """Whatever a sheet holds, the fast way gives calamine's rows or declines. (Run with 3,000 and
    more examples while it was written: it found the 1904 date system's serial 0, now declined.)
    Enough of the sheets must take the fast way for the property to say anything."""
    fast_reads = []
    real = fast_sheet.read_sheet

    def counted(*args, **kwargs):
        rows = real(*args, **kwargs)
        fast_reads.append(1)
        return rows

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(long_sheets())
    @example(dict(columns=[([dt.date(2000, 1, 1)] * 5 + [dt.date(1904, 1, 1)], None), ([False] * 6, None)], top=[],
                  offset=0, epoch1904=True, gap=None, styled=[], blank_rows=[], unaddressed=""))  # what it found
    def check(spec):
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(columns, "TOP", 3)
            mp.setattr(fast_sheet, "TOP", 3)
            mp.setattr(fast_sheet, "read_sheet", counted)
            try:
                slow, fast = both_ways(_long_sheet_bytes(spec), mp)
            except reading.ReadError:  # calamine refuses the file (it reads first); a refusal of the
                return                 # fast way alone would fail here
            assert_same(slow, fast)

    check()
    assert len(fast_reads) >= 15, f"only {len(fast_reads)} of the generated sheets took the fast way"


# --- reading ahead (the reader child reads long sheets while the scan runs) ---------------------

def _three_sheets() -> bytes:
    """A long sheet the fast way reads, a long sheet it declines (a number column with one word in
    it) and a short sheet, each with a title row above its header."""
    from openpyxl import Workbook as WriteOnly

    wb = WriteOnly(write_only=True)
    for title, rows in (("Long", 6_000), ("Long, one word", 6_000), ("Short", 12)):
        ws = wb.create_sheet(title)
        ws.append([f"{title} (title row)"])
        ws.append(["Risk ID", "Assessed on", "Likelihood", "Impact", "Owner", "Note"])
        for i in range(rows):
            likelihood = "n/a" if title == "Long, one word" and i == 4_321 else 1 + i % 5
            ws.append([f"R-{i:04d}", dt.date(2024, 1, 1) + dt.timedelta(days=i % 400), likelihood, 1 + i % 3,
                       f"Owner {i % 7}", None if i % 4 else f"note {i}"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _calamine_reads(monkeypatch) -> list[int]:
    """Records the length of each sheet calamine reads (reading.column_rows gets its rows)."""
    read = []
    real = reading.column_rows

    def recording(rows):
        read.append(len(rows))
        return real(rows)

    monkeypatch.setattr(reading, "column_rows", recording)
    return read


def test_reading_ahead_gives_the_rows_calamine_gives(monkeypatch):
    """Read ahead, the long sheets are read on the other thread, and the workbook is calamine's:
    the sheet the fast way declines too (calamine reads it after all), and the short one, which is
    not read ahead at all. Without `ahead`, no sheet is read on another thread."""
    data = _three_sheets()
    seen = []
    real = fast_sheet.read_sheet

    def recording(data, zf, part, name, reader=None):
        seen.append((name, threading.current_thread().name.startswith("read-ahead")))
        return real(data, zf, part, name, reader)

    monkeypatch.setattr(fast_sheet, "FAST_ROWS", 10**9)
    slow = reading.read_workbook(data, "book.xlsx", max_bytes=1 << 28, max_rows=300_000)
    monkeypatch.setattr(fast_sheet, "FAST_ROWS", 5_000)
    monkeypatch.setattr(fast_sheet, "read_sheet", recording)
    by_calamine = _calamine_reads(monkeypatch)
    ahead = reading.read_workbook(data, "book.xlsx", max_bytes=1 << 28, max_rows=300_000, ahead=True)
    assert sorted(seen) == [("Long", True), ("Long, one word", True)]
    assert by_calamine == [6_002, 14]  # the declined sheet and the short one; the long one came from the thread
    assert_same(slow, ahead)
    assert next(s for s in ahead.sheets if s.name == "Long, one word").rows[4_323][2] == "n/a"
    seen.clear()
    after = reading.read_workbook(data, "book.xlsx", max_bytes=1 << 28, max_rows=300_000)
    assert sorted(seen) == [("Long", False), ("Long, one word", False)]
    assert_same(slow, after)


def test_a_sheet_the_scan_leaves_to_calamine_is_not_taken_from_the_thread(monkeypatch):
    """A row number repeated (rows out of order): the scan sends the sheet to calamine, whatever
    was read ahead of it."""
    data = rewritten(_three_sheets(), "xl/worksheets/sheet1.xml",
                     lambda body: re.sub(rb'<row r="5000"', b'<row r="4999"', body, count=1))
    monkeypatch.setattr(fast_sheet, "FAST_ROWS", 10**9)
    slow = reading.read_workbook(data, "book.xlsx", max_bytes=1 << 28, max_rows=300_000)
    monkeypatch.setattr(fast_sheet, "FAST_ROWS", 5_000)
    by_calamine = _calamine_reads(monkeypatch)
    ahead = reading.read_workbook(data, "book.xlsx", max_bytes=1 << 28, max_rows=300_000, ahead=True)
    assert by_calamine == [6_002, 6_002, 14]
    assert_same(slow, ahead)
