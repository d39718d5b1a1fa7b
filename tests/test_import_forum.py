"""The forum's minutes (decisions) and action log through the one import pipeline: the template's
sheets, an analyst's own layout, cell-level problems (unknown links are problems, never dropped),
preview, one transaction, undo. Expected rows are written out by hand.

The register (2026-03-31): risks R-1, R-2; exception EX-1; KRI K-1. The forum: a Risk meeting on
2026-01-14 (M-0001) with decision D-0001 and action A-0001 (due 02-28, open).
"""

import pytest
from openpyxl import Workbook, load_workbook

from isms.actions import record_action, record_decision, record_meeting
from isms.auth import Role, User
from isms.importing.pipeline import build_plan, commit, import_file
from isms.importing.template import write_blank_template, write_workbook
from isms.store import connect
from isms.store import forum as store
from isms.store.batches import undo_batch
from tests.factories import D, exception, load, metric, risk
from tests.test_store import table_dump

ANA = User("ana", Role.analyst)
AS_OF = D("2026-04-20")


@pytest.fixture
def db(tmp_path, settings):
    con = connect(tmp_path / "f.duckdb")
    load(con, "2026-03-31", risks=[risk("R-1"), risk("R-2")], exceptions=[exception("EX-1", "R-1", expires="2026-12-31")],
         metrics=[metric("K-1")])
    m = record_meeting(con, ANA, settings, "risk", D("2026-01-14"), attendees=["ana"])
    record_decision(con, ANA, m, "free", "Q4 reviewed")
    record_action(con, ANA, settings, "Patch VPN", "Ops", D("2026-02-28"), raised_on=D("2026-01-14"), meeting_id=m)
    yield con
    con.close()


def decision(held_on, series, kind, text, review_on=None, **links):
    return dict(held_on=D(held_on), series=series, decision_kind=kind, text=text,
                review_on=D(review_on) if review_on else None, decision_id=links.pop("decision_id", None),
                risk_ids=links.get("risk_ids", []), treatment_ids=[], exception_ids=links.get("exception_ids", []),
                kri_ids=links.get("kri_ids", []), finding_ids=[])


def action(action_id, title, owner, due, status="open", **kw):
    base = dict(action_id=action_id, title=title, owner=owner, due_on=D(due), status=status, series=None, held_on=None,
                meeting_id=None, decision_id=None, risk_id=None, kri_id=None, finding_id=None, raised_on=None,
                closure_note=None)
    return base | {k: D(v) if k.endswith("_on") and isinstance(v, str) else v for k, v in kw.items()}


def good_rows():
    return {
        "decisions": [
            decision("2026-04-14", "risk", "exception-renewal", "Renew EX-1 to year end", "2026-12-31",
                     exception_ids=["EX-1"], decision_id="MIN-1"),
            decision("2026-04-14", "risk", "risk-acceptance", "Accept R-2 for a year", "2027-04-14", risk_ids=["R-2"]),
            decision("2026-04-16", "Security Health", "free", "Phishing campaign in May", kri_ids=["K-1"]),
        ],
        "actions": [
            action("A-0001", "Patch VPN", "Ops", "2026-02-28", "done", closure_note="patched 03-02"),
            action("ACT-7", "Brief the board on EX-1", "CISO", "2026-05-31", decision_id="MIN-1"),
            action("ACT-8", "Run the phishing test", "SOC", "2026-05-15", series="security-health", held_on="2026-04-16",
                   kri_id="K-1"),
        ],
    }


def _forum(con):
    return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("forum_meeting", "forum_decision", "action_change")}


def test_the_blank_template_has_the_forum_sheets(tmp_path):
    names = load_workbook(write_blank_template(tmp_path / "t.xlsx")).sheetnames
    assert "Decisions" in names and "Actions" in names


