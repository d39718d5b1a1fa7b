"""A workbook read as the analyst sees it: percentages as shown, merged blocks on every row, a
formula without a calculated value named at its cell, and their headers as written. Each file is
written with openpyxl and read back through the whole plan; the expected values are worked out
by hand."""

import datetime as dt
import io
import re

import openpyxl

from isms.config import load_settings
from isms.importing.annotate import annotated_workbook
from isms.importing.pipeline import build_plan
from isms.importing.reading import read_workbook
from tests.conftest import ROOT

AS_OF = dt.date(2026, 9, 30)


def _xlsx(build) -> bytes:
    wb = openpyxl.Workbook()
    build(wb.active)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _plan(data: bytes, name: str = "f.xlsx"):
    return build_plan(data, name, load_settings(ROOT / "isms.toml").matrix, as_of=AS_OF)


def _register(ws, rows):
    ws.title = "Register"
    ws.append(["Risk ID", "Title", "Owner", "Likelihood", "Impact"])
    for r in rows:
        ws.append(r)


def test_a_formula_without_a_calculated_value_is_named_at_its_cell():
    """openpyxl (and any script) writes =1+1 without its value; every reader gives it as empty, so
    the risk had no rating, and on a later import kept its old one, unsaid."""
    data = _xlsx(lambda ws: _register(ws, [["R-1", "Ransomware", "Ops", "=1+1", 4], ["R-2", "Phishing", "Ops", 3, 3]]))
    plan = _plan(data)
    named = [p for p in plan.problems if "formula with no calculated value" in p.message]
    assert [(p.sheet, p.cell, p.header, p.value, p.severity) for p in named] == [
        ("Register", "D2", "Likelihood", "=1+1", "warning")]
    # the note on the sheet no longer claims every formula's value was imported without a word more
    assert any(p.message.startswith("holds formulas") and "named at their cells" in p.message for p in plan.problems)


def test_a_formula_that_gave_empty_text_is_no_problem():
    """=IF(...,"",...) calculated to '' is stored as text with an empty value: calculated, not named.
    The same cell without t="str" holds no value: named. Both in the Owner column, which the import reads."""
    import zipfile

    data = _xlsx(lambda ws: _register(ws, [["R-1", "Ransomware", "Ops", 2, 4]]))

    def owner_formula(attributes: bytes) -> bytes:
        src, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
        with zipfile.ZipFile(out, "w") as z:
            for info in src.infolist():
                body = src.read(info)
                if info.filename == "xl/worksheets/sheet1.xml":
                    body = re.sub(rb'<c r="C2"[^>]*>.*?</c>', b'<c r="C2"' + attributes + b'><f>IF(1=1,"","x")</f><v></v></c>',
                                  body, count=1)
                    assert b'<f>IF(' in body
                z.writestr(info, body)
        return out.getvalue()

    calculated = _plan(owner_formula(b' t="str"'))
    assert not [p for p in calculated.problems if "formula with no calculated value" in p.message]
    uncalculated = _plan(owner_formula(b""))
    assert [p.cell for p in uncalculated.problems if "formula with no calculated value" in p.message] == ["C2"]


def test_cells_formatted_as_percentages_are_read_as_the_percent_they_show():
    """A progress cell holding 0.5 shows 50%: 50 complete, as the text '50%' is read. Read as 0.5,
    half done was half a percent, and the treatment late."""
    def build(ws):
        ws.title = "Progress"
        ws.append(["Treatment ID", "Risk ID", "Decision", "Owner", "Start on", "Due on", "Status",
                   "Updated on", "Percent complete"])
        ws.append(["T-1", "R-1", "Reduce", "Ops", "2026-01-01", "2026-12-31", "In progress", "2026-09-30", 0.5])
        ws.append(["T-2", "R-1", "Reduce", "Ops", "2026-01-01", "2026-12-31", "In progress", "2026-09-30", 0.125])
        ws.append(["T-3", "R-1", "Reduce", "Ops", "2026-01-01", "2026-12-31", "In progress", "2026-09-30", "40%"])
        ws["I2"].number_format = "0%"
        ws["I3"].number_format = "0.0%"
    wb = read_workbook(_xlsx(build), "p.xlsx", max_bytes=10 << 20, max_rows=1000)
    rows = wb.sheets[0].rows
    assert [rows[i][8] for i in (1, 2, 3)] == [50.0, 12.5, "40%"]
    assert wb.sheets[0].notes == ["2 cells formatted as a percentage read as the percent shown (0.5 shown as 50% is 50)"]


