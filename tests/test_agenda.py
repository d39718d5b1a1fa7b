"""The agenda that opens a meeting's pack and the open actions that close it, on factory data worked
out by hand (tests.factories.forum_story plus the small register below), then the packs themselves:
the deck opened with python-pptx, the PDF read back with pdftotext.

The register, on the 5x5 matrix (High 10-16, Critical 17-25), two batches:

| risk | 2026-03-31 (residual) | 2026-06-30 (residual) | on the Q2 agenda |
|---|---|---|---|
| R-1 | 4x4 = 16 High | 4x5 = 20 Critical | escalated to Critical |
| R-2 | 5x4 = 20 Critical | 5x5 = 25 Critical | no: already Critical |
| R-3 | - | 5x5 = 25 Critical | new Critical |
| R-4 | - | 3x4 = 12 High | no |

KRIs, lower is better, amber 5, red 10: K-1 3 in March, 11 in June (newly red); K-2 12 then 15
(red both times); K-3 4 then 7 (amber). Exceptions as of 2026-06-30: EX-1 granted 2026-01-14,
expires 2026-07-31; EX-2 granted 2025-12-01, expired 2026-05-31; EX-3 expires 2026-12-31.

The Risk meeting for Q2 is not recorded: scheduled 2026-07-14. The series' last meeting is M-0002
(2026-04-14, reviewed Q1, so "since" is 2026-03-31). Its actions raised before 07-14: A-0004 open,
due 05-15 (60 days overdue on 07-14); A-0002 done on 07-05 (closed since 04-14); A-0001 and A-0003
closed before 04-14. The warning window (30 days) runs to 2026-08-13.
"""

import io
import shutil
import subprocess

import pytest
from pptx import Presentation

from isms.agenda import agenda, open_actions_table
from isms.actions import approve_minutes, record_meeting
from isms.auth import Role, User
from isms.config import load_settings
from isms.packs.build import make_pack
from isms.store import connect
from tests.conftest import ROOT
from tests.factories import D, assessment, exception, forum_story, load, metric, result, risk

ANA, CLEO = User("ana", Role.analyst), User("cleo", Role.admin)


@pytest.fixture
def cfg(tmp_path):
    return load_settings(ROOT / "isms.toml", db_path=str(tmp_path / "a.duckdb"))


@pytest.fixture
def db(cfg):
    con = connect(cfg.db_path)
    forum_story(con, cfg)
    kris = [metric(k, direction="Lower is better", amber=5, red=10, owner="Kim") for k in ("K-1", "K-2", "K-3")]
    load(con, "2026-03-31", risks=[risk("R-1"), risk("R-2")], metrics=kris,
         assessments=[assessment("R-1", "2026-03-15", inherent=(5, 5), residual=(4, 4)),
                      assessment("R-2", "2026-03-15", inherent=(5, 5), residual=(5, 4))],
         monitoring_results=[result("K-1", "2026-03-01", 3), result("K-2", "2026-03-01", 12),
                             result("K-3", "2026-03-01", 4)], exceptions=[])
    load(con, "2026-06-30", risks=[risk(r) for r in ("R-1", "R-2", "R-3", "R-4")], metrics=kris,
         assessments=[assessment("R-1", "2026-06-15", inherent=(5, 5), residual=(4, 5)),
                      assessment("R-2", "2026-06-15", inherent=(5, 5), residual=(5, 5)),
                      assessment("R-3", "2026-06-15", inherent=(5, 5), residual=(5, 5)),
                      assessment("R-4", "2026-06-15", inherent=(5, 5), residual=(3, 4))],
         monitoring_results=[result("K-1", "2026-06-01", 11), result("K-2", "2026-06-01", 15),
                             result("K-3", "2026-06-01", 7)],
         exceptions=[exception("EX-1", None, granted="2026-01-14", expires="2026-07-31"),
                     exception("EX-2", None, granted="2025-12-01", expires="2026-05-31"),
                     exception("EX-3", None, granted="2026-01-01", expires="2026-12-31")])
    yield con
    con.close()


