"""The sample's forum (isms.sample.forum), as the sample database holds it: three years of the four
series, two management reviews, about 150 actions with some closed late and a few overdue, and the
Forum page on it. Counts of meetings follow from the calendar alone; the overdue actions are found
here with a query of their own over the raw history."""

import datetime as dt

from isms.store import connect
from tests.test_pages import app_db, open_page  # noqa: F401  (the module-scoped sample copy)

NOW = dt.date(2026, 11, 30)


def _one(con, sql, *params):
    return con.execute(sql, list(params)).fetchall()


def test_three_years_of_meetings_of_the_four_series(sample_con):
    counts = dict(_one(sample_con, "SELECT series, count(*) FROM forum_meeting GROUP BY series"))
    # monthly Dec 2023 - Oct 2026; quarterly Q4 2023 - Q3 2026; Feb, Apr, ... Dec from Feb 2024 to Oct 2026; 2024 and 2025
    assert counts == {"security-health": 35, "risk": 12, "compliance": 17, "management-review": 2}
    assert _one(sample_con, "SELECT held_on, period_end FROM forum_meeting WHERE series = 'management-review' "
                            "ORDER BY held_on") == [(dt.date(2025, 1, 30), dt.date(2024, 12, 31)),
                                                    (dt.date(2026, 1, 30), dt.date(2025, 12, 31))]
    assert _one(sample_con, "SELECT min(len(attendees)) >= 4, bool_and(minutes IS NOT NULL) FROM forum_meeting") == [
        (True, True)]


def test_decisions_of_every_kind_the_issue_names(sample_con):
    kinds = {k for (k,) in _one(sample_con, "SELECT DISTINCT kind FROM forum_decision")}
    assert {"risk-acceptance", "exception-grant", "exception-renewal", "exception-refusal", "appetite-change"} <= kinds
    [(year,)] = _one(sample_con, "SELECT year(decided_on) FROM forum_decision WHERE kind = 'appetite-change'")
    assert year == 2025   # the second year
    # every exception decision names an exception of the register
    assert _one(sample_con, """SELECT count(*) FROM forum_decision d, unnest(d.exception_ids) AS e(x)
                               WHERE x NOT IN (SELECT exception_id FROM policy_exception)""") == [(0,)]


def test_about_150_actions_some_closed_late_a_few_overdue(sample_con):
    latest = """(SELECT * FROM action_change WHERE recorded_on <= ?
                 QUALIFY change_no = max(change_no) OVER (PARTITION BY action_id))"""
    [(n,)] = _one(sample_con, "SELECT count(DISTINCT action_id) FROM action_change")
    assert 140 <= n <= 160
    overdue = _one(sample_con, f"SELECT action_id FROM {latest} WHERE status IN ('open', 'in progress', 'blocked') "
                               "AND due_on < ? ORDER BY due_on", NOW, NOW)
    assert 2 <= len(overdue) <= 8
    [(late,)] = _one(sample_con, f"""SELECT count(*) FROM {latest} l WHERE status IN ('done', 'verified')
                       AND (SELECT min(recorded_on) FROM action_change c WHERE c.action_id = l.action_id
                            AND c.status = 'done') > l.due_on""", NOW)
    assert late >= 10
    assert _one(sample_con, "SELECT count(*) FROM action_change WHERE recorded_on > ?", NOW) == [(0,)]
    assert _one(sample_con, "SELECT count(*) FROM action_change WHERE status IN ('done', 'cancelled') "
                            "AND closure_note IS NULL") == [(0,)]


def test_the_forum_page_on_the_sample_lists_the_overdue_first(app_db):  # noqa: F811
    con = connect(app_db, read_only=True)
    try:
        expected = [a for (a,) in con.execute(
            """SELECT action_id FROM (SELECT * FROM action_change WHERE recorded_on <= ?
                   QUALIFY change_no = max(change_no) OVER (PARTITION BY action_id))
               WHERE status IN ('open', 'in progress', 'blocked') AND due_on < ? ORDER BY due_on, action_id""",
            [NOW, NOW]).fetchall()]
    finally:
        con.close()
    from ui.apptest import open_app

    at = open_app("pages/forum.py", query={"on": NOW.isoformat()})
    assert not at.exception, [e.message for e in at.exception]
    assert at.header[0].value == "Overdue actions"
    first = [d for d in at.main.dataframe if "days_overdue" in d.proto.column_order][0]
    assert list(first.value["action_id"]) == expected
    assert len(at.expander) == 12   # the twelve most recent of 66 meetings