def test_a_progress_column_of_fractions_is_read_as_percents_and_a_fraction_among_percents_is_said():
    updates = b"Treatment ID,Updated on,Percent complete,Status\n"
    register = (b"Treatment ID,Risk ID,Decision,Owner,Start on,Due on,Status\n"
                b"T-1,R-1,Reduce,Ops,2026-01-01,2026-12-31,In progress\nT-2,R-1,Reduce,Ops,2026-01-01,2026-12-31,In progress\n")

    def plan_of(body: bytes):
        def build(ws):
            ws.title = "Treatments"
            for line in register.decode().splitlines():
                ws.append(line.split(","))
            up = ws.parent.create_sheet("Updates")
            for line in (updates + body).decode().splitlines():
                cells = line.split(",")
                up.append([float(c) if c.replace(".", "").isdigit() else c for c in cells])
        return _plan(_xlsx(build))

    fractions = plan_of(b"T-1,2026-09-30,0.5,In progress\nT-2,2026-09-30,1,Done\n")
    got = dict(zip(fractions.frames["treatment_updates"]["treatment_id"],
                   fractions.frames["treatment_updates"]["percent_complete"]))
    assert got == {"T-1": 50.0, "T-2": 100.0}
    assert "Updates!C 'Percent complete': every value is between 0 and 1, so each is read as a fraction: 0.5 is 50% " \
           "complete, 1 is 100%" in fractions.rules
    mixed = plan_of(b"T-1,2026-09-30,0.5,In progress\nT-2,2026-09-30,40,In progress\n")
    got = dict(zip(mixed.frames["treatment_updates"]["treatment_id"], mixed.frames["treatment_updates"]["percent_complete"]))
    assert got == {"T-1": 0.5, "T-2": 40.0}
    said = [p for p in mixed.problems if "among percents" in p.message]
    assert [(p.sheet, p.cell) for p in said] == [("Updates", "C2")] and "if it means 50%, write that" in said[0].message


def test_a_block_merged_down_a_column_gives_every_row_its_value():
    """An owner merged over three risks was the first risk's; the other two were 'Unassigned'."""
    def build(ws):
        ws.append(["Risk ID", "Owner (Team)", "Title", "Likelihood", "Impact"])
        ws.append(["R-101", "Infrastructure", "Ransomware", 4, 5])
        ws.append(["R-102", None, "Outage", 3, 4])
        ws.append(["R-103", None, "Data loss", 2, 4])
        ws.append(["R-104", "Finance", "Fraud", 2, 2])
        ws.merge_cells("B2:B4")
        ws.merge_cells("C5:E5")  # merged across: not a block of rows, left as it is
    plan = _plan(_xlsx(build))
    owners = dict(zip(plan.frames["risks"]["risk_id"], plan.frames["risks"]["owner"]))
    assert owners == {"R-101": "Infrastructure", "R-102": "Infrastructure", "R-103": "Infrastructure", "R-104": "Finance"}
    assert any("cells merged down a column (B2:B4): each row of a merged block takes the block's value" in p.message
               for p in plan.problems)


def test_headers_as_trackers_write_them():
    """'% Complete' is the progress and 'Linked Risk' an exception's risk: both were 'columns not
    imported', the progress and the link dropped."""
    from isms.importing.mapping import fold_header

    assert fold_header("% Complete") == "percent_complete"
    log = (b"Exception ID,Policy,Status,Granted on,Expires on,Linked Risk\n"
           b"EX-1,Patch standard,Granted,2026-01-01,2026-12-31,R-1\n")
    plan = build_plan(log, "ex.csv", load_settings(ROOT / "isms.toml").matrix, as_of=AS_OF)
    assert plan.frames["exceptions"]["risk_id"].tolist() == ["R-1"]
    assert not any("columns not imported" in p.message for p in plan.problems)


def test_the_marked_copy_says_it_holds_values_not_formulas():
    data = _xlsx(lambda ws: _register(ws, [["R-1", "Ransomware", "Ops", "=1+1", 4]]))
    plan = _plan(data)
    marked = openpyxl.load_workbook(io.BytesIO(annotated_workbook(data, "xlsx", plan.sheets, plan.problems)))
    notes = [r[5].value for r in marked["Import problems"].iter_rows(min_row=2) if r[0].value == "note"]
    assert notes == ["this copy holds each formula's last calculated value, not the formula (a formula without one is "
                     "empty here): make your fixes in your own workbook"]


