"""Scorecard tiles: the headline figures with their change since the comparison date."""

from __future__ import annotations

import streamlit as st

from isms.posture import Scorecard


def _delta(value: float | None, fmt: str = "{:+d}") -> str | None:
    if value is None:
        return None
    return fmt.format(value)


def risk_tiles(card: Scorecard) -> None:
    cur = card.current
    cols = st.columns(len(card.levels)) + st.columns(4)
    for col, level in zip(cols, reversed(card.levels)):
        col.metric(
            f"{level} risks", cur.residual_by_level[level], _delta(card.level_delta(level)),
            delta_color="inverse", border=True, help=f"Open risks whose residual level is {level}",
        )
    i = len(card.levels)
    cols[i].metric("Residual exposure", cur.residual_exposure, _delta(card.delta("residual_exposure")),
                   delta_color="inverse", border=True, help="Sum of likelihood x impact over open, assessed risks")
    share = cur.within_appetite_share
    prev = card.previous.within_appetite_share
    cols[i + 1].metric(
        "Within appetite", f"{share:.0%}" if share is not None else "n/a",
        f"{(share - prev) * 100:+.0f} pts" if share is not None and prev is not None else None,
        border=True, help=f"Share of open, assessed risks at or below {card.appetite}",
    )
    t = cur.treatments
    cols[i + 2].metric(
        "Treatments late / overdue", f"{t.late} / {t.overdue}",
        _delta((t.late + t.overdue) - (card.previous.treatments.late + card.previous.treatments.overdue)),
        delta_color="inverse", border=True,
    )
    cols[i + 3].metric(
        "Exceptions expiring", cur.exceptions_expiring,
        _delta(cur.exceptions_expiring - card.previous.exceptions_expiring), delta_color="inverse", border=True,
        help=f"Granted policy exceptions that expire within the warning window; {cur.exceptions_expired_open} "
             "more have expired but are still open",
    )


def kri_tiles(card: Scorecard) -> None:
    cur, prev = card.current.kris, card.previous.kris
    cols = st.columns(5)
    cols[0].metric("KRIs red", cur.red, _delta(cur.red - prev.red), delta_color="inverse", border=True)
    cols[1].metric("KRIs amber", cur.amber, _delta(cur.amber - prev.amber), delta_color="inverse", border=True)
    cols[2].metric("KRIs green", cur.green, _delta(cur.green - prev.green), border=True)
    cols[3].metric("Stale (no result)", cur.stale, _delta(cur.stale - prev.stale), delta_color="inverse", border=True)
    t = card.current.treatments
    cols[4].metric("Treatments overdue", t.overdue, _delta(t.overdue - card.previous.treatments.overdue),
                   delta_color="inverse", border=True)