def test_minutes_and_actions_commit_in_one_batch_and_undo_hides_them(tmp_path, settings, db):
    before = _forum(db)
    path = write_workbook(tmp_path / "minutes.xlsx", good_rows(), as_of=AS_OF)
    out = import_file(db, path, settings.matrix, imported_by="t")
    assert out.status == "committed", [str(p) for p in out.problems]
    assert out.row_counts == {"decisions": 3, "actions": 3}
    # two meetings the forum had not recorded: Risk on 04-14 (reviews Q1) and Security Health on 04-16 (reviews March)
    held = store.meetings(db, AS_OF).set_index("meeting_id")
    assert sorted(zip(held.index, held["series"], held["held_on"].astype(str), held["period_end"].astype(str))) == [
        ("M-0001", "risk", "2026-01-14", "2025-12-31"), ("M-0002", "risk", "2026-04-14", "2026-03-31"),
        ("M-0003", "security-health", "2026-04-16", "2026-03-31")]
    d = store.decisions(db, AS_OF).set_index("decision_id")
    assert list(d.index) == ["D-0001", "D-0002", "MIN-1", "D-0003"]  # by date, then id
    assert (d.loc["MIN-1", "meeting_id"], d.loc["MIN-1", "kind"], list(d.loc["MIN-1", "exception_ids"])) == (
        "M-0002", "exception-renewal", ["EX-1"])
    assert d.loc["D-0003", "meeting_id"] == "M-0003"
    a = store.actions_as_of(db, AS_OF).set_index("action_id")
    # A-0001: closed on the file's date, its history kept; ACT-7 from MIN-1's meeting, raised that day
    assert (a.loc["A-0001", "status"], str(a.loc["A-0001", "closed_on"].date()), a.loc["A-0001", "changes"]) == (
        "done", "2026-04-20", 2)
    assert (a.loc["ACT-7", "meeting_id"], a.loc["ACT-7", "series"], str(a.loc["ACT-7", "raised_on"].date())) == (
        "M-0002", "risk", "2026-04-14")
    assert (a.loc["ACT-8", "meeting_id"], a.loc["ACT-8", "series"]) == ("M-0003", "security-health")
    assert list(store.action_history(db, "A-0001")["status"]) == ["open", "done"]
    assert _forum(db) == {"forum_meeting": 3, "forum_decision": 4, "action_change": 4}

    # the same file again: unchanged; undo: the forum reads as before
    assert import_file(db, path, settings.matrix, imported_by="t").status == "unchanged"
    undo_batch(db, out.batch_id, "t")
    assert list(store.meetings(db, AS_OF)["meeting_id"]) == ["M-0001"]
    assert list(store.decisions(db, AS_OF)["decision_id"]) == ["D-0001"]
    assert store.actions_as_of(db, AS_OF)[["action_id", "status"]].values.tolist() == [["A-0001", "open"]]
    assert _forum(db) == {k: v + (3 if k != "forum_meeting" else 2) for k, v in before.items()}  # rows stay, hidden


def _sheet(tmp_path, name, headers, *rows):
    wb = Workbook()
    ws = wb.active
    ws.title = name
    ws.append(headers)
    for r in rows:
        ws.append(r)
    path = tmp_path / f"{name}.xlsx"
    wb.save(path)
    return path


def test_an_analysts_minutes_and_unknown_links_are_cell_problems(tmp_path, settings, db):
    """A minutes sheet in an analyst's words; every unknown link is named on its cell, and the
    refused file changes nothing."""
    before = table_dump(db)
    path = _sheet(tmp_path, "Minutes", ["Meeting date", "Forum", "Type", "Decision", "Expiry", "Risks", "Exceptions"],
                  ["2026-04-14", "Risk", "Grant", "Grant EX-1 and EX-9", "2026-10-31", None, "EX-1, EX-9"],
                  ["2026-04-14", "Risk", "Accept", "Accept R-7", "2027-04-14", "R-7", None],
                  ["2026-04-14", "Audit committee", "Other", "Noted", None, None, None],
                  ["2026-04-14", "Risk", "Accept", "Accept R-1, no date", None, "R-1", None])
    plan = build_plan(path.read_bytes(), path.name, settings.matrix, as_of=AS_OF, con=db)
    assert [m.kind for m in plan.mappings] == ["decisions"]
    got = sorted((p.cell, p.value, p.message) for p in plan.problems if p.severity == "error")
    assert got == [
        ("B4", "Audit committee", "no meeting series 'Audit committee'; the series are Compliance, Management review, "
                                  "Risk, Security Health"),
        ("E5", None, "a risk acceptance names the risk(s) it accepts and the date it is reviewed again"),
        ("F3", "R-7", "no risk 'R-7' in this file or in the register as of 2026-04-20"),
        ("G2", "EX-9", "no exception 'EX-9' in this file or in the register as of 2026-04-20"),
    ]
    out = commit(db, plan, "t")
    assert out.status == "refused"
    assert table_dump(db) == before


