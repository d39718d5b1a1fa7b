"""How big a worksheet really is, found before any reader allocates it, and a reader for sheets
whose few cells are spread over a huge rectangle.

A workbook of 5 KB can hold one cell at XFD150000: a reader that allocates the sheet's rectangle
asks for 78 GB and the process dies. So every worksheet part is scanned as a stream (a bounded
buffer, whatever the part's size) for its cells' addresses, and a sheet whose rectangle is far
larger than its cells is read cell by cell (openpyxl's streaming parser, which holds only the
cells there are) into rows as long as their last filled cell.
"""

from __future__ import annotations

import html
import io
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any, BinaryIO

CHUNK = 8 << 20
MAX_CARRY = 1 << 20
_REF_COLUMN = re.compile(rb' r="([A-Z]{1,3})\d')
_ROW_REF = re.compile(rb'<row r="(\d{1,7})"')
_CELL_TAGS = (b"<c ", b"<c>")
_SHEET_DATA = re.compile(rb"<(?:([\w.-]+):)?sheetData[\s>/]")
_FORMULA = re.compile(rb"<(?:[\w.-]+:)?f[ >/]")
_ENTITY = (b"<!DOCTYPE", b"<!ENTITY")
# a cell that shows an Excel error (t="e": #DIV/0!, #N/A, a formula that failed), with its value
# (after its formula, if any) when that lies in the same read as its tag; the readers give such a
# cell as empty
_ERROR_CELL = re.compile(rb'<(?:[\w.-]+:)?c\b([^>]*\bt="e"[^>]*)>'
                         rb'(?:\s*(?:<(?:[\w.-]+:)?f\b[^>]*?(?:/>|>[^<]*</(?:[\w.-]+:)?f>))?\s*<(?:[\w.-]+:)?v>([^<]*))?')
_ADDRESS = re.compile(rb'\br="([A-Z]{1,3})(\d{1,7})"')
MAX_ERROR_CELLS = 50_000  # placed; more are counted (a few MB at most)
# a formula cell with no calculated value (no <v>, or an empty one on a cell not typed as text): a
# file written by a program that does not calculate (a script, openpyxl), which every reader gives
# as empty; the formula's text when it has one
_UNCALCULATED = re.compile(rb'<(?:[\w.-]+:)?c\b([^>]*?)(?<!/)>\s*<(?:[\w.-]+:)?f\b[^>]*?(?:/>|>([^<]*)</(?:[\w.-]+:)?f>)'
                           rb'\s*(?:<(?:[\w.-]+:)?v\s*/>|<(?:[\w.-]+:)?v>\s*</(?:[\w.-]+:)?v>)?\s*</(?:[\w.-]+:)?c>')
_MERGE = re.compile(rb'<(?:[\w.-]+:)?mergeCell\b[^>]*\bref="([A-Z]{1,3})(\d{1,7}):([A-Z]{1,3})(\d{1,7})"')
MAX_MERGES = 10_000
MAX_PERCENT_CELLS = 500_000
_UTF16_STARTS = (b"\xff\xfe", b"\xfe\xff", b"<\x00", b"\x00<")
_UTF16_ENTITY = tuple(marker.decode() for marker in _ENTITY)


class PartRefused(ValueError):
    """A part of the workbook that no reader should see; the message names the part and why."""


