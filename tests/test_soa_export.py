"""`python -m isms soa` writes the SoA in the auditors' layout; read back with openpyxl and compared
with the database's rows (the SoA lines, the control register, the risk register), which the test
reads itself."""

import pytest
from openpyxl import load_workbook

from isms.cli import main
from isms.store import compliance, connect, queries
from tests.factories import D, control, load, risk, soa

ISO = "ISO27001-2022"


@pytest.fixture
def db_path(tmp_path, monkeypatch):
    path = tmp_path / "s.duckdb"
    con = connect(path)
    load(con, "2026-06-30", risks=[risk("R-1", annex_a_controls=["A.8.8"]), risk("R-2", annex_a_controls=["A.5.15", "A.8.8"])])
    load(con, "2026-09-30",
         soa=[soa(ISO, "A.5.15", reason="Risk R-2; contract", version="4.1", approved_on=D("2026-09-01"),
                  approved_by="CISO"),
              soa(ISO, "A.8.8", status="Partially implemented", version="4.1", approved_on=D("2026-09-01"), approved_by="CISO"),
              soa(ISO, "A.7.4", applicable=False, status=None, justification="Fully remote", version="4.1",
                  approved_on=D("2026-09-01"), approved_by="CISO")],
         controls=[control("C-1", f"{ISO}:A.5.15"), control("C-2", f"{ISO}:A.8.8", f"{ISO}:A.5.15"),
                   control("C-3", f"{ISO}:A.8.8", status="Retired")])
    con.close()
    monkeypatch.setenv("ISMS_DB", str(path))
    return path


def test_the_exported_soa_reads_back_as_the_database_holds_it(db_path, tmp_path):
    out = tmp_path / "soa.xlsx"
    assert main(["soa", "--framework", ISO, "--as-of", "2026-09-30", "--out", str(out)]) == 0
    ws = load_workbook(out).active
    cells = [list(r) for r in ws.iter_rows(values_only=True)]
    assert cells[0][0] == "Statement of Applicability: ISO/IEC 27001:2022 Annex A"
    assert cells[1][0] == "SoA version 4.1, approved 2026-09-01 by CISO" and cells[2][0] == "As of 2026-09-30"
    header = cells[5]
    assert header == ["Ref", "Title", "Theme / family", "Applicable", "Reason for inclusion / justification for exclusion",
                      "Implementation status", "Controls", "Risks"]
    rows = {r[0]: dict(zip(header, r)) for r in cells[6:]}
    assert len(rows) == 93 and list(rows)[:3] == ["A.5.1", "A.5.2", "A.5.3"] and list(rows)[-1] == "A.8.34"

    # the database, read here: SoA lines, controls citing each ref (not retired), risks naming it
    con = connect(db_path, read_only=True)
    lines = compliance.frame(con, "soa", D("2026-09-30")).set_index("ref")
    ctl = compliance.frame(con, "controls", D("2026-09-30"))
    risks = queries.register(con, "risks", D("2026-09-30"))
    con.close()
    for ref, line in lines.iterrows():
        got = rows[ref]
        assert got["Applicable"] == ("Yes" if line.applicable else "No")
        assert got["Reason for inclusion / justification for exclusion"] == (line.reason if line.applicable else line.justification)
        assert (got["Implementation status"] or None) == (line.implementation_status or None
                                                          if isinstance(line.implementation_status, str) else None)
        citing = sorted(c.control_id for c in ctl.itertuples() if f"{ISO}:{ref}" in list(c.requirements)
                        and c.status != "Retired")
        assert (got["Controls"] or "") == ", ".join(citing)
        naming = sorted(r.risk_id for r in risks.itertuples() if ref in list(r.annex_a_controls))
        assert (got["Risks"] or "") == ", ".join(naming)
    # by hand, the same: A.8.8 is C-2's (C-3 is retired), and R-1's and R-2's
    assert (rows["A.8.8"]["Controls"], rows["A.8.8"]["Risks"]) == ("C-2", "R-1, R-2")
    assert rows["A.5.1"]["Applicable"] == "Not in the SoA" and rows["A.5.1"]["Controls"] is None


def test_an_unknown_framework_is_refused(db_path, tmp_path, capsys):
    assert main(["soa", "--framework", "PCI-DSS-4", "--as-of", "2026-09-30", "--out", str(tmp_path / "x.xlsx")]) == 1
    assert "no framework 'PCI-DSS-4'" in capsys.readouterr().err
