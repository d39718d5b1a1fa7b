"""The one KRI status rule and red streak, on the edges a meeting argues about."""

import datetime as dt
import math

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from isms.kri import HIGHER, LOWER, kri_status, red_streak, status_in_month, statuses_in_months

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


@given(st.floats(-1e6, 1e6, allow_nan=False), st.floats(0, 100), st.floats(0, 100))
def test_higher_and_lower_mirror_each_other(value, a, b):
    amber, red = max(a, b), min(a, b)
    assert kri_status(value, HIGHER, amber, red) == kri_status(-value, LOWER, -amber, -red)
