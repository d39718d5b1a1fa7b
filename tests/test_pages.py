"""AppTest: every page runs, and its headline figures are the scorecard's figures."""

import datetime
import json
import os
import shutil
import subprocess
import sys

import pytest

from tests.conftest import ROOT
from ui.apptest import app_database, open_app
from tests.factories import signed

PAGES = ["pages/risk_review.py", "pages/security_health.py"]


@pytest.fixture(scope="module")
def app_db(sample_db_path, tmp_path_factory):
    path = tmp_path_factory.mktemp("app") / "isms.duckdb"
    shutil.copy(sample_db_path, path)
    with app_database(path):
        yield path


def open_page(page: str):
    return open_app(page)


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_without_exception(app_db, page):
    at = open_page(page)
    assert not at.exception, [e.message for e in at.exception]
    assert at.get("plotly_chart"), "each page shows a chart"


def metrics(at) -> dict[str, tuple[str, str]]:
    return {m.label: (m.value, m.delta) for m in at.metric}


def cli_scorecard(as_of, compare_to, db):
    out = subprocess.run(
        [sys.executable, "-m", "isms", "scorecard", "--as-of", as_of, "--compare-to", compare_to, "--json"],
        capture_output=True, text=True, cwd=ROOT, env={**os.environ, "ISMS_DB": str(db)}, timeout=120, check=True,
    )
    return json.loads(out.stdout)


def test_risk_review_figures_match_cli_scorecard(app_db, sample_db_path):
    at = open_page(PAGES[0])
    assert at.selectbox(key="as_of").value.isoformat() == "2026-09-30"
    card = cli_scorecard("2026-09-30", "2026-06-30", sample_db_path)
    m = metrics(at)
    for level, n in card["current"]["residual_by_level"].items():
        assert m[f"{level} risks"][0] == str(n)
        delta = n - card["previous"]["residual_by_level"][level]
        assert m[f"{level} risks"][1] == signed(delta)
    assert m["Residual exposure"][0] == f"{card['current']['residual_exposure']:,}"  # '1,300', as the headline
    assert m["Within appetite"][0] == f"{card['current']['within_appetite_share']:.0%}"
    expired = card["current"]["exceptions_expired_open"], card["previous"]["exceptions_expired_open"]
    assert m["Expired exceptions"] == (str(expired[0]), signed(expired[0] - expired[1]))  # as the pack's row
    fig = json.loads(at.get("plotly_chart")[0].proto.spec)
    shown = sum(int(t) for row in fig["data"][0]["text"] for t in row if t)
    assert shown == card["current"]["assessed_risks"]


def test_risk_review_date_change(app_db, sample_db_path):
    at = open_page(PAGES[0])
    at.selectbox(key="as_of").set_value(datetime.date(2025, 6, 30)).run()
    assert not at.exception
    card = cli_scorecard("2025-06-30", at.selectbox(key="compare_to").value.isoformat(), sample_db_path)
    assert metrics(at)["Critical risks"][0] == str(card["current"]["residual_by_level"]["Critical"])


def test_security_health_figures_match_cli_scorecard(app_db, sample_db_path):
    at = open_page(PAGES[1])
    month = at.selectbox(key="month").value
    assert month.isoformat() == "2026-10-01"
    card = cli_scorecard("2026-10-31", "2026-09-30", sample_db_path)
    m = metrics(at)
    assert m["KRIs red"][0] == str(card["current"]["kris"]["red"])
    assert m["KRIs green"][0] == str(card["current"]["kris"]["green"])
    assert m["Stale (no result)"][0] == str(card["current"]["kris"]["stale"])


def test_an_import_after_the_last_quarter_end_can_be_reviewed(sample_db_path, tmp_path):
    """An analyst who commits a register on 2026-11-28 can open it before the quarter closes; the
    meeting's default stays the last quarter end."""
    from isms import actions
    from isms.auth import Role, User
    from isms.config import load_settings
    from isms.store import connect

    db = tmp_path / "interim.duckdb"
    shutil.copy(sample_db_path, db)
    settings = load_settings(ROOT / "isms.toml", db_path=str(db))
    con = connect(db)
    register = (ROOT / "tests" / "fixtures" / "registers" / "mtn_risk_register.csv").read_bytes()
    out, _ = actions.import_workbook(con, User("ana", Role.analyst), settings, register, "mtn.csv",
                                     as_of=datetime.date(2026, 11, 28))
    con.close()
    assert out.status == "committed"
    with app_database(db):
        at = open_app("pages/risk_review.py")
        box = at.selectbox(key="as_of")
        assert box.value == datetime.date(2026, 9, 30)
        assert datetime.date(2026, 11, 28) in box.options or "28 Nov 2026 (interim)" in box.options
        box.set_value(datetime.date(2026, 11, 28)).run()
        assert not at.exception
        assert at.selectbox(key="compare_to").value == datetime.date(2026, 9, 30)
        m = {x.label: x.value for x in at.metric}
        # the MTN register rates R001-R004 Critical, Critical, High, Medium among its rows
        assert int(m["Critical risks"]) >= 2


@pytest.mark.parametrize("page, sentence", [("pages/risk_review.py", "No risk register has been imported yet."),
                                            ("pages/security_health.py", "No monitoring results have been imported yet.")])
def test_a_meeting_page_on_an_empty_database_says_so(tmp_path, page, sentence):
    from isms.store import connect

    connect(tmp_path / "empty.duckdb").close()
    with app_database(tmp_path / "empty.duckdb"):
        at = open_app(page)
        assert not at.exception, [e.message for e in at.exception]
        assert [i.value for i in at.info] == [sentence]


def test_the_exceptions_list_leaves_out_a_what_column_no_exception_fills(app_db):
    """The sample's exception log names the policy, never a title of its own: its 'What' column would
    be empty on every row. Read from the table, not from the page's code: shown exactly when some
    exception on the list has a title."""
    import duckdb

    with duckdb.connect(str(app_db), read_only=True) as con:
        titled = con.execute("""SELECT count(*) FROM policy_exception WHERE title IS NOT NULL AND batch_id =
            (SELECT max(batch_id) FROM import_batch WHERE as_of <= DATE '2026-09-30' AND list_contains(kinds, 'exceptions'))
            """).fetchone()[0]
    at = open_page(PAGES[0])
    found = [d for d in at.main.dataframe if "window" in d.proto.column_order and "expires_in" in d.proto.column_order]
    assert len(found) == 1
    assert ("title" in found[0].proto.column_order) == bool(titled) and "policy" in found[0].proto.column_order


def test_the_earlier_actions_list_shows_no_column_that_says_nothing(app_db):
    """'Actions from earlier meetings' lists one series' actions: no Series column, and 'First due'
    only when some action's due date moved (read from the list's own rows)."""
    at = open_page(PAGES[0])
    found = [d for d in at.main.dataframe if list(d.proto.column_order[:2]) == ["action_id", "title"]]
    assert found, "the Risk Review lists the Risk series' open actions"
    for d in found:
        order, rows = list(d.proto.column_order), d.value
        assert "series" not in order
        moved = (rows["original_due_on"].astype(str) != rows["due_on"].astype(str)).any()
        assert ("original_due_on" in order) == bool(moved)
