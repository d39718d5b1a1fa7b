"""Rendering the Compliance review bundle: framework tiles, the coverage cell's requirements, the
testing, calendar and findings lists, the SoA view and its download.

Only presentation lives here; every figure comes from `isms.views.compliance`.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from isms import headline
from isms.charts_compliance import findings_burndown
from isms.dates import long_date
from isms.views.compliance import ComplianceBundle
from ui.charts import show_chart
from ui.presentation import labels_of, present_table
from ui.scorecard import count_tile, dashed, headline_markdown
from ui.tables import iso_days, listing, text

SHOWN = 100  # a meeting reads the top of a long list; the rest is counted (the pack and the CLI have it whole)


def _capped(frame: pd.DataFrame, what: str) -> pd.DataFrame:
    if len(frame) > SHOWN:
        st.caption(f"The first {SHOWN} of {len(frame):,} {what}.")
        return frame.head(SHOWN)
    return frame


def show_headline(data: ComplianceBundle) -> None:
    """The review in one sentence (`isms.headline`): what moved in effectiveness, how testing went,
    the findings past due and the next audit date, as the pack's first slide says it."""
    with st.container(key="headline"):
        st.markdown(headline_markdown(headline.compliance(data).sentence), unsafe_allow_html=True)


def framework_tiles(data: ComplianceBundle, since: str) -> None:
    """Per framework: applicable, covered, effective (with the change since the comparison date)
    and the open findings."""
    help_ = f"Change since {since}" if data.compared else f"Nothing imported by {since} to compare with"
    for f in data.totals.to_dict("records"):
        st.subheader(f["framework"] + ("" if f["has_soa"] else " (no SoA: every requirement applicable)"))
        cols = st.columns(4)

        def before(figure: str) -> int | None:  # the first review on record shows no change
            return f[figure] - f[f"{figure}_change"] if data.compared else None

        count_tile(cols[0], "Applicable", f["applicable"], before("applicable"), worse_up=False,
                   help=f"of {f['requirements']} requirements; {help_}")
        count_tile(cols[1], "Covered by a control", f["covered"], before("covered"), worse_up=False, help=help_)
        # a label of one line at 1280 px, as its neighbours' ('Effective (last test passed)' wrapped onto
        # two, and its figure stood lower than theirs); what it counts is in its help
        count_tile(cols[2], "Effective", f["effective"], before("effective"), worse_up=False,
                   help=f"covered by a control whose last test passed; {help_}")
        grades = ("open_major", "open_minor", "open_observation", "open_ofi")
        open_now = sum(f[g] for g in grades)
        open_then = sum(before(g) for g in grades) if data.compared else None
        count_tile(cols[3], "Open findings", open_now, open_then, worse_up=True,
                   help=f"{f['open_major']} major, {f['open_minor']} minor, {f['open_observation']} observations, "
                        f"{f['open_ofi']} OFIs; {help_}")
    # a CAPA tracker's findings may name no framework: the headline counted 9 open while the tiles
    # added up to 4, and nothing said why
    if data.findings_unplaced:
        st.caption(data.findings_unplaced)


def _list(frame: pd.DataFrame, columns: dict, *, key: str, what: str, present: bool, **kw) -> None:
    """The analyst's list (the first SHOWN rows, scrolling), or in presentation mode its first rows
    as a static table at the room's type size (`ui.presentation.present_table`)."""
    if present:
        present_table(frame, labels_of(columns), what)
    else:
        listing(dashed(iso_days(_capped(frame, what))), columns, key=key, **kw)


def cell_requirements(cell: pd.DataFrame, key: str, present: bool = False, name: str = "the cell") -> None:
    """The requirements of one heatmap cell; `name` ('NIST-800-53r5-MODERATE · MA Maintenance') says
    which, above the room's table and in the line under its first rows, where 'of the cell' left the
    room to guess (the chooser that names it is hidden in presentation mode)."""
    if present:
        st.markdown(f"**{name}**: {len(cell)} requirement{'' if len(cell) == 1 else 's'}")
    # no control: '–', not an empty cell that reads as not yet loaded
    frame = pd.DataFrame({"ref": cell.ref, "title": cell.title,
                          "controls": [", ".join(c) or None for c in cell.controls],
                          "effective": [", ".join(c) or None for c in cell.effective_controls],
                          "status": cell.implementation_status})
    _list(frame, {"ref": text("Ref", 90), "title": text("Requirement", 330), "controls": text("Controls", 150),
                  "effective": text("Last test passed", 150), "status": text("SoA status", 150)}, key=key,
          what=f"requirements of {name}", present=present)


