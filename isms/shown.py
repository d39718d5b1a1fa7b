"""How a treatment's figures read in a table cell, on the page and in the pack alike: '45%' and
'12' days overdue, '–' for none (a column of '0' read as a figure where there was none)."""

from __future__ import annotations

import pandas as pd


def percent_complete(v) -> str:
    """A percent complete (0-100) as '45%'; '–' when there is none (a risk with no treatment)."""
    return "–" if v is None or pd.isna(v) else f"{float(v):.0f}%"


def days_overdue(d, unit: str = "") -> str:
    """Days past a due date as '12' (or '12 days' with `unit`); '–' when none are."""
    return "–" if d is None or pd.isna(d) or d <= 0 else f"{int(d)}{unit}"