def test_an_action_log_with_unknown_links_is_refused_cell_by_cell(tmp_path, settings, db):
    before = table_dump(db)
    path = _sheet(tmp_path, "Action log", ["ID", "Action", "Owner", "Due date", "Status", "Meeting ref", "Decision ref",
                                           "Risk", "Meeting date", "Forum"],
                  ["ACT-1", "Do one", "Ops", "2026-05-31", "Open", "M-0042", None, None, None, None],
                  ["ACT-2", "Do two", "Ops", "2026-05-31", "Ongoing", None, "D-0099", None, None, None],
                  ["ACT-3", "Do three", "Ops", "2026-05-31", "open", None, None, "R-9", None, "Risk"],
                  ["ACT-4", "Do four", "Ops", "2026-05-31", "open", None, None, None, "2026-02-02", "Risk"],
                  ["ACT-5", "Do five", "Ops", "2026-05-31", "Closed", "M-0001", None, None, None, None])
    plan = build_plan(path.read_bytes(), path.name, settings.matrix, as_of=AS_OF, con=db)
    assert [m.kind for m in plan.mappings] == ["actions"]
    got = sorted((p.cell, p.value, p.message) for p in plan.problems if p.severity == "error")
    assert got == [
        ("F2", "M-0042", "no meeting 'M-0042' in the forum"),
        ("G3", "D-0099", "no decision 'D-0099' in the forum or in this file"),
        ("H4", "R-9", "no risk 'R-9' in this file or in the register as of 2026-04-20"),
        ("I5", "2026-02-02", "no risk meeting on 2026-02-02 in the forum or in this file's minutes"),
    ]
    assert commit(db, plan, "t").status == "refused"
    assert table_dump(db) == before


def test_the_preview_says_what_the_action_log_changes(tmp_path, settings, db):
    path = _sheet(tmp_path, "Actions", ["Action id", "Title", "Owner", "Due on", "Status", "Meeting id"],
                  ["A-0001", "Patch VPN", "Ops", "2026-02-28", "open", "M-0001"],           # as the forum has it
                  ["A-0002", "Renew the WAF", "Net", "2026-06-30", "in progress", "M-0001"])  # new
    plan = build_plan(path.read_bytes(), path.name, settings.matrix, as_of=AS_OF, con=db)
    assert plan.ok, [str(p) for p in plan.problems]
    kp = plan.preview.kinds["actions"]
    assert (kp.new, kp.changed, kp.unchanged) == (["A-0002"], {}, ["A-0001"])
    out = commit(db, plan, "t")
    assert out.status == "committed"
    # A-0001 unchanged: no new change row; A-0002 raised at its meeting (01-14) and in progress from then
    hist = db.execute("SELECT action_id, change_no, recorded_on::VARCHAR, status FROM action_change ORDER BY 1, 2").fetchall()
    assert hist == [("A-0001", 1, "2026-01-14", "open"), ("A-0002", 1, "2026-01-14", "in progress")]


