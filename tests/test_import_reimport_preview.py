"""Previewing a file that was just committed shows every row unchanged (empty cells read back
from DuckDB as NA / NaN / NaT compare equal to the file's empty cells)."""

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as examples
from hypothesis import strategies as st

from isms import actions
from isms.auth import Role, User
from isms.importing.preview import _compared, _norm
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


# The comparison as it was written first, row by row (a minute for a re-imported register of
# 100,000 assessments): the oracle for the column-wise one.
def _compared_row_by_row(df, current, new_keys, old_keys, known, fields):
    changed, same = {}, []
    if known.any():
        old = current.reset_index(drop=True).set_index(old_keys)
        mine = df.reset_index(drop=True)
        for j in known[known].index:
            k = new_keys[j]
            before = old.loc[k]
            if isinstance(before, pd.DataFrame):
                before = before.iloc[-1]
            diff = [f for f in fields if _norm(mine.at[j, f]) != _norm(before[f])]
            (changed.__setitem__(k, diff) if diff else same.append(k))
    return changed, same


_KEYS = st.sampled_from(["R-1", "R-2", "R-3", "R-4"])
_CELLS = {
    "number": st.one_of(st.none(), st.integers(1, 5), st.sampled_from([1.0, 2.5, float("nan")])),
    "text": st.one_of(st.none(), st.sampled_from(["a", "b", "", "nan"])),
    "day": st.one_of(st.none(), st.sampled_from([dt.date(2026, 1, 31), dt.date(2026, 2, 28)]),
                     st.just(dt.datetime(2026, 1, 31, 9, 30))),
    "tags": st.one_of(st.none(), st.lists(st.sampled_from(["A.5.1", "A.8.2"]), max_size=2)),
}


def _frame(rows, typed: bool) -> pd.DataFrame:
    """The file's frame (objects) or the store's (typed columns as DuckDB gives them)."""
    df = pd.DataFrame(rows, columns=["id", *_CELLS])
    if typed:
        df["number"] = pd.to_numeric(df["number"], errors="coerce")
        df["day"] = pd.to_datetime(df["day"])
        df["text"] = df["text"].astype("str")
    return df


@examples(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(file_rows=st.lists(st.tuples(_KEYS, *_CELLS.values()), max_size=8),
       stored_rows=st.lists(st.tuples(_KEYS, *_CELLS.values()), max_size=8),
       typed=st.booleans())
def test_the_column_wise_comparison_finds_what_the_row_by_row_one_found(file_rows, stored_rows, typed):
    df, current = _frame(file_rows, False), _frame(stored_rows, typed)
    new_keys, old_keys = df["id"].astype(str).reset_index(drop=True), current["id"].astype(str).reset_index(drop=True)
    known = new_keys.isin(set(old_keys))
    fields = ["id", *_CELLS]
    assert _compared(df, current, new_keys, old_keys, known, fields) == \
        _compared_row_by_row(df, current, new_keys, old_keys, known, fields)


def test_a_changed_cell_of_a_reimported_register_is_the_one_change(settings, tmp_path):
    """The register committed, then one owner changed in the file: that risk's owner is the one
    change the preview names; every other risk is unchanged."""
    con = connect(tmp_path / "r.duckdb")
    name = "shoankj_risk-register.csv"
    data = (REGISTERS / name).read_bytes()
    analyst = User("ana", Role.analyst)
    out, _ = actions.import_workbook(con, analyst, settings, data, name, as_of=dt.date(2026, 10, 31))
    assert out.status == "committed"
    lines = data.decode().splitlines()
    assert ",Security Team Lead," in lines[1]
    edited = "\n".join([lines[0], lines[1].replace(",Security Team Lead,", ",Someone Else,"), *lines[2:]]) + "\n"
    plan = actions.plan_upload(con, settings, edited.encode(), name, as_of=dt.date(2026, 11, 30))
    risks = plan.preview.kinds["risks"]
    first = plan.frames["risks"]["risk_id"].iloc[0]
    assert risks.changed == {first: ["owner"]}
    assert len(risks.unchanged) == out.row_counts["risks"] - 1 and risks.new == []
    con.close()
