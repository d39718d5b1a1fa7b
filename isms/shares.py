"""Shares (0 to 1) as a meeting reads them: whole percents, and a change in points between two.

The change is taken between the two percents as shown, not the unrounded shares: '62% | 55% |
+6 pts' (61.6% against 55.4%, a change of 6.2 points) read as an arithmetic error in a review. Every page, pack and
CLI line that writes a share or its change writes it through here, so they agree.
"""

from __future__ import annotations

import pandas as pd


def _missing(v) -> bool:
    return v is None or bool(pd.isna(v))


def percent(share: float) -> int:
    """`share` as the whole percent `f'{share:.0%}'` writes (the same rounding)."""
    return int(f"{float(share) * 100:.0f}")


def percent_text(share, missing: str = "n/a") -> str:
    return missing if _missing(share) else f"{percent(share)}%"


def points(now, before) -> int | None:
    """The change from `before` to `now` in percentage points, between the shown percents; None
    when either is missing."""
    if _missing(now) or _missing(before):
        return None
    return percent(now) - percent(before)


NO_CHANGE = "no change"  # one form for a change of nothing, tile, table or pack ('+0' and '0 pts' read as noise)


def points_text(change: int | None) -> str | None:
    """'+6 pts', '-1 pt', 'no change'; None for no change to show."""
    if change is None:
        return None
    return f"{change:+d} pt{'' if abs(change) == 1 else 's'}" if change else NO_CHANGE


def change_text(change) -> str | None:
    """A count's change as tiles, tables and packs write it: '+3', '-1,200', 'no change'; None for
    none to show."""
    if _missing(change):
        return None
    change = int(change)
    return f"{change:+,d}" if change else NO_CHANGE
