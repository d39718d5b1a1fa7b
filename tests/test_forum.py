"""The forum on a real database file: the calendar of each series, decisions, actions as of any date,
overdue actions, 'actions from earlier meetings', roles and the audit trail.

The story is tests.factories.forum_story; every expected figure below is worked out by hand from
its docstring (dates, dues, closures), never by calling the code under test again.
"""

import hashlib
import json

import pytest

from isms import forum
from isms.actions import approve_minutes, record_action, record_decision, record_meeting, update_action
from isms.auth import Refused, Role, User
from isms.config import SettingsError, load_settings
from isms.meetings import series_from_settings
from isms.store import connect
from isms.store import forum as store
from tests.conftest import ROOT
from tests.factories import D, forum_story

ANA, CLEO, VIC = User("ana", Role.analyst), User("cleo", Role.admin), User("vic", Role.viewer)


@pytest.fixture
def cfg(tmp_path):
    return load_settings(ROOT / "isms.toml", db_path=str(tmp_path / "f.duckdb"))


@pytest.fixture
def db(cfg):
    con = connect(cfg.db_path)
    yield con
    con.close()


@pytest.fixture
def story(db, cfg):
    forum_story(db, cfg)
    return db


def _events(con, action):
    rows = con.execute("SELECT who, detail FROM audit_event WHERE action = ? ORDER BY event_id", [action]).fetchall()
    return [(who, json.loads(detail)) for who, detail in rows]


# --- the calendar ----------------------------------------------------------------------------------

def test_default_series_and_their_chairs(cfg):
    by_key = {s.key: s for s in cfg.meeting_series}
    assert {k: s.every_months for k, s in by_key.items()} == {
        "security-health": 1, "risk": 3, "compliance": 2, "management-review": 12}
    assert {s.chair for s in by_key.values()} == {Role.admin}


def test_the_date_a_meeting_covers_follows_the_calendar(cfg):
    s = {x.key: x for x in cfg.meeting_series}
    assert s["risk"].covers(D("2026-10-14")) == D("2026-09-30")
    assert s["risk"].covers(D("2026-01-02")) == D("2025-12-31")
    assert s["security-health"].covers(D("2026-11-14")) == D("2026-10-31")
    assert s["compliance"].covers(D("2026-05-20")) == D("2026-04-30")   # periods end Feb, Apr, Jun, ...
    assert s["compliance"].covers(D("2026-06-20")) == D("2026-04-30")
    assert s["management-review"].covers(D("2027-01-30")) == D("2026-12-31")
    assert s["risk"].period_start(D("2026-09-30")) == D("2026-07-01")


def test_series_settings_override_and_refuse_with_the_key(tmp_path):
    (tmp_path / "isms.toml").write_text('[forum.series.risk]\nevery_months = 6\nchair = "analyst"\n'
                                        '[forum.series.board]\nname = "Board"\nevery_months = 12\n')
    cfg = load_settings(tmp_path / "isms.toml")
    by_key = {s.key: s for s in cfg.meeting_series}
    assert (by_key["risk"].every_months, by_key["risk"].chair, by_key["risk"].name) == (6, Role.analyst, "Risk")
    assert by_key["board"].name == "Board" and len(by_key) == 5
    (tmp_path / "isms.toml").write_text("[forum.series.risk]\nevery_months = 5\n")
    with pytest.raises(SettingsError, match=r"\[forum.series.risk\] every_months = 5"):
        load_settings(tmp_path / "isms.toml")
    with pytest.raises(ValueError, match="days_after"):
        series_from_settings({"risk": {"days_after": -1}})


