"""A closed risk's unfinished treatment leaves the treatment figures; a done one stays.

Worked by hand. Batch of 2024-01-01: risks R1, R2, R3 open (R1 and R2 in A.8, R3 in A.5), each with
one treatment started 2024-01-01 and due 2024-02-01: T1 (R1) and T2 (R2) in progress, T3 (R3)
done. Batch of 2024-03-01: R2 and R3 closed, the treatments unchanged (T2 still 'In progress', as
in the register a trial found: R-073 closed, its T-038 due 2025 still in progress).

- 2024-02-29 (a month end, before the closures): T1 and T2 overdue, T3 done.
- 2024-03-31 (a month end, read from the month-end copies) and 2024-03-15 (not a month end, read
  from the intervals): T1 overdue, T3 done; T2 is no longer counted anywhere.
"""

import datetime as dt

import pytest

from isms.config import ROOT, load_settings
from isms.filters import RiskFilter
from isms.store import connect, queries
from tests.factories import load, risk, treatment

BEFORE, MONTH_END, MID_MONTH = dt.date(2024, 2, 29), dt.date(2024, 3, 31), dt.date(2024, 3, 15)


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    c = connect(tmp_path_factory.mktemp("closed") / "isms.duckdb")
    themes = {"R1": "A.8 Technological", "R2": "A.8 Technological", "R3": "A.5 Organizational"}
    plans = [treatment("T1", "R1", "2024-01-01", "2024-02-01"), treatment("T2", "R2", "2024-01-01", "2024-02-01"),
             treatment("T3", "R3", "2024-01-01", "2024-02-01", status="Done", completed="2024-01-20")]
    load(c, "2024-01-01", risks=[risk(r, annex_a_theme=t) for r, t in themes.items()], treatments=plans)
    load(c, "2024-03-01", risks=[risk(r, annex_a_theme=t, status="Closed" if r != "R1" else "Open")
                                 for r, t in themes.items()])
    yield c
    c.close()


def counts(con, dates, f=RiskFilter()):
    matrix = load_settings(ROOT / "isms.toml").matrix
    totals = queries.posture_totals(con, matrix, dates, 10.0, 30, f).set_index("as_of")
    return {d: (int(totals.loc[str(d), "overdue"]), int(totals.loc[str(d), "done"])) for d in dates}


def test_a_closed_risks_unfinished_treatment_is_no_longer_overdue(con):
    assert counts(con, [BEFORE, MID_MONTH, MONTH_END]) == {BEFORE: (2, 1), MID_MONTH: (1, 1), MONTH_END: (1, 1)}


def test_the_same_with_a_filter(con):
    # A.8 holds R1 and R2: T2 leaves with R2's closure; A.5 keeps R3's done T3
    assert counts(con, [BEFORE, MID_MONTH, MONTH_END], RiskFilter(themes=["A.8 Technological"])) == {
        BEFORE: (2, 0), MID_MONTH: (1, 0), MONTH_END: (1, 0)}
    assert counts(con, [MONTH_END], RiskFilter(themes=["A.5 Organizational"])) == {MONTH_END: (0, 1)}


def test_the_late_and_overdue_list_shows_what_the_counts_count(con):
    assert list(queries.treatments_behind(con, BEFORE, 10.0)["treatment_id"]) == ["T1", "T2"]
    for on in (MID_MONTH, MONTH_END):
        assert list(queries.treatments_behind(con, on, 10.0)["treatment_id"]) == ["T1"]


@pytest.mark.parametrize("kept", [True, False])
def test_the_monthly_trend_drops_it_from_the_closing_month_on(con, kept):
    # from the counts the read model keeps per month end, and counted from the treatments
    ends = [dt.date(2024, 1, 31), BEFORE, MONTH_END]
    trend = queries.treatment_figures(con, ends, 10.0, month_end_counts=kept).set_index("as_of")
    assert [int(trend.loc[str(d), "overdue"]) for d in ends] == [0, 2, 1]
    # weighted progress: 31 days each; T1 and T2 at 0%, T3 done at 100%: 1/3 before, 1/2 after
    assert [round(float(trend.loc[str(d), "weighted_percent_complete"]), 2) for d in (BEFORE, MONTH_END)] == [33.33, 50.0]


def test_the_list_says_which_treatments_it_leaves_out(con):
    from isms import headline

    assert queries.closed_risks_unfinished(con, BEFORE).empty
    for on in (MID_MONTH, MONTH_END):
        left = queries.closed_risks_unfinished(con, on)
        assert list(zip(left["treatment_id"], left["risk_id"])) == [("T2", "R2")]  # T3 is done: counted
    assert headline.closed_risks_unfinished(queries.closed_risks_unfinished(con, MONTH_END)) == (
        "Not counted: 1 unfinished treatment of closed risks (T2 of R2); mark each done or cancelled in the "
        "treatment register.")
    # the filter keeps R2's T2 with A.8 (R1's T1 is counted: its risk is open) and nothing with A.5
    # (R3's T3 is done)
    a8 = queries.closed_risks_unfinished(con, MONTH_END, RiskFilter(themes=["A.8 Technological"]))
    assert list(zip(a8["treatment_id"], a8["risk_id"])) == [("T2", "R2")]
    assert queries.closed_risks_unfinished(con, MONTH_END, RiskFilter(themes=["A.5 Organizational"])).empty


def test_the_sample_packs_name_the_two_closed_risks_treatments(sample_db_path):
    from isms.packs.content import build_pack

    settings = load_settings(ROOT / "isms.toml", db_path=str(sample_db_path))
    c = connect(sample_db_path, read_only=True)
    # R-094 closed in 2024 with T-048 in progress; R-073 closed on 30 September 2026 with T-038
    for meeting, on, before in (("risk-review", dt.date(2026, 9, 30), dt.date(2026, 6, 30)),
                                ("security-health", dt.date(2026, 10, 31), dt.date(2026, 9, 30))):
        pack = build_pack(c, settings, meeting, on, before, sections=["late_treatments"])
        table = next(s for s in pack.sections if s.key == "late_treatments")
        assert "Not counted: 2 unfinished treatments of closed risks (T-038 of R-073, T-048 of R-094)" in table.note
        assert not {"T-038", "T-048"} & set(table.frame["Treatment"])
    c.close()
