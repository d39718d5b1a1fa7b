"""A workbook read as the analyst sees it: percentages as shown, merged blocks on every row, a
formula without a calculated value named at its cell, and their headers as written. Each file is
written with openpyxl and read back through the whole plan; the expected values are worked out
by hand."""

import datetime as dt
import io

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
    """=IF(...,"",...) calculated to '' is stored as text with an empty value: calculated, not named."""
    def build(ws):
        _register(ws, [["R-1", "Ransomware", "Ops", 2, 4]])
        ws["F1"] = "Note"
    data = _xlsx(build)
    # write the calculated empty text by hand: what Excel saves for a formula that gave ''
    import zipfile

    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                body = body.replace(b"</row></sheetData>",
                                    b'<c r="F2" t="str"><f>IF(1=1,"","x")</f><v></v></c></row></sheetData>')
            z.writestr(info, body)
    plan = _plan(out.getvalue())
    assert not [p for p in plan.problems if "formula with no calculated value" in p.message]


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
