"""`python -m isms pack --meeting compliance` on the sample: the deck opened with python-pptx, its
figures those of the sample's story (see tests/test_compliance_page.py)."""

import shutil

from pptx import Presentation

from isms.cli import main


def test_the_compliance_deck(sample_db_path, tmp_path, monkeypatch, capsys):
    db = tmp_path / "isms.duckdb"
    shutil.copy(sample_db_path, db)
    monkeypatch.setenv("ISMS_DB", str(db))
    out = tmp_path / "compliance.pptx"
    assert main(["pack", "--meeting", "compliance", "--as-of", "2026-09-30", "--out", str(out)]) == 0
    assert "10 sections" in capsys.readouterr().out   # its eight, between the agenda and the open actions
    prs = Presentation(str(out))
    titles = [next((s.text_frame.text for s in slide.shapes if s.name == "Title"), "") for slide in prs.slides]
    assert "Compliance by framework, 30 September 2026" in titles
    assert any(t.startswith("Overdue audit findings") for t in titles) and titles[-1] == "Appendix: method and data"
    assert titles[1].startswith("Agenda: Compliance meeting") and titles[-2] == "Open actions of the Compliance series"
    tables = [[[c.text for c in row.cells] for row in shape.table.rows]
              for slide in prs.slides for shape in slide.shapes if shape.has_table]
    frameworks = next(t for t in tables if t[0][0] == "Framework")
    assert [r[:2] for r in frameworks[1:]] == [["ISO27001-2022", "91 of 93"], ["NIST-800-53r5-MODERATE", "283 of 287"],
                                               ["SOC2", "26 of 26"]]
    overdue = next(t for t in tables if t[0][0] == "Finding")
    assert [r[0] for r in overdue[1:]] == ["F-012", "F-013"]
