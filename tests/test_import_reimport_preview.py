"""Previewing a file that was just committed shows every row unchanged (empty cells read back
from DuckDB as NA / NaN / NaT compare equal to the file's empty cells)."""

import datetime as dt
from pathlib import Path

import pytest

from isms import actions
from isms.auth import Role, User
from isms.store import connect

REGISTERS = Path(__file__).parent / "fixtures" / "registers"


@pytest.mark.parametrize("name", ["nikola_risk_register.xlsx", "michelledelara_risk-register.csv"])
def test_reimport_previews_as_unchanged(name, settings, tmp_path):
    con = connect(tmp_path / "r.duckdb")
    data = (REGISTERS / name).read_bytes()
    as_of = dt.date(2026, 10, 31)
    out, _ = actions.import_workbook(con, User("ana", Role.analyst), settings, data, name, as_of=as_of)
    assert out.status == "committed"
    plan = actions.plan_upload(con, settings, data, name, as_of=as_of)
    for kind, kp in plan.preview.kinds.items():
        assert kp.changed == {} and kp.new == [] and kp.no_longer_listed == [], kind
        assert len(kp.unchanged) == out.row_counts[kind]
    con.close()
