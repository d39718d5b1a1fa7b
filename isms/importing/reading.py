"""Bytes in, sheets of raw cells out, or one clear reason why the file cannot be read.

Upload bytes are hostile until shown otherwise: the checks here (size, zip bombs, XML entity
declarations, encryption, text that is not a table) run before any parser sees the file, so a
refusal is a sentence for the analyst, never a traceback, and nothing is written.
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

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")
MAX_UNZIPPED_BYTES = 1_000_000_000
MAX_ZIP_RATIO = 200
_FORMULA = re.compile(rb"<(?:\w+:)?f[ >/]")
_CALC_SHEET = re.compile(rb'<c [^>]*\bi="(\d+)"')
_CALC_CELL = re.compile(rb"<c ")
FORMULA_SCAN_BYTES = 8_000_000
_SHEET_XML = re.compile(r"xl/worksheets/sheet\d+\.xml$")


class ReadError(ValueError):
    """The file cannot be read as a spreadsheet; the message says why in the analyst's words."""


@dataclass
class Sheet:
    name: str
    rows: list[list[Any]]
    notes: list[str] = field(default_factory=list)


@dataclass
class Workbook:
    file_format: str  # xlsx, xlsm, ods, xls, csv
    sheets: list[Sheet]


def read_workbook(data: bytes, file_name: str, *, max_bytes: int, max_rows: int) -> Workbook:
    """Every sheet of a spreadsheet file, or ReadError with the reason."""
    if not data:
        raise ReadError("the file is empty")
    if len(data) > max_bytes:
        raise ReadError(f"the file is {len(data) / 1024 / 1024:.1f} MB, over the upload limit of {max_bytes / 1024 / 1024:g} MB")
    if data.startswith(OLE_MAGIC):
        if ENCRYPTED_PACKAGE in data:
            raise ReadError("the workbook is password-protected (encrypted): remove the password in Excel "
                            "(File > Info > Protect Workbook > Encrypt with Password) and upload it again")
        return _read_calamine(data, "xls", [], max_rows)
    if data.startswith(ZIP_MAGIC):
        fmt, formula_sheets = _check_zip(data, file_name)
        return _read_calamine(data, fmt, formula_sheets, max_rows)
    return _read_text(data, file_name, max_rows)


def _check_zip(data: bytes, file_name: str) -> tuple[str, list[str]]:
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
    formula_sheets: set[str] = set()
    try:
        for info in infos:
            if not info.filename.endswith(".xml") and not info.filename.endswith(".rels"):
                continue
            with zf.open(info) as member:
                head = member.read(65536)
                if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                    raise ReadError(f"the workbook part {info.filename} declares XML entities (an entity-expansion "
                                    "attack or a damaged file); refused")
                if info.filename == "xl/calcChain.xml":
                    body = head + member.read()
                    formula_sheets |= {f"xl/worksheets/sheet{i.decode()}.xml" for i in _CALC_SHEET.findall(body)}
                    if b' i="' not in body[:4096] and _CALC_CELL.search(body):
                        formula_sheets.add("xl/worksheets/sheet1.xml")
                elif _SHEET_XML.search(info.filename) and info.file_size <= FORMULA_SCAN_BYTES:
                    # Excel lists formulas in calcChain.xml; other writers may not, so small sheets are read
                    if _FORMULA.search(head + member.read()):
                        formula_sheets.add(info.filename)
    except (zipfile.BadZipFile, EOFError, OSError, zipfile.LargeZipFile, zlib.error) as exc:
        raise ReadError(f"the workbook is damaged or truncated ({exc})") from None
    return fmt, sorted(formula_sheets)


def _read_calamine(data: bytes, fmt: str, formula_parts: list[str], max_rows: int) -> Workbook:
    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = []
        for idx, name in enumerate(wb.sheet_names):
            sheet = wb.get_sheet_by_name(name)
            if sheet.height > max_rows + 50:
                raise ReadError(f"sheet {name!r} has {sheet.height:,} rows, over the limit of {max_rows:,}")
            rows = sheet.to_python(skip_empty_area=False)
            notes = []
            if f"xl/worksheets/sheet{idx + 1}.xml" in formula_parts:
                notes.append("holds formulas: their last calculated values were imported, the formulas were not evaluated")
            sheets.append(Sheet(name, rows, notes))
    except ReadError:
        raise
    except Exception as exc:  # calamine raises several types for damaged parts
        if type(exc).__name__ == "PasswordError":
            raise ReadError("the workbook is password-protected: remove the password and upload it again") from None
        raise ReadError(f"the workbook cannot be read ({type(exc).__name__}: {exc})") from None
    return Workbook(fmt, sheets)


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252: what spreadsheets export in practice."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _read_text(data: bytes, file_name: str, max_rows: int) -> Workbook:
    if b"\x00" in data[:4096]:
        raise ReadError("the file is neither a spreadsheet nor delimited text (.xlsx, .xlsm, .ods or .csv)")
    text = decode_text(data)
    sample = text[:65536]
    lines = [ln for ln in sample.splitlines() if ln.strip()]
    if not lines:
        raise ReadError("the file holds no rows")
    delimiter = _delimiter(lines[:50])
    if delimiter is None:
        raise ReadError("the file is not a spreadsheet: no ',', ';' or tab separated columns were found")
    rows = []
    for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
        rows.append(row)
        if len(rows) > max_rows + 50:
            raise ReadError(f"the file has more than {max_rows:,} rows, over the limit")
    name = re.sub(r"\.[^.]+$", "", file_name) or "data"
    return Workbook("csv", [Sheet(name, rows)])


def _delimiter(lines: list[str]) -> str | None:
    """The delimiter that splits the lines into the most consistent number of columns."""
    best, best_score = None, 0.0
    for d in (",", ";", "\t"):
        counts = [len(r) for r in csv.reader(lines, delimiter=d)]
        if not counts or max(counts) < 2:
            continue
        mode = max(set(counts), key=counts.count)
        score = counts.count(mode) / len(counts) * min(mode, 50)
        if mode >= 2 and score > best_score:
            best, best_score = d, score
    return best
