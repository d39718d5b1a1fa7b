"""Several teams, one register (issue 11, "Several teams, one register").

Two analysts each keep a register for their business unit. Importing unit A's file, then unit
B's, must leave both units' risks in the register: a file is either the whole register (rows it
does not list leave) or part of it (merged: a listed row is updated, an unlisted one stays), and
when a file would retire rows nobody has to guess which. Figures below are worked out by hand on
the 5x5 matrix (Low 1-4, Medium 5-9, High 10-16, Critical 20-25).
"""

import datetime as dt
import json
import os
import subprocess
import sys

import pytest

from isms import actions
from isms.auth import Role, User
from isms.filters import PART, WHOLE, RiskFilter, Scope
from isms.store import connect, queries
from tests.conftest import ROOT
from tests.test_store import table_dump

Q1, MID, Q2 = dt.date(2026, 3, 31), dt.date(2026, 5, 15), dt.date(2026, 6, 30)

# A-1 4x5 = 20 Critical, A-2 3x3 = 9 Medium; B-1 2x2 = 4 Low (one rating pair: inherent = residual)
UNIT_A = "Risk ID,Title,Owner,Likelihood,Impact\nA-1,Ransomware on the tills,Ann,4,5\nA-2,Card skimming,Ann,3,3\n"
UNIT_B = "Risk ID,Title,Owner,Likelihood,Impact\nB-1,Flood in the payments room,Bob,2,2\n"
# the same units with a business unit column and a response that becomes treatment <id>-T
UNIT_A_BU = ("Risk ID,Title,Owner,Business unit,Likelihood,Impact,Response,Due date\n"
             "A-1,Ransomware on the tills,Ann,Retail,4,5,Reduce,2026-12-31\n"
             "A-2,Card skimming,Ann,Retail,3,3,Reduce,2026-12-31\n")
UNIT_B_BU = ("Risk ID,Title,Owner,Business unit,Likelihood,Impact,Response,Due date\n"
             "B-1,Flood in the payments room,Bob,Payments,2,2,Reduce,2026-12-31\n")


def run_cli(db, *args):
    return subprocess.run([sys.executable, "-m", "isms", *args], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "ISMS_DB": str(db)}, timeout=120)


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def scorecard(db, as_of):
    out = run_cli(db, "scorecard", "--as-of", as_of.isoformat(), "--json")
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)["current"]


def dump(db):
    con = connect(db)
    try:
        return table_dump(con)
    finally:
        con.close()


def register_ids(db, kind, as_of):
    con = connect(db, read_only=True)
    try:
        reg = queries.register(con, kind, as_of)
        return sorted(reg[queries.KEY_COLUMN[kind]])
    finally:
        con.close()


# --- the command line ---


def test_cli_two_units_one_after_the_other_keep_both_once_the_file_is_called_part(tmp_path):
    db = tmp_path / "units.duckdb"
    a, b = write(tmp_path, "unit-a.csv", UNIT_A), write(tmp_path, "unit-b.csv", UNIT_B)
    assert run_cli(db, "import", a, "--as-of", Q1.isoformat()).returncode == 0
    before = dump(db)

    # nobody said what unit B's file is, and it would retire A's risks: a question, not a guess
    asked = run_cli(db, "import", b, "--as-of", Q1.isoformat())
    assert asked.returncode == 2
    assert ("the register as of 2026-03-31 has rows this file does not list (2 risks): say what the file is, "
            "--whole if it is the whole register (they leave it) or --part if it is part of it") in asked.stdout
    assert "would leave the register with --whole: risks A-1, A-2" in asked.stdout
    assert "not imported; the database is unchanged" in asked.stdout
    assert dump(db) == before

    dry = run_cli(db, "import", b, "--as-of", Q1.isoformat(), "--dry-run", "--json")
    assert dry.returncode == 2
    report = json.loads(dry.stdout)[0]
    assert report["status"] == "undecided" and report["mode"] is None
    assert report["leaves"] == {"risks": ["A-1", "A-2"]}
    assert dump(db) == before

    part_dry = run_cli(db, "import", b, "--as-of", Q1.isoformat(), "--part", "--dry-run", "--json")
    assert part_dry.returncode == 0
    report = json.loads(part_dry.stdout)[0]
    assert (report["status"], report["mode"], report["leaves"], report["kept"]) == ("dry-run", "part", {}, {"risks": 2})
    assert dump(db) == before

    done = run_cli(db, "import", b, "--as-of", Q1.isoformat(), "--part")
    assert done.returncode == 0, done.stdout
    assert "nothing leaves the register (a row leaves it only by its status, such as Closed)" in done.stdout
    assert "kept, though not in the file: 2 risks" in done.stdout
    card = scorecard(db, Q1)
    assert card["residual_by_level"] == {"Low": 1, "Medium": 1, "High": 0, "Critical": 1}
    assert (card["open_risks"], card["residual_exposure"]) == (3, 20 + 9 + 4)


