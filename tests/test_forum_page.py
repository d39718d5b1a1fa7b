"""AppTest: the Forum page, section by section, on the sample with the hand-worked forum story
(tests.factories.forum_story) written into it; the forms record a meeting, a decision, an action
and a change of an action, and a refused write leaves a sentence and nothing else."""

import datetime as dt
import shutil

import pytest

from isms.config import load_settings
from isms.store import connect
from tests.conftest import ROOT
from tests.factories import forum_story
from ui.apptest import app_database, open_app

PAGE = "pages/forum.py"


@pytest.fixture
def forum_db(sample_db_path, tmp_path):
    path = tmp_path / "isms.duckdb"
    shutil.copy(sample_db_path, path)
    con = connect(path)
    # the sample's own forum (isms.sample.forum) is cleared from this private copy: the story's ids
    # and figures are worked out by hand on their own
    con.execute("DELETE FROM action_change; DELETE FROM forum_decision; DELETE FROM minutes_approval; "
                "DELETE FROM forum_meeting")
    forum_story(con, load_settings(ROOT / "isms.toml", db_path=str(path)))
    con.close()
    with app_database(path):
        yield path


def _open(as_of: str):
    at = open_app(PAGE, query={"on": as_of})
    assert not at.exception, [e.message for e in at.exception]
    return at


# AppTest keeps keys only for selectable lists, so a list is found by where it is and what it shows.
WHICH = {"overdue_actions": "days_overdue", "next_meetings": "covers", "decisions": "decision_id",
         "actions": "original_due_on"}


def _rows(at, key: str, *columns: str) -> list[tuple]:
    name, _, meeting = key.partition("_M-")
    within = at.expander[[e.label.endswith(f"M-{meeting}") for e in at.expander].index(True)] if meeting else at.main
    found = [d for d in within.dataframe if WHICH[name] in d.proto.column_order]
    assert len(found) == 1, f"{len(found)} lists for {key}"
    return [tuple(r) for r in found[0].value[list(columns)].itertuples(index=False)]


def _no_list(at, key: str) -> bool:
    return not [d for d in at.main.dataframe if WHICH[key] in d.proto.column_order]


def test_every_section_as_of_a_date(forum_db):
    at = _open("2026-06-10")
    assert at.title[0].value == "Forum"
    assert [h.value for h in at.header] == ["Overdue actions", "Next meetings", "Exceptions for the next Risk meeting "
                                            "(14 Jul 2026)", "Held meetings", "Record"]
    assert _rows(at, "overdue_actions", "action_id", "owner", "due_on", "days_overdue") == [
        ("A-0004", "Ops", "2026-05-15", 26), ("A-0005", "SOC", "2026-05-31", 10)]
    assert _rows(at, "next_meetings", "series", "on", "covers", "last_held_on", "state") == [
        ("Security Health", "2026-06-14", "2026-05-31", "2026-05-14", "in 4 days"),
        ("Compliance", "2026-07-14", "2026-06-30", "–", "in 34 days"),
        ("Risk", "2026-07-14", "2026-06-30", "2026-04-14", "in 34 days"),
        ("Management review", "2027-01-30", "2026-12-31", "–", "in 234 days")]
    assert [e.label for e in at.expander] == ["Security Health · 14 May 2026 · M-0003", "Risk · 14 April 2026 · M-0002",
                                              "Risk · 14 January 2026 · M-0001"]
    assert _rows(at, "decisions_M-0001", "decision_id", "kind", "review_on", "links") == [
        ("D-0001", "Risk accepted", "2026-12-31", "R-001"), ("D-0002", "Exception granted", "2026-07-14", "EX-001")]
    # A-0002's due date as it stood on 06-10 (moved on 03-15), still open; A-0001 verified
    assert _rows(at, "actions_M-0001", "action_id", "due_on", "original_due_on", "status") == [
        ("A-0001", "2026-02-28", "2026-02-28", "verified"), ("A-0003", "2026-05-31", "2026-05-31", "cancelled"),
        ("A-0002", "2026-06-30", "2026-03-31", "open")]
    text = " ".join(m.value for m in at.markdown)
    assert "`risk-review-2025-12-31.pptx`" in text and "Attendees** cleo, ana, Owner A" in text
    assert at.button(key="approve_M-0001")   # the local administrator may approve


def test_an_earlier_date_shows_the_forum_as_it_was(forum_db):
    at = _open("2026-03-14")
    assert [e.label for e in at.expander] == ["Risk · 14 January 2026 · M-0001"]
    assert _no_list(at, "overdue_actions")   # A-0002 was due 03-31 that day (moved on 03-15)
    # and EX-001, expired in the log of 2025-12-31, was granted until 07-14 by D-0002 on 01-14: no agenda item
    assert [s.value for s in at.success] == ["No action is overdue on 14 March 2026.",
                                             "No policy exception needs renewing or a decision."]


