"""The Management review pack's sections (clause 9.3), read from the same bundle as its page
(isms.views.management_review.build), registered in isms.packs.content.SECTIONS.

The year under review is set against the year before: the posture at each year end (the Risk
Review's scorecard rows), KRI health over each year, the forum's actions in each year; then the
inputs of 9.3.2 d) (findings, audits) and g), and the outputs of 9.3.3.
"""

from __future__ import annotations

import pandas as pd

from isms import forum
from isms.dates import long_date
from isms.packs.model import MethodSection, ScorecardRow, ScorecardSection, Section, TableSection
from isms.views import management_review


def _bundle(ctx) -> management_review.ManagementReview:
    return ctx.memo("mr", lambda: management_review.build(ctx.con, ctx.settings, ctx.as_of.year))


def _years(ctx) -> str:
    return f"{ctx.as_of.year} against {ctx.as_of.year - 1}"


def _posture(ctx) -> Section:
    from isms.packs.content import _row, posture_rows

    review = _bundle(ctx)
    if review.no_risk_register:  # the page's sentence, not a slide of zeros that reads as no risk at all
        from isms.packs.content import said_instead

        return said_instead("yoy_posture", f"Risk posture at year end, {_years(ctx)}", review.no_risk_register)
    card = review.card
    above = _row(f"Above appetite ({card.appetite})", card.current.above_appetite, card.previous.above_appetite,
                 card.current.above_appetite - card.previous.above_appetite, True)
    t, b = card.current.treatments, card.previous.treatments
    # the page's tile too: the treatments finished by the year's end (more is better)
    done = _row("Treatments done", t.done, b.done, t.done - b.done, False)
    rows = (above, *posture_rows(card, ctx.settings.exception_warning_days), done)
    if review.no_register_before:  # no register a year before: its column and changes would be zeros and the whole figures
        rows = tuple(ScorecardRow(row.label, row.value, "–", "") for row in rows)
    return ScorecardSection("yoy_posture", f"Risk posture at year end, {_years(ctx)}", rows,
                            note=f"Now: {long_date(card.as_of)}; previous: {long_date(card.compare_to)}. "
                                 + (f"{review.no_register_before} " if review.no_register_before else "")
                                 + "Clause 9.3.2 f): risk assessment results and treatment status.")


def _kri_health(ctx) -> Section:
    from isms.packs.content import _row, _share_row

    b = _bundle(ctx)
    h = b.kri_health.set_index("year")
    now, before = h.loc[ctx.as_of.year], h.loc[ctx.as_of.year - 1]

    def share(status: str, worse_up: bool) -> ScorecardRow:
        return _share_row(f"Share of KRI-months {status}", now[status], before[status], worse_up)

    cur, prev = b.card.current.kris, b.card.previous.kris
    rows = (share("green", False), share("amber", True), share("red", True), share("stale", True),
            _row("KRI-months", int(now["kri_months"]), int(before["kri_months"]),
                 int(now["kri_months"]) - int(before["kri_months"]), None),
            # every status the page's year-end tiles show, not red alone
            _row("KRIs red at year end", cur.red, prev.red, cur.red - prev.red, True),
            _row("KRIs amber at year end", cur.amber, prev.amber, cur.amber - prev.amber, True),
            _row("KRIs green at year end", cur.green, prev.green, cur.green - prev.green, False),
            _row("KRIs stale at year end", cur.stale, prev.stale, cur.stale - prev.stale, None))
    return ScorecardSection("yoy_kri", f"KRI health over the year, {_years(ctx)}", rows,
                            note="Each KRI of the register at the year's end, each month from its first result, "
                                 "by the Security Health page's status rule. Clause 9.3.2 d).")


def _actions(ctx) -> Section:
    from isms.packs.content import _row

    b = _bundle(ctx)
    now, before = b.actions, b.actions_before

    def row(label: str, field: str, worse_up: bool | None) -> ScorecardRow:
        a, p = getattr(now, field), getattr(before, field)
        return _row(label, a, p, a - p, worse_up)

    rows = (row("Actions opened", "raised", None), row("Actions closed (done or verified)", "closed", None),
            row("Closed after their due date", "closed_late", True), row("Cancelled", "cancelled", None),
            row("Open at year end", "open_at_end", None), row("Overdue at year end", "overdue_at_end", True))
    return ScorecardSection("yoy_actions", f"The forum's actions, {_years(ctx)}", rows,
                            note="Every series' actions in each calendar year, as they stood at its end. "
                                 "Clause 9.3.2 a).")


