"""The read model (isms.store.read_model) against a plain as-of computation, on random histories.

Each history is a series of batches committed in any date order (back-dated files, several files on
one day), some of them undone. The expected state as of a date is worked out here in Python from
the rows the test generated, by the definition: a register is the rows of the latest active batch
that brought it dated on or before the date (the later batch on a tie); an event is the latest one
of its key on or before the date, from any active batch (the later batch where two gave the same
key and date). The store's answers come from the interval tables the commits and undos kept.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import HealthCheck, Phase, given, settings as hsettings, strategies as st

from isms.config import ROOT, load_settings
from isms.filters import RiskFilter
from isms.store import connect, queries, read_model
from isms.store.batches import undo_batch
from tests.factories import assessment, exception, load, metric, result, risk, treatment, update

BASE = dt.date(2024, 1, 1)
RISKS = ["R1", "R2", "R3"]
TREATMENTS = {"T1": "R1", "T2": "R2"}
STATUSES = ["Planned", "In progress", "Done", "Cancelled"]
THEMES = ["A.5 Organizational", "A.8 Technological"]


def day(n: int) -> dt.date:
    return BASE + dt.timedelta(days=n)


def as_date(value) -> dt.date | None:
    """A date cell of a query's frame as a date (None for NULL, which pandas shows as NaT or None)."""
    return None if value is None or value != value else value.date()


@st.composite
def batches(draw):
    """One batch: its date, and for each kind it brings, its rows (dates as day numbers)."""
    as_of = draw(st.integers(0, 60))
    out = {"as_of": as_of}
    if draw(st.booleans()):
        out["risks"] = [(r, draw(st.sampled_from(["Open", "Closed", "Accepted"])), draw(st.sampled_from(THEMES)))
                        for r in draw(st.lists(st.sampled_from(RISKS), unique=True, max_size=3))]
    if draw(st.booleans()):
        out["assessments"] = [(r, d, draw(st.integers(1, 5)), draw(st.integers(1, 5)))
                              for r, d in draw(st.lists(st.tuples(st.sampled_from(RISKS), st.integers(0, 70)),
                                                        unique=True, max_size=4))]
    if draw(st.booleans()):
        out["treatments"] = [(t, draw(st.sampled_from(STATUSES[:2])))
                             for t in draw(st.lists(st.sampled_from(list(TREATMENTS)), unique=True, max_size=2))]
    if draw(st.booleans()):
        out["treatment_updates"] = [(t, d, draw(st.integers(0, 100)), draw(st.sampled_from(STATUSES)))
                                    for t, d in draw(st.lists(st.tuples(st.sampled_from(list(TREATMENTS)),
                                                                        st.integers(0, 70)), unique=True, max_size=4))]
    if draw(st.booleans()):
        out["exceptions"] = [(e, r, draw(st.sampled_from(["Granted", "Requested", "Expired"])), draw(st.integers(0, 90)))
                             for e, r in draw(st.lists(st.tuples(st.sampled_from(["E1", "E2", "E3"]), st.sampled_from(RISKS)),
                                                       unique_by=lambda x: x[0], max_size=3))]
    if draw(st.booleans()):
        out["metrics"] = draw(st.lists(st.sampled_from(["K1", "K2"]), unique=True, max_size=2))
    if draw(st.booleans()):
        out["monitoring_results"] = [(k, m, draw(st.integers(0, 100)))
                                     for k, m in draw(st.lists(st.tuples(st.sampled_from(["K1", "K2"]),
                                                                         st.integers(0, 2)), unique=True, max_size=4))]
    return out


def commit(con, b: dict) -> int:
    rows = {}
    if "risks" in b:
        rows["risks"] = [risk(r, status=s, annex_a_theme=theme) for r, s, theme in b["risks"]]
    if "assessments" in b:
        rows["assessments"] = [assessment(r, day(d).isoformat(), residual=(lk, im)) for r, d, lk, im in b["assessments"]]
    if "treatments" in b:
        rows["treatments"] = [treatment(t, TREATMENTS[t], "2024-01-01", "2024-03-01", status=s) for t, s in b["treatments"]]
    if "treatment_updates" in b:
        rows["treatment_updates"] = [update(t, day(d).isoformat(), p, status=s) for t, d, p, s in b["treatment_updates"]]
    if "exceptions" in b:
        rows["exceptions"] = [exception(e, r, status=s, expires=day(d).isoformat()) for e, r, s, d in b["exceptions"]]
    if "metrics" in b:
        rows["metrics"] = [metric(k) for k in b["metrics"]]
    if "monitoring_results" in b:
        rows["monitoring_results"] = [result(k, f"2024-0{m + 1}-01", v) for k, m, v in b["monitoring_results"]]
    return load(con, day(b["as_of"]).isoformat(), **rows)


