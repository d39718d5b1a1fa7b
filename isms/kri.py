"""Key risk indicator status: the one rule that turns a result into red, amber or green.

A threshold is where its status begins: with lower-is-better a value equal to the red threshold
is red; with higher-is-better a value equal to the red threshold is red too. With no amber or red
threshold, a target alone separates green (met) from amber (missed); with neither, the result
is "unrated" rather than a reassuring green.
"""

from __future__ import annotations

import math
from typing import Iterable, Literal, Optional

import numpy as np
import pandas as pd

Status = Literal["red", "amber", "green", "unrated", "no data"]
HIGHER = "Higher is better"
LOWER = "Lower is better"


def format_value(v, unit: str | None) -> str:
    """A result or threshold as the page and the pack both print it: '65.7%', '24.7 hours', '12'
    (a count has no unit), '–' where there is none. One function, so a deck never says '65.7 %'
    where the meeting's screen said '65.7%'."""
    if v is None or pd.isna(v):
        return "–"
    unit = unit if isinstance(unit, str) else ""
    text = f"{v:,.3f}".rstrip("0").rstrip(".") if abs(v) < 1000 else f"{v:,.0f}"
    if unit == "%":
        return f"{text}%"
    return text if unit == "count" else f"{text} {unit}".strip()


def _missing(x: Optional[float]) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def kri_status(
    value: Optional[float],
    direction: str,
    amber: Optional[float] = None,
    red: Optional[float] = None,
    target: Optional[float] = None,
) -> Status:
    if _missing(value):
        return "no data"
    if direction not in (HIGHER, LOWER):
        raise ValueError(f"unknown direction {direction!r}")

    def reaches(threshold: float) -> bool:
        return value <= threshold if direction == HIGHER else value >= threshold

    if not _missing(red) and reaches(red):
        return "red"
    if not _missing(amber) and reaches(amber):
        return "amber"
    if not _missing(red) or not _missing(amber):
        return "green"
    if not _missing(target):
        met = value >= target if direction == HIGHER else value <= target
        return "green" if met else "amber"
    return "unrated"


def red_streak(statuses: Iterable[Status]) -> int:
    """Consecutive reds at the end of a month-ordered series (a gap month ends the streak)."""
    n = 0
    for s in reversed(list(statuses)):
        if s != "red":
            break
        n += 1
    return n


def red_streaks(keys: pd.Series, statuses: pd.Series) -> pd.Series:
    """`red_streak` of every key's statuses at once, each key's rows taken in their order, indexed
    by key in order of first appearance. A board of 500 KRIs asked it one group at a time in Python,
    which took longer than reading their results."""
    if keys.empty:
        return pd.Series([], dtype="int64", name="red_streak")
    red = (statuses == "red").to_numpy()
    groups = pd.Series(red).groupby(keys.to_numpy(), sort=False)
    position = groups.cumcount().to_numpy()           # each row's place within its key's rows
    last_break = pd.Series(np.where(red, -1, position)).groupby(keys.to_numpy(), sort=False).max()
    size = groups.size()
    return (size - 1 - last_break).rename("red_streak").astype("int64")


def window_months(cadence: str) -> int:
    """How many months one result covers: a quarterly KRI's result is current in its own month and
    the two after it (a KRI reported each September, December... is never stale on schedule; the
    board shows the month its value is for)."""
    return 3 if cadence == "Quarterly" else 1


def _month_index(d) -> int:
    return d.year * 12 + d.month - 1


def status_in_month(
    month,
    period,
    value: Optional[float],
    cadence: str,
    direction: str,
    amber: Optional[float] = None,
    red: Optional[float] = None,
    target: Optional[float] = None,
) -> str:
    """The status a meeting reports for `month`, given the latest result on or before it.

    A result older than the KRI's cadence window makes it "stale": a silent feed must never
    read as green. Otherwise the thresholds decide, through `kri_status`.
    """
    if period is None or period is pd.NaT or (isinstance(period, float) and math.isnan(period)):
        return "stale"
    if _month_index(month) - _month_index(period) >= window_months(cadence):
        return "stale"
    return kri_status(value, direction, amber, red, target)


def _month_indexes(column: pd.Series) -> np.ndarray:
    """Months since year 0 of a column of dates (NaN where there is none)."""
    d = pd.to_datetime(pd.Series(column, copy=False), errors="coerce")
    return np.where(d.isna(), np.nan, d.dt.year * 12 + d.dt.month - 1)


def _numbers(column: pd.Series) -> np.ndarray:
    return pd.to_numeric(pd.Series(column, copy=False), errors="coerce").to_numpy(dtype=float)


def statuses_in_months(frame: pd.DataFrame) -> list[str]:
    """`status_in_month` over every row of a frame with month, period, value and the metric's
    cadence, direction, amber, red and target columns.

    The same rule, column by column (a board of 500 KRIs over five years is 30,000 rows, too many
    for a Python call each): stale, then no data, then `kri_status`'s thresholds in its order.
    tests/test_kri.py holds it to `status_in_month` row by row.
    """
    if frame.empty:
        return []
    month, period = _month_indexes(frame["month"]), _month_indexes(frame["period"])
    value, amber, red, target = (_numbers(frame[c]) for c in ("value", "amber", "red", "target"))
    direction = frame["direction"].to_numpy(dtype=object)
    window = np.where(frame["cadence"].to_numpy(dtype=object) == "Quarterly", 3, 1)
    stale = np.isnan(period) | (month - period >= window)
    judged = ~stale & ~np.isnan(value)
    unknown = judged & (direction != HIGHER) & (direction != LOWER)
    if unknown.any():
        raise ValueError(f"unknown direction {direction[unknown][0]!r}")
    higher = direction == HIGHER
    with np.errstate(invalid="ignore"):
        def reaches(threshold: np.ndarray) -> np.ndarray:
            return ~np.isnan(threshold) & np.where(higher, value <= threshold, value >= threshold)

        met = np.where(higher, value >= target, value <= target)
    has_threshold = ~np.isnan(red) | ~np.isnan(amber)
    status = np.select(
        [stale, np.isnan(value), reaches(red), reaches(amber), has_threshold, ~np.isnan(target)],
        ["stale", "no data", "red", "amber", "green", np.where(met, "green", "amber")],
        default="unrated")
    return status.tolist()
