"""Bytes in, sheets of raw cells out, or one clear reason why the file cannot be read.

Upload bytes are hostile until shown otherwise: the checks here (size, zip bombs, XML entity
declarations, encryption, text that is not a table) decide before any parser's rows are taken, so
a refusal is a sentence for the analyst, never a traceback, and nothing is written. (Only in the
reader child, whose limits contain a parser that dies, is a long sheet parsed while the checks
run: `read_workbook`'s `ahead`.)
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from typing import Any

from python_calamine import CalamineWorkbook

from isms.importing.columns import column_rows
from isms.importing.as_shown import as_shown
from isms.importing.extent import MAX_ERROR_CELLS, PartRefused, PartScan, percent_styles, read_sparse, scan_part, sheet_parts

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")
MAX_UNZIPPED_BYTES = 1_000_000_000
MAX_ZIP_RATIO = 200
_CALC_SHEET = re.compile(rb'<c [^>]*\bi="(\d+)"')
_CALC_CELL = re.compile(rb"<c ")
# A sheet whose rectangle (last row x last column) is larger than this is read by its cells; a
# calamine Range costs about 32 bytes a cell, so this bounds one sheet's read near 200 MB.
RECTANGLE_CELLS = 6_000_000
MAX_CELLS = 6_000_000
_SHEET_XML = re.compile(r"xl/worksheets/sheet\d+\.xml$")


# how the note on a sheet with formulas begins: the marked copy says it holds their values (isms.importing.annotate)
FORMULAS_NOTE = "holds formulas"


class ReadError(ValueError):
    """The file cannot be read as a spreadsheet; the message says why in the analyst's words."""


class OutOfMemory(ReadError):
    """Refused because reading it ran out of memory (the reader child's limit): a child that read
    ahead (`read_workbook`'s `ahead`) reads such a file again without reading ahead."""


@dataclass
class Sheet:
    name: str
    rows: list[list[Any]]
    notes: list[str] = field(default_factory=list)
    # cells that show an Excel error, which the readers give as empty: (row, column), 0-based ->
    # the error's text ('' when unknown); `error_cells` counts them all (isms.importing.extent)
    errors: dict[tuple[int, int], str] = field(default_factory=dict)
    error_cells: int = 0
    # formula cells without a calculated value, which the readers give as empty: (row, column) ->
    # the formula; `uncalculated_cells` counts them all
    uncalculated: dict[tuple[int, int], str] = field(default_factory=dict)
    uncalculated_cells: int = 0


@dataclass
class Workbook:
    file_format: str  # xlsx, xlsm, ods, xls, csv
    sheets: list[Sheet]


def read_workbook(data: bytes, file_name: str, *, max_bytes: int, max_rows: int,
                  max_cells: int = MAX_CELLS, ahead: bool = False) -> Workbook:
    """Every sheet of a spreadsheet file, or ReadError with the reason. `ahead`: read the long
    sheets of an xlsx while the scan runs (`fast_sheet.Ahead`): only where a parser that dies
    takes nobody with it, the reader child (isms.importing.isolation)."""
    if not data:
        raise ReadError("the file is empty")
    if len(data) > max_bytes:
        raise ReadError(f"the file is {len(data) / 1024 / 1024:.1f} MB, over the upload limit of {max_bytes / 1024 / 1024:g} MB")
    limits = Limits(max_rows, max_cells)
    if data.startswith(OLE_MAGIC):
        if ENCRYPTED_PACKAGE in data:
            raise ReadError("the workbook is password-protected (encrypted): remove the password in Excel "
                            "(File > Info > Protect Workbook > Encrypt with Password) and upload it again")
        return _read_calamine(data, "xls", {}, set(), limits)
    if data.startswith(ZIP_MAGIC):
        early = None
        if ahead:
            from isms.importing.fast_sheet import Ahead

            early = Ahead(data)
        try:
            fmt, extents, formula_sheets, parts = _check_zip(data, file_name, early)
            return _read_calamine(data, fmt, extents, formula_sheets, limits, parts, early)
        finally:
            if early is not None:
                early.close()
    if file_name.lower().endswith(".json"):
        return _read_oscal(data, file_name, max_rows)
    return _read_text(data, file_name, max_rows)


