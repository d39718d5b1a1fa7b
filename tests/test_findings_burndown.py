"""A findings tracker first imported on 6 December: the chart of open findings by month started a
year earlier at 0 open and jumped to 15 in December, beside the same findings listed 220 to 318
days overdue (a new user's trial). The chart now starts at the first findings register, and the
page and the pack say why."""

from __future__ import annotations

import datetime as dt

from isms.config import load_settings
from isms.packs.content import build_pack
from isms.store import connect
from tests.factories import import_text
from ui.apptest import app_database, open_app

TRACKER = ("Finding ID,Title,Grade,Raised on,Due,Status,Framework\n"
           "F-1,MFA not enforced,Major nonconformity,2026-02-01,2026-03-01,Open,ISO27001-2022\n"
           "F-2,Logs not reviewed,Minor nonconformity,2026-03-01,2026-05-01,Open,ISO27001-2022\n")
DAY = dt.date(2026, 12, 6)
SAID = ("The findings register begins on 6 December 2026: the months before it hold no register, so the chart "
        "starts there (a finding's age counts from the day it was raised).")


def test_the_chart_starts_at_the_first_findings_register(tmp_path):
    db = tmp_path / "i.duckdb"
    con = connect(db)
    import_text(con, TRACKER, "tracker.csv", DAY)
    pack = build_pack(con, load_settings(), "compliance", DAY, dt.date(2026, 9, 30))
    con.close()
    section = next(s for s in pack.sections if s.key == "burndown")
    assert section.categories == ("Dec 2026",) and section.note == SAID
    with app_database(db):
        at = open_app("pages/compliance.py", query={"as_of": DAY.isoformat()})
    assert not at.exception, [e.message for e in at.exception]
    assert SAID in [c.value for c in at.caption]


def test_before_the_first_findings_register_the_chart_says_there_was_none(tmp_path):
    """Viewed as of 31 October, a register first imported on 6 December is not there yet: the note
    said 'begins on 6 December 2026 ... so the chart starts there' under a chart of October."""
    from isms.views import compliance

    con = connect(tmp_path / "i.duckdb")
    import_text(con, "Control,Applicable,Justification,Implementation status\nA.5.1,Yes,Policy,Implemented\n",
                "soa.csv", dt.date(2026, 9, 30))
    import_text(con, TRACKER, "tracker.csv", DAY)
    b = compliance.build(con, dt.date(2026, 10, 31), dt.date(2026, 9, 30))
    assert b.burndown_from == "No findings register by 31 October 2026: the chart counts none."
    assert b.burndown["open"].sum() == 0
    assert compliance.build(con, DAY, dt.date(2026, 9, 30)).burndown_from == SAID
