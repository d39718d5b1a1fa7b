"""A forum decision that changes data records the change as a dated fact (isms.decision_effects):
the Risk Review reads it from the meeting's date on, and before it the register as it was.

The factory register (dated 2026-01-01), by hand:
  R-1 residual 5x5 (25, Critical: above the Medium appetite), no treatment; R-2 residual 1x1, T-1 in progress;
  EX-1 Requested, for R-1; EX-2 Granted, no risk, expired 2026-03-31; EX-3 Requested, no risk.
The Risk meeting M-0001 on 2026-04-14 grants EX-1 until 06-30 (77 days on), renews EX-2 until 05-10
(26 days), refuses EX-3, and accepts R-1 until 2027-04-14.
"""

import pytest

from isms.actions import record_decision, record_meeting
from isms.auth import Role, User
from isms.store import queries
from isms.views import risk_review
from tests.factories import D, assessment, exception, load, risk, treatment

ANA = User("ana", Role.analyst)
BEFORE, MEETING = D("2026-04-13"), D("2026-04-14")


@pytest.fixture
def register(con):
    load(con, "2026-01-01", risks=[risk("R-1"), risk("R-2")],
         assessments=[assessment("R-1", "2026-01-01", inherent=(5, 5), residual=(5, 5)),
                      assessment("R-2", "2026-01-01", inherent=(2, 2), residual=(1, 1))],
         treatments=[treatment("T-1", "R-2", "2026-01-01", "2026-12-31")],
         exceptions=[exception("EX-1", "R-1", status="Requested", granted=None, expires=None),
                     exception("EX-2", None, granted="2025-04-01", expires="2026-03-31"),
                     exception("EX-3", None, status="Requested", granted=None, expires=None)])
    return con


@pytest.fixture
def decided(register, settings):
    m = record_meeting(register, ANA, settings, "risk", MEETING, attendees=["ana", "cleo"])
    record_decision(register, ANA, m, "exception-grant", "Grant EX-1", exception_ids=["EX-1"], review_on=D("2026-06-30"))
    record_decision(register, ANA, m, "exception-renewal", "Renew EX-2", exception_ids=["EX-2"], review_on=D("2026-05-10"))
    record_decision(register, ANA, m, "exception-refusal", "Refuse EX-3", exception_ids=["EX-3"])
    record_decision(register, ANA, m, "risk-acceptance", "Accept R-1 for a year", risk_ids=["R-1"],
                    review_on=D("2027-04-14"))
    return register


def _review(con, settings, on):
    return risk_review.build(con, settings, on, D("2025-12-31"))


def test_before_the_meeting_the_register_is_as_the_log_had_it(decided, settings):
    review = _review(decided, settings, BEFORE)
    assert list(zip(review.exceptions["exception_id"], review.exceptions["window"])) == [("EX-2", "Expired, still open")]
    card = review.scorecard.current
    assert (card.exceptions_expiring, card.exceptions_expired_open, card.above_appetite_unaddressed) == (0, 1, 1)
    [r1] = review.above_appetite.to_dict("records")
    assert (r1["risk_id"], r1["granted_exceptions"], r1["unaddressed"], r1["accepted"]) == ("R-1", 0, True, False)
    ex = queries.exceptions(decided, BEFORE).set_index("exception_id")
    assert dict(ex["status"]) == {"EX-1": "Requested", "EX-2": "Granted", "EX-3": "Requested"}


def test_from_the_meeting_the_decisions_hold(decided, settings):
    review = _review(decided, settings, MEETING)
    assert list(zip(review.exceptions["exception_id"], review.exceptions["days_to_expiry"], review.exceptions["window"])) == [
        ("EX-2", 26, "Within 30 days"), ("EX-1", 77, "Within 90 days")]
    card = review.scorecard.current
    # EX-2 expires within the 30-day warning window; nothing expired is still open; R-1 is covered by EX-1
    assert (card.exceptions_expiring, card.exceptions_expired_open, card.above_appetite_unaddressed) == (1, 0, 0)
    [r1] = review.above_appetite.to_dict("records")
    assert (r1["granted_exceptions"], r1["unaddressed"], r1["accepted"]) == (1, False, True)
    ex = queries.exceptions(decided, MEETING).set_index("exception_id")
    assert dict(ex["status"]) == {"EX-1": "Granted", "EX-2": "Granted", "EX-3": "Refused"}
    assert str(ex.loc["EX-1", "granted_on"].date()) == "2026-04-14"
    assert ex.loc["EX-1", "approver"] == "M-0001 (risk meeting)"
    accept = queries.register(decided, "treatments", MEETING).set_index("treatment_id").loc["D-0004-R-1"]
    assert (accept["decision"], accept["status"], str(accept["due_on"].date())) == ("Accept", "Done", "2027-04-14")
    # a decision's batch is a part: the rows it does not name are carried
    assert sorted(queries.register(decided, "treatments", MEETING)["treatment_id"]) == ["D-0004-R-1", "T-1"]


