"""The hostile files of tests/hostile (made by tests/hostile_files.py), each through the path an
upload takes (actions -> isolated reader): a sentence, never a traceback or a dead process, and the
database as it was. Formula text is checked in every file the product writes."""

import csv
import io
import os
import time
import zipfile

import pytest
from openpyxl import load_workbook

from isms import actions, audit
from isms.auth import Role, User
from isms.config import load_settings
from isms.exports import FORMULA_TRIGGERS, to_csv
from isms.importing.isolation import ReadLimits, annotate_isolated, read_isolated
from isms.importing.reading import ReadError
from isms.importing.template import write_blank_template
from isms.store import connect
from tests import hostile_files as hostile
from tests.test_store import table_dump

ANALYST = User("ana", Role.analyst)


@pytest.fixture
def upload(sample_db_copy):
    """Import bytes as an analyst would on the page (dry run), returning the outcome and the plan,
    after checking the database is exactly as it was."""
    settings = load_settings(db_path=str(sample_db_copy))
    con = connect(sample_db_copy)

    def run(data: bytes, name: str):
        before = table_dump(con)
        outcome, plan = actions.import_workbook(con, ANALYST, settings, data, name, dry_run=True)
        assert table_dump(con) == before
        for p in outcome.problems:
            assert p.message.strip() and "Traceback" not in p.message and 'File "' not in p.message
        return outcome, plan

    yield run, settings
    con.close()


def messages(outcome) -> str:
    return "\n".join(str(p) for p in outcome.problems)


def test_the_committed_hostile_files_are_the_generated_ones():
    for name, make in hostile.FILES.items():
        if name.endswith(".csv"):
            assert (hostile.HERE / name).read_bytes() == make(), f"regenerate with python -m tests.hostile_files ({name})"
        else:
            assert (hostile.HERE / name).exists(), name  # zips carry timestamps: present, not byte-equal


@pytest.mark.parametrize("prefixed", [False, True])
def test_a_stray_cell_at_xfd150000_is_read_by_its_cells_and_named(upload, prefixed):
    run, _ = upload
    outcome, plan = run(hostile.sparse_cell(prefixed=prefixed), "sparse-cell.xlsx")
    assert outcome.status == "dry-run" and outcome.row_counts == {"risks": 1, "assessments": 1}
    text = messages(outcome)
    assert "spans 2,457,600,000 cells to its last cell XFD150000 but holds 17: read cell by cell" in text
    assert "1 filled cell right of the table's last header was not read: XFD150000 ('stray')" in text
    rows = plan.sheets["Register"]
    assert len(rows) == 150_000 and rows[2] == [] and len(rows[1]) <= 8  # rows of their cells, not a rectangle


def test_an_entity_declaration_after_70_kb_is_refused(upload):
    run, _ = upload
    outcome, _ = run(hostile.late_doctype(), "late-doctype.xlsx")
    assert outcome.status == "refused"
    assert "xl/worksheets/sheet1.xml declares XML entities" in messages(outcome)


def test_utf16_parts_are_checked_as_text(upload):
    """Excel writes some customXml parts in UTF-16: such a part is read, and an entity declaration
    in one is refused like any other."""
    import zipfile

    run, _ = upload
    plain = hostile._xlsx([hostile.HEADERS[:5], ["R-1", "Ransomware", 4, 5, "CISO"]])

    def with_part(text: str) -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(plain)) as src, zipfile.ZipFile(out, "w") as dst:
            for info in src.infolist():
                dst.writestr(info.filename, src.read(info.filename))
            dst.writestr("customXml/item1.xml", text.encode("utf-16"))
        return out.getvalue()

    ok, _ = run(with_part('<?xml version="1.0" encoding="UTF-16"?><b:Sources xmlns:b="x"/>'), "utf16.xlsx")
    assert ok.status == "dry-run"
    bad, _ = run(with_part('<?xml version="1.0" encoding="UTF-16"?>' + " " * 70_000 +
                           '<!DOCTYPE b [<!ENTITY e "boom">]><b/>'), "utf16-entity.xlsx")
    assert bad.status == "refused" and "customXml/item1.xml declares XML entities" in messages(bad)


