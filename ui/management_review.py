"""Render helpers of the Management review page: one per input of clause 9.3.2 and the outputs."""

from __future__ import annotations

import streamlit as st

from isms import forum
from isms.dates import long_date
from isms.shares import change_text, percent_text, points, points_text
from isms.views.management_review import ManagementReview
from ui.forum import show_earlier_actions
from ui.presentation import meeting_list
from ui.tables import readable, text


def show_actions(review: ManagementReview, *, present: bool = False) -> None:
    show_earlier_actions(review.previous_reviews, "Management review", present=present,
                         title="a) Status of actions from previous management reviews")
    st.subheader("Every series' actions over the year")
    a, b = review.actions, review.actions_before
    _tiles([(label, getattr(a, f), getattr(a, f) - getattr(b, f), colour) for label, f, colour in [
        ("Raised", "raised", "off"), ("Closed", "closed", "normal"), ("Closed late", "closed_late", "inverse"),
        ("Cancelled", "cancelled", "off"), ("Open at year end", "open_at_end", "off"),
        ("Overdue at year end", "overdue_at_end", "inverse")]])
    st.caption(f"Changes against {review.start.year - 1}.")


def show_context() -> None:
    st.header("b), c) and e) Issues, interested parties, feedback", divider="gray")
    st.info("Changes in external and internal issues, in the needs of interested parties, and the feedback "
            "received are the chair's text: enter them in the review's minutes (on the Forum page, under Record, the tab 'A meeting').")


def _tiles(pairs: list[tuple], *, in_points: bool = False) -> None:
    """Metric tiles: (label, value, change (None: none to show)[, its colour: 'normal', 'inverse'
    when up is worse, 'off'[, a change of shares]]); a change of shares is in points ('+6 pts',
    isms.shares), for every tile with `in_points`."""
    cols = st.columns(len(pairs))
    for col, (label, value, change, *rest) in zip(cols, pairs):
        colour = rest[0] if rest else "normal"
        points_ = rest[1] if len(rest) > 1 else in_points
        text = None if change is None else points_text(change) if points_ else change_text(change)
        # no change has no arrow and no colour, as on the Risk Review's tiles
        # bordered, as every other page's tiles are (these alone stood bare)
        col.metric(label, value, text, delta_color=colour if change else "off" if change == 0 else "normal",
                   delta_arrow="auto" if change else "off", border=True, height="stretch")


def show_performance(review: ManagementReview, *, present: bool = False) -> None:
    st.header("d) Performance: KRIs, nonconformities and findings, audit results", divider="gray")
    now, before = review.card.current.kris, review.card.previous.kris
    _tiles([(f"KRIs {k}", getattr(now, k), getattr(now, k) - getattr(before, k), "off" if k == "stale" else
             ("normal" if k == "green" else "inverse")) for k in ("red", "amber", "green", "stale")])
    st.caption(f"At year end; changes against {long_date(review.card.compare_to)}.")
    health = review.kri_health.set_index("year")
    this, last = health.loc[review.end.year], health.loc[review.end.year - 1]
    _tiles([(f"KRI-months {k}", percent_text(this[k], "–"), points(this[k], last[k]), "normal" if k == "green" else "inverse")
            for k in ("green", "amber", "red")] + [("KRI-months", int(this["kri_months"]), None)], in_points=True)
    st.caption("KRI health over the year: the share of KRI-months by status (each KRI, each month from its first "
               f"result), changes against {review.end.year - 1}.")
    st.subheader("Nonconformities and findings")
    meeting_list(review.findings, {"grade": text("Grade", 220), "raised": text("Raised", 90), "closed": text("Closed", 90),
                                   "open_at_end": text("Open at year end", 140),
                                   "overdue_at_end": text("Overdue at year end", 150)}, key="mr_findings", what="grades",
                 present=present, wrapped=False)
    st.caption(f"Raised and closed count what happened in {review.end.year}, whenever a finding was raised (one "
               f"raised in {review.end.year - 1} and closed this year is closed here); open and overdue are the "
               "register at year end.")
    if not review.findings_list.empty:
        meeting_list(readable(review.findings_list.assign(status=[s + (", overdue" if o else "") for s, o in zip(
                         review.findings_list["status"], review.findings_list["overdue"])])),
                     {"finding_id": text("Finding", 65), "grade": text("Grade", 125), "title": text("Title", 200),
                      "owner": text("Owner", 105), "raised_on": text("Raised", 85), "due_on": text("Due", 85),
                      "status": text("Status", 110), "closed_on": text("Closed", 85)}, key="mr_findings_list",
                     what="findings", present=present, room=("finding_id", "grade", "title", "due_on", "status"))
    st.subheader("Audit results")
    if review.audits.empty:
        st.info(f"No audit ended in {review.end.year}.")
        return
    meeting_list(readable(review.audits),
                 {"audit_id": text("Audit", 96), "audit_type": text("Type", 100), "framework": text("Framework", 114),
                  "ends_on": text("Ended", 90), "auditor": text("Auditor", 115), "opinion": text("Opinion", 125),
                  "major": text("Major NC", 76), "minor": text("Minor NC", 76), "observation": text("Obs.", 50),
                  "ofi": text("OFI", 45)}, key="mr_audits", what="audits", present=present,
                 room=("audit_id", "audit_type", "opinion", "major", "minor", "observation", "ofi"))
    st.caption("The audits whose fieldwork ended in the year, with the findings each raised by grade "
               "(NC: nonconformity; Obs.: observation; OFI: opportunity for improvement).")


