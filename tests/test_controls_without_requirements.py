"""A control register none of whose controls names a requirement covers nothing in the Compliance
review: the import says so at its first row, and the page says the register is there but maps
nothing, rather than 'Import a control register' beside the register just imported (a new user's
trial: a real register of 24 controls with no requirement column)."""

from __future__ import annotations

import datetime as dt

from isms.config import load_settings
from isms.importing.pipeline import build_plan
from isms.store import connect
from isms.views import compliance
from tests.factories import import_text

SOA = "Control,Applicable,Justification,Implementation status\nA.5.1,Yes,Policy,Implemented\nA.8.5,Yes,MFA,Implemented\n"
BARE = "Control ID,Control name,Owner\nC-1,Multi-factor authentication,IT\nC-2,Policy set,CISO\nC-3,Backups,IT\n"
MAPPED = "Control ID,Control name,Requirements\nC-1,Multi-factor authentication,ISO27001-2022:A.8.5\nC-2,Policy set,\n"
DAY = dt.date(2026, 10, 31)


def _warnings(con, text):
    plan = build_plan(text.encode(), "controls.csv", load_settings().matrix, as_of=DAY, con=con)
    return [p for p in plan.problems if "names a requirement" in p.message], plan


def test_the_import_says_a_register_without_requirements_covers_nothing(tmp_path):
    con = connect(tmp_path / "i.duckdb")
    said, plan = _warnings(con, BARE)
    assert plan.ok  # a warning: the register is worth keeping
    assert len(said) == 1 and said[0].severity == "warning" and said[0].row == 2
    assert said[0].message.startswith("none of the 3 controls names a requirement")
    # one control that names one is enough: the others are the register's to complete
    assert _warnings(con, MAPPED)[0] == []


def test_the_page_says_the_register_maps_nothing(tmp_path):
    con = connect(tmp_path / "i.duckdb")
    import_text(con, SOA, "soa.csv", DAY)
    before = compliance.build(con, DAY, dt.date(2026, 9, 30))
    assert before.no_control_coverage.endswith("Import a control register to fill this in.")
    import_text(con, BARE, "controls.csv", DAY)
    after = compliance.build(con, DAY, dt.date(2026, 9, 30))
    assert "the control register holds 3 controls, but none names a requirement" in after.no_control_coverage
    assert "Import a control register" not in after.no_control_coverage
    import_text(con, MAPPED, "controls.csv", DAY + dt.timedelta(days=1))
    assert compliance.build(con, DAY + dt.timedelta(days=1), DAY).no_control_coverage is None


def test_a_control_register_is_proposed_as_controls_whatever_the_files_name(tmp_path):
    """'Control ID, Control name, Owner, Requirements' in a file named register.csv was proposed as
    a risk register: two controls would have stood on the Risk Review as unrated risks."""
    con = connect(tmp_path / "i.duckdb")
    text = "Control ID,Control name,Owner,Requirements\nC-1,MFA,IT,ISO27001-2022:A.8.5\nC-2,Backups,IT,ISO27001-2022:A.8.13\n"
    for name in ("register.csv", "c2.csv", "export-2026.csv"):
        plan = build_plan(text.encode(), name, load_settings().matrix, as_of=DAY, con=con)
        assert [m.kind for m in plan.mappings] == ["controls"], name
        assert len(plan.frames["controls"]) == 2 and "risks" not in plan.frames