def test_next_meeting_of_each_series(story, cfg):
    nxt = {n.series.key: n for n in forum.next_meetings(story, cfg, D("2026-06-10"))}
    # Risk last reviewed Q1 (2026-04-14): next reviews Q2, 14 days after 2026-06-30
    assert (nxt["risk"].on, nxt["risk"].covers, nxt["risk"].last_held_on) == (D("2026-07-14"), D("2026-06-30"),
                                                                             D("2026-04-14"))
    # Security Health last reviewed April: May, on 2026-06-14
    assert (nxt["security-health"].on, nxt["security-health"].covers) == (D("2026-06-14"), D("2026-05-31"))
    # never met: the first scheduled meeting on or after the date (the one for April, 05-14, has passed)
    assert (nxt["compliance"].on, nxt["compliance"].covers, nxt["compliance"].last_held_on) == (
        D("2026-07-14"), D("2026-06-30"), None)
    assert (nxt["management-review"].on, nxt["management-review"].covers) == (D("2027-01-30"), D("2026-12-31"))
    assert not any(n.late for n in nxt.values())
    late = {n.series.key: n for n in forum.next_meetings(story, cfg, D("2026-07-20"))}
    assert late["risk"].late and late["risk"].on == D("2026-07-14")   # Q2's meeting not recorded by 07-20
    assert [n.series.key for n in forum.next_meetings(story, cfg, D("2026-06-10"))] == [
        "security-health", "compliance", "risk", "management-review"]   # soonest first, then by key


# --- actions as of a date ---------------------------------------------------------------------------

def test_actions_as_of_a_date_are_their_state_that_day(story):
    def state(day):
        a = store.actions_as_of(story, D(day))
        return {r.action_id: (r.status, str(r.due_on.date())) for r in a.itertuples()}

    assert state("2026-01-13") == {}
    assert state("2026-03-14") == {"A-0001": ("done", "2026-02-28"), "A-0002": ("open", "2026-03-31"),
                                   "A-0003": ("open", "2026-05-31")}
    assert state("2026-03-15")["A-0002"] == ("open", "2026-06-30")
    now = store.actions_as_of(story, D("2026-12-31")).set_index("action_id")
    assert now.loc["A-0001", "status"] == "verified" and now.loc["A-0001", "verified_by"] == "cleo"
    assert str(now.loc["A-0001", "closed_on"].date()) == "2026-03-10"   # verifying does not move the closure
    assert str(now.loc["A-0002", "original_due_on"].date()) == "2026-03-31"
    assert sorted(now.index) == ["A-0001", "A-0002", "A-0003", "A-0004", "A-0005"]


def test_overdue_actions(story):
    late = forum.overdue_actions(story, D("2026-06-10"))
    assert list(zip(late["action_id"], late["days_overdue"])) == [("A-0004", 26), ("A-0005", 10)]
    assert list(forum.overdue_actions(story, D("2026-07-01"))["action_id"]) == ["A-0004", "A-0005", "A-0002"]
    # A-0002 closed on 07-05
    assert list(forum.overdue_actions(story, D("2026-07-05"))["action_id"]) == ["A-0004", "A-0005"]
    assert list(forum.overdue_actions(story, D("2026-06-10"), "security-health")["action_id"]) == ["A-0005"]
    assert forum.overdue_actions(story, D("2026-05-15")).empty   # A-0004 is due that day, not yet overdue


def test_a_past_meeting_is_reproduced_from_its_date(story):
    """M-0002 (Risk, 2026-04-14) as it stood, although A-0002 was closed afterwards."""
    e = forum.earlier_actions(story, "risk", D("2026-04-14"))
    assert e.last_meeting_on == D("2026-01-14")
    assert list(e.open["action_id"]) == ["A-0002"]
    assert str(e.open.loc[0, "due_on"].date()) == "2026-06-30" and not e.open.loc[0, "overdue"]
    assert list(e.closed_since["action_id"]) == ["A-0001", "A-0003"]
    assert list(e.closed_since["status"]) == ["verified", "cancelled"]
    assert e.overdue.empty
    # the next Risk meeting (Q2, 07-14): A-0002 closed since, A-0004 still open and overdue
    q2 = forum.earlier_actions(story, "risk", D("2026-07-14"))
    assert q2.last_meeting_on == D("2026-04-14")
    assert list(q2.open["action_id"]) == ["A-0004"] and list(q2.overdue["action_id"]) == ["A-0004"]
    assert list(q2.closed_since["action_id"]) == ["A-0002"]
    # the first Risk meeting had nothing before it
    first = forum.earlier_actions(story, "risk", D("2026-01-14"))
    assert first.last_meeting_on is None and first.open.empty and first.closed_since.empty


