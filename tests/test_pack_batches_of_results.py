"""A pack's appendix lists the imports its figures come from. KRI results count by the month they
are for, whatever the date of the file that brought them: a July pack's values came from a file of
July to December results imported as of 31 December, which the appendix left out."""

import datetime as dt

from isms import cli
from isms.store import connect
from isms.views.pack_inputs import batches_read


def test_a_later_file_of_results_for_the_month_is_among_the_batches_read(tmp_path, monkeypatch, capsys):
    db = tmp_path / "kri.duckdb"
    monkeypatch.setenv("ISMS_DB", str(db))
    register = tmp_path / "kris.csv"
    register.write_text("KRI ID,Name,Direction,Amber,Red,Unit\nK-1,Patch coverage,Higher is better,95,90,%\n")
    results = tmp_path / "results.csv"
    results.write_text("KRI ID,Period,Value\nK-1,2025-07,96\nK-1,2025-08,91\nK-1,2025-12,89\n")
    later = tmp_path / "later.csv"
    later.write_text("KRI ID,Period,Value\nK-1,2026-01,97\n")  # only months after July: not read for July
    assert cli.main(["import", str(register), "--as-of", "2025-07-01"]) == 0
    assert cli.main(["import", str(results), "--as-of", "2025-12-31", "--part"]) == 0
    assert cli.main(["import", str(later), "--as-of", "2026-01-31", "--part"]) == 0
    capsys.readouterr()
    con = connect(db)
    named = [b.file_name for b in batches_read(con, dt.date(2025, 7, 31))]
    con.close()
    assert named == ["results.csv", "kris.csv"]
