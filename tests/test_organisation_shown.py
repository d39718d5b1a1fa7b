"""The shipped isms.toml names the sample's organisation. On an organisation's own data, until it
names itself, the packs, the export and the CLI call it 'Your organisation' (a new user's trial:
their own risk pack, export and sidebar said Northwind Cloud Infrastructure); the sample's data
keeps the sample's name, and a name of the organisation's own is shown as it is."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import subprocess
import sys

from isms.config import load_settings
from isms.organisation import SAMPLE_ORGANISATION, UNNAMED
from isms.packs.build import render_pack
from isms.packs.content import build_pack
from isms.store import connect
from tests.conftest import ROOT
from tests.factories import import_text

REGISTER = "Risk ID,Title,Owner,Likelihood,Impact\nR-1,Ransomware,IT,4,5\n"
DAY = dt.date(2026, 9, 30)


def _own(path):
    con = connect(path)
    import_text(con, REGISTER, "register.csv", DAY)
    return con


def test_own_data_under_the_samples_name_is_your_organisation(tmp_path):
    settings = load_settings()
    assert settings.organisation == SAMPLE_ORGANISATION  # the shipped isms.toml
    db = tmp_path / "own.duckdb"
    con = _own(db)
    pack = build_pack(con, settings, "risk-review", DAY, dt.date(2026, 6, 30))
    con.close()
    assert pack.organisation == UNNAMED and pack.footer.startswith(f"{UNNAMED} · Risk Review pack")
    pdf = render_pack(pack, "pdf").data
    assert SAMPLE_ORGANISATION.encode() not in pdf
    env = {**os.environ, "ISMS_DB": str(db)}
    out = subprocess.run([sys.executable, "-m", "isms", "scorecard", "--as-of", DAY.isoformat()], cwd=ROOT, env=env,
                         capture_output=True, text=True, check=True).stdout
    assert out.startswith(f"{UNNAMED}: risk posture as of 2026-09-30")
    subprocess.run([sys.executable, "-m", "isms", "export", "--as-of", DAY.isoformat(), "--format", "csv", "--out",
                    str(tmp_path / "export")], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    readme = (tmp_path / "export" / "README.md").read_text()
    assert readme.startswith(f"# {UNNAMED}: ISMS export as of 2026-09-30") and SAMPLE_ORGANISATION not in readme


def test_the_samples_data_keeps_its_name_and_an_own_name_stands(tmp_path, sample_db_path):
    settings = load_settings()
    con = connect(sample_db_path, read_only=True)
    assert build_pack(con, settings, "risk-review", DAY, dt.date(2026, 6, 30)).organisation == SAMPLE_ORGANISATION
    con.close()
    con = _own(tmp_path / "own.duckdb")
    named = dataclasses.replace(settings, organisation="Acme Ltd")
    assert build_pack(con, named, "risk-review", DAY, dt.date(2026, 6, 30)).organisation == "Acme Ltd"


def test_own_imports_in_the_samples_database_are_your_organisation(tmp_path, sample_db_path):
    """`make run` builds the sample into the default database; an organisation that imports its own
    register there sees its own figures, and its packs must not go out under Northwind's name."""
    import shutil

    from isms.organisation import holds_sample

    db = tmp_path / "isms.duckdb"
    shutil.copy(sample_db_path, db)
    con = connect(db)
    assert holds_sample(con)
    import_text(con, "Risk ID,Title,Owner,Likelihood,Impact\nX-1,Our own risk,IT,4,5\n", "own.csv", DAY)
    assert not holds_sample(con)
    assert build_pack(con, load_settings(), "risk-review", DAY, dt.date(2026, 6, 30)).organisation == UNNAMED
