"""`python -m isms pack --meeting management-review` on the sample: the deck opened with python-pptx
and the PDF read back with pdftotext. Findings and audits by hand from the sample's compliance
workbook as of 2025-12-31 (as in tests/test_management_review_page.py); the year's actions by a
query of their own over the raw action history; the posture against the CLI scorecard."""

import shutil
import subprocess

import pytest
from pptx import Presentation

from isms.cli import main
from isms.store import connect
from tests.test_pages import cli_scorecard
from tests.factories import signed


def _titles(prs) -> list[str]:
    return [next((s.text_frame.text for s in slide.shapes if s.name == "Title"), "") for slide in prs.slides]


def _table(prs, first_header: str) -> list[list[str]]:
    for slide in prs.slides:
        for shape in slide.shapes:
            if shape.has_table and shape.table.cell(0, 0).text == first_header:
                return [[c.text for c in row.cells] for row in shape.table.rows]
    raise AssertionError(f"no table headed {first_header!r}")


def _scorecard(prs, title: str) -> dict[str, list[str]]:
    slide = next(s for s in prs.slides if any(sh.name == "Title" and sh.text_frame.text == title for sh in s.shapes))
    shape = next(sh for sh in slide.shapes if sh.has_table)
    return {row.cells[0].text: [c.text for c in row.cells][1:] for row in list(shape.table.rows)[1:]}


@pytest.fixture(scope="module")
def db(sample_db_path, tmp_path_factory):
    path = tmp_path_factory.mktemp("mr") / "isms.duckdb"
    shutil.copy(sample_db_path, path)
    return path


def _count(db, sql: str) -> int:
    con = connect(db, read_only=True)
    try:
        return con.execute(sql).fetchone()[0]
    finally:
        con.close()


def test_the_management_review_deck(db, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("ISMS_DB", str(db))
    out = tmp_path / "mr.pptx"
    assert main(["pack", "--meeting", "management-review", "--as-of", "2025-12-31", "--out", str(out),
                 "--user", "chair"]) == 0
    assert "11 sections" in capsys.readouterr().out
    prs = Presentation(str(out))
    titles = _titles(prs)
    text = " ".join(sh.text_frame.text for sh in list(prs.slides)[0].shapes if sh.has_text_frame)
    assert "Management review pack" in text and "2025 · compared with 2024" in text
    assert titles[1].startswith("Agenda: Management review meeting, 30 January 2026")
    for t in ("Risk posture at year end, 2025 against 2024", "KRI health over the year, 2025 against 2024",
              "The forum's actions, 2025 against 2024", "Nonconformities and findings, 2025", "Audit results, 2025",
              "What the forum decided in 2025, by kind", "Outputs (clause 9.3.3): the review's decisions",
              "Open actions of the Management review series"):
        assert t in titles, t
    assert titles[-1] == "Appendix: method and data"
    assert titles.index("Open actions of the Management review series") == len(titles) - 2

    # posture: year end against year end, the CLI scorecard's figures
    card = cli_scorecard("2025-12-31", "2024-12-31", db)
    posture = _scorecard(prs, "Risk posture at year end, 2025 against 2024")
    for level, n in card["current"]["residual_by_level"].items():
        before = card["previous"]["residual_by_level"][level]
        assert posture[f"{level} risks"][:2] == [str(n), str(before)]
    assert posture["Above appetite (Medium)"][:2] == [str(card["current"]["above_appetite"]),
                                                      str(card["previous"]["above_appetite"])]
    # every tile of the page is on the slides too: treatments done, and each KRI status at year end
    done = card["current"]["treatments"]["done"], card["previous"]["treatments"]["done"]
    assert posture["Treatments done"][:2] == [str(done[0]), str(done[1])]
    kris = _scorecard(prs, "KRI health over the year, 2025 against 2024")
    for status in ("red", "amber", "green", "stale"):
        assert kris[f"KRIs {status} at year end"][:2] == [str(card["current"]["kris"][status]),
                                                          str(card["previous"]["kris"][status])], status
    # actions: opened in each year, by a query of the raw history
    raised = {y: _count(db, f"SELECT count(*) FROM action_change WHERE change_no = 1 AND year(recorded_on) = {y}")
              for y in (2024, 2025)}
    actions = _scorecard(prs, "The forum's actions, 2025 against 2024")
    assert actions["Actions opened"] == [str(raised[2025]), str(raised[2024]), signed(raised[2025] - raised[2024])]
    # d): findings by grade and the audits of 2025, by hand
    assert _table(prs, "Grade")[1:] == [["Major nonconformity", "1", "1", "0", "0"],
                                        ["Minor nonconformity", "2", "2", "2", "1"], ["Observation", "2", "2", "1", "0"],
                                        ["Opportunity for improvement", "1", "1", "0", "0"]]
    audits = _table(prs, "Audit")
    assert [(r[0], r[5], *r[6:]) for r in audits[1:]] == [
        ("SOC2-2025", "Qualified (CC6.3)", "1", "0", "1", "0"), ("INT-2025", "Improvement needed", "0", "1", "0", "1"),
        ("ISO-2025-SV2", "Certification maintained", "0", "1", "1", "0")]
    assert [r[0] for r in _table(prs, "Finding")[1:]] == [f"F-{n:03d}" for n in range(4, 13)]
    # 9.3.3: the review of 2025's two decisions
    outputs = _table(prs, "Decision")
    review = _count(db, """SELECT count(*) FROM forum_decision d JOIN forum_meeting m USING (meeting_id)
                           WHERE m.series = 'management-review' AND m.period_end = '2025-12-31'""")
    assert len(outputs) - 1 == review == 2
    events = _count(db, "SELECT count(*) FROM audit_event WHERE action = 'pack-generated' AND who = 'chair' "
                        "AND detail LIKE '%management-review%'")
    assert events == 1


def test_the_management_review_pdf(db, tmp_path, monkeypatch):
    if not shutil.which("pdftotext"):
        pytest.fail("pdftotext missing: install Debian's poppler-utils (make system-deps)")
    monkeypatch.setenv("ISMS_DB", str(db))
    out = tmp_path / "mr.pdf"
    assert main(["pack", "--meeting", "management-review", "--as-of", "2025-06-30", "--out", str(out)]) == 0
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True).stdout
    order = ["Agenda: Management review meeting, 30 January 2026", "Risk posture at year end, 2025 against 2024",
             "KRI health over the year", "The forum's actions, 2025 against 2024", "Nonconformities and findings, 2025",
             "Audit results, 2025", "Outputs (clause 9.3.3)", "Open actions of the Management review series",
             "Appendix: method and data"]
    at = [text.index(t) for t in order]
    assert at == sorted(at)
    assert "Qualified (CC6.3)" in text and "Share of KRI-months green" in text


def test_the_cli_defaults_to_the_latest_closed_year_and_refuses_an_open_one(db, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("ISMS_DB", str(db))
    out = tmp_path / "latest.pptx"
    assert main(["pack", "--meeting", "management-review", "--out", str(out)]) == 0
    assert "Management review meeting, 30 January 2026" in " ".join(_titles(Presentation(str(out))))
    assert main(["pack", "--meeting", "management-review", "--as-of", "2026-12-31", "--out",
                 str(tmp_path / "x.pptx")]) == 2
    assert "has not reached the end of 2026" in capsys.readouterr().err