EXPECTED = [
    ["1. Opening", "Risk meeting, 14 July 2026 (scheduled)", "reviews 1 Apr 2026 to 30 Jun 2026"],
    ["2. Minutes of the last meeting", "M-0002, 14 April 2026", "for approval"],
    ["3. Actions from earlier meetings", "1 open, 1 overdue, 1 closed since 14 Apr 2026", "listed at the end of this pack"],
    ["4. Overdue actions", "A-0004 Restore test", "Ops, due 2026-05-15, 60 days overdue"],
    ["5. Policy exceptions to renew or decide", "EX-2 Patch standard", "expired, no decision: expired 2026-05-31"],
    ["", "EX-1 Patch standard", "renewal: expires 2026-07-31"],
    ["6. New red KRIs since March 2026", "K-1 Metric K-1", "Kim, 11% (red at 10%)"],
    ["7. New Critical risks since 31 Mar 2026", "R-1 Risk R-1", "Owner A, score 20, was High"],
    ["", "R-3 Risk R-3", "Owner A, score 25"],
    ["8. The period's figures", "as of 30 June 2026", "the sections of this pack"],
    ["9. Decisions and new actions", "", "recorded on the meeting's record (Forum page)"],
    ["10. Next meeting", "14 October 2026", "reviews the period to 30 Sep 2026"],
]


def test_the_risk_meetings_agenda_by_hand(db, cfg):
    a = agenda(db, cfg, "risk", D("2026-06-30"))
    assert (a.meeting_on, a.held, a.since, a.next_meeting_on) == (D("2026-07-14"), False, D("2026-03-31"),
                                                                   D("2026-10-14"))
    assert a.items().values.tolist() == EXPECTED
    closing = open_actions_table(a)
    assert closing.values.tolist() == [["A-0004", "Restore test", "Ops", "2026-05-15", "open", "overdue", "60"]]


def test_a_held_meeting_and_approved_minutes_change_the_agenda(db, cfg):
    """Recorded late (07-20): the agenda is that day's, A-0004 66 days overdue; M-0002's minutes approved."""
    approve_minutes(db, CLEO, cfg, "M-0002", D("2026-07-10"))
    record_meeting(db, ANA, cfg, "risk", D("2026-07-20"), attendees=["ana"])
    rows = agenda(db, cfg, "risk", D("2026-06-30")).items().values.tolist()
    assert rows[0][1] == "Risk meeting, 20 July 2026"
    assert rows[1][2] == "approved 10 Jul 2026 by cleo"
    assert rows[3][2] == "Ops, due 2026-05-15, 66 days overdue"


def test_the_security_health_agenda_and_its_closing_actions(db, cfg):
    """May 2026: M-0003 (05-14) reviewed April; the meeting for May is 06-14; A-0005 (due 05-31) is
    14 days overdue then. K-1 had no result in May: stale, not red, so nothing is newly red."""
    a = agenda(db, cfg, "security-health", D("2026-05-31"))
    assert (a.meeting_on, a.since) == (D("2026-06-14"), D("2026-04-30"))
    assert open_actions_table(a).values.tolist() == [
        ["A-0005", "Tune detection", "SOC", "2026-05-31", "open", "overdue", "14"]]
    assert a.new_red_kris.empty and a.new_top_risks.empty
    rows = a.items().values.tolist()
    assert ["6. New red KRIs since April 2026", "none", ""] in rows


def _titles(prs) -> list[str]:
    return [next((s.text_frame.text for s in slide.shapes if s.name == "Title"), "") for slide in prs.slides]


def _tables(slide) -> list[list[str]]:
    return [[c.text for c in row.cells] for shape in slide.shapes if shape.has_table for row in shape.table.rows]


def test_the_risk_pack_opens_with_the_agenda_and_closes_with_the_open_actions(db, cfg, tmp_path):
    made = make_pack(db, cfg, "risk-review", "pptx", D("2026-06-30"), D("2026-03-31"),
                     sections=["agenda", "scorecard", "open_actions", "method"])
    prs = Presentation(io.BytesIO(made.data))
    titles = _titles(prs)
    assert titles[1:] == ["Agenda: Risk meeting, 14 July 2026", "Risk scorecard, 30 June 2026",
                          "Open actions of the Risk series", "Appendix: method and data"]
    slides = list(prs.slides)
    assert _tables(slides[1]) == [["Item", "Subject", "Detail"], *EXPECTED]
    closing = _tables(slides[3])
    assert closing == [["Action", "Title", "Owner", "Due", "Status", "Overdue", "Days overdue"],
                       ["A-0004", "Restore test", "Ops", "2026-05-15", "open", "overdue", "60"]]
    overdue = next(s for s in slides[3].shapes if s.has_table).table.cell(1, 5)
    assert str(overdue.fill.fore_color.rgb) == "B01C1C"   # marked, as a level cell is
    # the PDF: the same agenda and closing list, read back as text
    if not shutil.which("pdftotext"):
        pytest.fail("pdftotext missing: install Debian's poppler-utils (make system-deps)")
    pdf = tmp_path / "rr.pdf"
    pdf.write_bytes(make_pack(db, cfg, "risk-review", "pdf", D("2026-06-30"), D("2026-03-31"),
                              sections=["agenda", "scorecard", "open_actions", "method"]).data)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    for needle in ("Agenda: Risk meeting, 14 July 2026", "A-0004 Restore test", "EX-2 Patch standard",
                   "K-1 Metric K-1", "R-3 Risk R-3", "Open actions of the Risk series", "overdue"):
        assert needle in text, needle
    assert text.index("Agenda: Risk meeting") < text.index("Risk scorecard") < text.index("Open actions of the Risk")