def _read_oscal(data: bytes, file_name: str, max_rows: int) -> Workbook:
    """An OSCAL catalog (JSON) as the two sheets of a user's catalog, Frameworks and Requirements,
    in the template's headers: from here on it is imported like any spreadsheet."""
    import json

    from isms.catalogs.oscal import catalog_requirements

    try:
        doc = json.loads(decode_text(data))
    except (ValueError, RecursionError) as exc:
        raise ReadError(f"the file is not JSON ({str(exc)[:80]})") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("catalog"), dict):
        raise ReadError("the JSON file is not an OSCAL catalog (no 'catalog' object at its top)")
    meta = doc["catalog"].get("metadata", {}) if isinstance(doc["catalog"].get("metadata"), dict) else {}
    try:
        reqs, withdrawn = catalog_requirements(doc)
    except (KeyError, TypeError, AttributeError) as exc:
        raise ReadError(f"the OSCAL catalog cannot be read: {exc!r} is missing or of the wrong shape") from None
    if len(reqs) > max_rows:
        raise ReadError(f"the catalog has {len(reqs):,} requirements, over the limit of {max_rows:,}")
    code = re.sub(r"[^A-Za-z0-9.]+", "-", re.sub(r"\.[^.]+$", "", file_name)).strip("-")[:64] or "OSCAL"
    frameworks = [["Framework", "Name", "Version"], [code, str(meta.get("title") or code)[:300], meta.get("version")]]
    rows = [["Framework", "Ref", "Title", "Parent", "Family", "Text"]]
    rows += [[code, r.ref, r.title, r.parent, r.family, (r.text or "")[:4000] or None] for r in reqs]
    notes = [f"{withdrawn} withdrawn item(s) of the catalog left out"] if withdrawn else []
    return Workbook("oscal", [Sheet("Frameworks", frameworks), Sheet("Requirements", rows, notes)])


@dataclass(frozen=True)
class Limits:
    max_rows: int
    max_cells: int

    def check_extent(self, sheet: str, scan: PartScan) -> None:
        """Refuse a sheet by its cells before a reader sees it (its rows are checked once read:
        a template formatted down to row 1,048,576 holds far fewer rows than its row elements)."""
        if scan.cells > self.max_cells:
            raise ReadError(f"sheet {sheet!r} holds {scan.cells:,} cells, over the limit of {self.max_cells:,}")

    def check_rows(self, sheet: str, rows: list) -> None:
        if len(rows) > self.max_rows + 50:
            raise ReadError(f"sheet {sheet!r} has {len(rows):,} rows, over the limit of {self.max_rows:,}")

    def check_rectangle(self, sheet: str, height: int, width: int) -> None:
        if height * width > max(self.max_cells, RECTANGLE_CELLS):
            raise ReadError(f"sheet {sheet!r} spans {height:,} rows x {width:,} columns "
                            f"({height * width:,} cells), over the limit of {max(self.max_cells, RECTANGLE_CELLS):,}: "
                            "delete the stray cells beyond your table (Ctrl+End shows the last one) and upload again")


