"""A file is read once per upload: planning it again (another date, another mapping, the register
after a commit) takes the earlier read, and gives what reading it again would have given."""

import datetime as dt
from dataclasses import replace

import pandas as pd
from openpyxl import load_workbook

from isms.config import load_settings
from isms.importing import pipeline
from isms.importing.pipeline import build_plan, commit
from isms.store import connect
from tests.test_import_page import REGISTERS, open_import, page_db, upload, widget  # noqa: F401 (page_db: fixture)

WORKBOOK = REGISTERS / "nikola_risk_register.xlsx"


def _counting(monkeypatch) -> list[str]:
    """Every read of a file by the pipeline, by file name."""
    reads: list[str] = []
    real = pipeline.read

    def counted(data, file_name, **kwargs):
        reads.append(file_name)
        return real(data, file_name, **kwargs)

    monkeypatch.setattr(pipeline, "read", counted)
    return reads


def _plan(data, name, con, **kwargs):
    settings = load_settings()
    return build_plan(data, name, settings.matrix, con=con, max_rows=settings.max_rows,
                      max_bytes=settings.max_upload_bytes, isolated=settings.read_limits, **kwargs)


def _same(a, b) -> None:
    assert a.sheets == b.sheets and a.mappings == b.mappings and a.rules == b.rules
    assert [str(p) for p in a.problems] == [str(p) for p in b.problems]
    assert a.frames.keys() == b.frames.keys()
    for kind in a.frames:
        pd.testing.assert_frame_equal(a.frames[kind], b.frames[kind])


def test_planning_again_takes_the_earlier_read_and_gives_the_same_plan(tmp_path, monkeypatch):
    reads = _counting(monkeypatch)
    data = WORKBOOK.read_bytes()
    con = connect(tmp_path / "once.duckdb")
    first = _plan(data, WORKBOOK.name, con, as_of=dt.date(2026, 9, 30))
    assert reads == [WORKBOOK.name] and first.frames and first.ok
    # another date, against the register after the commit: not read again, and as a fresh read plans it
    assert commit(con, first, "test").status == "committed"
    again = _plan(data, WORKBOOK.name, con, as_of=dt.date(2026, 10, 31), was_read=first.was_read)
    assert reads == [WORKBOOK.name]
    fresh = _plan(data, WORKBOOK.name, con, as_of=dt.date(2026, 10, 31))
    assert reads == [WORKBOOK.name] * 2
    _same(again, fresh)
    assert again.as_of == dt.date(2026, 10, 31) and again.preview is not None
    pd.testing.assert_frame_equal(again.preview.table(), fresh.preview.table())
    assert again.preview.leaving == fresh.preview.leaving
    # the rows just committed are in the register now: the new date's plan finds them unchanged
    assert again.preview.table()["unchanged"].sum() > 0
    # another sheet kind: the mapping changes the plan, not the read
    ignored = [replace(m, kind="ignore") for m in first.mappings]
    _plan(data, WORKBOOK.name, con, mappings=ignored, was_read=first.was_read)
    assert reads == [WORKBOOK.name] * 2
    con.close()


def test_another_file_name_other_bytes_or_other_limits_are_read(tmp_path, monkeypatch):
    reads = _counting(monkeypatch)
    data = WORKBOOK.read_bytes()
    first = _plan(data, WORKBOOK.name, None)
    # the same bytes under another name (a CSV's sheet is named after its file)
    _plan(data, "other.xlsx", None, was_read=first.was_read)
    # other bytes under the same name: a cell changed
    book = load_workbook(WORKBOOK)
    sheet = book.worksheets[0]
    cell = next(c for row in sheet.iter_rows(min_row=3) for c in row if isinstance(c.value, str))
    cell.value = cell.value + " (changed)"
    changed = tmp_path / WORKBOOK.name
    book.save(changed)
    other = _plan(changed.read_bytes(), WORKBOOK.name, None, was_read=first.was_read)
    assert any(" (changed)" in str(v) for rows in other.sheets.values() for r in rows for v in r)
    # the same bytes and name under other limits
    settings = load_settings()
    build_plan(data, WORKBOOK.name, settings.matrix, max_rows=settings.max_rows - 1,
               max_bytes=settings.max_upload_bytes, isolated=settings.read_limits, was_read=first.was_read)
    assert reads == [WORKBOOK.name, "other.xlsx", WORKBOOK.name, WORKBOOK.name]


def test_a_refused_file_is_read_again(monkeypatch):
    reads = _counting(monkeypatch)
    first = _plan(b"PK\x03\x04 not really a workbook", "broken.xlsx", None)
    assert not first.sheets and first.problems and first.was_read is None
    _plan(b"PK\x03\x04 not really a workbook", "broken.xlsx", None, was_read=first.was_read)
    assert reads == ["broken.xlsx"] * 2


def test_the_page_reads_an_upload_once_through_a_new_date_and_the_commit(page_db, monkeypatch):
    reads = _counting(monkeypatch)
    at = upload(open_import(), "shoankj.csv", (REGISTERS / "shoankj_risk-register.csv").read_bytes())
    assert reads == ["shoankj.csv"]
    at.date_input(key="import_as_of").set_value(dt.date(2026, 9, 30)).run()
    assert not at.exception
    widget(at.checkbox, "confirm_rules").check().run()
    at.button(key="commit").click().run()
    assert not at.exception
    assert at.success[0].value.startswith("Committed shoankj.csv as batch 1")
    # the page after the commit compares the file with the register it now holds, without reading it again
    assert any("already imported for 2026-09-30 as batch 1" in i.value for i in at.info)
    assert reads == ["shoankj.csv"]


def test_a_new_upload_is_read(page_db, monkeypatch):
    reads = _counting(monkeypatch)
    at = upload(open_import(), "shoankj.csv", (REGISTERS / "shoankj_risk-register.csv").read_bytes())
    data = (REGISTERS / "shoankj_risk-register.csv").read_bytes().replace(b"\n", b"\r\n", 1)
    upload(at, "shoankj.csv", data)
    assert reads == ["shoankj.csv"] * 2
    # the same bytes under another name: another file for the page (a CSV's sheet is named after it)
    upload(at, "other.csv", data)
    assert reads == ["shoankj.csv"] * 2 + ["other.csv"]
    widget(at.checkbox, "confirm_rules").check().run()
    at.button(key="commit").click().run()
    assert at.success[0].value.startswith("Committed other.csv as batch 1")