def test_the_forms_record_a_meeting_a_decision_an_action_and_close_it(forum_db):
    at = _open("2026-07-20")
    at.selectbox(key="fm_series").set_value("risk")
    at.date_input(key="fm_held_on").set_value(dt.date(2026, 7, 14))
    at.text_input(key="fm_attendees").input("cleo, ana, Owner A")
    at.text_area(key="fm_minutes").input("Q2 reviewed; EX-002 granted.")
    at.button(key="FormSubmitter:forum_meeting-Record the meeting").click().run()
    assert [s.value for s in at.success] == ["Meeting M-0004 recorded."], [e.value for e in at.error]
    assert at.expander[0].label == "Risk · 14 July 2026 · M-0004"

    at.selectbox(key="fd_meeting").set_value("M-0004")
    at.selectbox(key="fd_kind").set_value("exception-grant")
    at.text_area(key="fd_text").input("Grant EX-002 until year end")
    at.button(key="FormSubmitter:forum_decision-Record the decision").click().run()
    assert [e.value for e in at.error] == ["an exception decision names the exception(s) it decides"]
    at.selectbox(key="fd_meeting").set_value("M-0004")
    at.selectbox(key="fd_kind").set_value("exception-grant")
    at.text_area(key="fd_text").input("Grant EX-9 until year end")
    at.text_input(key="fd_exceptions").input("EX-9")
    at.button(key="FormSubmitter:forum_decision-Record the decision").click().run()
    assert [e.value for e in at.error] == ["no exception EX-9 in the exception register as of 2026-07-14"]
    at.selectbox(key="fd_meeting").set_value("M-0004")
    at.selectbox(key="fd_kind").set_value("exception-grant")
    at.text_area(key="fd_text").input("Grant EX-002 until year end")
    at.text_input(key="fd_exceptions").input("EX-002")
    at.date_input(key="fd_review_on").set_value(dt.date(2026, 12, 31))
    at.button(key="FormSubmitter:forum_decision-Record the decision").click().run()
    assert [s.value for s in at.success] == ["Decision D-0003 recorded."], [e.value for e in at.error]
    assert _rows(at, "decisions_M-0004", "decision_id", "kind", "links") == [("D-0003", "Exception granted", "EX-002")]

    at.text_input(key="fa_title").input("Compensating control for EX-002")
    at.text_input(key="fa_owner").input("Ops")
    at.date_input(key="fa_raised_on").set_value(dt.date(2026, 7, 14))
    at.date_input(key="fa_due_on").set_value(dt.date(2026, 8, 31))
    at.selectbox(key="fa_meeting").set_value("M-0004")
    at.text_input(key="fa_decision").input("D-0003")
    at.button(key="FormSubmitter:forum_action-Record the action").click().run()
    assert [s.value for s in at.success] == ["Action A-0006 recorded."], [e.value for e in at.error]
    assert _rows(at, "actions_M-0004", "action_id", "owner", "due_on", "status") == [
        ("A-0006", "Ops", "2026-08-31", "open")]

    at.selectbox(key="fu_action").set_value("A-0006")
    at.selectbox(key="fu_status").set_value("in progress")
    at.date_input(key="fu_on").set_value(dt.date(2026, 7, 15))
    at.button(key="FormSubmitter:forum_update-Record the change").click().run()
    assert [s.value for s in at.success] == ["A-0006 updated (change 2)."], [e.value for e in at.error]
    # a new due date alone leaves the status as it is (the form's status used to start at 'open')
    at.selectbox(key="fu_action").set_value("A-0006")
    assert at.selectbox(key="fu_status").options[0] == "(unchanged)"  # the form's default
    at.selectbox(key="fu_status").set_value("")  # as a fresh form leaves it
    at.date_input(key="fu_on").set_value(dt.date(2026, 7, 16))
    at.date_input(key="fu_due_on").set_value(dt.date(2026, 9, 15))
    at.button(key="FormSubmitter:forum_update-Record the change").click().run()
    assert [s.value for s in at.success] == ["A-0006 updated (change 3)."], [e.value for e in at.error]
    assert _rows(at, "actions_M-0004", "action_id", "due_on", "status") == [("A-0006", "2026-09-15", "in progress")]

    at.selectbox(key="fu_action").set_value("A-0006")
    at.selectbox(key="fu_status").set_value("done")
    at.date_input(key="fu_on").set_value(dt.date(2026, 7, 18))
    at.text_input(key="fu_note").input("Control in place")
    at.button(key="FormSubmitter:forum_update-Record the change").click().run()
    assert [s.value for s in at.success] == ["A-0006 updated (change 4)."], [e.value for e in at.error]
    assert _rows(at, "actions_M-0004", "action_id", "status") == [("A-0006", "done")]
    con = connect(forum_db, read_only=True)
    try:
        trail = [a for (a,) in con.execute("SELECT action FROM audit_event WHERE action LIKE '%-recorded' "
                                           "OR action = 'action-updated' ORDER BY event_id").fetchall()]
    finally:
        con.close()
    assert trail[-6:] == ["meeting-recorded", "decision-recorded", "action-recorded"] + ["action-updated"] * 3


