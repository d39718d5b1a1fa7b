"""A long xlsx sheet read by fastexcel into typed columns, where that gives exactly what calamine's
rows would.

Reading the bench's 100,000-row workbook, calamine's parse and its Python rows cost about twice
fastexcel's read to Arrow, which hands each column over as one typed buffer: the form the reader
child sends its columns in anyway (isms.importing.columns). But fastexcel types a column as a
whole, while the pipeline needs each cell as calamine gives it (a title row and the header are
text above numbers and dates). So:

- the body (from row TOP on) is fastexcel's, in strict mode: a column that mixes types, or holds
  a type whose cells calamine would give differently (times, datetimes, durations, whole numbers
  typed as integers), makes this reader decline and calamine reads the sheet as before; so does
  text that fastexcel reads as a missing value in a number, date or yes/no column ('N/A', 'null');
- the top rows (titles, the header, the first rows) are calamine's own, read from a copy of the
  workbook whose sheet is cut after row TOP, so their cells are typed exactly as before.

Any surprise (a sheet part we cannot cut, rows out of order, ISO date cells, a height or width
the two readers disagree on) declines too: this is a faster way to the same rows.

Two differences remain, both from files no spreadsheet program writes that way, and neither
changes a value: a date serial within half a millisecond of midnight (float noise from formula
arithmetic) is a date here, where calamine gives a datetime at 00:00 of that day (every step that
reads a cell, `cells.text` and `cells.parse_date` among them, reads the two alike); and a cell
whose address names a top row while it sits in a later row element of the XML is not among the
top rows here (calamine places it by its address).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from typing import Any, Callable

from isms.importing.columns import TOP, ColumnRows

# Below this many rows calamine's read costs less than importing pyarrow in the reader child.
FAST_ROWS = 5_000
# A worksheet part this large (unpacked) is read ahead (`Ahead`): about 2,500 rows of a dozen cells.
AHEAD_BYTES = 1 << 20
# element names with any namespace prefix the scan accepts (isms.importing.extent: 'x:', 'my-ns:')
_ROW = re.compile(rb"<(?:([\w.-]+):)?row\b([^>]*)>")
_ROW_NUMBER = re.compile(rb'\br="(\d+)"')
_DIMENSION = re.compile(rb"<(?:[\w.-]+:)?dimension\b[^>]*/>")
_SHEET_DATA_END = re.compile(rb"</(?:([\w.-]+):)?sheetData>")
_HEAD_LIMIT = 16 << 20
# The first day both readers give alike, in days since 1970: Excel's 1900 leap-day quirk lies
# before March 1900, and in a workbook of the 1904 date system calamine gives every day up to
# 1904-01-01 (serial 0 and below) as a time of day (00:00), where fastexcel gives the date. Either
# system's earlier days are left to calamine. Python's last date ends the safe range.
_FIRST_SAFE_DAY = (dt.date(1904, 1, 2) - dt.date(1970, 1, 1)).days
_LAST_SAFE_DAY = (dt.date(9999, 12, 31) - dt.date(1970, 1, 1)).days


class Declined(Exception):
    """This sheet is read by calamine instead (the reason is for tests and debugging)."""


def read_sheet(data: bytes, zf: zipfile.ZipFile, part: str, name: str, reader=None) -> ColumnRows:
    """Sheet `name` (zip member `part`) as ColumnRows, or Declined."""
    import fastexcel

    reader = reader or fastexcel.read_excel(data)
    try:
        sheet = reader.load_sheet(name, header_row=None, skip_rows=TOP, schema_sample_rows=None,
                                  dtype_coercion="strict")
        columns = sheet.available_columns()
        batch = sheet.to_arrow()
    except Exception as exc:  # a mixed column (UnsupportedColumnTypeCombinationError) and the like
        raise Declined(f"fastexcel: {type(exc).__name__}") from None
    height = sheet.total_height
    if not columns or height <= TOP + 1 or batch.num_rows != height - TOP:
        raise Declined(f"rows: {batch.num_rows} of {height}")
    start = columns[0].absolute_index
    if [c.absolute_index for c in columns] != list(range(start, start + len(columns))):
        raise Declined("columns are not contiguous")
    width = start + len(columns)
    n = batch.num_rows
    _check_nulls(reader, name, columns, batch)
    forms: dict[int, tuple] = {j: ("s", [""] * n) for j in range(start)}
    for k in range(len(columns)):
        forms[start + k] = _form(batch.column(k))
    top = _top_rows(data, zf, part, name, width)
    return ColumnRows(top, forms, n, width)


def _check_nulls(reader, name: str, columns: list, batch) -> None:
    """Declined where a number, date or yes/no column reads a text cell as empty: fastexcel takes
    'N/A', 'NA', 'null', 'None' and the like (pandas' missing-value words) for a missing value in
    such a column, where calamine gives the text. Those columns are read again as text, in which
    only empty and error cells are missing: the same count of missing cells says none was a word."""
    import pyarrow as pa

    typed = [k for k in range(len(columns)) if batch.column(k).null_count
             and not (pa.types.is_string(batch.column(k).type) or pa.types.is_null(batch.column(k).type))]
    if not typed:
        return
    try:
        text = reader.load_sheet(name, header_row=None, skip_rows=TOP, schema_sample_rows=None,
                                 use_columns=[columns[k].name for k in typed],
                                 dtypes={columns[k].name: "string" for k in typed}).to_arrow()
    except Exception as exc:
        raise Declined(f"fastexcel, as text: {type(exc).__name__}") from None
    if [text.column(i).null_count for i in range(len(typed))] != [batch.column(k).null_count for k in typed]:
        raise Declined("a number, date or yes/no column holds text fastexcel reads as missing")


def _form(column) -> tuple:
    """A column in the form `columns._encode` gives calamine's cells of that column, or Declined.
    From the Arrow buffers with numpy: pyarrow.compute would import pandas into the child (0.3 s)."""
    import numpy as np
    import pyarrow as pa

    kind, n = column.type, len(column)
    valid = _valid(column)
    if pa.types.is_null(kind):
        return ("s", [""] * n)
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return ("s", ["" if v is None else v for v in column.to_pylist()])
    if pa.types.is_boolean(kind):
        return ("l", ["" if v is None else v for v in column.to_pylist()])
    if kind == pa.float64():
        values = np.frombuffer(column.buffers()[1], dtype=np.float64, count=n, offset=column.offset * 8)
        if np.isnan(values[valid]).any():  # the text 'nan': Excel holds no NaN
            raise Declined("a number column holds the text 'nan'")
        return ("f", np.where(valid, values, 0.0).tobytes(), None if valid.all() else valid.tobytes())
    if pa.types.is_timestamp(kind) and kind.unit == "ms" and kind.tz is None:
        # calamine gives a date for a whole day (a time of day or a time alone is not one)
        if not valid.all():  # a date-formatted number past year 9999 reads as missing, under any type
            raise Declined("a date column with empty cells")
        millis = np.frombuffer(column.buffers()[1], dtype=np.int64, count=n, offset=column.offset * 8)
        days, rest = np.divmod(millis, 86_400_000)
        if rest.any() or (days < _FIRST_SAFE_DAY).any() or (days > _LAST_SAFE_DAY).any():
            raise Declined("a date column holds times, or dates before 1904-01-02 or after 9999")
        return ("d", days.astype(np.int32).tobytes(), None)
    raise Declined(f"column type {kind}")


def _valid(column):
    """Which cells hold a value, as a numpy bool array (from the validity bitmap)."""
    import numpy as np

    n, bitmap = len(column), column.buffers()[0]
    if column.null_count == 0 or bitmap is None:
        return np.ones(n, dtype=bool)
    bits = np.unpackbits(np.frombuffer(bitmap, dtype=np.uint8), bitorder="little")
    return bits[column.offset:column.offset + n].astype(bool)


def _top_rows(data: bytes, zf: zipfile.ZipFile, part: str, name: str, width: int) -> list[list[Any]]:
    """Rows [0, TOP) as calamine reads them, from a copy of the workbook whose sheet `part` ends
    after row TOP (and whose other sheets are empty), each row `width` cells."""
    from python_calamine import CalamineWorkbook

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as mini:
        for info in zf.infolist():
            if info.filename == part:
                mini.writestr(info.filename, _cut(zf, part))
            elif info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
                mini.writestr(info.filename, b'<worksheet xmlns="http://schemas.openxmlformats.org/'
                                             b'spreadsheetml/2006/main"><sheetData/></worksheet>')
            else:
                mini.writestr(info.filename, zf.read(info))
    try:
        rows = CalamineWorkbook.from_filelike(io.BytesIO(out.getvalue())).get_sheet_by_name(name).to_python(
            skip_empty_area=False)
    except Exception as exc:  # calamine raises several types for a part it cannot parse
        raise Declined(f"the cut sheet: {type(exc).__name__}") from None
    if any(len(r) > width for r in rows[:TOP]):
        raise Declined("the top rows are wider than the sheet")
    top = [list(r) + [""] * (width - len(r)) for r in rows[:TOP]]
    return top + [[""] * width for _ in range(TOP - len(top))]


def _cut(zf: zipfile.ZipFile, part: str) -> bytes:
    """The sheet part up to its first row past TOP, closed again; Declined where that is unclear."""
    head = b""
    with zf.open(part) as member:
        while len(head) < _HEAD_LIMIT:
            chunk = member.read(max(1 << 16, len(head)))  # doubling: the head is searched again each time
            head += chunk
            cut = _first_row_past_top(head, complete=not chunk)
            if cut is not None:
                break
        else:
            raise Declined("the top rows are too long to cut")
    prefix, end = cut
    tag = (prefix + b":" if prefix else b"")
    body = _DIMENSION.sub(b"", head[:end])
    return body + b"</" + tag + b"sheetData></" + tag + b"worksheet>"


def _first_row_past_top(head: bytes, complete: bool) -> tuple[bytes, int] | None:
    """(namespace prefix, offset) of the first <row> numbered past TOP, or where sheetData ends;
    None while the head read so far does not tell."""
    number, prefix = 0, None
    for match in _ROW.finditer(head):
        given = _ROW_NUMBER.search(match.group(2))
        following = int(given.group(1)) if given else number + 1
        if following <= number:
            raise Declined("rows out of order")
        number, prefix = following, match.group(1) or b""
        if number > TOP:
            return prefix, match.start()
    tail = _SHEET_DATA_END.search(head)
    if tail:
        return (tail.group(1) or b""), tail.start()
    if complete:
        raise Declined("no end of sheetData")
    return None


class Ahead:
    """The long sheets of an xlsx, read by `read_sheet` on a second thread while the first scans
    the workbook (isms.importing.extent), in the reader child only.

    The scan must finish before its findings decide how a sheet is read, and the two cost about
    the same (0.37 s and 0.32 s on the bench's 100,000-row workbook): one after the other they
    were most of an import's read. fastexcel leaves the interpreter free while it parses, so on a
    second core the two overlap. The scan still decides: a sheet is taken from here only where it
    would have been read the fast way (the caller asks after its own checks), and the call is the
    same one, so the rows are the same. Only sheets whose part is large, and whose <dimension> (where
    the writer gave one) claims more than FAST_ROWS rows within a rectangle a reader may allocate,
    are read ahead; a file that lies about that, or gives none, and kills the child is read again
    without reading ahead (isms.importing.isolation), so the analyst hears the scan's sentence."""

    # called once when a sheet is first read ahead: the reader child tells its parent so
    started: Callable[[], None] | None = None

    def __init__(self, data: bytes):
        self.data = data
        self.pool = None
        self.sheets: dict[str, Any] = {}  # sheet name -> its Future, until taken or discarded
        self.reader = None

    def start(self, zf: zipfile.ZipFile, parts: dict[str, str], max_rectangle: int) -> None:
        """Start reading the long sheets, largest first: a part of AHEAD_BYTES or more (unpacked)
        whose <dimension>, if it has one, claims more than FAST_ROWS rows and at most `max_rectangle`
        cells."""
        from concurrent.futures import ThreadPoolExecutor

        infos = {i.filename: i for i in zf.infolist()}
        sizes = {name: infos[part].file_size for name, part in parts.items() if part in infos}
        big = sorted((name for name, size in sizes.items() if size >= AHEAD_BYTES), key=lambda name: -sizes[name])
        long = []
        for name in big:
            claimed = _claimed_extent(zf, parts[name])  # writers that stream a sheet often leave it out
            if claimed is None or (claimed[0] > FAST_ROWS and claimed[0] * claimed[1] <= max_rectangle):
                long.append(name)
        if not long:
            return
        if Ahead.started is not None:
            Ahead.started()
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="read-ahead")
        for name in long:
            self.sheets[name] = self.pool.submit(self._read, parts[name], name)

    def _read(self, part: str, name: str) -> ColumnRows:
        import fastexcel

        if self.reader is None:
            self.reader = fastexcel.read_excel(self.data)
        return read_sheet(self.data, zipfile.ZipFile(io.BytesIO(self.data)), part, name, self.reader)

    def rows(self, name: str):
        """The sheet's rows as `read_sheet` gives them (or its exception), or None if not read ahead."""
        future = self.sheets.pop(name, None)
        return None if future is None else future.result()

    def discard(self, name: str) -> None:
        """The sheet is read another way: drop what was read of it (not to hold it twice)."""
        future = self.sheets.pop(name, None)
        if future is not None:
            future.cancel()

    def close(self) -> None:
        """Read no further sheets (one being read is left to finish or to die with the child)."""
        if self.pool is not None:
            self.pool.shutdown(wait=False, cancel_futures=True)
        self.sheets.clear()


_DIMENSION_REF = re.compile(rb'\bref="([A-Z]{1,3})?(\d{1,7})?(?::([A-Z]{1,3})(\d{1,7}))?"')


def _claimed_extent(zf: zipfile.ZipFile, part: str) -> tuple[int, int] | None:
    """(last row, last column) that the part's <dimension> claims, from its first 64 KB; None
    where it claims none."""
    from isms.importing.extent import column_number

    with zf.open(part) as member:
        head = member.read(1 << 16)
    element = _DIMENSION.search(head)
    ref = _DIMENSION_REF.search(element.group(0)) if element else None
    if ref is None:
        return None
    letters, number = (ref.group(3), ref.group(4)) if ref.group(3) else (ref.group(1), ref.group(2))
    if not letters or not number:
        return None
    return int(number), column_number(letters)
