"""Key risk indicator status: the one rule that turns a result into red, amber or green.

A threshold is where its status begins: with lower-is-better a value equal to the red threshold
is red; with higher-is-better a value equal to the red threshold is red too. With no amber or red
threshold, a target alone separates green (met) from amber (missed); with neither, the result
is "unrated" rather than a reassuring green.
"""

from __future__ import annotations

import math
from typing import Iterable, Literal, Optional

import pandas as pd

Status = Literal["red", "amber", "green", "unrated", "no data"]
HIGHER = "Higher is better"
LOWER = "Lower is better"


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


def window_months(cadence: str) -> int:
    """How many months one result covers: a quarterly KRI reported in any month of its quarter is current."""
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


def statuses_in_months(frame: pd.DataFrame) -> list[str]:
    """`status_in_month` over every row of a frame with month, period, value and the metric's
    cadence, direction, amber, red and target columns (one call of the one rule per row)."""
    cols = [frame[c].tolist() for c in ("month", "period", "value", "cadence", "direction", "amber", "red", "target")]
    return [status_in_month(*row) for row in zip(*cols)]