def test_each_change_is_one_batch_dated_the_meeting_and_audited(decided):
    rows = decided.execute("SELECT source, file_name, as_of, mode, kinds FROM import_batch WHERE source = 'forum' "
                           "ORDER BY batch_id").fetchall()
    assert [(f, str(d), m, k) for _, f, d, m, k in rows] == [
        ("decision D-0001", "2026-04-14", "part", ["exceptions"]), ("decision D-0002", "2026-04-14", "part", ["exceptions"]),
        ("decision D-0003", "2026-04-14", "part", ["exceptions"]),
        ("decision D-0004", "2026-04-14", "part", ["risks", "treatments"])]
    import json
    details = [json.loads(d) for (d,) in decided.execute(
        "SELECT detail FROM audit_event WHERE action = 'decision-recorded' ORDER BY event_id").fetchall()]
    assert details[3]["changed"] == {"risks": ["R-1"], "treatments": ["D-0004-R-1"]}


def _counts(con):
    return con.execute("SELECT (SELECT count(*) FROM forum_decision), (SELECT count(*) FROM import_batch), "
                       "(SELECT count(*) FROM audit_event), (SELECT count(*) FROM policy_exception)").fetchone()


def test_a_refused_decision_changes_nothing(register, settings):
    m = record_meeting(register, ANA, settings, "risk", MEETING, attendees=["ana"])
    before = _counts(register)
    with pytest.raises(ValueError, match="no exception EX-9 in the exception register as of 2026-04-14"):
        record_decision(register, ANA, m, "exception-grant", "Grant", exception_ids=["EX-1", "EX-9"],
                        review_on=D("2026-06-30"))
    with pytest.raises(ValueError, match="needs its expiry"):
        record_decision(register, ANA, m, "exception-grant", "Grant without an expiry", exception_ids=["EX-1"])
    with pytest.raises(ValueError, match="no risk R-7"):
        record_decision(register, ANA, m, "risk-acceptance", "Accept", risk_ids=["R-7"], review_on=D("2027-01-01"))
    assert _counts(register) == before
    # and the connection is usable afterwards (the failed transaction was rolled back)
    assert record_decision(register, ANA, m, "free", "Noted") == "D-0001"


def test_a_decision_without_data_effect_writes_no_batch(register, settings):
    m = record_meeting(register, ANA, settings, "risk", MEETING, attendees=["ana"])
    record_decision(register, ANA, m, "appetite-change", "Appetite to High for cloud risks")
    assert register.execute("SELECT count(*) FROM import_batch WHERE source = 'forum'").fetchone() == (0,)


def _statuses(con, kind, on):
    reg = queries.register(con, kind, on)
    return dict(zip(reg[queries.KEY_COLUMN[kind]], reg["status"]))


