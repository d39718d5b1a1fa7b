"""The forum's records and the mapping decisions in the export, as they stood on a date.

The store holds tests.factories.forum_story and two mapping decisions written by hand; every
expected row below is read off the story's docstring for 2026-03-31, not asked of the code under test:
- meetings held by then: M-0001 only (M-0002 is 04-14, M-0003 05-14);
- decisions: D-0001 and D-0002 (both at M-0001);
- actions: A-0001 verified (03-20), closed 03-10 (done; the verification does not move it),
  A-0002 open, due moved to 06-30 on 03-15 (raised due 03-31), A-0003 open (cancelled only 04-01);
- action changes up to the date: A-0001 raised, in progress, done, verified (4); A-0002 raised,
  due moved (2); A-0003 raised (1): 7;
- mapping decisions: the one decided 03-01, not the one decided 04-02.
"""

from __future__ import annotations

import csv
import datetime as dt

import duckdb
import pytest
from openpyxl import load_workbook

from isms.config import load_settings
from isms.data_export import export
from isms.store import connect
from isms.store.mapping_suggestions import insert_decision
from tests.conftest import ROOT
from tests.factories import D, forum_story

AS_OF = D("2026-03-31")
FORUM = ("meetings", "decisions", "actions", "action_changes", "mapping_decisions")


@pytest.fixture
def story(tmp_path):
    settings = load_settings(ROOT / "isms.toml", db_path=str(tmp_path / "forum.duckdb"))
    con = connect(settings.db_path)
    forum_story(con, settings)
    at = dt.datetime(2026, 3, 1, 9, 0)
    insert_decision(con, decision_no=1, control_id="C-01", framework="nist-800-53", ref="AC-2", status="accepted",
                    decided_on=D("2026-03-01"), note="covers joiners", recorded_at=at, recorded_by="cleo")
    insert_decision(con, decision_no=2, control_id="C-01", framework="nist-800-53", ref="AC-3", status="rejected",
                    decided_on=D("2026-04-02"), note=None, recorded_at=at + dt.timedelta(days=32), recorded_by="cleo")
    yield con, settings
    con.close()


def _export(story, tmp_path, fmt):
    con, settings = story
    return export(con, settings, AS_OF, fmt, tmp_path / fmt)


def _parquet(path, sql):
    with duckdb.connect() as con:
        return con.execute(sql.format(t=f"read_parquet('{path}')")).fetchall()


def test_parquet_holds_the_forum_as_it_stood_on_the_date(story, tmp_path):
    out = _export(story, tmp_path, "parquet").folder
    assert _parquet(out / "meetings.parquet", "SELECT meeting_id, series, held_on FROM {t}") == [
        ("M-0001", "risk", D("2026-01-14"))]
    assert _parquet(out / "decisions.parquet", "SELECT decision_id, meeting_id, kind FROM {t} ORDER BY 1") == [
        ("D-0001", "M-0001", "risk-acceptance"), ("D-0002", "M-0001", "exception-grant")]
    assert _parquet(out / "actions.parquet",
                    "SELECT action_id, status, due_on, original_due_on, raised_on, closed_on FROM {t} ORDER BY 1") == [
        ("A-0001", "verified", D("2026-02-28"), D("2026-02-28"), D("2026-01-14"), D("2026-03-10")),
        ("A-0002", "open", D("2026-06-30"), D("2026-03-31"), D("2026-01-14"), None),
        ("A-0003", "open", D("2026-05-31"), D("2026-05-31"), D("2026-01-14"), None)]
    assert _parquet(out / "action_changes.parquet", "SELECT action_id, count(*) FROM {t} GROUP BY 1 ORDER BY 1") == [
        ("A-0001", 4), ("A-0002", 2), ("A-0003", 1)]
    assert _parquet(out / "mapping_decisions.parquet", "SELECT control_id, ref, status, decided_on FROM {t}") == [
        ("C-01", "AC-2", "accepted", D("2026-03-01"))]


def test_csv_and_the_readme_name_every_forum_table(story, tmp_path):
    result = _export(story, tmp_path, "csv")
    out = result.folder
    with open(out / "actions.csv", newline="", encoding="utf-8-sig") as f:  # BOM: Excel reads it as UTF-8
        rows = {r["action_id"]: r for r in csv.DictReader(f)}
    assert sorted(rows) == ["A-0001", "A-0002", "A-0003"]
    assert (rows["A-0002"]["due_on"], rows["A-0002"]["status"]) == ("2026-06-30", "open")
    readme = (out / "README.md").read_text(encoding="utf-8")
    for name in FORUM:
        assert f"### {name}\n" in readme
    assert {k: result.rows[k] for k in FORUM} == {
        "meetings": 1, "decisions": 2, "actions": 3, "action_changes": 7, "mapping_decisions": 1}


def test_xlsx_writes_the_forum_workbook_a_sheet_per_table(story, tmp_path):
    out = _export(story, tmp_path, "xlsx").folder
    wb = load_workbook(out / "forum.xlsx", read_only=True)
    assert wb.sheetnames == list(FORUM)
    changes = list(wb["action_changes"].iter_rows(values_only=True))
    assert len(changes) == 1 + 7
    head = changes[0]
    assert [r[head.index("action_id")] for r in changes[1:]] == ["A-0001"] * 4 + ["A-0002"] * 2 + ["A-0003"]
    meetings = list(wb["meetings"].iter_rows(values_only=True))
    assert [r[meetings[0].index("meeting_id")] for r in meetings[1:]] == ["M-0001"]
    assert "pack" not in meetings[0]  # the stored file's bytes stay in the dashboard; its name and hash go out
    wb.close()


def test_the_export_defaults_to_the_latest_day_a_fact_describes(tmp_path):
    # no import, then one dated 2026-03-31, then the forum story: its last record is A-0002 done on
    # 2026-07-05, after the import's date, so the default takes it (the import's alone left it out)
    from isms.data_export import default_date
    from tests.factories import load, risk

    settings = load_settings(ROOT / "isms.toml", db_path=str(tmp_path / "d.duckdb"))
    con = connect(settings.db_path)
    assert default_date(con) == dt.date.today()
    load(con, "2026-03-31", risks=[risk("R-1")])
    assert default_date(con) == D("2026-03-31")
    forum_story(con, settings)
    assert default_date(con) == D("2026-07-05")
    con.close()