def _check_zip(data: bytes, file_name: str, early=None) -> tuple[str, dict[str, PartScan], set[str], dict[str, str]]:
    """Refuse what no reader should open (damage, zip bombs, entity declarations in any part),
    and learn each worksheet's real extent and whether it holds formulas, in one streaming pass;
    with each sheet's part (sheet name -> zip member). `early` (a `fast_sheet.Ahead`) starts on
    the long sheets once the archive's sizes passed, before the pass."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, EOFError, ValueError) as exc:
        raise ReadError(f"the file is a damaged or truncated zip archive, not a readable workbook ({exc})") from None
    total = sum(i.file_size for i in infos)
    packed = max(1, sum(i.compress_size for i in infos))
    if total > MAX_UNZIPPED_BYTES or total / packed > MAX_ZIP_RATIO:
        raise ReadError(f"the workbook would expand to {total / 1e6:,.0f} MB from {len(data) / 1e6:,.1f} MB "
                        "(a zip bomb?); refused")
    names = {i.filename for i in infos}
    if "content.xml" in names and "mimetype" in names:
        fmt = "ods"
    elif "xl/workbook.xml" in names:
        fmt = "xlsm" if "xl/vbaProject.bin" in names or file_name.lower().endswith(".xlsm") else "xlsx"
    else:
        raise ReadError("the file is a zip archive but not an Excel or OpenDocument workbook")
    scans: dict[str, PartScan] = {}
    try:
        # the relationships name a sheet's part, whatever its file name (sheet1.xml is only Excel's habit)
        parts = sheet_parts(zf) if fmt != "ods" else {}
        if early is not None:
            early.start(zf, parts, RECTANGLE_CELLS)
        worksheets = set(parts.values())
        percents = percent_styles(zf) if fmt != "ods" else frozenset()
        for info in infos:
            if not info.filename.endswith(".xml") and not info.filename.endswith(".rels"):
                continue
            with zf.open(info) as member:
                worksheet = info.filename in worksheets or _SHEET_XML.search(info.filename) is not None
                scans[info.filename] = scan_part(member, info.filename, worksheet=worksheet,
                                                 percent_styles=percents if worksheet else frozenset())
    except PartRefused as exc:
        raise ReadError(str(exc)) from None
    except MemoryError:
        raise OutOfMemory("unpacking the workbook ran out of memory, the limit for one file; refused") from None
    except (zipfile.BadZipFile, EOFError, OSError, zipfile.LargeZipFile, zlib.error) as exc:
        if "Error -4" in str(exc):  # zlib's Z_MEM_ERROR: the memory limit, not a damaged file
            raise OutOfMemory("unpacking the workbook ran out of memory, the limit for one file; refused") from None
        raise ReadError(f"the workbook is damaged or truncated ({exc})") from None
    calc = scans.get("xl/calcChain.xml")
    formula_parts = {name for name, scan in scans.items() if scan.formulas}
    if calc is not None and "xl/calcChain.xml" in names:
        formula_parts |= set(_calc_chain_sheets(zf))
    extents = {sheet: scans[part] for sheet, part in parts.items() if part in scans}
    formula_sheets = {sheet for sheet, part in parts.items() if part in formula_parts}
    return fmt, extents, formula_sheets, parts


def _calc_chain_sheets(zf: zipfile.ZipFile) -> list[str]:
    """Excel lists formulas in calcChain.xml by sheet index; other writers leave <f> in the sheet."""
    body = zf.read("xl/calcChain.xml")
    found = [f"xl/worksheets/sheet{i.decode()}.xml" for i in _CALC_SHEET.findall(body)]
    if b' i="' not in body[:4096] and _CALC_CELL.search(body):
        found.append("xl/worksheets/sheet1.xml")
    return found


def _read_calamine(data: bytes, fmt: str, extents: dict[str, PartScan], formula_sheets: set[str],
                   limits: Limits, parts: dict[str, str] | None = None, early=None) -> Workbook:
    """Sheets through calamine, except a sparse xlsx sheet (a few cells over a huge rectangle),
    which is read by its cells, and a long xlsx sheet, which fastexcel reads where it gives the
    same rows (isms.importing.fast_sheet); xls and ods sheets are refused by their rectangle instead."""
    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = []
        fast = _FastReader(data, parts or {}, early)
        for name in wb.sheet_names:
            notes = []
            scan = extents.get(name)
            if scan is not None:
                limits.check_extent(name, scan)
            sparse = scan is not None and scan.rectangle > RECTANGLE_CELLS
            # merged blocks and percentages are written into the rows, which the fast reader's columns
            # are not (rewriting its columns as rows and back cost more than calamine's read)
            fast_read = scan is not None and not sparse and not scan.merged_down and not scan.percent
            rows = fast.rows(name, scan) if fast_read else None
            if rows is None and early is not None:
                early.discard(name)  # read another way: what was read ahead of it is not held beside it
            if rows is not None:
                limits.check_rows(name, rows)
                limits.check_rectangle(name, len(rows), rows.width)
            elif sparse:
                rows = read_sparse(data, name, scan.errors)
                limits.check_rows(name, rows)
                notes += as_shown(rows, scan)
                notes.append(f"spans {scan.rectangle:,} cells to its last cell {scan.last_cell} but holds "
                             f"{scan.cells:,}: read cell by cell")
            else:
                sheet = wb.get_sheet_by_name(name)
                if sheet.height > limits.max_rows + 50:
                    raise ReadError(f"sheet {name!r} has {sheet.height:,} rows, over the limit of {limits.max_rows:,}")
                limits.check_rectangle(name, sheet.height, sheet.width)
                rows = sheet.to_python(skip_empty_area=False)
                if scan is not None:
                    notes += as_shown(rows, scan)
                rows = column_rows(rows)
            if name in formula_sheets:
                notes.append(f"{FORMULAS_NOTE}: their last calculated values were imported, the formulas were not evaluated"
                             + (" (those without one are named at their cells)" if scan is not None and scan.uncalculated_cells
                                else ""))
            sheets.append(Sheet(name, rows, notes, *((scan.errors, scan.error_cells, scan.uncalculated,
                                                      scan.uncalculated_cells) if scan is not None else ())))
    except ReadError:
        raise
    except MemoryError as exc:
        raise OutOfMemory(f"the workbook cannot be read ({type(exc).__name__}: {exc})") from None
    except Exception as exc:  # calamine raises several types for damaged parts
        if type(exc).__name__ == "PasswordError":
            raise ReadError("the workbook is password-protected: remove the password and upload it again") from None
        raise ReadError(f"the workbook cannot be read ({type(exc).__name__}: {exc})") from None
    return Workbook(fmt, sheets)


class _FastReader:
    """fastexcel for the long sheets of one xlsx workbook (opened once, when the first is asked for)."""

    def __init__(self, data: bytes, parts: dict[str, str], early=None):
        self.data, self.parts, self.early = data, parts, early
        self.zf = self.reader = None

    def rows(self, name: str, scan: PartScan):
        """The sheet's rows, or None: a short sheet, or one fastexcel would read differently."""
        from isms.importing import fast_sheet

        if scan.max_row <= fast_sheet.FAST_ROWS or name not in self.parts or not scan.rows_in_order or scan.iso_dates:
            return None
        try:
            if self.early is not None and name in self.early.sheets:
                return self.early.rows(name)  # the same call, made while the scan ran
            if self.zf is None:
                import fastexcel

                self.zf, self.reader = zipfile.ZipFile(io.BytesIO(self.data)), fastexcel.read_excel(self.data)
            return fast_sheet.read_sheet(self.data, self.zf, self.parts[name], name, self.reader)
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException:  # Declined, or any surprise of the fast way (a Rust panic is a BaseException):
            return None        # calamine reads the sheet as before


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252: what spreadsheets export in practice."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _unicode_encoding(data: bytes) -> str | None:
    """The encoding of UTF-16 text (Excel's 'Unicode Text' export, tab-delimited), or UTF-32: by its
    byte-order mark, or, without one, by every other byte of its start being zero, as ASCII text in
    UTF-16 is; None for any other text."""
    if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return "utf-32"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    head = data[:4096 - len(data[:4096]) % 2]
    if len(head) >= 8:
        even, odd = head[0::2], head[1::2]
        # nearly every other byte zero (a non-Latin character has both bytes set), and never both of a pair
        if odd.count(0) >= 0.9 * len(odd) and even.count(0) == 0:
            return "utf-16-le"
        if even.count(0) >= 0.9 * len(even) and odd.count(0) == 0:
            return "utf-16-be"
    return None


