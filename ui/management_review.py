"""Render helpers of the Management review page: one per input of clause 9.3.2 and the outputs."""

from __future__ import annotations

import streamlit as st

from isms.views.management_review import ManagementReview
from ui.forum import show_earlier_actions
from ui.tables import listing, text


def show_actions(review: ManagementReview) -> None:
    show_earlier_actions(review.previous_reviews, "Management review",
                         title="a) Status of actions from previous management reviews")
    st.subheader("Every series' actions over the year")
    a = review.actions
    cols = st.columns(6)
    for col, (label, value) in zip(cols, [("Raised", a.raised), ("Closed", a.closed), ("Closed late", a.closed_late),
                                          ("Cancelled", a.cancelled), ("Open at year end", a.open_at_end),
                                          ("Overdue at year end", a.overdue_at_end)]):
        col.metric(label, value)


def show_context() -> None:
    st.header("b), c) and e) Issues, interested parties, feedback", divider="gray")
    st.info("Changes in external and internal issues, in the needs of interested parties, and the feedback "
            "received are the chair's text: enter them in the review's minutes (Forum page, Record, A meeting).")


def _tiles(pairs: list[tuple[str, int | str, str | None]]) -> None:
    cols = st.columns(len(pairs))
    for col, (label, value, delta) in zip(cols, pairs):
        col.metric(label, value, delta)


def show_performance(review: ManagementReview) -> None:
    st.header("d) Performance: KRIs at year end", divider="gray")
    now, before = review.card.current.kris, review.card.previous.kris
    _tiles([(f"KRIs {k}", getattr(now, k), f"{getattr(now, k) - getattr(before, k):+d}")
            for k in ("red", "amber", "green", "stale")])
    st.caption(f"Changes against {review.card.compare_to:%d %B %Y}. Nonconformities, findings and audit results are "
               "not read here yet.")


def show_risks(review: ManagementReview) -> None:
    st.header("f) Risk assessment results and treatment status", divider="gray")
    card = review.card
    now, before = card.current, card.previous
    _tiles([(f"{level} risks", now.residual_by_level[level],
             f"{now.residual_by_level[level] - before.residual_by_level[level]:+d}") for level in reversed(card.levels)]
           + [("Above appetite, unaddressed", now.above_appetite_unaddressed,
               f"{now.above_appetite_unaddressed - before.above_appetite_unaddressed:+d}")])
    t = now.treatments
    _tiles([("Treatments on track", t.on_track, None), ("Late", t.late, None), ("Overdue", t.overdue, None),
            ("Done", t.done, None), ("Exceptions expired, open", now.exceptions_expired_open, None)])


def show_improvement(review: ManagementReview) -> None:
    st.header("g) Opportunities for improvement: what the forum decided this year", divider="gray")
    if review.decisions_by_kind.empty:
        st.info("The forum recorded no decision this year.")
        return
    listing(review.decisions_by_kind, {"kind": text("Kind of decision", 250), "decisions": text("Decisions", 100)},
            key="mr_decisions", wrapped=False)


def show_outputs(review: ManagementReview) -> None:
    st.header("Outputs (clause 9.3.3): the review's decisions", divider="gray")
    if review.held_on is None:
        st.info(f"The management review of {review.end.year} has not been recorded yet: record it on the Forum page, "
                "then its decisions (improvements, ISMS changes, resource needs).")
        return
    st.caption(f"Held on {review.held_on:%d %B %Y}.")
    if review.outputs.empty:
        st.info("No decision recorded for this review yet.")
        return
    listing(review.outputs.assign(decided_on=review.outputs["decided_on"].astype(str)),
            {"decision_id": text("Decision", 80), "decided_on": text("On", 100), "kind": text("Kind", 150),
             "text": text("Decision", 500)}, key="mr_outputs")