def test_a_decision_the_register_does_not_show_yet_is_a_warning_on_its_cell(tmp_path, settings, db):
    """The import records decisions as minuted and changes no register: R-2 accepted at the 04-14
    meeting is still Open in the register of 03-31 (the factory's status), so its cell says so and the
    file still imports. EX-1 renewed is Granted already: nothing to say. A file that brings the
    register with R-2 Accepted says nothing either."""
    path = write_workbook(tmp_path / "minutes.xlsx", good_rows(), as_of=AS_OF)
    plan = build_plan(path.read_bytes(), path.name, settings.matrix, as_of=AS_OF, con=db)
    warned = [p for p in plan.problems if p.severity == "warning"]
    ws = load_workbook(path, read_only=True)["Decisions"]
    written = [(c.row, c.column_letter) for row in ws.iter_rows() for c in row if c.value == "R-2"]
    assert len(written) == 1  # the cell the template wrote R-2's id into
    assert [(p.sheet, p.row, p.column, p.value) for p in warned] == [("Decisions", *written[0], "R-2")]
    assert warned[0].message.startswith("risk R-2 is Open in the risks register as of 2026-04-20: an import records")
    assert not [p for p in plan.problems if p.severity == "error"]

    rows = good_rows() | {"risks": [risk("R-1"), risk("R-2", status="Accepted")]}
    path = write_workbook(tmp_path / "minutes-and-register.xlsx", rows, as_of=AS_OF)
    plan = build_plan(path.read_bytes(), path.name, settings.matrix, as_of=AS_OF, con=db)
    assert not [p for p in plan.problems if p.value == "R-2"]


ACTION_HEADERS = ["Action id", "Title", "Owner", "Due on", "Status", "Meeting id", "Decision id", "Forum"]


@pytest.mark.parametrize("row, problem", [
    (["A-0001", "Patch VPN", "Ops", "2026-02-28", "in progress", "M-0042", None, None],
     ("F2", "M-0042", "A-0001 came from M-0001; an import does not change where an action came from")),
    (["A-0001", "Patch VPN", "Ops", "2026-02-28", "in progress", None, "D-0099", None],
     ("G2", "D-0099", "no decision 'D-0099' in the forum or in this file")),
    (["A-0001", "Patch VPN", "Ops", "2026-02-28", "done", None, None, "Security Health"],
     ("H2", "Security Health", "A-0001 is followed up by the risk series; an import does not move an action to "
                               "another series")),
])
def test_a_known_action_keeps_where_it_came_from_and_its_links_are_checked(tmp_path, settings, db, row, problem):
    """A-0001 (the forum's, from M-0001 of the risk series): a file changes its state, never its
    meeting or series, and a decision it names must exist, as for a new action."""
    before = table_dump(db)
    path = _sheet(tmp_path, "Actions", ACTION_HEADERS, row)
    plan = build_plan(path.read_bytes(), path.name, settings.matrix, as_of=AS_OF, con=db)
    assert [(p.cell, p.value, p.message) for p in plan.problems if p.severity == "error"] == [problem]
    assert commit(db, plan, "t").status == "refused"
    assert table_dump(db) == before


def test_a_known_action_may_name_the_decision_it_follows(tmp_path, settings, db):
    path = _sheet(tmp_path, "Actions", ACTION_HEADERS,
                  ["A-0001", "Patch VPN", "Ops", "2026-02-28", "in progress", "M-0001", "D-0001", "Risk"])
    out = import_file(db, path, settings.matrix, as_of=AS_OF, imported_by="t")
    assert out.status == "committed", [str(p) for p in out.problems]
    assert db.execute("SELECT change_no, status, meeting_id, decision_id, series FROM action_change "
                      "WHERE action_id = 'A-0001' ORDER BY change_no").fetchall() == [
        (1, "open", "M-0001", None, "risk"), (2, "in progress", "M-0001", "D-0001", "risk")]


def test_two_decisions_of_one_file_cannot_share_an_id(tmp_path, settings, db):
    before = table_dump(db)
    path = _sheet(tmp_path, "Minutes", ["Meeting date", "Forum", "Type", "Decision", "Decision id"],
                  ["2026-04-14", "Risk", "Other", "First", "MIN-1"],
                  ["2026-04-14", "Risk", "Other", "Second", "MIN-1"])
    plan = build_plan(path.read_bytes(), path.name, settings.matrix, as_of=AS_OF, con=db)
    assert [(p.cell, p.value, p.message) for p in plan.problems if p.severity == "error"] == [
        ("E3", "MIN-1", "MIN-1 is the id of another decision in this file (row 2); a decision's id is its own")]
    assert commit(db, plan, "t").status == "refused"
    assert table_dump(db) == before


