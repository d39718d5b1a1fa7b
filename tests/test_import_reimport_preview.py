"""Previewing a file that was just committed shows every row unchanged (empty cells read back
from DuckDB as NA / NaN / NaT compare equal to the file's empty cells)."""

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as examples
from hypothesis import strategies as st

from isms import actions
from isms.auth import Role, User
from isms.importing.preview import _compared, _known, _norm
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
    "day": st.one_of(st.none(), st.sampled_from([dt.date(2026, 1, 31), dt.date(2026, 2, 1)]),
                     st.just(dt.datetime(2026, 1, 31, 9, 30))),
    "tags": st.one_of(st.none(), st.lists(st.sampled_from(["A.5.1", "A.8.2"]), max_size=2)),
}
# what a file's frame never holds, but an object column may: one instant in two zones (two days),
# numpy's datetime beside pandas' of the same instant, a list as DuckDB gives it (a numpy array)
_ODD = {
    "day": st.sampled_from([pd.Timestamp("2026-01-31 23:30", tz="UTC"), pd.Timestamp("2026-02-01 00:30", tz="Europe/Berlin"),
                            pd.Timestamp("2026-01-31"), np.datetime64("2026-01-31T00:00:00.000000000")]),
    "tags": st.sampled_from([np.array(["A.5.1"]), np.array([], dtype=object)]),
}


def _cells(odd: bool):
    return st.tuples(_KEYS, *(st.one_of(c, _ODD[name]) if odd and name in _ODD else c for name, c in _CELLS.items()))


def _frame(rows, typed: bool) -> pd.DataFrame:
    """The file's frame (objects) or the store's (typed columns as DuckDB gives them)."""
    df = pd.DataFrame(rows, columns=["id", *_CELLS], dtype=object)
    if typed:
        df["number"] = pd.to_numeric(df["number"], errors="coerce")
        df["day"] = pd.to_datetime(df["day"])
        df["text"] = df["text"].astype("str")
    return df


@examples(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), odd=st.booleans(), typed=st.booleans())
def test_the_column_wise_comparison_finds_what_the_row_by_row_one_found(data, odd, typed):
    typed = typed and not odd  # a typed column holds one kind of value
    df = _frame(data.draw(st.lists(_cells(odd), max_size=8)), False)
    current = _frame(data.draw(st.lists(_cells(odd), max_size=8)), typed)
    current.index = range(100, 100 - len(current), -1)  # an index of its own: the comparison goes by position
    new_keys, old_keys = df["id"].astype(str).reset_index(drop=True), current["id"].astype(str).reset_index(drop=True)
    known = _known(new_keys, old_keys)
    assert known.tolist() == new_keys.isin(set(old_keys)).tolist()
    fields = ["id", *_CELLS]
    assert _compared(df, current, new_keys, old_keys, known, fields)[:2] == \
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
    assert risks.values == {first: {"owner": ("Security Team Lead", "Someone Else")}}  # the page shows both
    assert len(risks.unchanged) == out.row_counts["risks"] - 1 and risks.new == []
    con.close()


def _both(df, current):
    new_keys, old_keys = df["id"].astype(str).reset_index(drop=True), current["id"].astype(str).reset_index(drop=True)
    known = _known(new_keys, old_keys)
    fields = list(df.columns)
    return (_compared(df, current, new_keys, old_keys, known, fields)[:2],
            _compared_row_by_row(df, current, new_keys, old_keys, known, fields))


def test_values_pandas_takes_as_one_are_compared_as_norm_reads_each():
    """One instant in two zones falls on two days; numpy's datetime is another form than pandas'
    (pandas' factorize takes each pair as one value); a column of Arrow lists cannot be factorized."""
    ids = ["R-1", "R-2"]
    days = pd.DataFrame({"id": ids, "day": [dt.date(2026, 1, 31), dt.date(2026, 2, 1)]})
    zones = pd.Series([pd.Timestamp("2026-01-31 23:30", tz="UTC"), pd.Timestamp("2026-02-01 00:30", tz="Europe/Berlin")],
                      dtype=object)
    new, old = _both(pd.DataFrame({"id": ids, "day": zones}), days)
    assert new == old == ({}, ["R-1", "R-2"])
    forms = pd.Series([pd.Timestamp("2026-01-31"), np.datetime64("2026-01-31T00:00:00.000000000")], dtype=object)
    new, old = _both(pd.DataFrame({"id": ids, "day": forms}), days.assign(day=[dt.date(2026, 1, 31)] * 2))
    assert new == old == ({"R-2": ["day"]}, ["R-1"])
    tags = pd.Series([["A.5.1"], None], dtype=pd.ArrowDtype(pa.list_(pa.string())))
    stored = pd.DataFrame({"id": ids, "tags": pd.Series([np.array(["A.5.1"]), np.array(["A.8.2"])], dtype=object)})
    new, old = _both(pd.DataFrame({"id": ids, "tags": tags}), stored)
    assert new == old == ({"R-2": ["tags"]}, ["R-1"])


