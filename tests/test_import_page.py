"""The Import page under AppTest: upload, mapping, problems, preview, commit, history, undo."""

import io
import os
from pathlib import Path

import pytest
import streamlit as st
from openpyxl import load_workbook
from streamlit.testing.v1 import AppTest

from isms import actions
from isms.auth import Role, User
from isms.store import connect
from tests.conftest import ROOT
from tests.test_store import table_dump

REGISTERS = Path(__file__).parent / "fixtures" / "registers"
PAGE = "pages/import_data.py"


@pytest.fixture
def page_db(tmp_path):
    """An empty store of its own per test: commits must not leak between tests."""
    path = tmp_path / "import.duckdb"
    connect(path).close()
    old = os.environ.get("ISMS_DB")
    os.environ["ISMS_DB"] = str(path)
    st.cache_resource.clear()
    st.cache_data.clear()
    yield path
    st.cache_resource.clear()
    st.cache_data.clear()
    if old is None:
        os.environ.pop("ISMS_DB", None)
    else:
        os.environ["ISMS_DB"] = old


def open_import() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def upload(at, name, data, mime="text/csv"):
    at.file_uploader(key="upload").set_value((name, data, mime)).run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def widget(elements, name):
    """The page's widget called `name` for the file on screen (its key carries a file token)."""
    return next(e for e in elements if str(e.key).split("@")[0] == name)


def frame(at, column):
    """The table that has this column (AppTest finds dataframes by position, not by key)."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def dump(path):
    st.cache_resource.clear()  # release the page's connection before reading the file
    con = connect(path)
    try:
        return table_dump(con)
    finally:
        con.close()


def test_upload_confirm_and_commit_a_register(page_db):
    at = upload(open_import(), "shoankj.csv", (REGISTERS / "shoankj_risk-register.csv").read_bytes())
    assert widget(at.selectbox, "kind_0").value == "risks"
    text = " ".join(m.value for m in at.markdown)
    assert "3-step scale mapped onto the matrix's 5 steps (1→1, 2→3, 3→5)" in text
    assert at.button(key="commit").disabled  # the rule waits for the analyst
    preview = frame(at, "no longer listed").set_index("kind")
    assert preview.loc["Risks (register)", "new"] == 13 and preview.loc["Assessments", "new"] == 13
    widget(at.checkbox, "confirm_rules").check().run()
    assert not at.button(key="commit").disabled
    at.button(key="commit").click().run()
    assert not at.exception
    assert at.success[0].value.startswith("Committed shoankj.csv as batch 1: 13 risks, 13 assessments, 13 treatments")
    history = frame(at, "sha256")
    assert history["batch"].tolist() == [1] and history["file"].tolist() == ["shoankj.csv"]
    # the same file for the same date again: the page says so, and committing changes nothing
    assert any("already imported" in i.value for i in at.info)


def test_broken_file_shows_every_problem_and_offers_the_annotated_copy(page_db):
    data = b"Risk ID,Title,Likelihood,Impact\nR-1,x,4,5\nR-2,y,often,3\nR-1,z,1,1\n"
    before = dump(page_db)
    at = upload(open_import(), "broken.csv", data)
    # a few problems: each a whole sentence, the errors first as the plan lists them
    lines = [m.value for m in at.markdown if m.value.startswith((":red-badge", ":orange-badge"))]
    errors = [line for line in lines if line.startswith(":red-badge[Error]")]
    assert len(errors) == 2 and any("!C3 (Likelihood)** 'often'" in e for e in errors), lines
    assert any("!A4 (" in e and "duplicate" in e for e in errors), lines  # the duplicate R-1 points at its id cell
    assert at.button(key="commit").disabled
    assert "2 errors stop this import" in at.error[0].value
    assert dump(page_db) == before


def test_changing_a_sheets_kind_remaps_it(page_db):
    data = b"Metric,Name,Direction,Target\nK-1,Patch latency,lower,<= 14 days\n"
    at = upload(open_import(), "kri.csv", data)
    assert widget(at.selectbox, "kind_0").value == "metrics"
    widget(at.selectbox, "kind_0").set_value("ignore").run()
    assert not at.exception
    assert at.button(key="commit").disabled
    widget(at.selectbox, "kind_0").set_value("metrics").run()
    preview = frame(at, "no longer listed").set_index("kind")
    assert preview.loc["Metrics (KRI definitions)", "new"] == 1


def test_a_new_file_gets_its_own_mapping_and_an_unticked_confirmation(page_db):
    """Choices made for one file never reach the next: the kind chosen for the first file's first
    sheet, and its ticked confirmation, must not apply to a different file uploaded after it."""
    at = upload(open_import(), "kri.csv", b"Metric,Name,Direction,Target\nK-1,Patch latency,lower,<= 14 days\n")
    widget(at.selectbox, "kind_0").set_value("ignore").run()
    assert widget(at.selectbox, "kind_0").value == "ignore"
    at = upload(at, "register.csv", (REGISTERS / "shoankj_risk-register.csv").read_bytes())
    assert widget(at.selectbox, "kind_0").value == "risks"
    widget(at.checkbox, "confirm_rules").check().run()
    assert not at.button(key="commit").disabled
    at = upload(at, "register-again.csv", (REGISTERS / "shoankj_risk-register.csv").read_bytes() + b"\n")
    assert widget(at.checkbox, "confirm_rules").value is False
    assert at.button(key="commit").disabled


def test_a_partial_register_retires_rows_only_once_confirmed(page_db):
    """A file listing 2 of 13 risks is offered as part of the register; chosen as the whole
    register it would retire 11, so Commit waits for an explicit 'these are no longer in the
    register' as well as the rules."""
    full = (REGISTERS / "shoankj_risk-register.csv").read_bytes()
    at = upload(open_import(), "register.csv", full)
    widget(at.checkbox, "confirm_rules").check().run()
    at.button(key="commit").click().run()
    partial = b"\n".join(full.splitlines()[:3]) + b"\n"
    at = upload(at, "register-two-rows.csv", partial)
    (mode,) = [r for r in at.radio if str(r.key).startswith("register_mode_")]
    assert mode.value == "part of it (merge)"
    mode.set_value("the whole register").run()
    widget(at.checkbox, "confirm_rules").check().run()
    assert at.button(key="commit").disabled
    retire = next(c for c in at.checkbox if str(c.key).startswith("confirm_dropped_"))
    assert retire.label.endswith("these are no longer in the register (11 risks, 11 treatments)")
    assert retire.value is False
    assert any("11 risks no longer listed" in w.value for w in at.warning)
    retire.check().run()
    assert not at.button(key="commit").disabled
    at.button(key="commit").click().run()
    assert at.success[0].value.startswith("Committed register-two-rows.csv as batch 2")


