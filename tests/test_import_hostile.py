"""Hostile and broken files: each refused with a clear message, the database exactly as it was."""

import io
import json
import os
import subprocess
import sys
import zipfile

import msoffcrypto.format.ooxml
import pytest
from openpyxl import Workbook, load_workbook

from isms.importing.pipeline import build_plan, commit
from isms.store import connect
from tests.conftest import ROOT
from tests.factories import D, assessment, load, risk
from tests.test_store import table_dump

CSV = "Risk ID,Title,Likelihood,Impact,Owner\nR-1,Ransomware,4,5,CISO\nR-2,Phishing,3,3,CISO\n"


def xlsx(rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Risks"
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def rewrite_zip(data: bytes, replace: dict[str, bytes]) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, replace.get(info.filename, src.read(info.filename)))
    return out.getvalue()


def encrypted() -> bytes:
    out = io.BytesIO()
    msoffcrypto.format.ooxml.OOXMLFile(io.BytesIO(xlsx([["Risk ID", "Title"], ["R-1", "x"]]))).encrypt("s3cret", out)
    return out.getvalue()


def zip_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * 60_000_000)
    return out.getvalue()


def entity_expansion() -> bytes:
    lol = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">'
           b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;">]><worksheet xmlns="http://schemas.openxmlformats.org/'
           b'spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol3;</t></is></c>'
           b'</row></sheetData></worksheet>')
    return rewrite_zip(xlsx([["Risk ID"], ["R-1"]]), {"xl/worksheets/sheet1.xml": lol})


def corrupt() -> bytes:
    good = bytearray(xlsx([["Risk ID", "Title"], *[[f"R-{i}", "t" * 50] for i in range(200)]]))
    start = good.find(b"xl/worksheets/sheet1.xml") + 60
    good[start:start + 400] = b"\x55" * 400
    return bytes(good)


GOOD_XLSX = xlsx([["Risk ID", "Title"], ["R-1", "x"]])

HOSTILE = {
    "not a spreadsheet": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 200, "neither a spreadsheet"),
    "prose": (b"Dear analyst\nplease find the register attached\n", "not a spreadsheet"),
    "prose with a comma": (b"Dear analyst, the register is attached.", "no sheet holds rows of a known kind"),
    "truncated zip": (GOOD_XLSX[: len(GOOD_XLSX) // 2], "damaged or truncated"),
    "corrupt zip": (corrupt(), "damaged"),
    "encrypted": (encrypted(), "password-protected"),
    "zip bomb": (zip_bomb(), "zip bomb"),
    "entity expansion": (entity_expansion(), "declares XML entities"),
    "empty": (b"", "the file is empty"),
    "headers only": (b"Risk ID,Title,Likelihood,Impact\n", "no rows"),
    "odd zip": (rewrite_zip(GOOD_XLSX, {"xl/workbook.xml": b""})[:0] + b"PK\x03\x04" + b"\x00" * 30, "damaged or truncated"),
}


@pytest.fixture
def busy_con():
    """A store that already holds a register, so 'unchanged' means something."""
    con = connect(":memory:")
    load(con, "2026-03-31", risks=[risk("R-1")], assessments=[assessment("R-1", "2026-03-31")])
    yield con
    con.close()


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_file_is_refused_and_nothing_changes(case, busy_con, settings):
    data, reason = HOSTILE[case]
    before = table_dump(busy_con)
    plan = build_plan(data, f"{case}.xlsx" if data.startswith(b"PK") else f"{case}.csv", settings.matrix,
                      con=busy_con, max_bytes=settings.max_upload_bytes)
    out = commit(busy_con, plan, "pytest")
    assert out.status == "refused"
    assert any(reason in p.message for p in plan.problems), [p.message for p in plan.problems]
    assert table_dump(busy_con) == before


def test_over_the_size_and_row_caps(busy_con, settings):
    before = table_dump(busy_con)
    big = build_plan(CSV.encode() * 10, "big.csv", settings.matrix, con=busy_con, max_bytes=100)
    assert "over the upload limit of" in big.problems[0].message
    many = CSV + "".join(f"R-{i},t,1,1,o\n" for i in range(3, 30))
    capped = build_plan(many.encode(), "many.csv", settings.matrix, con=busy_con, max_rows=10)
    assert "over the limit" in capped.problems[0].message
    assert commit(busy_con, big, "t").status == commit(busy_con, capped, "t").status == "refused"
    assert table_dump(busy_con) == before


def test_every_problem_once_with_its_cell(busy_con, settings):
    text = ("Title row of the register,,,,,\n"
            "Risk ID,Title,Likelihood,Impact,Owner,Favourite colour\n"
            "R-1,Ransomware,4,5,CISO,blue\n"
            "R-2,Phishing,seven,3,CISO,red\n"
            "R-1,Duplicate,2,2,CISO,green\n"
            "R-3,Outage,3,9,CISO,\n")
    before = table_dump(busy_con)
    plan = build_plan(text.encode(), "reg.csv", settings.matrix, con=busy_con)
    got = {(p.cell, p.severity) for p in plan.problems}
    assert ("C4", "error") in got  # 'seven' is no level
    assert ("D6", "error") in got  # 9 is off the 5-step scale
    assert ("A5", "error") in got  # duplicate of row 3, pointed at its id cell
    dup = next(p for p in plan.problems if p.cell == "A5")
    assert "duplicate of row 3" in dup.message
    unknown = next(p for p in plan.problems if "not imported" in p.message)
    assert unknown.severity == "warning" and "Favourite colour" in unknown.message and unknown.row == 2
    assert len([p for p in plan.problems if p.severity == "error"]) == 3
    assert commit(busy_con, plan, "t").status == "refused"
    assert table_dump(busy_con) == before


def test_required_columns_missing(settings):
    text = "Treatment ID,Risk ID,Decision,Owner,Start date,Status\nT-1,R-1,Reduce,CISO,2026-01-01,Planned\n"
    plan = build_plan(text.encode(), "t.csv", settings.matrix)
    assert plan.mappings[0].kind == "treatments"
    assert any("required column(s) missing: Due on" in p.message for p in plan.problems)
    assert not plan.ok


def test_formula_like_text_stays_text(settings):
    text = ("Risk ID,Title,Owner\n"
            "R-1,\"=cmd|' /C calc'!A0\",CISO\nR-2,+44 20 7946 0000,@SUM(A1)\nR-3,-1 day slip,CISO\n")
    con = connect(":memory:")
    out = commit(con, build_plan(text.encode(), "f.csv", settings.matrix, con=con, as_of=D("2026-03-31")), "t")
    assert out.status == "committed"
    titles = dict(con.execute("SELECT risk_id, title FROM risk").fetchall())
    assert titles == {"R-1": "=cmd|' /C calc'!A0", "R-2": "+44 20 7946 0000", "R-3": "-1 day slip"}
    assert con.execute("SELECT owner FROM risk WHERE risk_id = 'R-2'").fetchone()[0] == "@SUM(A1)"


def test_same_file_same_date_changes_nothing(settings):
    con = connect(":memory:")
    first = commit(con, build_plan(CSV.encode(), "r.csv", settings.matrix, con=con, as_of=D("2026-03-31")), "t")
    before = table_dump(con)
    again = commit(con, build_plan(CSV.encode(), "r.csv", settings.matrix, con=con, as_of=D("2026-03-31")), "t")
    assert (first.status, again.status) == ("committed", "unchanged") and again.batch_id == first.batch_id
    assert table_dump(con) == before


def test_annotated_copy_marks_each_bad_cell(settings):
    from isms.importing.annotate import annotated_workbook

    data = xlsx([["Risk ID", "Title", "Likelihood", "Impact"], ["R-1", "x", 4, 5], ["R-2", "y", "often", 3]])
    plan = build_plan(data, "r.xlsx", settings.matrix)
    wb = load_workbook(io.BytesIO(annotated_workbook(data, plan.file_format, plan.sheets, plan.problems)))
    cell = wb["Risks"]["C3"]
    assert cell.value == "often" and "neither a step 1-5 nor a level word" in cell.comment.text
    assert cell.fill.fgColor.rgb.endswith("F4B6B6")
    assert wb["Risks"]["C2"].comment is None
    listed = [r for r in wb["Import problems"].iter_rows(min_row=2, values_only=True)]
    assert ("error", "Risks", "C3") == listed[0][:3]


def run_cli(*args, env):
    return subprocess.run([sys.executable, "-m", "isms", *args], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, **env}, timeout=180)