def test_cli_whole_retires_what_the_file_leaves_out(tmp_path):
    db = tmp_path / "whole.duckdb"
    a, b = write(tmp_path, "unit-a.csv", UNIT_A), write(tmp_path, "unit-b.csv", UNIT_B)
    assert run_cli(db, "import", a, "--as-of", Q1.isoformat()).returncode == 0
    whole = run_cli(db, "import", b, "--as-of", Q1.isoformat(), "--whole")
    assert whole.returncode == 0, whole.stdout
    assert "left the register: risks A-1, A-2" in whole.stdout
    card = scorecard(db, Q1)
    assert card["residual_by_level"] == {"Low": 1, "Medium": 0, "High": 0, "Critical": 0}
    assert (card["open_risks"], card["residual_exposure"]) == (1, 4)


def test_cli_a_business_unit_column_scopes_the_file_and_whole_replaces_only_its_unit(tmp_path):
    db = tmp_path / "bu.duckdb"
    a, b = write(tmp_path, "retail.csv", UNIT_A_BU), write(tmp_path, "payments.csv", UNIT_B_BU)
    assert run_cli(db, "import", a, "--as-of", Q1.isoformat()).returncode == 0
    # unit B's file names its unit: as that unit's whole register it retires nothing of Retail's
    b_run = run_cli(db, "import", b, "--as-of", Q1.isoformat())
    assert b_run.returncode == 0, b_run.stdout
    assert "the file is the whole register for business unit Payments" in b_run.stdout
    assert register_ids(db, "risks", Q1) == ["A-1", "A-2", "B-1"]
    assert register_ids(db, "treatments", Q1) == ["A-1-T", "A-2-T", "B-1-T"]

    # Retail's next register drops A-2: a question first, then --whole retires A-2 and its
    # treatment, and Payments' risk and treatment stay
    retail_q2 = write(tmp_path, "retail-q2.csv", "\n".join(UNIT_A_BU.splitlines()[:2]) + "\n")
    asked = run_cli(db, "import", retail_q2, "--as-of", Q2.isoformat())
    assert asked.returncode == 2
    assert "--whole if it is the whole register for business unit Retail (they leave it)" in asked.stdout
    done = run_cli(db, "import", retail_q2, "--as-of", Q2.isoformat(), "--whole", "--json")
    assert done.returncode == 0, done.stdout
    report = json.loads(done.stdout)[0]
    assert report["scope"] == "business unit Retail"
    assert report["leaves"] == {"risks": ["A-2"], "treatments": ["A-2-T"]}
    assert register_ids(db, "risks", Q2) == ["A-1", "B-1"]
    assert register_ids(db, "treatments", Q2) == ["A-1-T", "B-1-T"]
    con = connect(db, read_only=True)
    last = con.execute("""SELECT mode, scope_field, scope_values, row_counts, carried_counts FROM import_batch
                          ORDER BY batch_id DESC LIMIT 1""").fetchone()
    con.close()
    assert last[:3] == ("whole", "business_unit", ["Retail"])
    # the file listed one risk and one treatment; Payments' risk and treatment were kept beside them
    assert json.loads(last[3]) == {"assessments": 1, "risks": 1, "treatments": 1}
    assert json.loads(last[4]) == {"risks": 1, "treatments": 1}


def test_cli_scope_names_the_unit_of_a_file_without_the_column(tmp_path):
    db = tmp_path / "scope.duckdb"
    a, b = write(tmp_path, "unit-a.csv", UNIT_A), write(tmp_path, "unit-b.csv", UNIT_B)
    assert run_cli(db, "import", a, "--as-of", Q1.isoformat(), "--scope", "Retail").returncode == 0
    out = run_cli(db, "import", b, "--as-of", Q1.isoformat(), "--scope", "Payments")
    assert out.returncode == 0, out.stdout
    con = connect(db, read_only=True)
    reg = queries.register(con, "risks", Q1)
    con.close()
    assert dict(zip(reg["risk_id"], reg["business_unit"])) == {"A-1": "Retail", "A-2": "Retail", "B-1": "Payments"}
    assert run_cli(db, "import", b, "--scope", "colour=blue").returncode == 2