def test_forum_view_lists_meetings_decisions_and_actions(story, cfg):
    v = forum.build(story, cfg, D("2026-06-10"))
    assert list(v.meetings["meeting_id"]) == ["M-0003", "M-0002", "M-0001"]
    assert list(v.meeting_decisions("M-0001")["kind"]) == ["risk-acceptance", "exception-grant"]
    assert sorted(v.meeting_actions("M-0001")["action_id"]) == ["A-0001", "A-0002", "A-0003"]
    m1 = v.meetings.set_index("meeting_id").loc["M-0001"]
    assert (str(m1["period_start"].date()), str(m1["period_end"].date())) == ("2025-10-01", "2025-12-31")
    assert m1["pack_file"] == "risk-review-2025-12-31.pptx"
    assert m1["pack_sha256"] == hashlib.sha256(b"pack one").hexdigest()
    assert store.meeting_pack(story, "M-0001") == ("risk-review-2025-12-31.pptx", b"pack one")
    assert list(m1["attendees"]) == ["cleo", "ana", "Owner A"]


# --- writes: roles, refusals, audit ------------------------------------------------------------------

def test_viewers_read_analysts_record_the_chair_approves(db, cfg):
    with pytest.raises(Refused):
        record_meeting(db, VIC, cfg, "risk", D("2026-01-14"), attendees=["vic"])
    assert _events(db, "access-refused")[0][1]["action"] == "record-forum"
    m = record_meeting(db, ANA, cfg, "risk", D("2026-01-14"), attendees=["ana"])
    with pytest.raises(Refused):
        approve_minutes(db, ANA, cfg, m, D("2026-01-20"))
    with pytest.raises(ValueError, match="before the meeting"):
        approve_minutes(db, CLEO, cfg, m, D("2026-01-10"))
    approve_minutes(db, CLEO, cfg, m, D("2026-01-20"))
    with pytest.raises(ValueError, match="already approved"):
        approve_minutes(db, CLEO, cfg, m, D("2026-01-21"))
    assert store.meetings(db, D("2026-01-19")).loc[0, "approved_by"] is None   # not yet approved that day
    assert store.meetings(db, D("2026-01-20")).loc[0, "approved_by"] == "cleo"
    assert [(w, d["meeting"]) for w, d in _events(db, "meeting-recorded")] == [("ana", "M-0001")]
    assert [(w, d["approved_on"]) for w, d in _events(db, "minutes-approved")] == [("cleo", "2026-01-20")]


def test_decisions_are_checked_and_audited(db, cfg):
    m = record_meeting(db, ANA, cfg, "risk", D("2026-01-14"), attendees=["ana"])
    with pytest.raises(ValueError, match="review"):
        record_decision(db, ANA, m, "risk-acceptance", "Accept", risk_ids=["R-1"])
    with pytest.raises(ValueError, match="exception"):
        record_decision(db, ANA, m, "exception-grant", "Grant")
    with pytest.raises(ValueError, match="unknown decision kind"):
        record_decision(db, ANA, m, "veto", "No")
    with pytest.raises(ValueError, match="no meeting"):
        record_decision(db, ANA, "M-0099", "free", "Something")
    d = record_decision(db, ANA, m, "exception-renewal", "Renew", exception_ids=[" EX-2", "EX-1", "EX-2"],
                        review_on=D("2026-07-14"))
    assert d == "D-0001"
    assert store.decision(db, d)["exception_ids"] == ["EX-1", "EX-2"]
    [(who, detail)] = _events(db, "decision-recorded")
    assert (who, detail["kind"], detail["exception_ids"]) == ("ana", "exception-renewal", ["EX-1", "EX-2"])


