"""A control test log without a due date column: each test is due on the last day of its period,
said as a rule. Every row was refused 'row N (Due on): Field required', a column nothing had asked
the analyst to add (the kind lists it among those the import fills)."""

from __future__ import annotations

import datetime as dt

from isms.config import load_settings
from isms.importing.pipeline import build_plan
from isms.store import connect
from isms.views import compliance
from tests.factories import import_text

CONTROLS = "Control ID,Control name,Requirements\nC-1,MFA,ISO27001-2022:A.8.5\nC-2,Backups,ISO27001-2022:A.8.13\n"
LOG = "Control ID,Period,Tested on,Result\nC-1,2026-09-30,2026-09-10,Pass\nC-2,2026-12-31,,\n"


def test_a_test_is_due_at_the_end_of_its_period(tmp_path):
    con = connect(tmp_path / "i.duckdb")
    import_text(con, CONTROLS, "controls.csv", dt.date(2026, 9, 30))
    plan = build_plan(LOG.encode(), "tests.csv", load_settings().matrix, as_of=dt.date(2026, 12, 6), con=con)
    assert plan.ok, [str(p) for p in plan.problems]
    assert "tests: no due date column: each test is due on the last day of its period" in plan.rules
    frame = plan.frames["control_tests"].set_index("control_id")
    assert frame.loc["C-1", "due_on"] == dt.date(2026, 9, 30) and frame.loc["C-2", "due_on"] == dt.date(2026, 12, 31)
    import_text(con, LOG, "tests.csv", dt.date(2026, 12, 6))
    # C-2, untested, is due within the review's 30 days of 6 December; C-1 passed
    testing = compliance.build(con, dt.date(2026, 12, 6), dt.date(2026, 9, 30)).testing
    assert (testing["due"], testing["overdue"]) == (1, 0)
