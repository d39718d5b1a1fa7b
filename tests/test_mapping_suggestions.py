"""Imported framework mappings are suggestions, never applied silently: a mapping file through the
importer, the suggestions it makes for the controls, an analyst's audited decision, and coverage
and a risk's controls counting accepted links only. Expected rows are worked out by hand:

controls (2026-06-30): C-1 cites NIST-800-53r5:AC-2 and ISO27001-2022:A.5.15; C-2 cites NIST RA-5.
mappings.csv: AC-2 -> A.5.15 (C-1 cites it already: nothing to suggest), AC-2 -> A.5.18,
RA-5 -> A.8.8, AU-6 -> A.8.15 (no control cites AU-6: nothing). So two suggestions: C-1 -> A.5.18
and C-2 -> A.8.8. ISO has no SoA, so all 93 Annex A controls apply; covered before: A.5.15 only.
"""

import datetime as dt

import pytest
from streamlit.testing.v1 import AppTest  # noqa: F401  (AppTest through ui.apptest.open_app)

from isms import actions
from isms.auth import Refused, Role, User
from isms.importing.pipeline import import_file
from isms.store import compliance_reads, connect, mapping_suggestions, risk_controls
from tests.factories import D, load, risk
from tests.test_store import table_dump
from ui.apptest import app_database, open_app

ON = D("2026-06-30")
ANA, VIC = User("ana", Role.analyst), User("vic", Role.viewer)
MAPPINGS = ("Source framework,Source ref,Target framework,Target ref\n"
            "NIST-800-53r5,AC-2,ISO27001-2022,A.5.15\nNIST-800-53r5,AC-2,ISO27001-2022,A.5.18\n"
            "NIST-800-53r5,RA-5,ISO27001-2022,A.8.8\nNIST-800-53r5,AU-6,ISO27001-2022,A.8.15\n")


def _build(con, folder, settings) -> None:
    reg = folder / "controls.csv"
    reg.write_text("Control ID,Control Name,Requirements\nC-1,Joiner-mover-leaver,\"NIST-800-53r5:AC-2, ISO27001-2022:A.5.15\"\n"
                   "C-2,Vulnerability scanning,NIST-800-53r5:RA-5\n")
    assert import_file(con, reg, settings.matrix, as_of=ON).status == "committed"
    maps = folder / "mappings.csv"
    maps.write_text(MAPPINGS)
    out = import_file(con, maps, settings.matrix, as_of=ON)
    assert out.status == "committed" and out.row_counts == {"mappings": 4}, [str(p) for p in out.problems]
    load(con, "2026-06-30", risks=[risk("R1", annex_a_controls=["A.8.8"])])


@pytest.fixture
def db(tmp_path, settings):
    con = connect(tmp_path / "m.duckdb")
    _build(con, tmp_path, settings)
    yield con
    con.close()


def _iso(con, on=ON):
    state = compliance_reads.requirement_state(con, on, ["ISO27001-2022"]).set_index("ref")
    return state, compliance_reads.framework_totals(con, on, ["ISO27001-2022"]).iloc[0]


def test_a_mapping_file_suggests_and_links_nothing(db):
    got = mapping_suggestions.suggestions(db, ON)
    assert [(r.control_id, r.framework, r.ref, r.sources, r.status) for r in got.itertuples()] == [
        ("C-1", "ISO27001-2022", "A.5.18", "NIST-800-53r5:AC-2", "suggested"),
        ("C-2", "ISO27001-2022", "A.8.8", "NIST-800-53r5:RA-5", "suggested")]
    state, totals = _iso(db)
    assert list(state.loc["A.8.8", "controls"]) == [] and int(totals["covered"]) == 1
    assert risk_controls.risk_controls(db, "R1", ON).empty  # R1 names A.8.8, which no control covers yet


def test_an_accepted_suggestion_counts_a_rejected_one_does_not(db):
    actions.decide_mapping(db, ANA, "C-2", "ISO27001-2022", "A.8.8", "accepted", ON)
    actions.decide_mapping(db, ANA, "C-1", "ISO27001-2022", "A.5.18", "rejected", ON)
    got = mapping_suggestions.suggestions(db, ON).set_index("control_id")
    assert (got.loc["C-2", "status"], got.loc["C-2", "decided_by"]) == ("accepted", "ana")
    assert got.loc["C-1", "status"] == "rejected"
    state, totals = _iso(db)
    assert list(state.loc["A.8.8", "controls"]) == ["C-2"] and list(state.loc["A.5.18", "controls"]) == []
    assert int(totals["covered"]) == 2
    assert list(risk_controls.risk_controls(db, "R1", ON)["control_id"]) == ["C-2"]
    # dated: the day before, the link was not there
    assert list(_iso(db, ON - dt.timedelta(days=1))[0].loc["A.8.8", "controls"]) == []
    # and a later decision replaces it (append-only: both rows stay)
    actions.decide_mapping(db, ANA, "C-2", "ISO27001-2022", "A.8.8", "rejected", ON)
    assert int(_iso(db)[1]["covered"]) == 1
    assert db.execute("SELECT count(*) FROM mapping_decision").fetchone()[0] == 3
    trail = db.execute("SELECT who, detail FROM audit_event WHERE action = 'mapping-decided' ORDER BY event_id").fetchall()
    assert [w for w, _ in trail] == ["ana"] * 3 and '"status": "accepted"' in trail[0][1]


