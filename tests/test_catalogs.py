"""The shipped catalogs hold what SOURCES.md says the public files hold, and `catalogs --json` lists them.

The expected counts are transcribed from /work/shared/catalogs/SOURCES.md ("Verified counts"), line
by line below; where that file is present, each transcribed line is checked to be in it, so a
changed SOURCES.md fails here rather than going unnoticed. The build script is not run to get them.
"""

import json
import re
from pathlib import Path

import pytest

from isms.catalogs import shipped
from isms.cli import main
from isms.models import COMPLIANCE_KINDS

SOURCES = Path("/work/shared/catalogs/SOURCES.md")
CATALOGS = Path(__file__).resolve().parents[1] / "data" / "catalogs"

# (line of SOURCES.md, what it says) -> the counts used below
STATED = {
    "- active: 298 controls and 709 enhancements, 1,007 in all": 298 + 709,
    "| LOW | 149 | 131 | 18 |": 149,
    "| MODERATE | 287 | 177 | 110 |": 287,
    "| HIGH | 370 | 188 | 182 |": 370,
    "| PRIVACY | 96 | 75 | 21 |": 96,
    "- categories (class `category`): 34, of which 22 are active and 12 withdrawn": 22,
    "- subcategories (class `subcategory`): 185, of which 106 are active and 79 withdrawn. Withdrawn": 106,
}
FEDRAMP_ROWS = {"LOW": 156, "MODERATE": 323, "HIGH": 410, "LI-SaaS": 156}  # the with-ids column of its table
CSF_PER_FUNCTION = {"GV": (6, 31), "ID": (3, 21), "PR": (5, 22), "DE": (2, 11), "RS": (4, 13), "RC": (2, 8)}

EXPECTED = {
    "NIST-800-53r5": 1007,
    "NIST-800-53r5-LOW": 149, "NIST-800-53r5-MODERATE": 287, "NIST-800-53r5-HIGH": 370, "NIST-800-53r5-PRIVACY": 96,
    **{f"FedRAMP-r5-{b}": n for b, n in FEDRAMP_ROWS.items()},
    "NIST-CSF-2.0": 22 + 106,
    "ISO27001-2022": 37 + 8 + 14 + 34,  # the issue: 93 controls in four themes
}


def test_transcribed_counts_are_those_of_sources_md():
    if not SOURCES.exists():
        pytest.skip("SOURCES.md is not on this machine; the transcription above stands alone")
    text = SOURCES.read_text()
    for line in STATED:
        assert line in text, line
    for base, n in FEDRAMP_ROWS.items():
        assert re.search(rf"`FedRAMP_rev5_{base}-baseline_profile.json` \| [^|]+\| [^|]+\| {n} \|", text), base
    for fn, (cats, subs) in CSF_PER_FUNCTION.items():
        assert f"  - {fn}: {cats} / {subs}" in text, fn


def test_shipped_counts_are_the_stated_ones():
    found = {f["framework"]: f["requirements"] for f in shipped.frameworks()}
    assert found == EXPECTED
    assert list(STATED.values())[0] == EXPECTED["NIST-800-53r5"]


def test_csf_functions_and_annex_a_themes():
    rows = shipped.requirements()
    csf = rows[rows.framework == "NIST-CSF-2.0"]
    for fn, (cats, subs) in CSF_PER_FUNCTION.items():
        mine = csf[csf.family == fn]
        assert (mine.parent.isna().sum(), mine.parent.notna().sum()) == (cats, subs), fn
    iso = rows[rows.framework == "ISO27001-2022"]
    assert iso.groupby("family").size().to_dict() == {"A.5 Organizational": 37, "A.6 People": 8,
                                                      "A.7 Physical": 14, "A.8 Technological": 34}
    assert iso[iso.ref == "A.8.8"].title.item() == "Management of technical vulnerabilities"


def test_800_53_shape_enhancements_under_their_control_and_no_withdrawn():
    rows = shipped.requirements()
    nist = rows[rows.framework == "NIST-800-53r5"].set_index("ref")
    assert nist.loc["AC-2(1)", "parent"] == "AC-2" and nist.loc["AC-2", "family"] == "AC"
    assert nist.parent.notna().sum() == 709 and nist.parent.isna().sum() == 298
    assert "AC-2(10)" not in nist.index  # withdrawn in 5.0.1 (incorporated into AC-2(k))
    moderate = set(rows[rows.framework == "NIST-800-53r5-MODERATE"].ref)
    high = set(rows[rows.framework == "NIST-800-53r5-HIGH"].ref)
    assert moderate < high and moderate <= set(nist.index)
    assert "statement" not in shipped.texts("NIST-800-53r5")["AC-2"]  # text, not the OSCAL structure
    assert shipped.texts("NIST-800-53r5")["AC-2"].startswith("a. Define and document the types of accounts")


def test_build_script_reproduces_the_committed_files(tmp_path):
    from isms.catalogs.build import SOURCE, build

    if not (SOURCE / "NIST_SP-800-53_rev5_catalog.json").exists():
        pytest.skip("the OSCAL sources are not on this machine")
    for path in build(SOURCE, tmp_path):
        assert path.read_bytes() == (CATALOGS / path.name).read_bytes(), path.name
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in CATALOGS.glob("*.json"))


def test_catalogs_json_lists_shipped_and_user_imported(tmp_path, monkeypatch, capsys):
    from isms.store import connect
    from tests.factories import load

    db = tmp_path / "c.duckdb"
    con = connect(db)
    load(con, "2026-06-30",
         frameworks=[dict(framework="SOC2-TSC", name="SOC 2 (our copy)", version="2017r2022", licence="user-imported")],
         requirements=[dict(framework="SOC2-TSC", ref=r, title=f"Criterion {r}", parent=None, family="CC", text=None)
                       for r in ("CC1.1", "CC1.2", "CC6.1")])
    con.close()
    monkeypatch.setenv("ISMS_DB", str(db))
    assert main(["catalogs", "--json"]) == 0
    out = {f["framework"]: f for f in json.loads(capsys.readouterr().out)["frameworks"]}
    assert {k: v["requirements"] for k, v in out.items() if v["licence"] == "shipped"} == EXPECTED
    assert out["SOC2-TSC"] == {"framework": "SOC2-TSC", "name": "SOC 2 (our copy)", "version": "2017r2022",
                               "licence": "user-imported", "requirements": 3}
    assert main(["catalogs", "--json", "--as-of", "2026-06-29"]) == 0  # before the import: not there yet
    assert "SOC2-TSC" not in capsys.readouterr().out


def test_every_compliance_kind_has_a_table():
    from isms.store.migrations import TABLES

    assert set(COMPLIANCE_KINDS) <= set(TABLES)
