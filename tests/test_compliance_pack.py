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


def test_the_deck_opens_on_the_pages_headline(sample_db_path, tmp_path, monkeypatch):
    """The frameworks slide carries the page's one paragraph above its table, and so does the PDF."""
    import subprocess

    db = tmp_path / "isms.duckdb"
    shutil.copy(sample_db_path, db)
    monkeypatch.setenv("ISMS_DB", str(db))
    deck, pdf = tmp_path / "c.pptx", tmp_path / "c.pdf"
    for out in (deck, pdf):
        assert main(["pack", "--meeting", "compliance", "--as-of", "2026-09-30", "--out", str(out)]) == 0
    slide = next(s for s in Presentation(str(deck)).slides
                 if any(x.name == "Title" and x.text_frame.text.startswith("Compliance by framework") for x in s.shapes))
    texts = [x.text_frame.text for x in slide.shapes if x.has_text_frame]
    said = [t for t in texts if t.startswith("Since 30 June 2026 effective requirements fell from 66 to 65")]
    assert len(said) == 1 and "Next on the calendar: ISO recertification (ISO-2026-RC) starts 9 November 2026." in said[0]
    table = next(x for x in slide.shapes if x.has_table)
    box = next(x for x in slide.shapes if x.has_text_frame and x.text_frame.text == said[0])
    assert table.top >= box.top + box.height * 0.9  # the table starts below the paragraph, not over it
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Since 30 June 2026 effective requirements fell from 66 to 65" in " ".join(text.split())
