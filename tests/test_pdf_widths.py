"""PDF tables: a column is never narrower than its widest word, so a risk id is not printed as
'R-01' over '6' (the Risk Review PDF's top risks and above-appetite pages did)."""

import re
import shutil
import subprocess

import pytest

from isms.config import load_settings
from isms.packs.build import make_pack
from isms.packs.pdf_writer import fitted_widths
from isms.store import connect
from tests.factories import D


def test_a_column_below_its_widest_word_gets_it_and_the_others_share_the_rest():
    # 400 pt over weights 8:60:20:10 would give 32, 240, 80 and 40.8: the first and last are below
    # their floors (40, 80), so they get them, and 60:20 share the 280 left: 210 and 70
    assert fitted_widths([8, 60, 20, 10], [40, 30, 30, 80], 400) == [40, 210, 70, 80]
    # every column fits: the proportions stand
    assert fitted_widths([1, 3], [10, 10], 400) == [100, 300]


def test_risk_ids_print_whole_in_the_risk_review_pdf(sample_db_path, tmp_path):
    if not shutil.which("pdftotext"):
        pytest.fail("pdftotext missing: install Debian's poppler-utils (make system-deps)")
    settings = load_settings()
    con = connect(sample_db_path, read_only=True)
    pdf = tmp_path / "rr.pdf"
    pdf.write_bytes(make_pack(con, settings, "risk-review", "pdf", D("2026-09-30"), D("2026-06-30"),
                              sections=["top_risks", "appetite"]).data)
    con.close()
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    ids = set(re.findall(r"R-\d{3}\b", text))
    assert {"R-016", "R-045", "R-009"} <= ids, sorted(ids)
    # no id cut after its first digits (a line holding 'R-01' or 'R-0' then a line starting with the rest)
    assert not re.search(r"R-\d{1,2}\s*$", text, re.MULTILINE), re.findall(r".*R-\d{1,2}\s*$", text, re.MULTILINE)[:3]


def test_letters_beyond_latin_1_print_as_themselves_in_the_pdf(tmp_path):
    """Found on a Czech register: the PDF's built-in Helvetica (Latin-1) printed 'Chybějící' as
    'Chyb■jící'. The pack embeds a Unicode TrueType family; pdftotext reads the words back whole."""
    import pandas as pd

    from isms.packs.model import Pack, TableSection
    from isms.packs.pdf_writer import write_pdf

    for tool in ("pdftotext", "pdffonts"):
        if not shutil.which(tool):
            pytest.fail(f"{tool} missing: install Debian's poppler-utils (make system-deps)")
    words = ["Chybějící bezpečnostní governance", "Neřízená reakce na incident", "Łódź — ĳ ŉ ő ű"]
    frame = pd.DataFrame({"Risk": ["R-1", "R-2", "R-3"], "Title": words, "Owner": ["Vlastník", "Žaneta", "Ørjan"]})
    pack = Pack("risk-review", "Přehled rizik", "Čtvrtletí", "Organizace s.r.o.", D("2026-09-30"), D("2026-06-30"),
                (TableSection("top_risks", "Nejvyšší rizika", frame),))
    pdf = tmp_path / "cz.pdf"
    pdf.write_bytes(write_pdf(pack))
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    flat = " ".join(text.split())
    for expected in [*words, "Vlastník", "Žaneta", "Ørjan", "Přehled rizik", "Nejvyšší rizika", "Organizace s.r.o."]:
        assert expected in flat, (expected, flat[:400])
    assert "■" not in text
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    body = [line.split() for line in fonts.splitlines()[2:] if line.strip()]
    # the columns end: emb sub uni object ID; every font embedded, none of them the base Helvetica
    assert body and all(cols[-5] == "yes" for cols in body), fonts