def test_a_csv_cell_over_the_field_limit_is_a_sentence(upload):
    run, _ = upload
    outcome, _ = run(hostile.long_csv_cell(), "long-cell.csv")
    assert outcome.status == "refused"
    assert "line 2 holds a cell longer than 131,072 characters" in messages(outcome)


def test_spoofed_ids_are_refused_and_invisible_text_is_cleaned(upload):
    run, _ = upload
    outcome, plan = run(hostile.bidi_ids(), "bidi-ids.csv")
    assert outcome.status == "refused"
    by_cell = {p.cell: p.message for p in outcome.problems if p.row}
    assert "U+202E RIGHT-TO-LEFT OVERRIDE" in by_cell["A2"] and "retype it" in by_cell["A2"]
    assert "U+200B ZERO WIDTH SPACE" in by_cell["A3"]
    assert by_cell["B4"].startswith("removed U+200B ZERO WIDTH SPACE")
    assert list(plan.frames["risks"]["title"]) == ["Payroll fraud"]


def test_the_repeated_row_ods_is_read_and_marked_in_linear_bounded_work(upload, tmp_path):
    run, settings = upload
    data = hostile.repeated_rows_ods()
    assert len(data) < 1000
    outcome, plan = run(data, "repeated-rows.ods")
    assert outcome.status == "refused" and len(plan.sheets["Register"]) == 100_001
    assert sum(p.severity == "error" for p in outcome.problems) == 100_000
    marked = annotate_isolated(data, plan.file_format, plan.sheets, plan.problems, settings.read_limits)
    wb = load_workbook(io.BytesIO(marked), read_only=True)
    listed = list(wb["Import problems"].iter_rows(values_only=True))
    assert listed[0][0] == "note" or listed[1][0] == "note"
    assert listed[-1][5] == "and 95,000 more problems: their cells are filled in the sheets"


def test_a_reader_that_dies_is_a_sentence_and_the_caller_lives():
    # some 18 MB of text (900 rows of 20,000 characters), which no reader holds in 16 MB: a one-row
    # file, as this test used before, could be read within the limit from memory already mapped
    big = ("R-1," + "x" * 20_000 + "\n").encode() * 900
    with pytest.raises(ReadError, match="memory"):
        read_isolated(big, "x.csv", ReadLimits(10**8, 1000, memory_mb=16, seconds=5))
    data = hostile.repeated_rows_ods(rows=1)
    assert read_isolated(data, "x.ods", ReadLimits(10**8, 1000)).sheets[0].name == "Register"


def test_a_long_sheet_read_ahead_that_kills_the_child_is_read_again_after_the_scan(monkeypatch):
    """6,000 rows and a stray cell at XFD1048576, and no <dimension> to tell (openpyxl's streaming writer gives none): the
    child reads the long sheet while it scans, the reader asks for the rectangle (17 billion cells)
    and the child dies; the file is read again without reading ahead, and the analyst hears the
    scan's sentence, as before reading ahead."""
    from bench.bench_import import assessments_workbook

    stray = b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>stray</t></is></c></row></sheetData>'
    data = hostile._rewrite(assessments_workbook(rows=6_000), lambda name, body: body.replace(b"</sheetData>", stray)
                            if name == "xl/worksheets/sheet1.xml" else body)
    children = _children(monkeypatch)
    with pytest.raises(ReadError) as refused:
        read_isolated(data, "stray.xlsx", ReadLimits(10**8, 200_000))
    assert str(refused.value) == "sheet 'Assessments' has 1,048,576 rows, over the limit of 200,000"
    assert children == [(True, "_Died"), (False, "ReadError")]


def _children(monkeypatch) -> list:
    """Records each child's read: (read ahead?, 'ok' or the error's type)."""
    from isms.importing import isolation

    children = []
    real = isolation._run

    def recording(command, args, limits):
        try:
            got = real(command, args, limits)
        except ReadError as exc:
            children.append((args[-1], type(exc).__name__))
            raise
        children.append((args[-1], "ok"))
        return got

    monkeypatch.setattr(isolation, "_run", recording)
    return children