def test_a_decision_recorded_after_a_later_meetings_still_stands_on_later_dates(register, settings):
    """Minutes typed late: the 05-14 meeting's refusal of EX-3 and acceptance of R-2 are recorded
    first, then the 04-14 meeting's grant of EX-1 and EX-3 and acceptance of R-1. The 05-14 batches
    copied the register before the 04-14 decisions existed; the earlier decisions still hold on
    05-20, except where the later meeting decided the same id (EX-3 stays refused from 05-14)."""
    april = record_meeting(register, ANA, settings, "risk", MEETING, attendees=["ana"])
    may = record_meeting(register, ANA, settings, "risk", D("2026-05-14"), attendees=["ana"])
    record_decision(register, ANA, may, "exception-refusal", "Refuse EX-3", exception_ids=["EX-3"])
    record_decision(register, ANA, may, "risk-acceptance", "Accept R-2", risk_ids=["R-2"], review_on=D("2027-05-14"))
    grant = record_decision(register, ANA, april, "exception-grant", "Grant EX-1 and EX-3",
                            exception_ids=["EX-1", "EX-3"], review_on=D("2026-12-31"))
    accept = record_decision(register, ANA, april, "risk-acceptance", "Accept R-1", risk_ids=["R-1"],
                             review_on=D("2027-04-14"))
    assert _statuses(register, "exceptions", D("2026-04-20")) == {"EX-1": "Granted", "EX-2": "Granted", "EX-3": "Granted"}
    assert _statuses(register, "exceptions", D("2026-05-20")) == {"EX-1": "Granted", "EX-2": "Granted", "EX-3": "Refused"}
    assert _statuses(register, "risks", D("2026-04-20")) == {"R-1": "Accepted", "R-2": "Open"}
    assert _statuses(register, "risks", D("2026-05-20")) == {"R-1": "Accepted", "R-2": "Accepted"}
    treatments = queries.register(register, "treatments", D("2026-05-20"))
    assert sorted(treatments["treatment_id"]) == sorted(["T-1", f"{accept}-R-1", "D-0002-R-2"])
    ex = queries.exceptions(register, D("2026-05-20")).set_index("exception_id")
    assert (str(ex.loc["EX-1", "expires_on"])[:10], ex.loc["EX-1", "approver"]) == ("2026-12-31", "M-0001 (risk meeting)")
    assert grant == "D-0003"


def test_an_import_after_the_decision_speaks_for_itself(register, settings):
    """A register imported on 06-01 (EX-1 still Requested there) is what the analysts brought: a
    decision of 04-14 recorded afterwards changes the register from 04-14 up to that import, not after."""
    load(register, "2026-06-01", exceptions=[exception("EX-1", "R-1", status="Requested", granted=None, expires=None)])
    m = record_meeting(register, ANA, settings, "risk", MEETING, attendees=["ana"])
    record_decision(register, ANA, m, "exception-grant", "Grant EX-1", exception_ids=["EX-1"], review_on=D("2026-12-31"))
    assert _statuses(register, "exceptions", D("2026-05-31"))["EX-1"] == "Granted"
    assert _statuses(register, "exceptions", D("2026-06-10")) == {"EX-1": "Requested"}


def test_a_decisions_register_change_is_not_an_import_to_undo(decided, settings, tmp_path):
    """The Import page undoes the newest import, never a decision's change (the decision would stand
    with its change gone); asked for by id, such a batch is refused and nothing moves."""
    # batch 1 (the factory's) would be the one offered, and a test below shows why it is refused
    from isms.actions import undo_import, undo_latest_import
    from isms.store import batches

    admin = User("cleo", Role.admin)
    forum_batches = [b.batch_id for b in batches.active_batches(decided) if b.source == "forum"]
    assert len(forum_batches) == 4  # one per decision that changes a register (the fixture's four)
    with pytest.raises(ValueError, match="not an import"):
        undo_import(decided, admin, forum_batches[-1])
    # the newest import is the factory's register, batch 1, which the decisions' batches copied: refused too
    with pytest.raises(ValueError, match="batch 1's register was copied since"):
        undo_latest_import(decided, admin)
    assert [b.batch_id for b in batches.active_batches(decided)] == [1, *forum_batches]


def test_an_import_a_later_decision_copied_cannot_be_undone(register, settings):
    """The decision's batch (04-14) holds the whole exception log of its day, the 01-01 import's
    rows included: undoing that import would leave them standing in the copy. Refused, naming it."""
    from isms.actions import undo_import
    from tests.test_store import table_dump

    m = record_meeting(register, ANA, settings, "risk", MEETING, attendees=["ana"])
    record_decision(register, ANA, m, "exception-refusal", "Refuse EX-3", exception_ids=["EX-3"])
    before = table_dump(register)
    with pytest.raises(ValueError, match=r"copied since by the register change of decision D-0001"):
        undo_import(register, User("cleo", Role.admin), 1)
    assert table_dump(register) == before