@dataclass
class PartScan:
    """What one streaming pass over a workbook part found."""

    cells: int = 0
    max_row: int = 0
    max_column: int = 0
    formulas: bool = False
    # for isms.importing.fast_sheet, which reads a long sheet only where these hold: its numbered
    # rows in ascending order (its top rows are those before the first row past them), and no
    # ISO date cells (t="d"), which calamine gives as datetimes even at midnight
    rows_in_order: bool = True
    iso_dates: bool = False
    # cells that show an Excel error: (row, column), both 0-based -> the error's text ('' when not
    # seen), the first MAX_ERROR_CELLS of them; `error_cells` counts them all
    errors: dict[tuple[int, int], str] = field(default_factory=dict)
    error_cells: int = 0
    # formula cells without a calculated value, (row, column) 0-based -> the formula ('=1+1'), the
    # first MAX_ERROR_CELLS; `uncalculated_cells` counts them all
    uncalculated: dict[tuple[int, int], str] = field(default_factory=dict)
    uncalculated_cells: int = 0
    # merged blocks (first row, first column, last row, last column), 0-based, the first MAX_MERGES
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    # cells with a value formatted as a percentage (a number format with %), the first
    # MAX_PERCENT_CELLS; `percent_cells` counts them all, `merges` every merged block
    percent: set[tuple[int, int]] = field(default_factory=set)
    percent_cells: int = 0
    merges: int = 0

    @property
    def merged_down(self) -> list[tuple[int, int, int, int]]:
        """The merged blocks of one column over several rows: each of its rows means the block's value."""
        return [m for m in self.merged if m[1] == m[3] and m[2] > m[0]]

    @property
    def rectangle(self) -> int:
        return self.max_row * self.max_column

    @property
    def last_cell(self) -> str:
        return f"{column_name(self.max_column)}{self.max_row}"


def column_number(letters: bytes | str) -> int:
    n = 0
    for ch in letters if isinstance(letters, str) else letters.decode("ascii"):
        n = n * 26 + ord(ch) - 64
    return n


def column_name(number: int) -> str:
    name = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        name = chr(65 + rest) + name
    return name


def scan_part(member: BinaryIO, name: str, *, worksheet: bool, percent_styles: frozenset[int] = frozenset()) -> PartScan:
    """One pass in bounded memory: refuse entity declarations anywhere in the part (not only near
    its start), and for a worksheet count its cells, their furthest row and column, and formulas.

    The buffer is cut at its last '<', so a tag (and so a declaration or a cell address) is never
    split between two reads and no cell is counted twice. A worksheet whose rows and cells carry a
    namespace prefix (<x:row>, <x:c>, as some writers make them) is counted by the prefix of its
    <sheetData>."""
    found = PartScan()
    beyond = _beyond(0)
    styled = (re.compile(rb'<(?:[\w.-]+:)?c\b([^>]*\bs="(?:' + b"|".join(b"%d" % s for s in sorted(percent_styles))
                         + rb')"[^>]*)>') if percent_styles else None)
    cell_tags, row_ref, rooted = _CELL_TAGS, _ROW_REF, False
    last_row = 0  # the last numbered row so far, while they ascend
    carry = b""
    first = True
    while True:
        chunk = member.read(CHUNK)
        if first:
            first = False
            if chunk.startswith(_UTF16_STARTS):
                # Excel writes some customXml parts in UTF-16; check those as text, never as bytes
                _check_utf16(member, chunk, name)
                return found
        buf = carry + chunk
        if worksheet and not rooted:  # <sheetData> tells the prefix; no cell comes before it
            root = _SHEET_DATA.search(buf)
            rooted = bool(root) or len(buf) > MAX_CARRY
            if root and root.group(1):
                cell_tags, row_ref = _prefixed(root.group(1))
        if not chunk:
            cut = len(buf)
        else:
            cut = buf.rfind(b"<")
            if cut <= 0 or len(buf) - cut > MAX_CARRY:
                cut = len(buf)
        part, carry = buf[:cut], buf[cut:]
        if any(marker in part for marker in _ENTITY):
            raise _entities(name)
        if worksheet and part:
            # counts and maxima in C (bytes.count, findall, set, max): a 100,000-row sheet in ~0.2 s;
            # upper bounds (a styled cell without a value counts too), so they decide how a sheet is
            # read, and the rows actually read decide whether it is too long
            found.cells += sum(part.count(tag) for tag in cell_tags)
            if beyond.search(part):  # a column past the furthest so far: only then every address
                columns = set(_REF_COLUMN.findall(part))
                found.max_column = max(found.max_column, max(column_number(c) for c in columns))
                beyond = _beyond(found.max_column)
            # rows from the <row> elements; a cell that claims a row beyond its own element is
            # caught by the reader's memory limit instead (isms.importing.isolation)
            rows = row_ref.findall(part)
            if rows:
                longest = max(map(len, rows))
                found.max_row = max(found.max_row, int(max(r for r in rows if len(r) == longest)))
                if found.rows_in_order:
                    numbers = [last_row, *map(int, rows)]
                    found.rows_in_order = all(a < b for a, b in zip(numbers, numbers[1:]))
                    last_row = numbers[-1]
            if not found.formulas and (b"<f" in part or b":f" in part) and _FORMULA.search(part):
                found.formulas = True
            if not found.iso_dates and b't="d"' in part:
                found.iso_dates = True
            if b't="e"' in part:
                _error_cells(found, part)
            if found.formulas and (b"<f" in part or b":f" in part):
                _uncalculated(found, part)
            if b"mergeCell" in part:
                merges = _MERGE.findall(part)
                found.merges += len(merges)
                for a, r1, b, r2 in merges[:MAX_MERGES - len(found.merged)]:
                    found.merged.append((int(r1) - 1, column_number(a) - 1, int(r2) - 1, column_number(b) - 1))
            if styled is not None:
                for attributes in styled.findall(part):
                    if attributes.endswith(b"/"):  # <c r="B2" s="9"/>: styled, but empty
                        continue
                    found.percent_cells += 1
                    address = _ADDRESS.search(attributes)
                    if address and len(found.percent) < MAX_PERCENT_CELLS:
                        found.percent.add((int(address.group(2)) - 1, column_number(address.group(1)) - 1))
        if not chunk:
            return found