def expected_register(history: list[tuple[int, dict]], kind: str, on: dt.date) -> tuple[int, list] | None:
    """(batch id, rows) of the register of `kind` as of `on`, by the definition."""
    held = [(day(b["as_of"]), bid, b[kind]) for bid, b in history if kind in b and day(b["as_of"]) <= on]
    if not held:
        return None
    _, bid, rows = max(held, key=lambda h: (h[0], h[1]))
    return bid, rows


def expected_events(history: list[tuple[int, dict]], kind: str, on: dt.date, when) -> dict:
    """Per key, the latest event on or before `on` (the later batch on a tie of key and date)."""
    latest = {}
    for bid, b in history:
        for row in b.get(kind, []):
            d = when(row)
            if d <= on and (row[0] not in latest or (d, bid) > latest[row[0]][0]):
                latest[row[0]] = ((d, bid), row)
    return {k: v[1] for k, v in latest.items()}


@hsettings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow],
           phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target])  # each example builds a database: no slow shrinking
@given(st.lists(batches(), min_size=1, max_size=6), st.lists(st.integers(0, 5), max_size=2),
       st.lists(st.integers(0, 75), min_size=1, max_size=4))
def test_read_model_agrees_with_a_plain_as_of_computation(planned, undo, probe_days):
    con = connect(":memory:")
    history = []
    for b in planned:
        history.append((commit(con, b), b))
    for i in sorted(set(undo)):
        if i < len(history):
            undo_batch(con, history[i][0], "pytest")
    active = [h for i, h in enumerate(history) if i not in set(undo)]
    # the days a register or an event changes, and the day before, are where an interval can be off by one
    edges = {b["as_of"] for b in planned} | {row[1] for b in planned for kind in ("assessments", "treatment_updates")
                                             for row in b.get(kind, [])}
    # month ends read the month-end copies: before any batch, within them, and past their extent
    month_ends = {dt.date(2023, 12, 31), dt.date(2024, 1, 31), dt.date(2024, 2, 29), dt.date(2024, 3, 31),
                  dt.date(2024, 4, 30), dt.date(2024, 6, 30)}
    dates = sorted({day(n) for n in probe_days} | {day(n + k) for n in edges for k in (-1, 0)} | month_ends)
    matrix = load_settings(ROOT / "isms.toml").matrix

    for full in (False, True):  # as the commits and undos kept it, then derived again from nothing
        if full:
            con.execute("BEGIN")
            read_model.refresh(con)
            con.execute("COMMIT")
        posture = queries.posture(con, matrix, dates)
        states = queries.treatment_states(con, dates, late_tolerance_points=10.0)
        totals = queries.posture_totals(con, matrix, dates, 10.0, 30).set_index("as_of")
        for on in dates:
            got = posture[posture["as_of"].dt.date == on].set_index("risk_id")
            reg = expected_register(active, "risks", on)
            assert sorted(got.index) == sorted(r for r, _, _ in reg[1]) if reg else got.empty
            events = expected_events(active, "assessments", on, lambda row: day(row[1]))
            for r, status, _ in (reg[1] if reg else []):
                assert got.loc[r, "status"] == status
                if r in events:
                    _, d, lk, im = events[r]
                    assert as_date(got.loc[r, "assessed_on"]) == day(d)
                    assert (got.loc[r, "residual_likelihood"], got.loc[r, "residual_impact"]) == (lk, im)
                    assert got.loc[r, "residual_score"] == lk * im
                else:
                    assert as_date(got.loc[r, "assessed_on"]) is None

            got_t = states[states["as_of"].dt.date == on].set_index("treatment_id")
            treg = expected_register(active, "treatments", on)
            assert sorted(got_t.index) == sorted(t for t, _ in treg[1]) if treg else got_t.empty
            ups = expected_events(active, "treatment_updates", on, lambda row: day(row[1]))
            for t, reg_status in (treg[1] if treg else []):
                register_date = day(max((b["as_of"], bid) for bid, b in active
                                        if "treatments" in b and day(b["as_of"]) <= on)[0])
                row = got_t.loc[t]
                if t in ups:
                    _, d, pct, up_status = ups[t]
                    newer = day(d) > register_date
                    assert as_date(row["last_update_on"]) == day(d)
                    assert row["status"] == (up_status if newer else reg_status)
                    assert row["percent_complete"] == (100.0 if row["status"] == "Done" else pct)
                    assert as_date(row["completed_on"]) == (day(d) if newer and up_status == "Done" else None)
                else:
                    assert as_date(row["last_update_on"]) is None
                    assert row["status"] == reg_status
                    assert row["percent_complete"] == 0.0

            # the totals count the treatments of risks in the risk register then, cancelled ones aside,
            # and of a closed risk only the done ones (its unfinished work is no longer tracked)
            listed = {r: status for r, status, _ in reg[1]} if reg else {}
            counted = [t for t, _ in (treg[1] if treg else []) if TREATMENTS[t] in listed
                       and got_t.loc[t, "status"] != "Cancelled"
                       and (listed[TREATMENTS[t]] != "Closed" or got_t.loc[t, "status"] == "Done")]
            states_counted = totals.loc[pd.Timestamp(on), ["on_track", "late", "overdue", "done", "not_started"]].sum()
            assert states_counted == len(counted)

            results = queries.latest_results(con, on).set_index("metric_id")
            mreg = expected_register(active, "metrics", on)
            assert sorted(results.index) == sorted(mreg[1]) if mreg else results.empty
            latest = expected_events(active, "monitoring_results", on, lambda row: dt.date(2024, row[1] + 1, 1))
            for k in (mreg[1] if mreg else []):
                if k in latest:
                    assert results.loc[k, "value"] == latest[k][2]
                    assert as_date(results.loc[k, "period"]) == dt.date(2024, latest[k][1] + 1, 1)
                else:
                    assert as_date(results.loc[k, "period"]) is None
    con.close()