def test_a_child_that_read_nothing_ahead_is_not_asked_twice(monkeypatch):
    """A reader that dies of a file with no sheet read ahead (here a CSV) is the sentence at once:
    reading it again would die the same way, twice as late."""
    children = _children(monkeypatch)
    big = ("R-1," + "x" * 20_000 + "\n").encode() * 900
    with pytest.raises(ReadError, match="memory"):
        read_isolated(big, "x.csv", ReadLimits(10**8, 1000, memory_mb=16, seconds=5))
    assert children == [(True, "_Died")]


def test_a_long_table_with_a_far_stray_cell_it_admits_is_not_read_ahead(monkeypatch):
    """Excel's <dimension> names the stray cell (A1:XFD60000): that rectangle is more than a
    reader may allocate, so the sheet is not read ahead but by its cells, in one child."""
    from bench.bench_import import assessments_workbook

    stray = b'<row r="60000"><c r="XFD60000" t="inlineStr"><is><t>stray</t></is></c></row></sheetData>'

    def change(name, body):
        if name != "xl/worksheets/sheet1.xml":
            return body
        body = body.replace(b"</sheetPr>", b'</sheetPr><dimension ref="A1:XFD60000"/>', 1)  # as Excel writes it
        return body.replace(b"</sheetData>", stray)

    data = hostile._rewrite(assessments_workbook(rows=6_000), change)
    assert b'ref="A1:XFD60000"' in zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")[:2000]
    children = _children(monkeypatch)
    got = read_isolated(data, "stray.xlsx", ReadLimits(10**8, 200_000))
    assert children == [(True, "ok")]
    cells = 1 + 12 + 6_000 * 11 + 1  # the title, the header, 11 filled cells a row (no risk level), the stray cell
    assert got.sheets[0].notes == [f"spans {60_000 * 16_384:,} cells to its last cell XFD60000 but holds {cells:,}: "
                                   "read cell by cell"]
    assert len(got.sheets[0].rows) == 60_000 and got.sheets[0].rows[59_999][-1] == "stray"


def test_a_child_out_of_memory_while_reading_ahead_is_asked_again_without(monkeypatch):
    """The retry's rule, with the child's answers stood in for: a child that read ahead and died or
    ran out of memory (`_Died` with retry) is asked again without reading ahead, once; any other
    refusal stands."""
    from isms.importing import isolation

    asked = []

    def child(answer):
        def run(command, args, limits):
            asked.append(args[-1])
            if args[-1]:
                raise answer
            return "read without reading ahead"
        return run

    limits = ReadLimits(10**8, 1000)
    monkeypatch.setattr(isolation, "_run", child(isolation._Died("ran out of memory", retry=True)))
    assert read_isolated(b"PK\x03\x04 a workbook", "x.xlsx", limits) == "read without reading ahead"
    assert asked == [True, False]
    for refusal in (isolation._Died("took longer than 120 s", retry=False), ReadError("has 300,000 rows")):
        asked.clear()
        monkeypatch.setattr(isolation, "_run", child(refusal))
        with pytest.raises(ReadError, match=str(refusal)):
            read_isolated(b"PK\x03\x04 a workbook", "x.xlsx", limits)
        assert asked == [True]


def test_a_read_takes_the_child_started_ahead_and_leaves_a_new_one(tmp_path):
    """The child that reads a file was started before it, by the read before; it reads once, and
    a spare whose server ends (its input closes) ends too. A spare started with other limits is
    not used for a read with these."""
    from isms.importing import isolation

    data = hostile.repeated_rows_ods(rows=1)
    limits = ReadLimits(10**8, 1000, memory_mb=1024, seconds=30)
    if isolation._Spare.child is not None:
        isolation._end(isolation._Spare.child)
        isolation._Spare.child = None
    isolation.prepare(limits)  # as the Import page does while the analyst chooses a file
    ready = isolation._Spare.child
    isolation.prepare(limits)
    assert isolation._Spare.child is ready and ready.poll() is None  # one waits, at most
    read_isolated(data, "x.ods", limits)
    assert ready.returncode == 0
    spare = isolation._Spare.child
    assert spare is not None and spare.poll() is None and spare.args[-2:] == ["1024", "30"]
    assert read_isolated(data, "x.ods", limits).sheets[0].name == "Register"
    assert spare.returncode == 0  # it read that file, and ended
    following = isolation._Spare.child
    assert following is not None and following is not spare and following.poll() is None
    read_isolated(data, "x.ods", ReadLimits(10**8, 1000, memory_mb=1536, seconds=30))
    assert following.returncode is not None  # ended unused: other limits
    last = isolation._Spare.child
    assert last.args[-2:] == ["1536", "30"]
    isolation._Spare.child = None
    last.stdin.close()
    assert last.wait(timeout=30) == 0