def _error_cells(found: PartScan, part: bytes) -> None:
    """Count and place the cells of `part` that show an Excel error (a cell without an address,
    which only its position places, is counted, not placed)."""
    for match in _ERROR_CELL.finditer(part):
        attributes = match.group(1)
        if attributes.endswith(b"/"):  # <c r="B2" t="e"/>: no value, nothing shown
            continue
        found.error_cells += 1
        address = _ADDRESS.search(attributes)
        if address and len(found.errors) < MAX_ERROR_CELLS:
            where = (int(address.group(2)) - 1, column_number(address.group(1)) - 1)
            found.errors[where] = (match.group(2) or b"").decode("utf-8", "replace").strip()[:40]


def _uncalculated(found: PartScan, part: bytes) -> None:
    """Count and place the formula cells of `part` that hold no calculated value. A cell typed as
    text (t="str") with an empty value is a formula that gave '' (=IF(A2="","",...)): calculated."""
    for match in _UNCALCULATED.finditer(part):
        attributes = match.group(1)
        if b't="str"' in attributes or b't="e"' in attributes:
            continue
        found.uncalculated_cells += 1
        address = _ADDRESS.search(attributes)
        if address and len(found.uncalculated) < MAX_ERROR_CELLS:
            formula = html.unescape((match.group(2) or b"").decode("utf-8", "replace"))  # as the XML escapes it
            found.uncalculated[(int(address.group(2)) - 1, column_number(address.group(1)) - 1)] = (
                f"={formula.strip()}"[:60] if formula.strip() else "")


def percent_styles(zf: zipfile.ZipFile) -> frozenset[int]:
    """The cell styles (indexes into cellXfs) whose number format shows a percentage: Excel's
    built-in 0% and 0.00% (ids 9 and 10) and any format of the file's own with a % outside quotes.
    Such a cell holds 0.5 and shows 50%: the analyst means 50."""
    from defusedxml import ElementTree

    ns = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    try:
        styles = ElementTree.fromstring(zf.read("xl/styles.xml"))
    except (KeyError, ElementTree.ParseError, ValueError):
        return frozenset()
    percent_formats = {9, 10}
    for fmt in styles.iter(f"{ns}numFmt"):
        code = re.sub(r'"[^"]*"|\\.', "", fmt.get("formatCode", ""))
        if "%" in code and (fmt.get("numFmtId") or "").isdigit():
            percent_formats.add(int(fmt.get("numFmtId")))
    xfs = styles.find(f"{ns}cellXfs")
    if xfs is None:
        return frozenset()
    return frozenset(i for i, xf in enumerate(xfs.findall(f"{ns}xf"))
                     if (xf.get("numFmtId") or "").isdigit() and int(xf.get("numFmtId")) in percent_formats)