def test_action_changes_are_appended_never_rewritten(db, cfg):
    m = record_meeting(db, ANA, cfg, "risk", D("2026-01-14"), attendees=["ana"])
    a = record_action(db, ANA, cfg, "Do it", "Ops", D("2026-02-28"), raised_on=D("2026-01-14"), meeting_id=m)
    with pytest.raises(ValueError, match="closure note"):
        update_action(db, ANA, a, D("2026-02-01"), status="done")
    with pytest.raises(ValueError, match="once it is done"):
        update_action(db, ANA, a, D("2026-02-01"), status="verified")
    update_action(db, ANA, a, D("2026-02-10"), status="blocked")
    with pytest.raises(ValueError, match="cannot be dated 2026-02-09"):
        update_action(db, ANA, a, D("2026-02-09"), status="open")
    with pytest.raises(ValueError, match="nothing to change"):
        update_action(db, ANA, a, D("2026-02-11"), status="blocked")
    with pytest.raises(Refused):
        update_action(db, VIC, a, D("2026-02-11"), status="open")
    update_action(db, ANA, a, D("2026-02-12"), status="done", closure_note="done")
    assert list(store.action_history(db, a)["status"]) == ["open", "blocked", "done"]
    assert [d["changes"]["status"] for _, d in _events(db, "action-updated")] == [
        {"before": "open", "after": "blocked"}, {"before": "blocked", "after": "done"}]
    with pytest.raises(ValueError, match="names the series"):
        record_action(db, ANA, cfg, "Orphan", "Ops", D("2026-02-28"), raised_on=D("2026-01-14"), risk_id="R-1")
    with pytest.raises(ValueError, match="comes from"):
        record_action(db, ANA, cfg, "Orphan", "Ops", D("2026-02-28"), raised_on=D("2026-01-14"), series="risk")
    with pytest.raises(ValueError, match="before the action was raised"):
        record_action(db, ANA, cfg, "Late", "Ops", D("2026-01-01"), raised_on=D("2026-01-14"), meeting_id=m)
    assert _events(db, "action-recorded")[0][1]["from"] == {"meeting_id": "M-0001"}


def test_exceptions_on_the_next_risk_meetings_agenda(story, cfg):
    """As of 2026-06-10 the next Risk meeting is 07-14; with the 30-day window, exceptions expiring by
    08-13 are renewal items, those expired are called out, unless a renewal or refusal was decided
    since they were granted."""
    from tests.factories import exception, load

    load(story, "2026-06-01", exceptions=[
        exception("EX-1", None, granted="2026-01-14", expires="2026-07-31"),   # renewal (no renewal or refusal of it decided)
        exception("EX-2", None, granted="2025-12-01", expires="2026-05-31"),   # expired, no decision
        exception("EX-3", None, granted="2026-01-01", expires="2026-12-31"),   # later than the window
        exception("EX-4", None, granted="2026-01-01", expires="2026-06-30"),   # renewed on 04-14
        exception("EX-5", None, status="Requested", granted=None, expires=None),
        exception("EX-6", None, granted="2026-01-01", expires="2026-08-13"),   # the window's last day
        # a log that gives no grant date (many do): once left off as if decided, while the Risk
        # Review counted it expired and open
        exception("EX-7", None, granted=None, expires="2026-05-15"),           # expired, no decision
    ])
    record_decision(story, ANA, "M-0002", "exception-renewal", "Renew EX-4", exception_ids=["EX-4"],
                    review_on=D("2026-12-31"))
    risk = next(n for n in forum.next_meetings(story, cfg, D("2026-06-10")) if n.series.key == "risk")
    agenda = forum.exception_agenda(story, cfg, D("2026-06-10"), risk)
    assert list(zip(agenda["exception_id"], agenda["item"])) == [
        ("EX-7", "expired, no decision"), ("EX-2", "expired, no decision"), ("EX-1", "renewal"), ("EX-6", "renewal")]
    assert list(forum.build(story, cfg, D("2026-06-10")).exception_agenda["exception_id"]) == \
        ["EX-7", "EX-2", "EX-1", "EX-6"]


def test_a_pack_over_the_upload_limit_is_not_stored(db, tmp_path):
    # the uploader states [import] max_upload_mb; the action holds to it too, for a caller other than the page
    import dataclasses

    small = dataclasses.replace(load_settings(ROOT / "isms.toml", db_path=str(tmp_path / "x.duckdb")), max_upload_mb=0.001)
    with pytest.raises(ValueError, match=r"the pack big\.pdf is not stored: the file is 0\.0 MB, over the upload limit of 0\.001 MB"):
        record_meeting(db, ANA, small, "risk", D("2026-01-14"), attendees=["ana"], pack=("big.pdf", b"x" * 2048))
    assert db.execute("SELECT count(*) FROM forum_meeting").fetchone()[0] == 0
    m = record_meeting(db, ANA, small, "risk", D("2026-01-14"), attendees=["ana"], pack=("small.pdf", b"x" * 1000))
    assert db.execute("SELECT pack_file FROM forum_meeting WHERE meeting_id = ?", [m]).fetchone()[0] == "small.pdf"