# --- 'Actions from earlier meetings' on the meeting pages ---------------------------------------------

def _earlier(at) -> tuple[dict, list[list[str]]]:
    """The section's tiles and the action ids of its lists (open, then closed since)."""
    tiles = {m.label: m.value for m in at.metric if m.label in ("Open", "Overdue", "Closed since last meeting")}
    lists = [list(d.value["action_id"]) for d in at.main.dataframe if d.proto.column_order[:2] == ["action_id", "title"]]
    return tiles, lists


def test_risk_review_shows_the_actions_of_earlier_risk_meetings(forum_db):
    # Q1 2026 was reviewed by M-0002 on 04-14: A-0002 open (due 06-30 then), A-0001 and A-0003 closed since 01-14
    at = open_app("pages/risk_review.py", query={"as_of": "2026-03-31"})
    assert not at.exception, [e.message for e in at.exception]
    assert at.header[-1].value == "Actions from earlier meetings"
    assert _earlier(at) == ({"Open": "1", "Overdue": "0", "Closed since last meeting": "2"},
                            [["A-0002"], ["A-0001", "A-0003"]])
    assert any("since the last Risk meeting (14 Jan 2026)" in c.value for c in at.caption)
    # Q2 has no recorded meeting: as of its scheduled day, 07-14: A-0004 overdue, A-0002 closed on 07-05
    at = open_app("pages/risk_review.py", query={"as_of": "2026-06-30"})
    assert _earlier(at) == ({"Open": "1", "Overdue": "1", "Closed since last meeting": "1"}, [["A-0004"], ["A-0002"]])


def test_security_health_shows_the_actions_of_earlier_health_meetings(forum_db):
    at = open_app("pages/security_health.py", query={"month": "2026-04-01"})
    assert not at.exception, [e.message for e in at.exception]
    # M-0003 (05-14) reviewed April; A-0005 was raised that day, so nothing came from earlier
    assert [i.value for i in at.info][-1] == ("No Security Health action open on 14 May 2026, and none closed (no "
                                              "earlier Security Health meeting recorded).")
    at = open_app("pages/security_health.py", query={"month": "2026-05-01"})
    assert _earlier(at) == ({"Open": "1", "Overdue": "1", "Closed since last meeting": "0"}, [["A-0005"]])


# --- the landing page, packs, and what a decision changes on the Risk Review ---------------------------

def test_the_forum_is_the_landing_page(forum_db):
    at = open_app(None, query={"on": "2026-06-10"})
    assert not at.exception, [e.message for e in at.exception]
    assert at.title[0].value == "Forum"
    assert at.header[0].value == "Overdue actions"   # overdue actions first, then the next meetings
    # M-0001's stored pack is offered for download; M-0002 and M-0003 stored none
    assert [b.label for b in at.get("download_button")] == ["Download the pack presented"]
    assert sum("**Pack** none stored" in m.value for m in at.markdown) == 2


def _exception_rows(at) -> dict[str, tuple]:
    lists = [d.value for d in at.main.dataframe if "window" in d.proto.column_order]
    assert len(lists) == 1
    return {r.exception_id: (int(r.days_to_expiry), r.window) for r in lists[0].itertuples()}