def test_cli_a_part_closes_a_risk_only_by_its_status(tmp_path):
    db = tmp_path / "closed.duckdb"
    a = write(tmp_path, "unit-a.csv", UNIT_A)
    assert run_cli(db, "import", a, "--as-of", Q1.isoformat()).returncode == 0
    closing = write(tmp_path, "closing.csv", "Risk ID,Title,Owner,Status,Likelihood,Impact\n"
                                             "A-2,Card skimming,Ann,Closed,3,3\n")
    out = run_cli(db, "import", closing, "--as-of", Q2.isoformat(), "--part", "--json")
    assert out.returncode == 0, out.stdout
    report = json.loads(out.stdout)[0]
    assert report["leaves"] == {} and report["closes"] == {"risks": ["A-2"]}
    card = scorecard(db, Q2)
    assert (card["open_risks"], card["residual_exposure"]) == (1, 20)  # A-1 open; A-2 listed, closed


# --- the same rules without a subprocess: identified dates, undo, the read model ---


@pytest.fixture
def store(tmp_path, settings):
    con = connect(tmp_path / "store.duckdb")
    yield con, settings
    con.close()


ANA = User("ana", Role.analyst)


def test_identified_on_keeps_the_first_date_a_risk_was_seen(store):
    con, settings = store
    q1 = ("Risk ID,Title,Owner,Likelihood,Impact,Response,Due date\n"
          "A-1,Ransomware on the tills,Ann,4,5,Reduce,2026-12-31\n")
    out, _ = actions.import_workbook(con, ANA, settings, q1.encode(), "a.csv", as_of=Q1)
    assert out.status == "committed"
    # next quarter: A-1 re-rated, A-3 new; the file still has no 'identified' column
    q2 = q1.replace("4,5", "4,4") + "A-3,Lost laptop,Ann,2,3,,\n"
    plan = actions.plan_upload(con, settings, q2.encode(), "a.csv", as_of=Q2)
    assert plan.preview.kinds["risks"].unchanged == ["A-1"] and plan.preview.kinds["risks"].new == ["A-3"]
    assert plan.preview.kinds["treatments"].unchanged == ["A-1-T"]
    assert any("1 risk(s) the register has seen before keep the date they were first identified" in r for r in plan.rules)
    assert actions.commit_import(con, ANA, plan).status == "committed"
    reg = queries.register(con, "risks", Q2).set_index("risk_id")
    assert reg.loc["A-1", "identified_on"].date() == Q1 and reg.loc["A-3", "identified_on"].date() == Q2
    treatments = queries.register(con, "treatments", Q2).set_index("treatment_id")
    assert treatments.loc["A-1-T", "start_on"].date() == Q1  # started when identified, not at the batch date
    # a blank cell in an identified column is the same as no column; a date written in it wins
    q3 = ("Risk ID,Title,Owner,Date identified,Likelihood,Impact\n"
          "A-1,Ransomware on the tills,Ann,,4,4\nA-3,Lost laptop,Ann,2026-04-02,2,3\n")
    plan = actions.plan_upload(con, settings, q3.encode(), "a.csv", as_of=dt.date(2026, 9, 30), mode=PART)
    risks = plan.frames["risks"].set_index("risk_id")["identified_on"]
    assert risks["A-1"] == Q1 and risks["A-3"] == dt.date(2026, 4, 2)