def test_only_an_analyst_decides_and_only_what_is_suggested(db):
    with pytest.raises(Refused):
        actions.decide_mapping(db, VIC, "C-2", "ISO27001-2022", "A.8.8", "accepted", ON)
    with pytest.raises(ValueError, match="not suggested"):
        actions.decide_mapping(db, ANA, "C-2", "ISO27001-2022", "A.5.1", "accepted", ON)
    assert db.execute("SELECT count(*) FROM mapping_decision").fetchone()[0] == 0


def test_a_mapping_to_an_unknown_requirement_refuses_the_file(tmp_path, settings, db):
    before = table_dump(db)
    bad = tmp_path / "mappings.csv"
    bad.write_text(MAPPINGS + "NIST-800-53r5,AC-2,ISO27001-2022,A.9.99\n")
    out = import_file(db, bad, settings.matrix, as_of=D("2026-07-31"))
    assert out.status == "refused"
    assert any("'A.9.99' is not a requirement of ISO27001-2022" in p.message for p in out.problems)
    assert table_dump(db) == before


def test_the_compliance_page_lists_suggestions_and_an_analyst_accepts_one(tmp_path, settings):
    path = tmp_path / "page.duckdb"
    con = connect(path)
    _build(con, tmp_path, settings)
    con.close()
    with app_database(path):
        at = open_app("pages/compliance.py", query={"as_of": "2026-06-30"})  # the import's date
        assert "Suggested mappings" in [h.value for h in at.header]
        covered = [m.value for m in at.metric if m.label == "Covered by a control"]
        assert covered[0] == "1"  # ISO27001-2022 first
        at.selectbox(key="suggest_control").set_value("C-2").run()
        listed = next(d.value for d in at.dataframe if "sources" in d.value.columns)
        assert list(listed["ref"]) == ["A.8.8"] and list(listed["status"]) == ["suggested"]
        at.button[[b.label for b in at.button].index("Accept")].click().run()
        assert not at.exception, [e.message for e in at.exception]
        assert any("C-2 → ISO27001-2022:A.8.8 accepted as of 2026-06-30" in s.value for s in at.success)
        listed = next(d.value for d in at.dataframe if "sources" in d.value.columns)
        assert list(listed["status"]) == ["accepted"]
        assert [m.value for m in at.metric if m.label == "Covered by a control"][0] == "2"


def test_a_crosswalk_under_any_name_is_read_as_mappings_by_its_headers(tmp_path, settings, db):
    """Not only a sheet named Mappings: a file named as analysts name them, whose headers say source
    and target framework, is proposed as mappings (and its rows checked like any mapping file)."""
    from openpyxl import Workbook

    from isms.importing.pipeline import build_plan

    path = tmp_path / "nist-to-iso.csv"
    path.write_text(MAPPINGS)
    plan = build_plan(path.read_bytes(), path.name, settings.matrix, as_of=ON, con=db)
    assert [(m.sheet, m.kind) for m in plan.mappings] == [("nist-to-iso", "mappings")]
    assert len(plan.frames["mappings"]) == 4

    wb = Workbook()
    ws = wb.active
    ws.title = "Crosswalk"
    ws.append(["From framework", "From ref", "To framework", "To ref"])
    ws.append(["NIST-800-53r5", "SI-4", "ISO27001-2022", "A.8.16"])
    xlsx = tmp_path / "crosswalk.xlsx"
    wb.save(xlsx)
    plan = build_plan(xlsx.read_bytes(), xlsx.name, settings.matrix, as_of=ON, con=db)
    assert [(m.sheet, m.kind) for m in plan.mappings] == [("Crosswalk", "mappings")]
    assert plan.frames["mappings"][["framework", "ref", "target_framework", "target_ref"]].values.tolist() == [
        ["NIST-800-53r5", "SI-4", "ISO27001-2022", "A.8.16"]]


def test_an_accepted_link_whose_mapping_is_undone_stays_listed_and_can_be_rejected(db):
    """C-2 -> A.8.8 accepted, then the mapping file undone: the analyst's link still counts (their
    decision, dated), and it stays on the list, saying no mapping suggests it now, so it can be
    rejected; rejected, it counts no more and leaves the list."""
    from isms.store import batches

    actions.decide_mapping(db, ANA, "C-2", "ISO27001-2022", "A.8.8", "accepted", ON)
    (maps_batch,) = db.execute("SELECT batch_id FROM import_batch WHERE list_contains(kinds, 'mappings')").fetchone()
    batches.undo_batch(db, maps_batch, "ana")
    got = mapping_suggestions.suggestions(db, ON)
    assert [(r.control_id, r.ref, r.status, r.sources) for r in got.itertuples()] == [
        ("C-2", "A.8.8", "accepted", "no mapping imported suggests it now")]
    assert int(_iso(db)[1]["covered"]) == 2  # A.5.15 (C-1's own) and A.8.8 (accepted)
    actions.decide_mapping(db, ANA, "C-2", "ISO27001-2022", "A.8.8", "rejected", ON)
    assert int(_iso(db)[1]["covered"]) == 1
    assert mapping_suggestions.suggestions(db, ON).empty
