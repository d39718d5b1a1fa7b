"""The one KRI status rule and red streak, on the edges a meeting argues about."""

import datetime as dt
import math

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from isms.kri import HIGHER, LOWER, kri_status, red_streak, red_streaks, status_in_month, statuses_in_months

D = dt.date.fromisoformat


@pytest.mark.parametrize(("value", "expected"), [(96, "green"), (95.0001, "green"), (95, "amber"), (90.5, "amber"),
                                                 (90, "red"), (0, "red")])
def test_higher_is_better_thresholds_start_their_status(value, expected):
    assert kri_status(value, HIGHER, amber=95, red=90, target=99) == expected


@pytest.mark.parametrize(("value", "expected"), [(4, "green"), (4.999, "green"), (5, "amber"), (9.9, "amber"),
                                                 (10, "red"), (250, "red")])
def test_lower_is_better_thresholds_start_their_status(value, expected):
    assert kri_status(value, LOWER, amber=5, red=10, target=1) == expected


def test_only_a_red_threshold():
    assert kri_status(90, HIGHER, red=90) == "red"
    assert kri_status(90.1, HIGHER, red=90) == "green"
    assert kri_status(10, LOWER, red=10) == "red"


def test_target_only_separates_met_from_missed():
    assert kri_status(100, HIGHER, target=100) == "green"
    assert kri_status(99.9, HIGHER, target=100) == "amber"
    assert kri_status(0, LOWER, target=0) == "green"
    assert kri_status(1, LOWER, target=0) == "amber"


def test_a_metric_without_thresholds_is_unrated_never_green():
    assert kri_status(42, HIGHER) == "unrated"
    assert kri_status(42, LOWER, amber=None, red=float("nan"), target=None) == "unrated"


def test_missing_value_is_no_data():
    assert kri_status(None, HIGHER, 95, 90) == "no data"
    assert kri_status(math.nan, LOWER, 5, 10) == "no data"


def test_unknown_direction_is_refused():
    with pytest.raises(ValueError):
        kri_status(1, "Sideways", 5, 10)


def test_a_month_without_a_result_is_stale():
    assert status_in_month(D("2024-06-01"), D("2024-05-01"), 99, "Monthly", HIGHER, 95, 90) == "stale"
    assert status_in_month(D("2024-06-01"), None, None, "Monthly", HIGHER, 95, 90) == "stale"
    assert status_in_month(pd.Timestamp("2024-06-01"), pd.NaT, math.nan, "Monthly", HIGHER, 95, 90) == "stale"
    assert status_in_month(D("2024-06-01"), D("2024-06-01"), 99, "Monthly", HIGHER, 95, 90) == "green"


def test_a_quarterly_result_covers_three_months():
    for month, expected in [("2024-04-01", "red"), ("2024-05-01", "red"), ("2024-06-01", "red"), ("2024-07-01", "stale")]:
        assert status_in_month(D(month), D("2024-04-01"), 80, "Quarterly", HIGHER, 95, 90) == expected, month


def test_statuses_in_months_applies_the_rule_row_by_row():
    frame = pd.DataFrame({
        "month": pd.to_datetime(["2024-06-01", "2024-06-01", "2024-06-01"]),
        "period": pd.to_datetime(["2024-06-01", "2024-04-01", None]),
        "value": [10.0, 3.0, None], "cadence": ["Monthly", "Monthly", "Monthly"],
        "direction": [LOWER, LOWER, HIGHER], "amber": [5.0, 5.0, 95.0], "red": [10.0, 10.0, 90.0],
        "target": [None, None, None],
    })
    assert statuses_in_months(frame) == ["red", "stale", "stale"]


def test_red_streak_counts_reds_at_the_end():
    assert red_streak([]) == 0
    assert red_streak(["green", "red", "red", "red"]) == 3
    assert red_streak(["red", "red", "amber"]) == 0
    assert red_streak(["red", "stale", "red", "red"]) == 2  # a month without a result ends the streak


@given(st.lists(st.sampled_from(["red", "amber", "green", "stale"]), max_size=40))
def test_red_streak_is_the_length_of_the_trailing_reds(statuses):
    n = red_streak(statuses)
    assert all(s == "red" for s in statuses[len(statuses) - n:])
    assert n == len(statuses) or statuses[len(statuses) - n - 1] != "red"