def test_a_file_of_re_ratings_keeps_what_the_register_says_of_each_risk(store):
    """A team sends only risk id, title and rating: the owner, controls, theme, NIST family, assets
    and status of each risk it names stay as the register has them (they were reset to 'Unassigned',
    empty and 'A.5 Organizational'); a risk new to the register takes the import's stand-ins; an
    owner cell left blank keeps the register's owner, one filled in changes it."""
    con, settings = store
    q1 = ("Risk ID,Title,Owner,Status,Annex A controls,NIST family,Asset IDs,Description,Likelihood,Impact\n"
          "A-1,Ransomware on the tills,Ann,Open,A.8.7; A.8.13,SI,AS-1,Tills encrypted,4,5\n"
          "A-2,Card skimming,Ann,Accepted,A.7.4,PE,AS-2,Skimmers on the pads,3,3\n")
    assert actions.import_workbook(con, ANA, settings, q1.encode(), "a.csv", as_of=Q1)[0].status == "committed"
    ratings = ("Risk ID,Title,Likelihood,Impact\n"
               "A-1,Ransomware on the tills,3,5\nA-2,Card skimming,2,3\nA-9,New risk,2,2\n")
    plan = actions.plan_upload(con, settings, ratings.encode(), "r.csv", as_of=Q2, mode=PART)
    assert any("2 risk(s) the register already holds keep what it says" in r and "Owner" in r and "Annex A controls" in r
               for r in plan.rules), plan.rules
    # the preview compares what will be written: a title and rating file changes no risk record
    assert sorted(plan.preview.kinds["risks"].unchanged) == ["A-1", "A-2"] and plan.preview.kinds["risks"].new == ["A-9"]
    assert actions.commit_import(con, ANA, plan).status == "committed"
    reg = queries.register(con, "risks", Q2).set_index("risk_id")
    assert reg.loc["A-1", ["owner", "status", "annex_a_theme", "nist_family", "description"]].tolist() == \
        ["Ann", "Open", "A.8 Technological", "SI", "Tills encrypted"]
    assert list(reg.loc["A-1", "annex_a_controls"]) == ["A.8.7", "A.8.13"] and list(reg.loc["A-1", "asset_ids"]) == ["AS-1"]
    assert reg.loc["A-2", ["owner", "status", "annex_a_theme"]].tolist() == ["Ann", "Accepted", "A.7 Physical"]
    assert reg.loc["A-9", ["owner", "status", "annex_a_theme"]].tolist() == ["Unassigned", "Open", "A.5 Organizational"]
    # the ratings themselves are the file's: A-1 3x5, A-2 2x3, dated Q2
    for risk, pair in (("A-1", [3, 5]), ("A-2", [2, 3])):
        last = queries.risk_assessments(con, settings.matrix, risk, Q2).iloc[-1]
        assert last["assessed_on"].date() == Q2 and [last["residual_likelihood"], last["residual_impact"]] == pair
    # a blank owner cell keeps the register's owner; a written one replaces it
    owners = "Risk ID,Title,Owner,Likelihood,Impact\nA-1,Ransomware on the tills,,3,5\nA-2,Card skimming,Bea,2,3\n"
    plan = actions.plan_upload(con, settings, owners.encode(), "o.csv", as_of=dt.date(2026, 9, 30), mode=PART)
    assert plan.frames["risks"].set_index("risk_id")["owner"].to_dict() == {"A-1": "Ann", "A-2": "Bea"}


def test_undoing_a_part_brings_back_the_register_before_it(store):
    con, settings = store
    actions.import_workbook(con, ANA, settings, UNIT_A.encode(), "a.csv", as_of=Q1)
    out, _ = actions.import_workbook(con, ANA, settings, UNIT_B.encode(), "b.csv", as_of=Q1, mode=PART)
    assert sorted(queries.register(con, "risks", Q1)["risk_id"]) == ["A-1", "A-2", "B-1"]
    actions.undo_import(con, ANA, out.batch_id)
    assert sorted(queries.register(con, "risks", Q1)["risk_id"]) == ["A-1", "A-2"]


def test_an_undecided_file_writes_nothing_and_is_not_audited(store):
    con, settings = store
    actions.import_workbook(con, ANA, settings, UNIT_A.encode(), "a.csv", as_of=Q1)
    before = table_dump(con)
    audit_before = con.execute("SELECT count(*) FROM audit_event").fetchone()[0]
    out, plan = actions.import_workbook(con, ANA, settings, UNIT_B.encode(), "b.csv", as_of=Q1, mode=None)
    assert out.status == "undecided" and plan.preview.leaving == {"risks": ["A-1", "A-2"]}
    assert table_dump(con) == before
    assert con.execute("SELECT count(*) FROM audit_event").fetchone()[0] == audit_before