def _read_text(data: bytes, file_name: str, max_rows: int) -> Workbook:
    encoding = _unicode_encoding(data)
    if encoding is None and b"\x00" in data[:4096]:
        raise ReadError("the file is neither a spreadsheet nor delimited text (.xlsx, .xlsm, .ods or .csv)")
    text = data.decode(encoding, errors="replace").lstrip("\ufeff") if encoding else decode_text(data)
    sample = text[:65536]
    lines = [ln for ln in sample.splitlines() if ln.strip()]
    if not lines:
        raise ReadError("the file holds no rows")
    delimiter = _delimiter(lines[:50])
    if delimiter is None:
        raise ReadError("the file is not a spreadsheet: no ',', ';' or tab separated columns were found")
    rows = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for row in reader:
            rows.append(row)
            if len(rows) > max_rows + 50:
                raise ReadError(f"the file has more than {max_rows:,} rows, over the limit")
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise ReadError(f"line {reader.line_num} holds a cell longer than {csv.field_size_limit():,} characters, "
                            "the limit for one cell (is a quote left open?)") from None
        raise ReadError(f"line {reader.line_num} cannot be read as delimited text ({exc})") from None
    name = re.sub(r"\.[^.]+$", "", file_name) or "data"
    return Workbook("csv", [Sheet(name, rows, [], *_excel_errors(rows))])


# What Excel writes for a cell that shows an error when it saves a sheet as CSV
EXCEL_ERRORS = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA", "#SPILL!",
                          "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#UNKNOWN!", "#BUSY!", "#PYTHON!"})


def _excel_errors(rows: list[list[str]]) -> tuple[dict[tuple[int, int], str], int]:
    """Empty the cells of a CSV that hold exactly an Excel error code, as a workbook's reader gives
    an error cell, and place them (as isms.importing.extent does for a workbook), so the import says
    so at each cell instead of taking '#N/A' for an owner's name."""
    errors: dict[tuple[int, int], str] = {}
    count = 0
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value.startswith("#") and value.strip() in EXCEL_ERRORS:
                row[c] = ""
                count += 1
                if len(errors) < MAX_ERROR_CELLS:
                    errors[(r, c)] = value.strip()
    return errors, count


def _delimiter(lines: list[str]) -> str | None:
    """The delimiter that splits the lines into the most consistent number of columns."""
    best, best_score = None, 0.0
    for d in (",", ";", "\t"):
        counts = [len(r) for r in csv.reader(lines, delimiter=d)]
        split = [c for c in counts if c >= 2]  # notes or a markdown tail below a table split into nothing
        if not split:
            continue
        mode = max(set(split), key=split.count)
        score = counts.count(mode) / len(counts) * min(mode, 50)
        if mode >= 2 and score > best_score:
            best, best_score = d, score
    return best