def _prefixed(prefix: bytes) -> tuple[tuple[bytes, bytes], re.Pattern]:
    """The cell tags and the row pattern of a worksheet whose elements carry `prefix`."""
    return (b"<" + prefix + b":c ", b"<" + prefix + b":c>"), re.compile(b"<" + re.escape(prefix) + rb':row r="(\d{1,7})"')


def _beyond(column: int) -> re.Pattern:
    """A pattern for a cell address whose column lies past `column` (its letters compared as
    Excel does: a longer name is further, then letter by letter). Searching a part for one is about
    twice as quick as listing every address, and is all most parts of a sheet need."""
    name = column_name(column) if column else ""
    same_length = [re.escape(name[:i]) + f"[{chr(ord(ch) + 1)}-Z]" + (f"[A-Z]{{{len(name) - i - 1}}}" if i < len(name) - 1 else "")
                   for i, ch in enumerate(name) if ch != "Z"]
    longer = [f"[A-Z]{{{len(name) + 1},3}}"] if len(name) < 3 else []
    alternatives = same_length + longer
    if not alternatives:
        return re.compile(rb"(?!)")  # XFD and beyond: nothing lies further
    return re.compile(b' r="(?:' + "|".join(alternatives).encode() + rb')\d')


def _entities(name: str) -> PartRefused:
    return PartRefused(f"the workbook part {name} declares XML entities (an entity-expansion attack or a "
                       "damaged file); refused")


def _check_utf16(member: BinaryIO, first: bytes, name: str) -> None:
    import codecs

    encoding = "utf-16-be" if first.startswith((b"\xfe\xff", b"\x00<")) else "utf-16-le"
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    tail, chunk = "", first
    while chunk:
        text = tail + decoder.decode(chunk)
        if any(marker in text for marker in _UTF16_ENTITY):
            raise _entities(name)
        tail = text[-16:]
        chunk = member.read(CHUNK)


def sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> its worksheet part, from the workbook and its relationships (the order of
    the parts' file names need not be the order of the sheets)."""
    from defusedxml import ElementTree

    ns_main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    ns_rel = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
    try:
        book = ElementTree.fromstring(zf.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError, ValueError):  # defusedxml's refusals are ValueErrors:
        return {}                                           # the scan refuses those parts with a sentence
    targets = {}
    for rel in rels:
        target = rel.get("Target", "")
        target = target.lstrip("/") if target.startswith("/") else "xl/" + target
        targets[rel.get("Id")] = re.sub(r"[^/]+/\.\./", "", target)
    out = {}
    for sheet in book.iter(f"{ns_main}sheet"):
        rid = sheet.get(f"{ns_rel}id")
        if rid in targets:
            out[sheet.get("name")] = targets[rid]
    return out


def read_sparse(data: bytes, sheet_name: str, errors: dict[tuple[int, int], str] | None = None) -> list[list[Any]]:
    """The sheet's rows from its cells alone: rows with no cell are empty, and each row ends at
    its last filled cell. Values as calamine gives them (dates as datetimes, numbers, text); the
    cells `errors` places (cells that show an Excel error, whose text openpyxl gives) empty, as
    calamine gives them."""
    from openpyxl import load_workbook
    from openpyxl.worksheet._reader import WorkSheetParser

    wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        ws = wb[sheet_name]
        rows: list[list[Any]] = []
        with ws._get_source() as src:
            parser = WorkSheetParser(src, ws._shared_strings, data_only=True, epoch=wb.epoch,
                                     date_formats=wb._date_formats, timedelta_formats=wb._timedelta_formats)
            for idx, cells in parser.parse():
                while len(rows) < idx - 1:
                    rows.append([])
                values = {c["column"]: c["value"] for c in cells if c.get("value") is not None}
                row: list[Any] = [None] * max(values, default=0)
                for col, value in values.items():
                    row[col - 1] = value
                rows.append(row)
        for r, c in errors or ():
            if r < len(rows) and c < len(rows[r]):
                rows[r][c] = None
        while rows and not any(v is not None for v in rows[-1]):
            rows.pop()
        return rows
    finally:
        wb.close()