def test_an_action_log_sheet_before_the_minutes_still_finds_the_meeting_they_record(tmp_path, settings, db):
    """The minutes record the Risk meeting of 04-14 (M-0002); ACT-1 names it by series and date from
    the sheet before them, and is linked to it whatever the sheets' order."""
    wb = Workbook()
    actions = wb.active
    actions.title = "Actions"
    actions.append(["Action id", "Title", "Owner", "Due on", "Status", "Forum", "Meeting date"])
    actions.append(["ACT-1", "Brief the board", "CISO", "2026-05-31", "open", "Risk", "2026-04-14"])
    minutes = wb.create_sheet("Decisions")
    minutes.append(["Meeting date", "Forum", "Type", "Decision"])
    minutes.append(["2026-04-14", "Risk", "Other", "Noted the Q1 posture"])
    path = tmp_path / "log-then-minutes.xlsx"
    wb.save(path)
    out = import_file(db, path, settings.matrix, as_of=AS_OF, imported_by="t")
    assert out.status == "committed", [str(p) for p in out.problems]
    assert db.execute("SELECT meeting_id, series, held_on::VARCHAR FROM forum_meeting ORDER BY 1").fetchall() == [
        ("M-0001", "risk", "2026-01-14"), ("M-0002", "risk", "2026-04-14")]
    assert db.execute("SELECT meeting_id, recorded_on::VARCHAR FROM action_change WHERE action_id = 'ACT-1'").fetchall() == [
        ("M-0002", "2026-04-14")]


def test_an_id_the_page_records_between_preview_and_commit_refuses_the_file(tmp_path, settings, db):
    """The file's new action A-0002 is previewed; then the Forum page raises its next action, which
    is A-0002 too. Committing the preview would write the file's row as a change of the page's
    action: the commit is refused on the id's cell, and the page's action is untouched."""
    path = _sheet(tmp_path, "Actions", ["Action id", "Title", "Owner", "Due on", "Status", "Meeting id"],
                  ["A-0002", "Renew the WAF", "Net", "2026-06-30", "open", "M-0001"])
    plan = build_plan(path.read_bytes(), path.name, settings.matrix, as_of=AS_OF, con=db)
    assert plan.ok and plan.preview.kinds["actions"].new == ["A-0002"]
    page = record_action(db, ANA, settings, "Brief the board", "CISO", D("2026-05-31"), raised_on=D("2026-04-15"),
                         meeting_id="M-0001")
    assert page == "A-0002"
    before = table_dump(db)
    out = commit(db, plan, "t")
    assert out.status == "refused"
    assert [(p.cell, p.value, p.message) for p in out.problems if p.severity == "error"] == [
        ("A2", "A-0002", "A-0002 was recorded in the forum after this file was previewed: preview it again")]
    assert table_dump(db) == before


def test_an_import_whose_meeting_the_page_has_used_since_cannot_be_undone(tmp_path, settings, db):
    """The minutes record the Risk meeting of 04-14 (M-0002); the page then records decision D-0004
    of that meeting and raises action A-0002 from it. Undoing the import would hide M-0002 under
    them: refused, naming them, and nothing changes."""
    from isms.actions import undo_import

    out = import_file(db, write_workbook(tmp_path / "minutes.xlsx", good_rows(), as_of=AS_OF), settings.matrix,
                      imported_by="ana")
    assert out.status == "committed"
    decision = record_decision(db, ANA, "M-0002", "free", "Noted on the page")
    action = record_action(db, ANA, settings, "Follow up", "Ops", D("2026-06-30"), raised_on=D("2026-04-14"),
                           meeting_id="M-0002")
    assert (decision, action) == ("D-0004", "A-0002")
    before = table_dump(db)
    with pytest.raises(ValueError, match=r"A-0002, D-0004 were recorded against since"):
        undo_import(db, ANA, out.batch_id)
    assert table_dump(db) == before