def test_ids_a_spreadsheet_reformatted_are_said_beside_the_registers(settings, tmp_path):
    """Q2's ids 001-003 came back from a workbook as the numbers 1-3: previewed as three new risks
    beside three kept ones, with nothing to say they might be the same."""
    from isms import actions
    from isms.auth import Role, User
    from isms.store import connect

    con = connect(tmp_path / "ids.duckdb")
    q2 = b"Risk ID,Title,Owner,Likelihood,Impact\n001,Weak MFA,Sec,4,4\n002,Old TLS,Net,3,3\nR-7,Fraud,Fin,2,2\n"
    out, _ = actions.import_workbook(con, User("ana", Role.analyst), settings, q2, "q2.csv", as_of=dt.date(2026, 6, 30))
    assert out.status == "committed"

    def build(ws):
        ws.append(["Risk ID", "Title", "Owner", "Likelihood", "Impact"])
        ws.append([1, "Weak MFA", "Sec", 2, 2])
        ws.append([2, "Old TLS", "Net", 2, 2])
        ws.append(["r-7", "Fraud", "Fin", 2, 2])
        ws.append(["R-07", "Fraud again", "Fin", 2, 2])
    plan = actions.plan_upload(con, settings, _xlsx(build), "q3.xlsx", as_of=AS_OF)
    messages = [p.message for p in plan.problems if p.severity == "warning"]
    said = next(m for m in messages if "look like ids the register holds" in m)
    # 1 and 2 are 001 and 002 without their zeros; r-7 and R-07 are R-7 in another case, or with a zero
    assert said.startswith("4 new id(s) of risks look like ids the register holds and this file does not list (")
    pairs = said.split("does not list (", 1)[1].split("):", 1)[0].split(", ")
    assert sorted(pairs) == sorted(["'1' for '001'", "'2' for '002'", "'r-7' for 'R-7'", "'R-07' for 'R-7'"])
    twins = next(m for m in messages if "written two ways" in m)
    assert "'R-07' and 'r-7'" in twins
    con.close()


def test_a_totals_row_under_the_table_is_left_out_and_said():
    """'TOTAL' under the register with a sum beside it refused the file: 'Field required' at its empty id."""
    def build(ws):
        _register(ws, [["R-1", "Ransomware", "Ops", 4, 5], ["R-2", "Phishing", "Ops", 3, 3], [None, "TOTAL", None, "=SUM(D2:D3)", None]])
    plan = _plan(_xlsx(build))
    assert plan.ok and plan.frames["risks"]["risk_id"].tolist() == ["R-1", "R-2"]
    said = [(p.cell, p.value, p.severity) for p in plan.problems if "totals row" in p.message]
    assert said == [("B4", "TOTAL", "warning")]
    assert not [p for p in plan.problems if "formula with no calculated value" in p.message]  # the sum is not read
    # a row that is no totals row and lacks its id is refused at the cell, in words
    plan = _plan(_xlsx(lambda ws: _register(ws, [["R-1", "Ransomware", "Ops", 4, 5], [None, "Phishing", "Ops", 3, 3]])))
    assert [(p.cell, p.message) for p in plan.problems if p.severity == "error"] == [("A3", "is empty: every row needs one")]


def test_a_utf16_text_export_is_read():
    """Excel's 'Unicode Text' is UTF-16 with tabs: it was 'neither a spreadsheet nor delimited text'."""
    text = "Risk ID\tTitle\tOwner\tLikelihood\tImpact\r\nR-1\tRansomware – Zürich\tOps\t4\t5\r\n"
    for data in (text.encode("utf-16"), text.encode("utf-16-le")):
        plan = _plan(data, "unicode.csv")
        assert plan.frames["risks"]["title"].tolist() == ["Ransomware – Zürich"]