@given(st.lists(st.tuples(st.sampled_from(["K-1", "K-2", "K-3"]), st.sampled_from(["red", "amber", "stale"])), max_size=60))
def test_red_streaks_of_interleaved_keys_count_each_keys_trailing_reds(rows):
    got = red_streaks(pd.Series([k for k, _ in rows], dtype="str"), pd.Series([s for _, s in rows], dtype="str"))
    expected = {}
    for key in dict.fromkeys(k for k, _ in rows):   # keys in order of first appearance
        mine = [s for k, s in rows if k == key]
        trailing = len(mine) - next((i + 1 for i in range(len(mine) - 1, -1, -1) if mine[i] != "red"), 0)
        expected[key] = trailing
    assert list(got.index) == list(expected)
    assert got.to_dict() == expected


@given(st.floats(-1e6, 1e6, allow_nan=False), st.floats(0, 100), st.floats(0, 100))
def test_higher_and_lower_mirror_each_other(value, a, b):
    amber, red = max(a, b), min(a, b)
    assert kri_status(value, HIGHER, amber, red) == kri_status(-value, LOWER, -amber, -red)


@settings(deadline=None)  # never a timed assertion: a loaded machine is slow to build a frame
@given(st.lists(st.tuples(
    st.integers(0, 5), st.booleans(),
    st.one_of(st.none(), st.floats(-5, 105, allow_nan=False), st.sampled_from([0.0, 50.0, 90.0, 95.0, 100.0])),
    st.sampled_from(["Monthly", "Quarterly"]), st.sampled_from([HIGHER, LOWER]),
    *[st.one_of(st.none(), st.sampled_from([0.0, 5.0, 10.0, 50.0, 90.0, 95.0, 100.0])) for _ in range(3)]),
    min_size=1, max_size=30))
def test_statuses_in_months_is_status_in_month_row_by_row(rows):
    """The column-wise rule against the one-row rule, on every combination of stale, missing,
    threshold, target and direction, and values equal to a threshold."""
    months = [pd.Timestamp(2024, 6 - m, 1) for m, *_ in rows]  # the result's month, 0 to 5 months back
    frame = pd.DataFrame({
        "month": pd.to_datetime([pd.Timestamp(2024, 6, 1)] * len(rows)),
        "period": pd.to_datetime([months[i] if r[1] else None for i, r in enumerate(rows)]),
        "value": [r[2] for r in rows], "cadence": [r[3] for r in rows], "direction": [r[4] for r in rows],
        "amber": [r[5] for r in rows], "red": [r[6] for r in rows], "target": [r[7] for r in rows],
    })
    expected = [status_in_month(D("2024-06-01"), months[i].date() if r[1] else None, r[2], *r[3:])
                for i, r in enumerate(rows)]
    assert statuses_in_months(frame) == expected


def test_statuses_in_months_refuses_an_unknown_direction():
    frame = pd.DataFrame({"month": pd.to_datetime(["2024-06-01"]), "period": pd.to_datetime(["2024-06-01"]),
                          "value": [1.0], "cadence": ["Monthly"], "direction": ["Sideways"],
                          "amber": [5.0], "red": [10.0], "target": [None]})
    with pytest.raises(ValueError):
        statuses_in_months(frame)


def test_statuses_in_months_on_every_threshold_combination():
    """Every direction, every value equal to, above or below every amber, red and target (or none)."""
    levels = [None, 5.0, 50.0, 90.0]
    rows = [(v, d, a, r, t) for v in [0.0, 5.0, 27.5, 50.0, 90.0, 100.0, None] for d in (HIGHER, LOWER)
            for a in levels for r in levels for t in levels]
    frame = pd.DataFrame({
        "month": pd.to_datetime(["2024-06-01"] * len(rows)), "period": pd.to_datetime(["2024-06-01"] * len(rows)),
        "value": [r[0] for r in rows], "cadence": ["Monthly"] * len(rows), "direction": [r[1] for r in rows],
        "amber": [r[2] for r in rows], "red": [r[3] for r in rows], "target": [r[4] for r in rows],
    })
    assert statuses_in_months(frame) == [kri_status(*r) for r in rows]