def _findings(ctx) -> Section:
    b = _bundle(ctx)
    g = b.findings
    frame = pd.DataFrame({"Grade": g["grade"], "Raised": g["raised"], "Closed": g["closed"],
                          "Open at year end": g["open_at_end"], "Overdue at year end": g["overdue_at_end"]})
    return TableSection("findings", f"Nonconformities and findings, {ctx.as_of.year}", frame,
                        note="From the findings register at the year's end; open means Open or Remediated "
                             "(not yet verified). Clause 9.3.2 d).")


def _findings_list(ctx) -> Section:
    f = _bundle(ctx).findings_list

    def day(v) -> str:
        return "" if pd.isna(v) else f"{pd.Timestamp(v):%Y-%m-%d}"

    frame = pd.DataFrame({
        "Finding": f["finding_id"], "Audit": f["audit_id"].fillna(""), "Grade": f["grade"], "Title": f["title"],
        "Owner": f["owner"].fillna(""), "Raised": f["raised_on"].map(day), "Due": f["due_on"].map(day),
        "Status": [s + (", overdue" if o else "") for s, o in zip(f["status"], f["overdue"])],
        "Closed": f["closed_on"].map(day)})
    return TableSection("findings_list", f"The year's findings: raised or closed in {ctx.as_of.year}, or open at its end",
                        frame, empty_text="No finding was raised, closed or open in the year.")


def _audits(ctx) -> Section:
    a = _bundle(ctx).audits
    frame = pd.DataFrame({
        "Audit": a["audit_id"], "Type": a["audit_type"], "Framework": a["framework"],
        "Fieldwork": [f"{pd.Timestamp(s):%Y-%m-%d}" + ("" if pd.isna(e) else f" to {pd.Timestamp(e):%Y-%m-%d}")
                      for s, e in zip(a["starts_on"], a["ends_on"])],
        "Auditor": a["auditor"].fillna(""), "Opinion": a["opinion"].fillna("not yet given"),
        "Major NC": a["major"], "Minor NC": a["minor"], "Obs.": a["observation"], "OFI": a["ofi"]})
    return TableSection("audits", f"Audit results, {ctx.as_of.year}", frame,
                        note="The audits whose fieldwork ended in the year, with the findings each raised by grade "
                             "(NC: nonconformity; Obs.: observation; OFI: opportunity for improvement). Clause 9.3.2 d).",
                        empty_text="No audit ended in the year.")


def _decisions(ctx) -> Section:
    d = _bundle(ctx).decisions_by_kind
    frame = pd.DataFrame({"Kind of decision": d["kind"].map(forum.kind_name), "Decisions": d["decisions"]})
    return TableSection("decisions", f"What the forum decided in {ctx.as_of.year}, by kind", frame,
                        note="Clause 9.3.2 g): opportunities for improvement.",
                        empty_text="The forum recorded no decision this year.")


def _outputs(ctx) -> Section:
    b = _bundle(ctx)
    o = b.outputs
    frame = pd.DataFrame({"Decision": o["decision_id"], "On": [f"{pd.Timestamp(v):%Y-%m-%d}" for v in o["decided_on"]],
                          "Kind": o["kind"].map(forum.kind_name), "What was decided": o["text"]})
    held = f"Held on {long_date(b.held_on)}." if b.held_on else f"The review of {ctx.as_of.year} is not recorded yet."
    return TableSection("outputs", "Outputs (clause 9.3.3): the review's decisions", frame, note=held,
                        empty_text="No decision recorded for this review yet.")


def _method(ctx) -> Section:
    lines = (
        ("Year under review", f"{ctx.as_of.year}-01-01 to {ctx.as_of:%Y-%m-%d}, against the year before"),
        ("Posture", "the Risk Review's scorecard at each year end (open, assessed risks; residual levels)"),
        ("KRI health", "share of KRI-months by status over each year (the Security Health page's rule)"),
        ("Actions", "every series' actions: opened, closed (done or verified) and cancelled in the year; "
                    "open and overdue at its end"),
        ("Findings", "the findings register at the year's end; open means Open or Remediated"),
        ("Audits", "those whose fieldwork ended in the year, with the findings each raised"),
    )
    return MethodSection("method", "Appendix: method and data", lines)


SECTIONS = [
    ("yoy_posture", "Year over year: risk posture", _posture),
    ("yoy_kri", "Year over year: KRI health", _kri_health),
    ("yoy_actions", "Year over year: actions", _actions),
    ("findings", "Nonconformities and findings", _findings),
    ("findings_list", "The year's findings", _findings_list),
    ("audits", "Audit results", _audits),
    ("decisions", "Decisions by kind", _decisions),
    ("outputs", "Outputs of the review (9.3.3)", _outputs),
    ("method", "Appendix: method", _method),
]