def test_sub_headers_under_merged_group_headers_keep_their_group():
    """'Inherent Risk' over D:E and 'Residual Risk' over F:G, each over 'Likelihood' and 'Impact':
    refused before ('Likelihood' is not a number); read as one pair, the residual ratings were lost."""
    def build(ws):
        ws.append(["Risk ID", "Title", "Owner", "Inherent Risk", None, "Residual Risk", None, "Status"])
        ws.append([None, None, None, "Likelihood", "Impact", "Likelihood", "Impact", None])
        ws.merge_cells("D1:E1")
        ws.merge_cells("F1:G1")
        for c in "ABCH":
            ws.merge_cells(f"{c}1:{c}2")
        ws.append(["T-01", "Data centre flood", "Facilities", 4, 5, 2, 3, "Open"])
        ws.append(["T-02", "Laptop theft", "IT", 4, 3, 3, 2, "Open"])
    plan = _plan(_xlsx(build))
    assert plan.ok, [str(p) for p in plan.problems]
    a = plan.frames["assessments"].set_index("risk_id")
    assert a.loc["T-01", ["inherent_likelihood", "inherent_impact", "residual_likelihood", "residual_impact"]].tolist() == [4, 5, 2, 3]
    assert a.loc["T-02", ["inherent_likelihood", "inherent_impact", "residual_likelihood", "residual_impact"]].tolist() == [4, 3, 3, 2]
    assert plan.frames["risks"]["owner"].tolist() == ["Facilities", "IT"]


def test_a_title_merged_over_the_table_is_no_group_header():
    def build(ws):
        ws.append(["Risk register 2026"])
        ws.merge_cells("A1:C1")
        ws.append(["Risk ID", "Title", "Owner", "Likelihood", "Impact"])
        ws.append(["R-1", "Ransomware", "Ops", 4, 5])
    plan = _plan(_xlsx(build))
    assert plan.ok and plan.frames["risks"]["title"].tolist() == ["Ransomware"]
    assert not any("group headers" in p.message for p in plan.problems)


def test_a_trackers_progress_column_is_a_progress_update_and_done_is_completed_on_its_last_update(settings, tmp_path):
    """One sheet of treatments with '% Complete' and 'Last Updated': the progress was 'not imported',
    and every Done row refused for a completion date column the tracker never had."""
    data = (b"Action ID,Risk Ref,Decision,Action,Action Owner,Start Date,Target Date,Status,% Complete,Last Updated\n"
            b"A-1,R-1,Mitigate,Deploy EDR,IT Ops,2026-04-01,2026-12-31,WIP,40%,2026-06-15\n"
            b"A-2,R-1,Mitigate,Patch servers,IT Ops,2026-01-01,2026-05-31,Completed,100,2026-05-20\n"
            b"A-3,R-1,Mitigate,Phish sim,Security,2026-04-01,2026-12-31,Not started,0,\n")
    from isms import actions
    from isms.auth import Role, User
    from isms.store import connect

    con = connect(tmp_path / "t.duckdb")
    out, _ = actions.import_workbook(con, User("ana", Role.analyst), settings,
                                     b"Risk ID,Title,Owner,Likelihood,Impact\nR-1,Ransomware,Ops,4,5\n", "r.csv",
                                     as_of=dt.date(2026, 3, 31))
    assert out.status == "committed"
    plan = actions.plan_upload(con, settings, data, "tracker.csv", as_of=AS_OF)
    con.close()
    assert plan.ok, [str(p) for p in plan.problems]
    t = plan.frames["treatments"].set_index("treatment_id")
    assert t.loc["A-1", "description"] == "Deploy EDR"
    assert (t.loc["A-2", "status"], t.loc["A-2", "completed_on"]) == ("Done", dt.date(2026, 5, 20))
    assert t["completed_on"].isna()["A-1"]
    u = plan.frames["treatment_updates"].set_index("treatment_id")
    assert u.loc["A-1", ["updated_on", "percent_complete", "status"]].tolist() == [dt.date(2026, 6, 15), 40.0, "In progress"]
    assert u.loc["A-2", ["updated_on", "percent_complete", "status"]].tolist() == [dt.date(2026, 5, 20), 100.0, "Done"]
    assert u.loc["A-3", ["updated_on", "percent_complete", "status"]].tolist() == [AS_OF, 0.0, "Planned"]
    assert "tracker: no completion date column: 1 Done treatment(s) are completed on its 'Last Updated', else 30 Sep 2026" \
        in plan.rules


def test_a_kri_result_typed_as_a_fraction_among_percents_is_said_at_its_cell():
    data = (b"KRI ID,Period,Value\nPATCH_PCT,2026-01,91\nPATCH_PCT,2026-02,0.93\nPATCH_PCT,2026-03,94.5\n"
            b"RATIO,2026-01,0.5\nRATIO,2026-02,0.8\n")
    plan = _plan(data, "kri.csv")
    said = [(p.cell, p.value, p.message) for p in plan.problems if "among" in p.message]
    # RATIO runs below 1 throughout: nothing to say of it
    assert said == [("C3", "0.93", "0.93 among PATCH_PCT's results above 1 (such as 91): read as 0.93; if it is a "
                                   "fraction (0.93 for 93%), write 93")]
    assert plan.frames["monitoring_results"]["value"].tolist() == [91.0, 0.93, 94.5, 0.5, 0.8]


