"""A real browser records the forum's work and finds it at the next meeting: a Risk meeting, a
decision that grants a policy exception, an action from it; the action is closed a month later,
and the Risk Review of the next quarter lists it under 'Actions from earlier meetings'.

The database is a copy of the sample with its own forum cleared, so the ids are the first ones.
Screenshots go to artifacts/forum-*.png.
"""

import pytest

from isms.store import connect
from tests.browser import browser_page, copy_db, pick, require_chromium, settle, streamlit_server, wait_for_metric

pytestmark = pytest.mark.browser


def _choose(page, label: str, option: str) -> None:
    pick(page, page.locator('[data-testid="stSelectbox"]:visible').filter(has_text=label).first, option, typed=option[:10])


def _said(page, text: str) -> None:
    settle(page, f"text={text}")


def test_forum_journey(sample_db_path, tmp_path, artifacts):
    require_chromium()
    db = copy_db(sample_db_path, tmp_path)
    con = connect(db)
    con.execute("DELETE FROM action_change; DELETE FROM forum_decision; DELETE FROM minutes_approval; "
                "DELETE FROM forum_meeting")
    con.close()
    with streamlit_server(db) as url, browser_page(height=2600) as page:
        page.goto(url + "/forum?on=2026-04-14")
        settle(page, "text=Held meetings")
        assert page.get_by_text("No meeting has been recorded yet.").count() == 1

        _choose(page, "Series", "Risk")
        page.get_by_label("Attendees (comma-separated)", exact=True).fill("Priya Raman, Tom Becker, Elena Rossi")
        page.get_by_label("Minutes", exact=True).fill("Q1 reviewed. EX-001 granted for six months.")
        page.get_by_role("button", name="Record the meeting", exact=True).click()
        _said(page, "Meeting M-0001 recorded.")

        page.get_by_role("tab", name="A decision", exact=True).click()
        _choose(page, "Kind", "Grant a policy exception")
        page.locator('textarea[aria-label="Decision"]').fill("Grant EX-001 until October with weekly monitoring")
        page.get_by_label("Exceptions", exact=True).fill("EX-001")
        # EX-001 expired on 2025-12-04: the grant gives it its new expiry
        # a date field of segments (year / month / day): typed into, each segment moves on when full
        page.get_by_label("Review or expiry date (acceptances, exceptions)", exact=True).locator(
            '[role="spinbutton"]').first.click()
        page.keyboard.type("20260630")
        page.keyboard.press("Escape")  # the calendar it opened would cover the button
        page.get_by_role("button", name="Record the decision", exact=True).click()
        _said(page, "Decision D-0001 recorded.")

        page.get_by_role("tab", name="An action", exact=True).click()
        page.get_by_label("What is to be done", exact=True).fill("Set up weekly monitoring for EX-001")
        page.get_by_label("Owner", exact=True).fill("Tom Becker")
        _choose(page, "From the meeting", "M-0001 · Risk · 14 Apr 2026")
        page.get_by_label("From the decision", exact=True).fill("D-0001")
        page.get_by_role("button", name="Record the action", exact=True).click()
        _said(page, "Action A-0001 recorded.")
        page.get_by_text("Risk · 14 April 2026 · M-0001").click()
        settle(page)
        # the grid draws on a canvas; its cells are in the page for assistive technology
        page.wait_for_selector("text=Set up weekly monitoring for EX-001", state="attached")
        page.screenshot(path=str(artifacts / "forum-1-recorded.png"), full_page=True)

        # the grant is a dated fact of the exception log: the Risk Review offers its day and lists EX-001
        # granted until 06-30 (77 days on), where the log of 03-31 had it expired
        page.goto(url + "/risk-review?as_of=2026-04-14")
        settle(page, "text=Risk Review · 14 April 2026")
        page.wait_for_selector("text=M-0001 (risk meeting)", state="attached")   # EX-001's approver, 77 days left
        page.locator("#policy-exceptions-for-review").scroll_into_view_if_needed()
        settle(page)
        page.screenshot(path=str(artifacts / "forum-2-risk-review-after-the-grant.png"))

        page.goto(url + "/forum?on=2026-05-10")
        settle(page, "text=Held meetings")
        page.get_by_role("tab", name="Change an action", exact=True).click()
        _choose(page, "Status", "done")
        page.get_by_label("Closure note (done, cancelled)", exact=True).fill("Monitoring runs every Monday")
        page.get_by_role("button", name="Record the change", exact=True).click()
        _said(page, "A-0001 updated (change 2).")

        page.goto(url + "/risk-review?as_of=2026-06-30")
        settle(page, "text=Actions from earlier meetings")
        wait_for_metric(page, "Closed since last meeting", "1")
        page.get_by_text("Actions from earlier meetings").scroll_into_view_if_needed()
        settle(page, "text=Closed since the last Risk meeting (14 Apr 2026).")
        page.wait_for_selector("text=Monitoring runs every Monday", state="attached")
        page.screenshot(path=str(artifacts / "forum-3-next-risk-review.png"), full_page=True)

    con = connect(db, read_only=True)
    try:
        trail = [a for (a,) in con.execute("SELECT action FROM audit_event WHERE action IN ('meeting-recorded', "
                                           "'decision-recorded', 'action-recorded', 'action-updated') ORDER BY event_id")
                 .fetchall()]
        granted = con.execute("SELECT e.status, e.granted_on::VARCHAR, e.expires_on::VARCHAR, b.as_of::VARCHAR "
                              "FROM policy_exception e JOIN import_batch b USING (batch_id) "
                              "WHERE b.source = 'forum' AND e.exception_id = 'EX-001'").fetchall()
        closed = con.execute("SELECT status, recorded_on, closure_note FROM action_change WHERE action_id = 'A-0001' "
                             "ORDER BY change_no").fetchall()
    finally:
        con.close()
    assert trail == ["meeting-recorded", "decision-recorded", "action-recorded", "action-updated"]
    assert granted == [("Granted", "2026-04-14", "2026-06-30", "2026-04-14")]
    assert [(s, str(d), n) for s, d, n in closed] == [("open", "2026-04-14", None),
                                                      ("done", "2026-05-10", "Monitoring runs every Monday")]