def test_the_page_lists_each_change_with_the_registers_value_and_the_files(settings, tmp_path):
    """An analyst trial: a file that reused R-001 for another risk read as a routine 'R-001 changes
    title, owner'. The page's lines now give both values, written for Markdown to show as they are."""
    from isms.views.import_data import change_lines, retitled_note

    con = connect(tmp_path / "r.duckdb")
    analyst = User("ana", Role.analyst)
    first = b"Risk ID,Title,Owner,Likelihood,Impact\nR-001,Phishing of finance staff,CFO,3,4\nR-002,Lost laptop,IT,2,2\n"
    out, _ = actions.import_workbook(con, analyst, settings, first, "r.csv", as_of=dt.date(2026, 9, 30))
    assert out.status == "committed"
    second = first.replace(b"Phishing of finance staff,CFO", b"Ransomware on *all* file servers,CIO $1")
    plan = actions.plan_upload(con, settings, second, "r.csv", as_of=dt.date(2026, 10, 31))
    lines = change_lines(plan.preview.kinds["risks"])
    assert lines == ["**R\\-001** title 'Phishing of finance staff' → 'Ransomware on \\*all\\* file servers'; "
                     "owner 'CFO' → 'CIO \\$1'"]
    # and a risk given another title is called out: the mark of a file that numbers its risks afresh
    note = retitled_note(plan.preview.kinds["risks"])
    assert note.startswith("1 risk(s) the register holds get another title (R-001). If the file numbers")
    assert retitled_note(plan.preview.kinds["assessments"]) is None
    con.close()


def test_next_quarters_register_says_whose_residual_level_moves(settings, tmp_path):
    """A trial re-imported its register a quarter later with two ratings changed: the preview said
    '23 new assessments' and nothing of who escalated. By the 5x5 bands (Low to 4, Medium to 9,
    High to 16, Critical to 25): R-2 4 -> 16 is Low -> High, R-1 20 -> 9 is Critical -> Medium, R-3
    stays at 9 (Medium); the escalation is named first."""
    from isms.importing.pipeline import build_plan, commit

    con = connect(tmp_path / "r.duckdb")
    head = "Risk ID,Title,Owner,Likelihood,Impact\n"
    first = head + "R-1,Ransomware,IT,4,5\nR-2,Lost laptop,HR,2,2\nR-3,Supplier outage,Ops,3,3\n"
    plan = build_plan(first.encode(), "q1.csv", settings.matrix, as_of=dt.date(2026, 3, 31), con=con)
    assert plan.rating_moves == []  # nothing held to move from
    assert commit(con, plan, "test").status == "committed"
    later = head + "R-1,Ransomware,IT,3,3\nR-2,Lost laptop,HR,4,4\nR-3,Supplier outage,Ops,3,3\n"
    plan = build_plan(later.encode(), "q2.csv", settings.matrix, as_of=dt.date(2026, 6, 30), con=con)
    con.close()
    assert plan.rating_moves == ["R-2 Low (4) → High (16)", "R-1 Critical (20) → Medium (9)"]


def test_the_cli_says_the_level_moves_too(tmp_path, monkeypatch, capsys):
    import json

    from isms import cli

    monkeypatch.setenv("ISMS_DB", str(tmp_path / "cli.duckdb"))
    head = "Risk ID,Title,Owner,Likelihood,Impact\n"
    q1, q2 = tmp_path / "q1.csv", tmp_path / "q2.csv"
    q1.write_text(head + "R-1,Ransomware,IT,4,5\nR-2,Lost laptop,HR,2,2\n")
    q2.write_text(head + "R-1,Ransomware,IT,4,5\nR-2,Lost laptop,HR,4,4\n")
    assert cli.main(["import", str(q1), "--as-of", "2026-03-31"]) == 0
    capsys.readouterr()
    assert cli.main(["import", str(q2), "--as-of", "2026-06-30", "--dry-run"]) == 0
    assert "  residual level: R-2 Low (4) → High (16)\n" in capsys.readouterr().out
    assert cli.main(["import", str(q2), "--as-of", "2026-06-30", "--dry-run", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["rating_moves"] == ["R-2 Low (4) → High (16)"]