def test_a_part_is_audited_with_what_it_is(store):
    con, settings = store
    actions.import_workbook(con, ANA, settings, UNIT_A.encode(), "a.csv", as_of=Q1)
    actions.import_workbook(con, ANA, settings, UNIT_B.encode(), "b.csv", as_of=Q1, mode=PART,
                            scope=Scope.parse("Payments"))
    detail = json.loads(con.execute("SELECT detail FROM audit_event ORDER BY event_id DESC LIMIT 1").fetchone()[0])
    assert (detail["mode"], detail["scope"], detail["retired"]) == ("part", "business unit Payments", {})


def test_business_unit_filter_and_security_health_risk_scorecard(store):
    from isms.posture import scorecard as posture_scorecard
    from isms.views import risk_review, security_health

    con, settings = store
    actions.import_workbook(con, ANA, settings, UNIT_A_BU.encode(), "retail.csv", as_of=Q1)
    actions.import_workbook(con, ANA, settings, UNIT_B_BU.encode(), "payments.csv", as_of=Q1)
    assert risk_review.filter_options(con, Q1)["business_units"] == ["Payments", "Retail"]
    payments = posture_scorecard(con, settings, Q1, Q1, RiskFilter(business_units=("Payments",))).current
    assert payments.residual_by_level == {"Low": 1, "Medium": 0, "High": 0, "Critical": 0}
    retail = posture_scorecard(con, settings, Q1, Q1, RiskFilter(business_units=("Retail",))).current
    assert (retail.open_risks, retail.residual_exposure, retail.treatments.on_track + retail.treatments.late) == (2, 29, 2)
    card = security_health.risk_scorecard(con, settings, dt.date(2026, 3, 1), dt.date(2026, 2, 1),
                                          RiskFilter(business_units=("Payments",)))
    assert card.exposure_now == 4
    assert security_health.filter_options(con, dt.date(2026, 3, 1)).business_units == ["Payments", "Retail"]


def test_a_mid_quarter_import_is_a_review_date_and_a_comparison(store):
    from isms.views import risk_review

    con, settings = store
    actions.import_workbook(con, ANA, settings, UNIT_A.encode(), "a.csv", as_of=Q1)
    actions.import_workbook(con, ANA, settings, UNIT_B.encode(), "b.csv", as_of=MID, mode=PART)
    actions.import_workbook(con, ANA, settings, UNIT_A.replace("4,5", "4,4").encode(), "a.csv", as_of=Q2, mode=PART)
    assert risk_review.review_dates(con, include_interim=True) == [Q2, MID, Q1]
    assert risk_review.review_dates(con) == [Q2, Q1]  # the trends stay on quarter ends
    data = risk_review.build(con, settings, Q2, MID)
    # at MID: A-1 Critical (20), A-2 Medium, B-1 Low; at Q2: A-1 High (16), A-2 Medium, B-1 Low
    assert data.scorecard.current.residual_by_level == {"Low": 1, "Medium": 1, "High": 1, "Critical": 0}
    assert data.scorecard.previous.residual_by_level == {"Low": 1, "Medium": 1, "High": 0, "Critical": 1}
    assert data.changes[["risk_id", "change"]].values.tolist() == [["A-1", "De-escalated"]]


def test_an_exception_log_imported_alone_is_an_interim_review_date(store):
    """An exception log dated after the last register (today's, say) is offered by the Risk Review
    as an interim date, and the page as of it shows the exception; before, only register dates were
    offered and the log showed nowhere until the next register."""
    from isms.views import risk_review

    con, settings = store
    actions.import_workbook(con, ANA, settings, UNIT_A.encode(), "a.csv", as_of=Q1)
    log = ("Exception ID,Policy,Risk ID,Status,Granted on,Expires on\n"
           "EX-9,Patch standard,A-1,Granted,2026-04-01,2026-06-30\n")
    result = actions.import_workbook(con, ANA, settings, log.encode(), "exceptions.csv", as_of=MID, mode=PART)
    assert not getattr(result, "problems", None), result
    assert risk_review.review_dates(con, include_interim=True) == [MID, Q1]
    assert risk_review.review_dates(con) == [Q1]
    assert list(risk_review.build(con, settings, MID, Q1).exceptions["exception_id"]) == ["EX-9"]
    assert risk_review.build(con, settings, Q1, Q1).exceptions.empty