def show_risks(review: ManagementReview) -> None:
    st.header("f) Risk assessment results and treatment status", divider="gray")
    if review.no_risk_register:  # the sentence, not a row of zeros that reads as no risk at all
        st.info(review.no_risk_register)
        return
    card = review.card
    now, before = card.current, card.previous
    # the year before held no register: its 'changes' would be the whole of this year's figures
    unchanged = review.no_register_before is not None

    def change(a, b):
        return None if unchanged else a - b

    above = card.levels.index(card.appetite)
    # more risks above appetite is worse (red), as on the Risk Review's tiles; more within it, better
    _tiles([(f"{level} risks", now.residual_by_level[level],
             change(now.residual_by_level[level], before.residual_by_level[level]),
             # more risks at or below appetite is neither better nor worse (the pack leaves it uncoloured)
             "inverse" if card.levels.index(level) > above else "off") for level in reversed(card.levels)]
           + [(f"Above appetite ({card.appetite})", now.above_appetite, change(now.above_appetite, before.above_appetite),
               "inverse"),
              ("Above appetite, unaddressed", now.above_appetite_unaddressed,
               change(now.above_appetite_unaddressed, before.above_appetite_unaddressed), "inverse")])
    # the pack's other rows (isms.packs.content.posture_rows), each with its change over the year
    t, b = now.treatments, before.treatments
    _tiles([("Residual exposure", f"{now.residual_exposure:,}", change(now.residual_exposure, before.residual_exposure),
             "inverse"),
            (f"Within appetite ({card.appetite} or below)", percent_text(now.within_appetite_share),
             None if unchanged else points(now.within_appetite_share, before.within_appetite_share), "normal", True),
            ("Treatments late", t.late, change(t.late, b.late), "inverse"),
            ("Treatments overdue", t.overdue, change(t.overdue, b.overdue), "inverse"),
            ("Treatments done", t.done, change(t.done, b.done), "normal"),
            ("Expired exceptions", now.exceptions_expired_open,
             change(now.exceptions_expired_open, before.exceptions_expired_open), "inverse")])
    st.caption(review.no_register_before or f"At year end; changes against {long_date(card.compare_to)}.")


def show_improvement(review: ManagementReview, *, present: bool = False) -> None:
    st.header("g) Opportunities for improvement: what the forum decided this year", divider="gray")
    if review.decisions_by_kind.empty:
        st.info("The forum recorded no decision this year.")
        return
    meeting_list(review.decisions_by_kind.assign(kind=review.decisions_by_kind["kind"].map(forum.kind_name)),
                 {"kind": text("Kind of decision", 250), "decisions": text("Decisions", 100)},
                 key="mr_decisions", what="kinds", present=present, wrapped=False)


def show_outputs(review: ManagementReview, *, present: bool = False) -> None:
    st.header("Outputs (clause 9.3.3): the review's decisions", divider="gray")
    if review.held_on is None:
        st.info(f"The management review of {review.end.year} has not been recorded yet: record it on the Forum page, "
                "then its decisions (improvements, ISMS changes, resource needs).")
        return
    st.caption(f"Held on {long_date(review.held_on)}.")
    if review.outputs.empty:
        st.info("No decision recorded for this review yet.")
        return
    meeting_list(review.outputs.assign(decided_on=review.outputs["decided_on"].astype(str),
                                       kind=review.outputs["kind"].map(forum.kind_name)),
                 {"decision_id": text("Decision", 80), "decided_on": text("On", 100), "kind": text("Kind", 150),
                  "text": text("What was decided", 500)}, key="mr_outputs", what="decisions", present=present)