def test_a_renewal_shows_on_the_risk_review_from_the_meetings_date(forum_db):
    """The sample's EX-001 expired on 2025-12-04 and the exception log of 2026-09-30 still lists it
    granted; the Risk meeting of 2026-10-14 renews it until 2026-12-31 (78 days on)."""
    at = _open("2026-10-20")
    at.selectbox(key="fm_series").set_value("risk")
    at.date_input(key="fm_held_on").set_value(dt.date(2026, 10, 14))
    at.text_input(key="fm_attendees").input("cleo, ana")
    at.button(key="FormSubmitter:forum_meeting-Record the meeting").click().run()
    assert [s.value for s in at.success] == ["Meeting M-0004 recorded."], [e.value for e in at.error]
    at.selectbox(key="fd_meeting").set_value("M-0004")
    at.selectbox(key="fd_kind").set_value("exception-renewal")
    at.text_area(key="fd_text").input("Renew EX-001 to year end")
    at.text_input(key="fd_exceptions").input("EX-001")
    at.date_input(key="fd_review_on").set_value(dt.date(2026, 12, 31))
    at.button(key="FormSubmitter:forum_decision-Record the decision").click().run()
    assert [s.value for s in at.success] == ["Decision D-0003 recorded."], [e.value for e in at.error]

    before = open_app("pages/risk_review.py", query={"as_of": "2026-09-30"})
    assert _exception_rows(before)["EX-001"] == (-300, "Expired, still open")   # 2025-12-04 is 300 days before
    after = open_app("pages/risk_review.py", query={"as_of": "2026-10-14"})
    assert not after.exception, [e.message for e in after.exception]
    assert after.selectbox(key="as_of").value == dt.date(2026, 10, 14)   # the decision's day is an interim date
    assert _exception_rows(after)["EX-001"] == (78, "Within 90 days")


def test_a_meeting_recorded_by_imported_minutes_shows_what_it_lacks(forum_db, tmp_path):
    from isms.importing.pipeline import import_file
    from isms.importing.template import write_workbook

    minutes = write_workbook(tmp_path / "minutes.xlsx", {"decisions": [dict(
        held_on=dt.date(2026, 6, 2), series="Compliance", decision_kind="free", text="SoA review moved to July",
        review_on=None, decision_id=None, risk_ids=[], treatment_ids=[], exception_ids=[], kri_ids=[], finding_ids=[])]},
        as_of=dt.date(2026, 6, 5))
    con = connect(forum_db)
    try:
        out = import_file(con, minutes, load_settings(ROOT / "isms.toml").matrix, imported_by="ana")
    finally:
        con.close()
    assert out.status == "committed", [str(p) for p in out.problems]
    at = _open("2026-06-10")
    assert at.expander[0].label == "Compliance · 2 June 2026 · M-0004"
    text = " ".join(m.value for m in at.markdown)
    # the calendar's period for a Compliance meeting on 06-02: March and April
    assert "**Reviewed** 1 Mar 2026 – 30 Apr 2026 · **Attendees** not recorded" in text
    assert _rows(at, "decisions_M-0004", "decision_id", "kind", "text") == [("D-0003", "Other decision", "SoA review moved to July")]


def test_the_compliance_page_shows_the_actions_of_earlier_compliance_meetings(forum_db):
    # as the Risk Review and Security Health do (the README says each meeting page ends with them)
    at = open_app("pages/compliance.py")
    assert not at.exception, [e.message for e in at.exception]
    assert "Actions from earlier meetings" in [h.value for h in at.header]


def test_presentation_mode_shows_the_forum_without_its_forms(forum_db):
    """`?present=1` on a meeting-room screen: the same calendar and meetings, the date in the hidden
    sidebar, an Exit button, and neither the record forms nor the approve button (the room reads)."""
    at = open_app(PAGE, query={"on": "2026-06-10", "present": "1"})
    assert not at.exception, [e.message for e in at.exception]
    assert [h.value for h in at.header] == ["Overdue actions", "Next meetings", "Exceptions for the next Risk meeting "
                                            "(14 Jul 2026)", "Held meetings"]
    assert at.button(key="exit_present")
    assert not [b for b in at.button if b.key == "approve_M-0001"]
    assert [d.value for d in at.sidebar.date_input] == [dt.date(2026, 6, 10)]
    # the lists are static tables at presentation size, not the analyst's grids
    assert not [d for d in at.main.dataframe if "days_overdue" in d.proto.column_order]
    overdue = next(t.value for t in at.table if "Days overdue" in t.value.columns)
    assert [(a, int(d)) for a, d in zip(overdue["Action"], overdue["Days overdue"])] == [("A-0004", 26), ("A-0005", 10)]
    # a held meeting's decisions and actions too: no grid of page-size type anywhere in the room
    assert not at.main.dataframe
    assert any(tuple(t.value.columns) == ("Action", "What", "Owner", "Due", "Status") for t in at.table)
    at.button(key="exit_present").click().run()
    assert _rows(at, "overdue_actions", "action_id", "days_overdue") == [("A-0004", 26), ("A-0005", 10)]
    assert "Record" in [h.value for h in at.header]
