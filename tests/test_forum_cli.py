"""`python -m isms actions --overdue --as-of DATE --json`, run as a scheduled reminder would run it,
on the hand-worked forum story (tests.factories.forum_story)."""

import json
import os
import subprocess
import sys

import pytest

from isms.config import load_settings
from isms.store import connect
from tests.conftest import ROOT
from tests.factories import forum_story


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("forum") / "isms.duckdb"
    con = connect(path)
    forum_story(con, load_settings(ROOT / "isms.toml", db_path=str(path)))
    con.close()
    return path


def run(db, *args):
    return subprocess.run([sys.executable, "-m", "isms", "actions", *args], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "ISMS_DB": str(db)}, timeout=120)


def test_overdue_actions_as_json(db):
    out = run(db, "--overdue", "--as-of", "2026-06-10", "--json")
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)
    assert [(r["action_id"], r["owner"], r["due_on"], r["days_overdue"], r["series"]) for r in rows] == [
        ("A-0004", "Ops", "2026-05-15", 26, "risk"), ("A-0005", "SOC", "2026-05-31", 10, "security-health")]
    assert rows[0] == {
        "action_id": "A-0004", "title": "Restore test", "series": "risk", "owner": "Ops", "status": "open",
        "closure_note": None, "verified_by": None, "meeting_id": "M-0002", "decision_id": None, "risk_id": None,
        "kri_id": None, "finding_id": None, "due_on": "2026-05-15", "original_due_on": "2026-05-15",
        "raised_on": "2026-04-14", "closed_on": None, "days_overdue": 26}
    assert rows[1]["kri_id"] == "KRI-03"


def test_overdue_by_series_and_every_action_as_text(db):
    out = run(db, "--overdue", "--as-of", "2026-07-01", "--series", "risk", "--json")
    assert [r["action_id"] for r in json.loads(out.stdout)] == ["A-0004", "A-0002"]   # A-0002 due 06-30
    text = run(db, "--as-of", "2026-03-14")
    assert text.returncode == 0, text.stderr
    assert "3 actions as of 2026-03-14" in text.stdout
    assert "A-0001 [risk] Patch VPN · Ops · due 2026-02-28 · done" in text.stdout
    bad = run(db, "--overdue", "--series", "board")
    assert bad.returncode == 2 and "no meeting series 'board'" in bad.stderr


def test_nothing_overdue_is_an_empty_list(db):
    out = run(db, "--overdue", "--as-of", "2026-05-15", "--json")
    assert out.returncode == 0 and json.loads(out.stdout) == []