def test_a_file_dated_before_a_later_register_says_its_rows_stop_there(store):
    from isms.importing.preview import register_sentences

    con, settings = store
    actions.import_workbook(con, ANA, settings, UNIT_A.encode(), "a.csv", as_of=Q2)
    plan = actions.plan_upload(con, settings, UNIT_B.encode(), "b.csv", as_of=Q1, mode=PART)
    assert plan.preview.later == (Q2,)
    assert ("note: the register has a later batch dated 2026-06-30: from then on the register is that batch's, and "
            "this file's rows count only where it lists them too") in " ".join(register_sentences(plan.preview, "dry-run"))


def test_the_same_file_as_the_whole_register_after_it_was_merged_is_a_new_batch(store):
    con, settings = store
    actions.import_workbook(con, ANA, settings, UNIT_A.encode(), "a.csv", as_of=Q1)
    part, _ = actions.import_workbook(con, ANA, settings, UNIT_B.encode(), "b.csv", as_of=Q1, mode=PART)
    again, _ = actions.import_workbook(con, ANA, settings, UNIT_B.encode(), "b.csv", as_of=Q1, mode=None)
    assert (again.status, again.batch_id) == ("unchanged", part.batch_id)  # nothing to decide: it is in
    whole, _ = actions.import_workbook(con, ANA, settings, UNIT_B.encode(), "b.csv", as_of=Q1, mode=WHOLE)
    assert whole.status == "committed" and whole.batch_id > part.batch_id
    assert sorted(queries.register(con, "risks", Q1)["risk_id"]) == ["B-1"]
    twice, _ = actions.import_workbook(con, ANA, settings, UNIT_B.encode(), "b.csv", as_of=Q1, mode=WHOLE)
    assert (twice.status, twice.batch_id) == ("unchanged", whole.batch_id)


def test_the_preview_of_a_part_keeps_what_the_whole_would_retire(store):
    con, settings = store
    actions.import_workbook(con, ANA, settings, UNIT_A.encode(), "a.csv", as_of=Q1)
    whole = actions.plan_upload(con, settings, UNIT_B.encode(), "b.csv", as_of=Q1, mode=WHOLE).preview.kinds["risks"]
    part = actions.plan_upload(con, settings, UNIT_B.encode(), "b.csv", as_of=Q1, mode=PART).preview.kinds["risks"]
    assert (whole.new, whole.no_longer_listed, whole.kept) == (["B-1"], ["A-1", "A-2"], [])
    assert (part.new, part.no_longer_listed, part.kept) == (["B-1"], [], ["A-1", "A-2"])


def test_cli_whole_names_the_treatments_that_stay_when_their_risks_leave(tmp_path):
    """Found on real registers: a whole file without treatments retired risks A-1 and A-2 while
    their treatments stayed In progress in the export, and the run named only the risks."""
    db = tmp_path / "stranded.duckdb"
    a, b = write(tmp_path, "unit-a.csv", UNIT_A_BU), write(tmp_path, "unit-b.csv", UNIT_B)
    assert run_cli(db, "import", a, "--as-of", Q1.isoformat()).returncode == 0
    whole = run_cli(db, "import", b, "--as-of", Q1.isoformat(), "--whole")
    assert whole.returncode == 0, whole.stdout
    assert "left the register: risks A-1, A-2" in whole.stdout
    assert "note: these stay in their registers though their risks leave, as the file gives no treatments: " \
           "treatments A-1-T, A-2-T;" in whole.stdout, whole.stdout
    again = run_cli(db, "import", write(tmp_path, "unit-b2.csv", UNIT_B + "B-2,Fire,Bob,1,1\n"),
                    "--as-of", Q2.isoformat(), "--whole")
    assert again.returncode == 0 and "stay in their registers" not in again.stdout, again.stdout


def test_cli_a_scope_that_names_none_of_the_files_risks_is_said(tmp_path):
    """Found trying a misspelt owner: 'the whole register for owner Nobody' imported 15 risks none of
    which Nobody owns, and said nothing of it."""
    db = tmp_path / "nobody.duckdb"
    a = write(tmp_path, "unit-a.csv", UNIT_A)
    out = run_cli(db, "import", a, "--as-of", Q1.isoformat(), "--scope", "owner=Anne", "--whole")
    assert out.returncode == 0, out.stdout
    assert "warning: unit-a.csv: no risk in the file has owner Anne: the scope names none of its risks" \
        in out.stdout, out.stdout
    named = run_cli(db, "import", a, "--as-of", Q2.isoformat(), "--scope", "owner=Ann", "--whole")
    assert named.returncode == 0 and "the scope names none" not in named.stdout, named.stdout
