"""The first quarter on record, from the CLI and in a pack built without a comparison date: the
page shows no change (there is nothing earlier), while the pack and `isms scorecard` compared it
with the quarter before, when there was no register, and read '+105 worse' and 'Was: new' on
every risk."""

import json

from pptx import Presentation

from isms import cli

HEAD = "Risk ID,Title,Owner,Likelihood,Impact\n"


def _two_quarters(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("ISMS_DB", str(tmp_path / "first.duckdb"))
    q2, q3 = tmp_path / "q2.csv", tmp_path / "q3.csv"
    q2.write_text(HEAD + "R-1,Ransomware,IT,4,5\nR-2,Lost laptop,HR,2,2\n")  # residual exposure 20 + 4 = 24
    q3.write_text(HEAD + "R-1,Ransomware,IT,4,5\nR-2,Lost laptop,HR,4,4\n")  # 20 + 16 = 36
    assert cli.main(["import", str(q2), "--as-of", "2026-06-30"]) == 0
    assert cli.main(["import", str(q3), "--as-of", "2026-09-30"]) == 0
    capsys.readouterr()


def test_the_scorecard_of_the_first_quarter_has_nothing_to_compare_with(tmp_path, monkeypatch, capsys):
    _two_quarters(tmp_path, monkeypatch, capsys)
    assert cli.main(["scorecard", "--as-of", "2026-06-30", "--json"]) == 0
    card = json.loads(capsys.readouterr().out)
    assert (card["as_of"], card["compare_to"]) == ("2026-06-30", "2026-06-30")
    assert cli.main(["scorecard", "--as-of", "2026-06-30"]) == 0
    out = capsys.readouterr().out
    assert "(first review on record)" in out and "residual exposure 24  within" in out and "+" not in out
    # the next quarter is compared with the first, as the page's default
    assert cli.main(["scorecard", "--as-of", "2026-09-30"]) == 0
    out = capsys.readouterr().out
    assert "(compared with 2026-06-30)" in out and "residual exposure 36 (+12)" in out


def test_a_pack_of_the_first_quarter_shows_no_change(tmp_path, monkeypatch, capsys):
    _two_quarters(tmp_path, monkeypatch, capsys)
    out = tmp_path / "q2.pptx"
    assert cli.main(["pack", "--meeting", "risk-review", "--as-of", "2026-06-30", "--out", str(out)]) == 0
    text = "\n".join(shape.text_frame.text for slide in Presentation(out).slides for shape in slide.shapes
                     if shape.has_text_frame)
    assert "first review on record" in text.lower()
    assert "compared with 31 March 2026" not in text and "worse" not in text