def testing_tiles(data: ComplianceBundle, since: str) -> None:
    t = data.testing
    cols = st.columns(4)
    cols[0].metric(f"Tests due in {t['due_window_days']} days", t["due"], help="not yet tested, due within the window",
                   border=True, height="stretch")
    cols[1].metric("Tests overdue", t["overdue"], help="past their due date without a result", border=True, height="stretch")
    # both counts, as the list below them ('Failed or with exceptions') has both: '0' above four rows read as none
    cols[2].metric(f"Failed / exceptions since {since}", f"{t['failed']} / {t['exceptions']}",
                   help=f"{t['failed']} failed, {t['exceptions']} passed with exceptions", border=True, height="stretch")
    rate = f"{t['pass_rate']:.0%}" if t["pass_rate"] is not None else "n/a"
    cols[3].metric(f"Pass rate since {since}", rate, help=f"{t['tested']} tests with a result", border=True, height="stretch")


def test_lists(data: ComplianceBundle, present: bool = False) -> None:
    cols = {"control_id": text("Control", 80), "control_name": text("Name", 260), "owner": text("Owner", 140),
            "period": text("Period", 100), "due_on": text("Due", 100), "state": text("State", 100)}
    failed = data.tests_failed.assign(state=data.tests_failed.result)
    st.markdown("**Failed or with exceptions**")
    if failed.empty:
        st.caption("None this period.")
    else:
        _list(failed, cols, key="tests_failed", what="tests", present=present)
    st.markdown("**Due and overdue**")
    if data.tests_due.empty:
        st.caption("Nothing due.")
    else:
        _list(data.tests_due, cols, key="tests_due", what="tests, overdue first", present=present)


def calendar(data: ComplianceBundle, present: bool = False) -> None:
    if data.calendar.empty:
        st.caption("Nothing in the next 12 months.")
    else:
        _list(data.calendar, {"date": text("Date", 100), "what": text("What", 170), "audit_type": text("Audit", 170),
                              "framework": text("Framework", 150), "auditor": text("Auditor", 180)},
              key="calendar", what="dates", present=present, wrapped=False)
    running = ", ".join(f"{r.audit_type} ({r.audit_id})" for r in data.in_progress.itertuples())
    st.caption(f"Under way on {long_date(data.as_of)}: {running or 'none'}.")


def findings(data: ComplianceBundle, present: bool = False) -> None:
    st.markdown("**Open findings by grade and age**")
    _list(data.findings_open, {c: text(c if c != "grade" else "Grade", 230 if c == "grade" else 110)
                               for c in data.findings_open.columns}, key="findings_open", what="grades",
          present=present, wrapped=False)
    st.markdown("**Overdue remediation**")
    if data.findings_overdue.empty:
        st.caption("No finding is past its due date.")
    else:
        _list(data.findings_overdue,
              {"finding_id": text("Finding", 70), "title": text("Title", 280), "grade": text("Grade", 150),
               "owner": text("Owner", 130), "due_on": text("Due", 100),
               "days_overdue": st.column_config.NumberColumn("Days overdue", width=90)}, key="findings_overdue",
              what="overdue findings, longest overdue first", present=present)
    show_chart(findings_burndown(data.burndown), key="burndown", name=f"findings-{data.as_of}", presentation=present)
    if data.burndown_from:  # where the chart starts, or that there is no register to count
        st.caption(data.burndown_from)


def soa_view(table, key: str, present: bool = False) -> None:
    approved = f", approved {long_date(table.approved_on)} by {table.approved_by}" if table.approved_on else ""
    st.caption(f"SoA version {table.version or '(none)'}{approved}; as of {long_date(table.as_of)}.")
    # the justification gets the room (an Annex A title fits three lines of 190 px; a reason ran past them)
    columns = {"ref": text("Ref", 70), "title": text("Title", 190), "applicable": text("Applicable", 90),
               "why": text("Reason / justification", 260), "status": text("Status", 120),
               "controls": text("Controls", 90), "risks": text("Risks", 70)}
    # no control or risk linked: '–', as every other table writes a blank (the lists are joined, so '')
    rows = dashed(table.rows.replace({"controls": {"": None}, "risks": {"": None}}))
    if present:
        present_table(rows, labels_of(columns), "requirements of the SoA")
    else:  # the whole SoA, as the auditors read it
        listing(rows, columns, key=key)