COUNTS_TABLES = tuple(read_model.TOTALS)


@hsettings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow],
           phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target])
@given(st.lists(batches(), min_size=1, max_size=6), st.lists(st.integers(0, 5), max_size=2),
       st.sampled_from([0.0, 10.0, 37.5]), st.sampled_from([(), (THEMES[0],), tuple(THEMES)]))
def test_the_counts_kept_per_month_end_are_what_counting_every_risk_and_treatment_gives(planned, undo, tolerance, themes):
    """The trends' month ends read counts the commits and undos kept (isms.store.read_model.TOTALS);
    counted instead from every risk and treatment on those dates (the reads' `month_end_counts=False`),
    every level count and total and every treatment figure is the same, whatever the history, the
    undos, the exceptions that address a risk, the late tolerance or the Annex A themes filtered
    (the counts are kept per theme). The kept counts are also what deriving them again from nothing gives."""
    con = connect(":memory:")
    ids = [commit(con, b) for b in planned]
    for i in sorted(set(undo)):
        if i < len(ids):
            undo_batch(con, ids[i], "pytest")
    # before any batch, the month ends of the history, and past its extent
    dates = [dt.date(2023, 12, 31), dt.date(2024, 1, 31), dt.date(2024, 2, 29), dt.date(2024, 3, 31),
             dt.date(2024, 4, 30), dt.date(2024, 5, 31), dt.date(2025, 6, 30)]
    matrix = load_settings(ROOT / "isms.toml").matrix
    kept_rows = [con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in COUNTS_TABLES]
    con.execute("BEGIN")
    con.execute(" ".join(f"DELETE FROM {t};" for t in COUNTS_TABLES))
    con.execute(read_model.totals_refresh_sql())
    con.execute("COMMIT")
    assert [con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in COUNTS_TABLES] == kept_rows

    f = RiskFilter(themes=themes)
    for copy in ("risk_month_end", "treatment_month_end"):  # the counts are read for the dates they hold
        (extent,) = con.execute("SELECT last_month_end FROM read_model_extent WHERE name = ?", [copy]).fetchone()
        assert queries._counts_kept(con, copy, dates, f) == [d for d in dates if extent and d <= extent]
    levels, totals = queries.posture_figures(con, matrix, dates, tolerance, 30, f)
    want_levels, want_totals = queries.posture_figures(con, matrix, dates, tolerance, 30, f, month_end_counts=False)
    pd.testing.assert_frame_equal(levels, want_levels)
    pd.testing.assert_frame_equal(totals, want_totals)
    pd.testing.assert_frame_equal(queries.treatment_figures(con, dates, tolerance, f),
                                  queries.treatment_figures(con, dates, tolerance, f, month_end_counts=False))
    con.close()