def test_cli_refuses_hostile_files_cleanly(tmp_path, settings):
    db = tmp_path / "cli.duckdb"
    env = {"ISMS_DB": str(db)}
    bomb = tmp_path / "bomb.xlsx"
    bomb.write_bytes(HOSTILE["zip bomb"][0])
    locked = tmp_path / "locked.xlsx"
    locked.write_bytes(HOSTILE["encrypted"][0])
    reg = tmp_path / "reg.csv"
    reg.write_text(CSV)
    assert run_cli("import", str(reg), "--as-of", "2026-03-31", env=env).returncode == 0
    con = connect(db)
    before = table_dump(con)
    con.close()
    for f, reason in ((bomb, "zip bomb"), (locked, "password-protected")):
        out = run_cli("import", str(f), "--json", env=env)
        assert out.returncode == 1 and "Traceback" not in out.stderr
        payload = json.loads(out.stdout)[0]
        assert payload["status"] == "refused" and reason in payload["problems"][0]["message"]
    con = connect(db)
    assert table_dump(con) == before
    con.close()


def test_cli_size_cap_comes_from_the_settings(tmp_path):
    cfg = tmp_path / "isms.toml"
    cfg.write_text('[import]\nmax_upload_mb = 0.0001\n')
    reg = tmp_path / "reg.csv"
    reg.write_text(CSV * 5)
    out = run_cli("import", str(reg), env={"ISMS_DB": str(tmp_path / "c.duckdb"), "ISMS_CONFIG": str(cfg)})
    assert out.returncode == 1 and "over the upload limit" in out.stdout


def test_cli_uses_a_saved_mapping_profile(tmp_path, settings):
    from isms.importing.mapping import Profile, SheetMapping, profiles_folder, save_profile

    db = tmp_path / "p.duckdb"
    text = "Key,Headline,Chance,Harm\nR-1,Ransomware,4,5\n"
    reg = tmp_path / "odd.csv"
    reg.write_text(text)
    env = {"ISMS_DB": str(db)}
    unmapped = run_cli("import", str(reg), "--json", "--dry-run", env=env)
    assert unmapped.returncode == 1  # nothing in the file says which column is the risk id
    cols = {"risk_id": "Key", "title": "Headline", "inherent_likelihood": "Chance", "inherent_impact": "Harm"}
    save_profile(profiles_folder(str(db)), Profile("odd", [["chance", "harm", "headline", "key"]],
                                                   [SheetMapping("odd", "risks", 0, cols)]))
    march = tmp_path / "odd-2026-03.csv"  # another month's file: matched by its headers, not its name
    march.write_text(text)
    done = run_cli("import", str(march), "--mapping", "odd", "--as-of", "2026-03-31", "--json", env=env)
    assert done.returncode == 0, done.stdout
    assert json.loads(done.stdout)[0]["row_counts"] == {"risks": 1, "assessments": 1}
    assert run_cli("import", str(reg), "--mapping", "nope", env=env).returncode == 2
