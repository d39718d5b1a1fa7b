"""Hostile uploads, made here byte for byte so that each case is plain to read and regenerate.

`python -m tests.hostile_files` writes them into tests/hostile (they are committed too, so a reviewer can
open them); the tests use the bytes these functions return.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent / "hostile"
HEADERS = ["Risk ID", "Title", "Likelihood", "Impact", "Owner", "Status", "Annex A theme", "Note"]


def _xlsx(rows, title: str = "Register") -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = title
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _rewrite(data: bytes, change) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, change(info.filename, src.read(info.filename)))
    return out.getvalue()


def sparse_cell(row: int = 150_000, column: str = "XFD", prefixed: bool = False) -> bytes:
    """A2:H2 of data, one stray cell at XFD150000, and a <dimension> that claims A1:H2: a reader
    that allocates the rectangle asks for 78.6 GB. `prefixed`: the sheet's elements carry a
    namespace prefix (<x:row>, <x:c>), as some writers make them."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Register"
    ws.append(HEADERS)
    ws.append(["R-1", "Ransomware", 4, 5, "CISO", "Open", "A.8 Technological", ""])
    ws[f"{column}{row}"] = "stray"
    out = io.BytesIO()
    wb.save(out)
    def change(name: str, body: bytes) -> bytes:
        if name != "xl/worksheets/sheet1.xml":
            return body
        body = re.sub(rb'<dimension ref="[^"]+"', b'<dimension ref="A1:H2"', body)
        if prefixed:
            body = re.sub(rb"<(/?)([a-zA-Z])", rb"<\1x:\2", body.replace(b'<worksheet xmlns="', b'<worksheet xmlns:x="'))
        return body

    return _rewrite(out.getvalue(), change)


def late_doctype() -> bytes:
    """An entity declaration after a 70 KB comment: a check of the first 64 KB misses it."""
    def change(name, body):
        if name != "xl/worksheets/sheet1.xml":
            return body
        head, _, rest = body.rpartition(b"?>") if b"?>" in body[:200] else (b"", b"", body)
        return head + _ + b"<!--" + b"x" * 70_000 + b'--><!DOCTYPE w [<!ENTITY e "boom">]>' + rest
    return _rewrite(_xlsx([HEADERS[:5], ["R-1", "Ransomware", 4, 5, "CISO"]]), change)


def ods_cell(v) -> str:
    if isinstance(v, (int, float)):
        return f'<table:table-cell office:value-type="float" office:value="{v}"><text:p>{v}</text:p></table:table-cell>'
    return f'<table:table-cell office:value-type="string"><text:p>{escape(str(v))}</text:p></table:table-cell>'


def ods(rows_xml: str) -> bytes:
    """A minimal OpenDocument spreadsheet of one sheet, 'Register', as LibreOffice would save one."""
    content = ('<?xml version="1.0" encoding="UTF-8"?><office:document-content '
               'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
               'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
               f'<office:body><office:spreadsheet><table:table table:name="Register">{rows_xml}'
               '</table:table></office:spreadsheet></office:body></office:document-content>')
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                '<manifest:file-entry manifest:full-path="/" '
                'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                '</manifest:manifest>')
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", compress_type=zipfile.ZIP_STORED)
        z.writestr("content.xml", content)
        z.writestr("META-INF/manifest.xml", manifest)
    return out.getvalue()


def repeated_rows_ods(rows: int = 100_000) -> bytes:
    """An OpenDocument sheet of a few hundred bytes that declares `rows` repeated rows of data."""
    header = "<table:table-row>" + "".join(ods_cell(h) for h in HEADERS[:5]) + "</table:table-row>"
    body = (f'<table:table-row table:number-rows-repeated="{rows}">'
            + "".join(ods_cell(v) for v in ["R-1", "Ransomware", "often", 5, "CISO"]) + "</table:table-row>")
    return ods(header + body)


def long_csv_cell(size: int = 200 * 1024) -> bytes:
    """One cell over Python's csv field limit (128 KiB)."""
    return ("Risk ID,Title,Likelihood,Impact,Owner\nR-1," + "x" * size + ",4,5,CISO\n").encode()


def bidi_ids() -> bytes:
    """'R-\u202e900' displays as R-009; 'R-\u200b2' looks like R-2; a title with a zero-width space."""
    return ("Risk ID,Title,Likelihood,Impact,Owner\nR-\u202e900,Ransomware,4,5,CISO\n"
            "R-\u200b2,Phishing,3,3,CISO\nR-3,Pay\u200broll fraud,2,4,CFO\n").encode()


def formula_text_csv() -> bytes:
    """Text a spreadsheet would run: =, +, -, @, a leading tab and a leading carriage return."""
    return ('Risk ID,Title,Likelihood,Impact,Owner\nR-1,"=HYPERLINK(""http://x"",""y"")",often,5,+CISO\n'
            'R-2,@SUM(A1),3,3,-1+2\nR-3,"\tTabbed",3,3,"\rCR"\n').encode()


def formula_text_xlsx() -> bytes:
    """The same as text cells of a workbook, plus a real formula, with one bad rating to mark."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Register"
    ws.append(HEADERS[:5])
    ws.append(["R-1", "placeholder", "often", 5, "CISO"])
    ws.append(["R-2", "placeholder", 3, 3, "CISO"])
    for ref, text in {"B2": '=HYPERLINK("http://x","y")', "E2": "+CISO", "B3": "@SUM(A1)", "E3": "-1+2"}.items():
        ws[ref] = text
        ws[ref].data_type = "s"  # text in the file, not a formula
    ws["F3"] = "=1+1"  # a real formula
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


FILES = {
    "sparse-cell.xlsx": sparse_cell,
    "late-doctype.xlsx": late_doctype,
    "repeated-rows.ods": repeated_rows_ods,
    "long-cell.csv": long_csv_cell,
    "bidi-ids.csv": bidi_ids,
    "formula-text.csv": formula_text_csv,
    "formula-text.xlsx": formula_text_xlsx,
}


if __name__ == "__main__":
    for name, make in FILES.items():
        (HERE / name).write_bytes(make())
        print(HERE / name)