def test_a_month_end_read_from_the_counts_says_which_risks_above_appetite_nobody_addresses():
    """Worked by hand, on month ends the counts hold (R3's reassessment in April takes the risks'
    month-end copy to 30 April). R1 (5x5) and R2 (5x4) are above the Medium appetite, R3 (1x1)
    within. R1 has an active treatment all along. R2's exception is granted until 31 January: on
    that day it still addresses R2, on 29 February no longer. An exception file of 10 March grants
    R2 one until the year's end, which addresses it on 31 March and 30 April; once that file is
    undone, R2 is unaddressed again from March on."""
    con = connect(":memory:")
    matrix = load_settings(ROOT / "isms.toml").matrix
    load(con, "2024-01-15", risks=[risk("R1"), risk("R2"), risk("R3")],
         assessments=[assessment("R1", "2024-01-10", residual=(5, 5)), assessment("R2", "2024-01-10", residual=(5, 4)),
                      assessment("R3", "2024-01-10", residual=(1, 1)), assessment("R3", "2024-04-05", residual=(1, 2))],
         treatments=[treatment("T1", "R1", "2024-01-01", "2024-12-31")],
         exceptions=[exception("E1", "R2", expires="2024-01-31")])
    later = load(con, "2024-03-10", exceptions=[exception("E1", "R2", expires="2024-12-31")])
    ends = [dt.date(2024, 1, 31), dt.date(2024, 2, 29), dt.date(2024, 3, 31), dt.date(2024, 4, 30)]
    assert queries._counts_kept(con, "risk_month_end", ends, RiskFilter()) == ends

    def unaddressed() -> list[int]:
        totals = queries.posture_totals(con, matrix, ends, 10.0, 30)
        assert list(totals["above_appetite"]) == [2, 2, 2, 2]
        return list(totals["above_appetite_unaddressed"])

    assert unaddressed() == [0, 1, 0, 0]
    undo_batch(con, later, "pytest")
    assert unaddressed() == [0, 1, 1, 1]
    con.close()


def test_an_assessment_that_takes_the_month_ends_further_brings_the_treatment_counts_there_too():
    """T1 runs the 365 days of 2024 and reports nothing, so it is late once its plan is more than
    10 points along: 30 days in on 31 January (8.2 %) it is on track, 59 days in on 29 February
    (16.2 %) and 90 on 31 March (24.7 %) late. The first file reaches January; a file of R1's
    reassessment on 5 March alone takes the month-end copies, and the counts, to 31 March."""
    con = connect(":memory:")
    load(con, "2024-01-15", risks=[risk("R1")], assessments=[assessment("R1", "2024-01-10")],
         treatments=[treatment("T1", "R1", "2024-01-01", "2024-12-31")])
    load(con, "2024-03-05", assessments=[assessment("R1", "2024-03-05")])
    ends = [dt.date(2024, 1, 31), dt.date(2024, 2, 29), dt.date(2024, 3, 31)]
    assert queries._counts_kept(con, "treatment_month_end", ends, RiskFilter()) == ends
    trend = queries.treatment_figures(con, ends, 10.0)
    assert list(trend["late"]) == [0, 1, 1] and list(trend["on_track"]) == [1, 0, 0]
    assert list(trend["weighted_percent_planned"]) == pytest.approx([100 * 30 / 365, 100 * 59 / 365, 100 * 90 / 365])
    con.close()
