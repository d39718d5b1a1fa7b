"""Scorecard tiles: the headline figures with their change since the comparison date.

A change of zero shows no arrow and no colour, so only movement draws the eye; a rise is red only
where more is worse (levels above appetite, late work), green where more is better.
"""

from __future__ import annotations

import re

import pandas as pd
import streamlit as st

from isms.posture import Scorecard
from isms.shares import change_text, percent_text, points, points_text


def count_tile(col, label: str, now: int, before: int | None, *, worse_up: bool | None, help: str | None = None,
               shown: str | None = None) -> None:
    """`worse_up` None: a change that is neither better nor worse (more risks at or below appetite),
    shown grey, as the pack leaves it uncoloured."""
    change = None if before is None else now - before
    colour = "off" if not change or worse_up is None else ("inverse" if worse_up else "normal")
    # '1,300' as the headline and the packs write it
    col.metric(label, shown if shown is not None else f"{now:,}", change_text(change),
               delta_color=colour, delta_arrow="off" if not change else "auto", border=True, help=help,
               height="stretch")


def posture_tiles(card: Scorecard) -> None:
    """The Risk Review scorecard: the filtered register's posture (open risks per residual level,
    exposure, share within appetite, late work, expiring and expired exceptions) against the comparison date.

    Named for the posture because Security Health shows other risk tiles, the month's treatment
    effect (`ui.health.treatment_effect_tiles`), and one name for both hid which was which."""
    cur, prev = card.current, card.previous

    def was(value):  # the first review on record has no change to show, rather than '+0' on every tile
        return value if card.compared else None

    cols = st.columns(len(card.levels)) + st.columns(6)
    appetite_rank = card.levels.index(card.appetite)
    for col, level in zip(cols, reversed(card.levels)):
        above = card.levels.index(level) > appetite_rank
        count_tile(col, f"{level} risks", cur.residual_by_level[level], was(prev.residual_by_level[level]),
                   worse_up=True if above else None,
                   help=f"Open risks whose residual level is {level}" + (" (above appetite)" if above else ""))
    i = len(card.levels)
    count_tile(cols[i], "Residual exposure", cur.residual_exposure, was(prev.residual_exposure), worse_up=True,
               help="Sum of likelihood x impact over open, assessed risks")
    share, before = cur.within_appetite_share, was(prev.within_appetite_share)
    change = points(share, before)  # between the percents shown (isms.shares)
    cols[i + 1].metric(
        "Within appetite", percent_text(share), points_text(change), delta_color="normal" if change else "off",
        delta_arrow="auto" if change else "off", border=True, height="stretch",
        help=f"Share of open, assessed risks at or below {card.appetite}",
    )
    count_tile(cols[i + 2], "Treatments late", cur.treatments.late, was(prev.treatments.late), worse_up=True,
               help="Progress trails the linear plan from start to due date by more than the tolerance")
    count_tile(cols[i + 3], "Treatments overdue", cur.treatments.overdue, was(prev.treatments.overdue), worse_up=True,
               help="Past the due date and not done")
    count_tile(cols[i + 4], "Exceptions expiring", cur.exceptions_expiring, was(prev.exceptions_expiring), worse_up=True,
               help="Granted policy exceptions that expire within the warning window")
    # the pack's scorecard row of the same name: an exception past its date and still open is a
    # decision the meeting owes (renew or close), not one to find in a tile's help text
    count_tile(cols[i + 5], "Expired exceptions", cur.exceptions_expired_open, was(prev.exceptions_expired_open),
               worse_up=True, help="Granted policy exceptions past their expiry date and still open (not closed or renewed)")


def literal(text: str) -> str:
    """Text shown as typed in st.markdown: a risk title's '$', '*' or '_' is not markup."""
    return re.sub(r"([\\`*_\[\]$<>#~|])", r"\\\1", text)


# an id of the registers ('R-016', 'KRI-16', 'EX-005', 'ISO-2026-RC' is no id: it ends in letters)
_ID = re.compile(r"(?<![\w-])([A-Z][A-Z0-9]{0,9}-\d+)(?![\w-])")


def headline_markdown(sentence: str) -> str:
    """A headline sentence as bold Markdown (st.markdown with unsafe_allow_html): what was typed
    stays literal (`literal` escapes '<' and '>', so no text opens a tag), and each id is kept on
    one line: at presentation size the browser broke 'R-016' after its hyphen."""
    kept = _ID.sub(lambda m: f'<span style="white-space: nowrap">{m.group(1)}</span>', literal(sentence))
    return f"**{kept}**"


def dashed(frame: pd.DataFrame, columns=None) -> pd.DataFrame:
    """Empty cells as '–', as the deck shows them, not a grey 'None' (a new risk has no 'from' score).
    `columns`: only these (a progress bar or a number column must keep its numbers)."""
    out = frame.copy()
    for c in out.columns if columns is None else columns:
        if out[c].isna().any():
            out[c] = out[c].astype(object).where(out[c].notna(), "–").map(_shown)
    return out


def _shown(value):
    """A cell of a column that also holds '–', as text (one type per column, which Arrow needs): a
    whole float as an int, a date as its ISO day (the grid would print a timestamp's midnight)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)