def test_the_memory_limit_is_the_files_not_the_readers():
    """A limit of 300 MB leaves a 6,000-row workbook (read the fast way, pyarrow and all) its 300 MB:
    what the child imported before the file arrived is not taken from it."""
    from bench.bench_import import assessments_workbook

    data = assessments_workbook(rows=6_000)
    got = read_isolated(data, "book.xlsx", ReadLimits(10**8, 10_000, memory_mb=300, seconds=60))
    assert len(got.sheets[0].rows) == 6_002


def test_a_reader_that_runs_too_long_is_stopped():
    data = hostile.repeated_rows_ods(rows=1_000_000)
    started = time.monotonic()
    with pytest.raises(ReadError, match="longer than 1 s"):
        read_isolated(data, "x.ods", ReadLimits(10**8, 2_000_000, memory_mb=4096, seconds=1))
    assert time.monotonic() - started < 60  # the child was stopped, not waited for to the end


def _formula_cells(data: bytes) -> list[str]:
    """Cells of an xlsx that a spreadsheet would evaluate: formulas, or trigger text not typed as text."""
    wb = load_workbook(io.BytesIO(data))
    bad = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if c.data_type == "f" or (isinstance(c.value, str) and c.value[:1] in FORMULA_TRIGGERS
                                          and not c.quotePrefix):
                    bad.append(f"{ws.title}!{c.coordinate}={c.value!r}")
    return bad


@pytest.mark.parametrize("name", ["formula-text.csv", "formula-text.xlsx"])
def test_marked_copies_carry_no_formula(name, upload):
    run, settings = upload
    data = hostile.FILES[name]()
    outcome, plan = run(data, name)
    marked = annotate_isolated(data, plan.file_format, plan.sheets, plan.problems, settings.read_limits)
    assert _formula_cells(marked) == []
    text = [c for ws in load_workbook(io.BytesIO(marked)).worksheets for row in ws.iter_rows(values_only=True)
            for c in row if isinstance(c, str)]
    assert '=HYPERLINK("http://x","y")' in text and "@SUM(A1)" in text  # kept, as text


def test_the_template_and_the_audit_csv_carry_no_formula(tmp_path, sample_db_copy):
    assert _formula_cells(write_blank_template(tmp_path / "t.xlsx", load_settings().matrix).read_bytes()) == []
    con = connect(sample_db_copy)
    audit.record(con, "=cmd|' /C calc'!A0", audit.SIGN_IN, {"note": "@SUM(1)"})
    events = audit.events(con)
    con.close()
    rows = list(csv.reader(io.StringIO(to_csv(events).decode("utf-8-sig"))))
    cells = [c for r in rows for c in r]
    assert "'=cmd|' /C calc'!A0" in cells
    assert not [c for c in cells if c[:1] in FORMULA_TRIGGERS]


def test_the_cli_writes_the_marked_copy(tmp_path, sample_db_copy):
    import subprocess
    import sys

    from tests.conftest import ROOT

    src = tmp_path / "formula-text.csv"
    src.write_bytes(hostile.formula_text_csv())
    out = tmp_path / "marked.xlsx"
    env = {**os.environ, "ISMS_DB": str(sample_db_copy)}
    done = subprocess.run([sys.executable, "-m", "isms", "import", str(src), "--dry-run", "--annotate", str(out)],
                          capture_output=True, text=True, env=env, cwd=ROOT)
    assert done.returncode == 1 and f"marked copy of formula-text.csv: {out}" in done.stdout
    marked = load_workbook(out)
    assert marked.sheetnames[0] == "Import problems"
    assert marked["formula-text"]["C2"].comment.text.startswith("error: 'often' is neither")
    assert _formula_cells(out.read_bytes()) == []