def test_a_tracker_without_a_description_column_keeps_the_registers_descriptions(settings, tmp_path):
    """Next month's tracker without its 'Action' column previewed every treatment as 'description →
    blank', and the late lists and the packs' 'What' went empty."""
    from isms import actions
    from isms.auth import Role, User
    from isms.store import connect

    con = connect(tmp_path / "k.duckdb")
    ana = User("ana", Role.analyst)
    out, _ = actions.import_workbook(con, ana, settings, b"Risk ID,Title,Owner,Likelihood,Impact\nR-1,Ransomware,Ops,4,5\n",
                                     "r.csv", as_of=dt.date(2026, 6, 30))
    assert out.status == "committed"
    first = (b"Treatment ID,Risk ID,Decision,Action,Owner,Start on,Due on,Status,Completed on\n"
             b"T-1,R-1,Reduce,Immutable offsite backups,Ops,2026-04-01,2026-12-31,In progress,\n"
             b"T-2,R-1,Reduce,EDR on servers,Ops,2026-04-01,2026-08-31,Done,2026-08-15\n")
    out, _ = actions.import_workbook(con, ana, settings, first, "t.csv", as_of=dt.date(2026, 9, 30))
    assert out.status == "committed", [str(p) for p in out.problems]
    later = (b"Treatment ID,Risk ID,Decision,Owner,Start on,Due on,Status,% Complete\n"
             b"T-1,R-1,Reduce,Ops,2026-04-01,2026-12-31,In progress,60\nT-2,R-1,Reduce,Ops,2026-04-01,2026-08-31,Done,100\n")
    plan = actions.plan_upload(con, settings, later, "t2.csv", as_of=dt.date(2026, 10, 31))
    con.close()
    t = plan.frames["treatments"].set_index("treatment_id")
    assert t.loc["T-1", "description"] == "Immutable offsite backups" and t.loc["T-2", "description"] == "EDR on servers"
    # T-2 was done on 15 August: it keeps that date, not the tracker's stand-in of 31 October
    assert t.loc["T-2", "completed_on"] == dt.date(2026, 8, 15)
    assert "t2: 2 treatment(s) the register already holds keep what it says where the file has no column: " \
           "Description, Completed on" in plan.rules
    assert plan.preview.kinds["treatments"].changed == {}


def test_a_merged_cell_in_the_first_rows_is_no_group_header_unless_a_header_row_is_under_it():
    """A review found three files read wrongly by the first cut: a risk's title merged across two
    columns over the next risk's row, a title beside a date, and two title blocks, each over the
    header row, all had the text above glued to the cells below, and the last two were refused."""
    def body_row(ws):
        ws.append(["Risk ID", "Title", "Description", "Owner", "Likelihood", "Impact"])
        ws.append(["R-1", "Ransomware on file servers", None, "Ops", 4, 5])
        ws.merge_cells("B2:C2")
        ws.append(["R-2", "Phishing", "Credential theft by email", "Sec", 3, 3])

    def title_and_date(ws):
        ws.append(["Risk register", None, None, None, "As of 30/09/2026"])
        ws.merge_cells("A1:D1")
        ws.append(["Risk ID", "Title", "Owner", "Likelihood", "Impact"])
        ws.append(["R-1", "Ransomware", "Ops", 4, 5])

    def two_titles(ws):
        ws.append(["Information security risk register", None, None, "Reporting period: Q3 2026", None])
        ws.merge_cells("A1:C1")
        ws.merge_cells("D1:E1")
        ws.append(["Risk ID", "Title", "Owner", "Likelihood", "Impact"])
        ws.append(["R-1", "Ransomware", "Ops", 4, 5])

    plan = _plan(_xlsx(body_row))
    r = plan.frames["risks"].set_index("risk_id")
    assert (r.loc["R-2", "title"], r.loc["R-2", "description"]) == ("Phishing", "Credential theft by email")
    for build in (title_and_date, two_titles):
        plan = _plan(_xlsx(build))
        assert plan.ok, [str(p) for p in plan.problems]
        assert plan.frames["risks"][["risk_id", "title", "owner"]].values.tolist() == [["R-1", "Ransomware", "Ops"]]
        assert not any("group headers" in p.message for p in plan.problems)