def test_an_agenda_dated_mid_month_lists_no_kri_of_a_later_batch(db, cfg):
    """K-1's June result (11, red) came with the batch dated 2026-06-30. An agenda as of 06-15 (a pack
    dated mid-month) knows only the March batch: K-1 is not new red then; as of 06-30 it is."""
    from isms.agenda import _new_red

    assert _new_red(db, D("2026-06-15"), D("2026-03-31")).empty
    assert list(_new_red(db, D("2026-06-30"), D("2026-03-31"))["metric_id"]) == ["K-1"]


def test_an_exception_renewed_before_the_meeting_is_not_asked_for_again(db, cfg):
    """EX-1 (expiring 07-31) is renewed at a Security Health meeting on 07-10: after the pack's data
    date (06-30) but before the Risk meeting (07-14), so that meeting's agenda no longer asks for it.
    EX-2 (expired 05-31, undecided) stays."""
    record_meeting(db, ANA, cfg, "security-health", D("2026-07-10"), attendees=["ana"])
    from isms.actions import record_decision
    from isms.store import forum as forum_store

    held = forum_store.meetings(db, D("2026-07-10"))
    m_id = held[held["held_on"].astype(str).str.startswith("2026-07-10")]["meeting_id"].iloc[0]
    record_decision(db, ANA, m_id, "exception-renewal", "Renew EX-1 to year end", exception_ids=["EX-1"])
    rows = agenda(db, cfg, "risk", D("2026-06-30")).items().values.tolist()
    assert ["5. Policy exceptions to renew or decide", "EX-2 Patch standard", "expired, no decision: expired 2026-05-31"] \
        in rows
    assert not [r for r in rows if r[1].startswith("EX-1")]


def test_a_renewal_decided_at_the_meeting_itself_stays_on_its_agenda(db, cfg):
    """The Risk meeting of 07-14 renews EX-1: its own agenda, read back, still lists EX-1 (that is
    what it decided)."""
    record_meeting(db, ANA, cfg, "risk", D("2026-07-14"), attendees=["ana"])
    from isms.actions import record_decision
    from isms.store import forum as forum_store

    held = forum_store.meetings(db, D("2026-07-14"))
    m_id = held[held["series"] == "risk"]["meeting_id"].iloc[0]
    record_decision(db, ANA, m_id, "exception-renewal", "Renew EX-1 to year end", exception_ids=["EX-1"])
    rows = agenda(db, cfg, "risk", D("2026-06-30")).items().values.tolist()
    assert ["", "EX-1 Patch standard", "renewal: expires 2026-07-31"] in rows


def test_a_second_meeting_for_a_period_does_not_rewrite_the_first_ones_agenda(db, cfg):
    # the period to 30 June was reviewed on 20 July; an extra meeting on 5 August for the same period
    # (the form gives a meeting the period before it) must leave the pack for 30 June as it was
    record_meeting(db, ANA, cfg, "risk", D("2026-07-20"), attendees=["ana"])
    record_meeting(db, ANA, cfg, "risk", D("2026-08-05"), attendees=["ana"], period_end=D("2026-06-30"))
    rows = agenda(db, cfg, "risk", D("2026-06-30")).items().values.tolist()
    assert rows[0][1] == "Risk meeting, 20 July 2026"
    assert rows[3][2] == "Ops, due 2026-05-15, 66 days overdue"  # counted on 20 July, not 5 August