def test_unreadable_file_is_a_sentence_not_a_traceback(page_db):
    at = upload(open_import(), "locked.xlsx", b"PK\x03\x04" + b"\x00" * 64,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert "cannot be imported" in at.error[0].value and "The database is unchanged" in at.error[0].value


def test_undo_the_latest_import(page_db):
    at = upload(open_import(), "kri.csv", (REGISTERS / "csfprofile_alma-security.metricsfixture.csv").read_bytes())
    widget(at.checkbox, "confirm_rules").check().run()
    at.button(key="commit").click().run()
    at = upload(at, "register.csv", (REGISTERS / "shoankj_risk-register.csv").read_bytes())
    widget(at.checkbox, "confirm_rules").check().run()
    at.button(key="commit").click().run()
    assert frame(at, "sha256")["batch"].tolist() == [2, 1]
    at.checkbox(key="undo_confirm_2").check().run()
    at.button(key="undo").click().run()
    assert not at.exception
    assert "Batch 2" in at.success[0].value
    history = frame(at, "sha256")
    assert history["batch"].tolist() == [2, 1]  # the undone batch stays in the history, marked
    assert history["undone"].iloc[0].endswith(f"by {history['by'].iloc[0]}") and history["undone"].iloc[1] == ""
    # the next batch's undo asks again: the tick given for batch 2 does not stand for batch 1
    assert at.checkbox(key="undo_confirm_1").value is False and at.button(key="undo").disabled
    assert "Undo batch 1 (kri.csv)" == at.checkbox(key="undo_confirm_1").label


def test_blank_template_download_has_dropdowns(page_db):
    at = open_import()
    data = at.get("download_button")
    assert data, "the Templates tab offers the blank template"
    from isms.views.import_data import blank_template
    from isms.config import load_settings
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        wb = load_workbook(io.BytesIO(blank_template(load_settings(db_path=str(page_db)), Path(tmp))))
    assert "Risks" in wb.sheetnames and wb["Treatments"].data_validations.dataValidation


def test_saved_mapping_is_offered_for_a_file_of_the_same_shape(page_db):
    data = b"Key,Headline,Chance,Harm\nR-1,Ransomware,4,5\n"
    at = upload(open_import(), "odd.csv", data)
    at.text_input(key="profile_name").input("Quarterly odd register").run()
    at.button(key="save_profile").click().run()
    assert not at.exception
    assert any("Saved as 'Quarterly odd register'" in s.value for s in at.success)
    later = upload(open_import(), "odd-next-quarter.csv", b"Key,Headline,Chance,Harm\nR-2,Flood,2,2\n")
    assert widget(later.selectbox, "import_profile").options == ["(proposed)", "Quarterly odd register"]


def test_the_marked_copy_is_made_when_asked_for_once_and_says_why_when_it_cannot_be(page_db, monkeypatch):
    """Marking a long workbook takes openpyxl half a minute: the analysis leaves it to the download.
    A copy that cannot be made is a workbook of the problems with the reason first."""
    from isms.config import load_settings
    from isms.importing.reading import ReadError
    from isms.views import import_data as view

    made = []
    real = view.annotate_isolated

    def counted(*args):
        made.append(args[1])
        return real(*args)

    monkeypatch.setattr(view, "annotate_isolated", counted)
    cfg = load_settings(db_path=str(page_db))
    con = connect(page_db)
    try:
        data = b"Risk ID,Title,Likelihood,Impact,Owner\nR-1,Ransomware,often,5,CISO\n"
        analysis = view.analyse(con, cfg, data, "q1.csv")
        assert analysis.n_errors == 1 and made == []
        first = analysis.marked()
        assert analysis.marked() is first and made == ["csv"]
        assert load_workbook(io.BytesIO(first))["Import problems"]["C2"].value == "C2"

        def refused(*args):
            raise ReadError("the file needed more than 2,048 MB of memory")

        monkeypatch.setattr(view, "annotate_isolated", refused)
        listed = load_workbook(io.BytesIO(view.analyse(con, cfg, data, "q1.csv").marked()))["Import problems"]
        rows = list(listed.iter_rows(values_only=True))
        assert rows[1][0] == "note" and rows[1][5] == ("no marked copy of your workbook: the file needed more than "
                                                       "2,048 MB of memory")
        assert rows[2][0] == "error" and rows[2][2] == "C2"
    finally:
        con.close()


def test_fixing_a_broken_file_with_the_annotated_copy(page_db):
    """The analyst's loop: refused, download the marked copy, fix the marked cells, upload, commit."""
    from openpyxl import Workbook

    from isms.config import load_settings
    from isms.views import import_data as view

    wb = Workbook()
    ws = wb.active
    ws.title = "Register"
    ws.append(["Information security risks, Q1"])
    ws.append(["Risk ID", "Title", "Likelihood (1-5)", "Impact (1-5)", "Owner"])
    ws.append(["R-1", "Ransomware", 4, 5, "CISO"])
    ws.append(["R-2", "Phishing", "often", 3, "CISO"])
    buf = io.BytesIO()
    wb.save(buf)
    cfg = load_settings(db_path=str(page_db))
    con = connect(page_db)
    try:
        first = view.analyse(con, cfg, buf.getvalue(), "q1.xlsx")
        assert first.n_errors == 1 and first.problems.iloc[0]["cell"] == "C4"
        marked = load_workbook(io.BytesIO(first.marked()))
        bad = [c for row in marked["Register"].iter_rows() for c in row if c.comment]
        assert [c.coordinate for c in bad] == ["C4"] and "often" == bad[0].value
        bad[0].value = 3  # the fix, made in the analyst's own copy
        fixed = io.BytesIO()
        marked.save(fixed)
        second = view.analyse(con, cfg, fixed.getvalue(), "q1-fixed.xlsx")
        assert second.n_errors == 0
        assert {m.sheet: m.kind for m in second.plan.mappings}["Import problems"] == "ignore"
        out = actions.commit_import(con, User("analyst", Role.analyst), second.plan)
        assert out.status == "committed" and out.row_counts == {"risks": 2, "assessments": 2}
        levels = con.execute("SELECT risk_id, inherent_likelihood FROM assessment ORDER BY 1").fetchall()
        assert levels == [("R-1", 4), ("R-2", 3)]
    finally:
        con.close()


@pytest.mark.parametrize("name", sorted(p.name for p in REGISTERS.iterdir() if p.suffix in (".csv", ".xlsx"))
                         + ["2024-03-31-register.xlsx"])
def test_each_register_and_a_sample_workbook_commit_through_the_page(page_db, name):
    from tests.conftest import SAMPLE

    path = REGISTERS / name if (REGISTERS / name).exists() else SAMPLE / name
    at = upload(open_import(), name, path.read_bytes(), "application/octet-stream")
    assert not at.error, [e.value for e in at.error]
    if at.checkbox and any(str(c.key).startswith("confirm_rules@") for c in at.checkbox):
        widget(at.checkbox, "confirm_rules").check().run()
    at.button(key="commit").click().run()
    assert not at.exception
    assert at.success[0].value.startswith(f"Committed {name} as batch 1")


def test_an_untouched_blank_template_is_a_sentence_with_nothing_to_mark(page_db):
    """Every sheet has headers only: the file holds no rows, which no marked copy can show."""
    at = open_import()
    from isms.config import load_settings
    from isms.views.import_data import blank_template
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        data = blank_template(load_settings(db_path=str(page_db)), Path(tmp))
    at = upload(at, "isms-import-template.xlsx", data, "application/octet-stream")
    assert "the file holds no rows to import" in " ".join(m.value for m in at.markdown if m.value.startswith(":red-badge"))
    assert not [b for b in at.get("download_button") if b.proto.label.startswith("Download your workbook")]
    assert at.button(key="commit").disabled


def test_a_blank_choice_unmaps_a_column():
    """The editor sends NaN (or None, or '') for a cleared cell: the field is un-mapped, never
    looked for as a column named 'nan'."""
    import math

    import pandas as pd

    from isms.importing.mapping import SheetMapping
    from isms.views.import_data import with_columns

    m = SheetMapping("Register", "risks", 0, {"risk_id": "Risk ID", "owner": "Owner", "title": "Title"})
    table = pd.DataFrame({"field": ["risk_id", "owner", "title", "status"],
                          "column in the file": ["Risk ID", math.nan, None, ""]})
    assert with_columns(m, table).columns == {"risk_id": "Risk ID"}


def test_the_mapping_editor_names_fields_in_the_templates_words_and_reads_them_back():
    """A findings sheet's editor listed `finding_id` and `raised_on`; it lists 'Finding ID' and
    'Raised on', and an edit made on those rows maps the model's fields."""
    from isms.importing.mapping import SheetMapping
    from isms.views.import_data import mapping_table, with_columns

    m = SheetMapping("CAPA", "findings", 0, {"finding_id": "CAPA ID", "raised_on": "Opened"})
    table = mapping_table(m)
    assert table["field"].tolist()[:3] == ["Finding ID", "Audit ID", "Title"]
    assert table.set_index("field").loc[["Finding ID", "Raised on", "Grade"], "column in the file"].tolist() == \
        ["CAPA ID", "Opened", ""]
    assert "finding_id" not in table["field"].tolist()
    edited = table.copy()
    edited.loc[edited["field"] == "Grade", "column in the file"] = "Severity"
    edited.loc[edited["field"] == "Raised on", "column in the file"] = None
    assert with_columns(m, edited).columns == {"finding_id": "CAPA ID", "grade": "Severity"}


def test_the_sentence_on_kept_rows_names_how_each_kinds_rows_leave():
    """A findings import was told a row leaves 'by its status (a risk Closed)'."""
    from isms.views.import_data import leaves_by

    assert leaves_by(["findings"]) == "A row leaves it only by its status: a finding set to Closed."
    assert leaves_by(["risks", "treatments"]) == \
        "A row leaves it only by its status: a risk set to Closed, a treatment set to Done or Cancelled."
    assert leaves_by(["assets"]) == "Assets leave only when a whole register no longer lists them."
    assert leaves_by(["risks", "metrics"]) == ("A row leaves it only by its status: a risk set to Closed. "
                                               "KRIs leave only when a whole register no longer lists them.")
    # an SoA's rows were '2 statement of applicability', which 'leave only when...'
    from isms.views.import_data import counted

    assert leaves_by(["soa"]) == "SoA lines leave only when a whole register no longer lists them."
    assert [counted("soa", 87), counted("soa", 1), counted("risks", 1), counted("findings", 1_250)] == \
        ["87 SoA lines", "1 SoA line", "1 risk", "1,250 findings"]


def test_a_refusal_with_no_cell_to_mark_does_not_promise_a_marked_copy(page_db):
    """An error of the whole file (here no sheet of a known kind) has no cell to mark and no marked
    copy: the sentence points at the list, not at a download that is not there."""
    at = upload(open_import(), "letter.csv", b"Dear analyst, the register is attached.")
    assert at.error, [m.value for m in at.markdown]
    assert "the list below says where" in at.error[0].value and "copy below" not in at.error[0].value
    assert not [b for b in at.get("download_button") if b.proto.label.startswith("Download your workbook")]


def test_a_poam_without_a_grade_column_imports_with_the_grade_the_analyst_gives_every_row(page_db):
    """A POA&M rates its weaknesses (High, Moderate), not an auditor's grade: refused as findings
    until the analyst says which grade its rows carry; then each row has that grade, never one read
    from its rating, and the rule is stated. Its controls ('SI2', 'IA-02') are read as the
    requirements of the framework the analyst gives the sheet."""
    data = (b"POAM ID,Weakness Name,Controls,Severity,Point of Contact,Scheduled Completion Date,Status\n"
            b"V-1,Unpatched web servers,SI2,High,Ops,2026-12-31,Open\n"
            b"V-2,No MFA on VPN,IA-02,Moderate,IT,2027-01-31,Open\n")
    at = upload(open_import(), "poam.csv", data)
    assert widget(at.selectbox, "kind_0").value == "ignore"
    before = dump(page_db)
    widget(at.selectbox, "kind_0").set_value("findings").run()
    assert not at.exception
    assert at.button(key="commit").disabled
    missing = [m.value for m in at.markdown if "required column(s) missing: Grade" in m.value]  # one problem: a sentence
    assert missing and "choose 'Grade of every finding in this sheet'" in missing[0]  # the box that is the fix
    grade = widget(at.selectbox, "grade_0")
    assert grade.value == "" and "Minor nonconformity" in grade.options
    grade.set_value("Minor nonconformity").run()
    assert not at.exception
    assert not any("required column(s) missing" in m.value for m in at.markdown)
    assert any("no grade column: each of its rows is given 'Minor nonconformity'" in c.value for c in [*at.caption, *at.markdown])
    framework = widget(at.selectbox, "framework_0")
    assert framework.value == "" and {"NIST-800-53r5", "ISO27001-2022"} <= set(framework.options)
    framework.set_value("NIST-800-53r5").run()
    assert not at.exception
    said = " ".join(c.value for c in [*at.caption, *at.markdown])
    assert "'Controls': read 'SI2' as SI-2 of NIST-800-53r5 (1 row)" in said
    preview = frame(at, "no longer listed").set_index("kind")
    assert preview.loc["Audit findings", "new"] == 2
    assert dump(page_db) == before  # nothing written before the commit
    if at.checkbox and any(str(c.key).startswith("confirm_rules") for c in at.checkbox):
        widget(at.checkbox, "confirm_rules").check().run()
    at.button(key="commit").click().run()
    assert not at.exception
    assert any(m.value.startswith("Committed poam.csv as batch") and m.value.endswith(": 2 findings.") for m in at.success)
    st.cache_resource.clear()
    con = connect(page_db)
    try:
        rows = con.execute("SELECT finding_id, grade, owner, framework, ref FROM finding ORDER BY 1").fetchall()
    finally:
        con.close()
    assert rows == [("V-1", "Minor nonconformity", "Ops", "NIST-800-53r5", "SI-2"),
                    ("V-2", "Minor nonconformity", "IT", "NIST-800-53r5", "IA-2")]


def test_a_saved_mapping_keeps_the_grade_given_to_every_row_and_an_older_one_reads_as_none():
    from isms.importing.mapping import Profile, SheetMapping

    m = SheetMapping("POA&M", "findings", 0, {"finding_id": "POAM ID"}, fixed={"grade": "Observation"})
    back = Profile.from_json(Profile("poam", [["POAM ID"]], [m]).to_json())
    assert back.sheets[0].fixed == {"grade": "Observation"} and back.sheets[0] == m
    older = '{"name": "x", "signature": [], "sheets": [{"sheet": "S", "kind": "risks", "header_row": 0, "columns": {}}]}'
    assert Profile.from_json(older).sheets[0].fixed == {}


def test_the_count_of_what_a_file_lists_says_rows_with_errors_are_not_in_it():
    """A 3-row findings file with one refused row was said to list '2 audit findings'."""
    from types import SimpleNamespace

    import pandas as pd

    from isms.importing.problems import Problem
    from isms.views.import_data import RegisterChoice, proposed_part

    plan = SimpleNamespace(frames={"findings": pd.DataFrame({"finding_id": ["F-1", "F-2"]})}, problems=[])
    choice = RegisterChoice(plan, {"findings": ["F-7", "F-8", "F-9"]}, None, None)
    assert proposed_part(choice).startswith("The file lists 2 findings; as the whole register it would retire "
                                            "the other 3 findings")
    plan.problems = [Problem("Sheet1", 4, "G", "Closed on", None, "a Closed finding needs its closing date", "error")]
    assert proposed_part(choice).startswith("The file lists 2 findings (not counting the rows with errors); as "
                                            "the whole register it would retire the other 3 findings")


def test_what_a_commit_brought_is_counted_in_words():
    """'1 finding, 93 SoA lines': the kind's own name read '1 findings, 93 soa'."""
    from isms.views.import_data import rows_said

    assert rows_said({"findings": 1, "soa": 93, "risks": 0, "monitoring_results": 2}) == \
        "1 finding, 93 SoA lines, 2 KRI results"


def test_more_than_a_few_problems_are_still_whole_sentences(page_db):
    """mtn's 16 warnings: each sentence whole, to its advice at the end (a grid cut them at its
    column's edge: 'read as their 2022 successors (ISO/IE'); no grid under 300 problems."""
    at = upload(open_import(), "mtn.csv", (REGISTERS / "mtn_risk_register.csv").read_bytes())
    said = " ".join(m.value for m in at.markdown).replace("\\", "")  # as shown: markdown escapes '>'
    assert "read as their 2022 successors (ISO/IEC 27002:2022 Annex B): A.10.1.2 -> A.8.24" in said
    assert "no treatment is made and its dates are not imported" in said
    assert not [d for d in at.dataframe if "problem" in d.value.columns]


def test_the_preview_names_the_risks_whose_level_the_file_moves(page_db):
    """The quarter's register against the last one's: who escalated and who fell, in the preview."""
    import datetime as dt

    from tests.factories import import_text

    head = "Risk ID,Title,Owner,Likelihood,Impact\n"
    con = connect(page_db)
    import_text(con, head + "R-1,Ransomware,IT,4,5\nR-2,Lost laptop,HR,2,2\n", "q1.csv", dt.date(2026, 3, 31))
    con.close()
    at = open_import()
    upload(at, "q2.csv", (head + "R-1,Ransomware,IT,3,3\nR-2,Lost laptop,HR,4,4\n").encode())
    widget(at.date_input, "import_as_of").set_value(dt.date(2026, 6, 30)).run()
    said = [i.value for i in at.info if "change residual level" in i.value]
    assert said == ["2 risks change residual level against the register: R-2 Low (4) → High (16); "
                    "R-1 Critical (20) → Medium (9)."], [i.value for i in at.info]


def test_an_empty_as_of_says_which_date_is_used(page_db):
    """The As of box stayed blank ('yyyy-mm-dd') while the preview used a date: today's, or the
    one the file's About sheet gives. The page says which, under the box."""
    import datetime as dt

    from isms.dates import short_date
    from tests.conftest import ROOT

    at = upload(open_import(), "shoankj.csv", (REGISTERS / "shoankj_risk-register.csv").read_bytes())
    said = [c.value for c in at.caption if c.value.startswith("Dated ")]
    assert said == [f"Dated {short_date(dt.date.today())}: today, as the file gives no date; choose another above."]
    # the sample's workbook of 30 September 2026 gives its date in its About sheet
    at = upload(open_import(), "2026-09-30-register.xlsx", (ROOT / "data" / "sample" / "2026-09-30-register.xlsx").read_bytes())
    said = [c.value for c in at.caption if c.value.startswith("Dated ")]
    assert said == ["Dated 30 Sep 2026: the date the file gives; choose another above."]


def test_the_blank_choice_of_a_column_is_named(page_db):
    """Un-mapping a field was picking an unlabelled blank line at the top of the column list: the
    blank choice reads '(not imported)'."""
    import json

    at = upload(open_import(), "shoankj.csv", (REGISTERS / "shoankj_risk-register.csv").read_bytes())
    config = next(json.loads(d.proto.columns) for d in at.dataframe if "column in the file" in d.value.columns)
    assert config["column in the file"]["type_config"]["options"][0] == {"value": "", "label": "(not imported)"}