def test_a_record_over_several_lines_with_its_id_merged_down_is_one_row():
    """A risk with a control per line, its id, title and ratings merged over three lines: each
    further line was a row without an id and refused the file."""
    def build(ws):
        ws.append(["Risk ID", "Title", "Owner", "Likelihood", "Impact", "Annex A controls"])
        ws.append(["R-1", "Ransomware", "Ops", 4, 5, "A.8.7"])
        ws.append([None, None, None, None, None, "A.8.13"])
        ws.append([None, None, None, None, None, "A.5.15"])
        for c in "ABCDE":
            ws.merge_cells(f"{c}2:{c}4")
        ws.append(["R-2", "Phishing", "Sec", 3, 3, "A.6.3"])
    plan = _plan(_xlsx(build))
    assert plan.ok, [str(p) for p in plan.problems]
    r = plan.frames["risks"].set_index("risk_id")
    assert list(r.index) == ["R-1", "R-2"]
    assert r.loc["R-1", "annex_a_controls"] == ["A.8.7", "A.8.13", "A.5.15"] and r.loc["R-2", "owner"] == "Sec"
    assert any("R-1 (rows 2-4)" in p.message for p in plan.problems)


def test_lookalike_ids_keep_their_digit_groups_apart():
    from isms.importing.pipeline import _id_form

    assert _id_form("R-001") == _id_form("r001") == _id_form("R-1") and _id_form("R-07") == _id_form("r-7")
    for a, b in (("1.1", "11"), ("A.5.1", "A.51"), ("R-1.2", "R-12"), ("R-1", "R-10")):
        assert _id_form(a) != _id_form(b), (a, b)


def test_a_totals_word_in_a_row_with_its_own_id_is_a_row():
    """'Overall' in an Area column before the id: the risk was dropped as a totals row, and retired."""
    data = b"Area,Risk ID,Title,Owner,Likelihood,Impact\nIT,R-1,Ransomware,Ops,4,5\nOverall,R-3,Fraud,Fin,2,2\n"
    plan = _plan(data, "areas.csv")
    assert plan.frames["risks"]["risk_id"].tolist() == ["R-1", "R-3"]
    assert not any("totals row" in p.message for p in plan.problems)


def test_a_trackers_progress_in_words_is_said_and_a_bare_date_is_no_update_date():
    """'Progress' of words ('On track') refused every row once the column was read as percents; a
    'Date' column (the date a row was logged) dated the updates before the treatments began."""
    words = (b"Treatment ID,Risk ID,Decision,Description,Owner,Start on,Due on,Status,Completed on,Progress\n"
             b"T-1,R-1,Reduce,EDR,Ops,2026-01-01,2026-12-31,In progress,,On track\n")
    plan = _plan(words, "t.csv")
    assert plan.frames["treatments"]["treatment_id"].tolist() == ["T-1"]
    assert plan.frames.get("treatment_updates") is None or plan.frames["treatment_updates"].empty
    said = [(p.cell, p.severity) for p in plan.problems if "no progress update is taken" in p.message]
    assert said == [("J2", "warning")]
    dated = (b"Date,Treatment ID,Risk ID,Decision,Description,Owner,Start on,Due on,Status,% Complete\n"
             b"2025-01-10,T-1,R-1,Reduce,EDR,Ops,2025-03-01,2026-12-31,In progress,80\n")
    plan = _plan(dated, "t.csv")
    assert plan.frames["treatment_updates"]["updated_on"].tolist() == [AS_OF]


def test_a_row_per_month_sheet_of_us_dates_reads_them_month_first():
    """'2/1/2026' and '3/1/2026' under '12/31/2025' were 2 and 3 January: a duplicate month, refused."""
    data = b"Period,Patch compliance,Phishing click rate\n12/31/2025,91,4\n2/1/2026,93,3\n3/1/2026,94,2\n"
    plan = _plan(data, "kri.csv")
    got = sorted({(r.metric_id, r.period) for r in plan.frames["monitoring_results"].itertuples()})
    months = [dt.date(2025, 12, 1), dt.date(2026, 2, 1), dt.date(2026, 3, 1)]
    assert got == sorted((m, p) for m in ("Patch compliance", "Phishing click rate") for p in months)
    assert _plan("Risk ID,Title\r\nR-1,X\r\n".encode("utf-32"), "u.csv").frames["risks"]["title"].tolist() == ["X"]
