"""Rendering the Risk Review bundle: one function per section of the quarterly meeting page.

Only presentation lives here (labels, column formats, which control sits where); every figure
comes from `isms.views.risk_review`, so the page reads as settings -> bundle -> sections, and a
test can check the figures on the bundle without Streamlit.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from isms import shown
from isms import charts, headline
from isms.config import Settings
from isms.matrix import RiskMatrix
from isms.dates import long_date, short_date
from isms.views.risk_review import BASES, Cell, RiskDetail, RiskFocus, RiskReviewData
from ui import params
from ui.charts import show_chart
from ui.presentation import labels_of, present_table
from ui.resources import organisation
from ui.scorecard import count_tile, dashed, headline_markdown, literal, posture_tiles
from ui.tables import listing, readable, shown_columns, text

HEATMAP_VIEWS = (*BASES, "movement")
HEATMAP_LABELS = {"residual": "Residual", "inherent": "Inherent", "target": "Target",
                  "movement": "Movement since comparison"}
ANY = "Any"
DETAIL_COLUMNS = {  # the risk's exceptions and assets, each list within a projector's 890 px (ui.tables)
    "exception_id": text("Exception", 78), "policy": text("Policy", 150), "control": text("Control", 80),
    "status": text("Status", 76), "granted_on": text("Granted", 88), "expires_on": text("Expires", 88),
    "expires_in": text("Expiry", 96), "approver": text("Approver", 90),
    "compensating_controls": text("Compensating controls", 140),
    "asset_id": text("Asset", 70), "name": text("Name", 220), "asset_class": text("Class", 100),
    "asset_type": text("Type", 120), "criticality": text("Criticality", 90), "owner": text("Owner", 140),
    "location": text("Location", 140),
}


def show_heading(data: RiskReviewData, cfg: Settings) -> None:
    """Title, scope and scorecard first, so the top of the page (or a screenshot of it) says which
    date, comparison, filters and matrix every figure below is for."""
    matrix = cfg.matrix
    st.title(f"Risk Review · {long_date(data.as_of)}")
    changes = (f"with changes since {long_date(data.compare_to)}" if data.scorecard.compared
               else "the first review on record (nothing earlier to compare with)")
    st.caption(f"Risk posture of {organisation()} as of {long_date(data.as_of)}, {changes} · "
               f"{data.filters.describe()} · matrix {matrix.name}, appetite {matrix.appetite}.")
    show_headline(data, matrix)
    posture_tiles(data.scorecard)


def show_headline(data: RiskReviewData, matrix: RiskMatrix) -> None:
    """What the meeting must decide, first: the risks above appetite that nobody has addressed (a
    tile, with the worst named) beside the sentence that says what changed (`isms.headline`)."""
    said = headline.risk_review(data, matrix.appetite)
    cur, prev = data.scorecard.current, data.scorecard.previous
    tile, text = st.columns([1, 3], vertical_alignment="center")
    count_tile(tile, "Above appetite, unaddressed", cur.above_appetite_unaddressed,
               prev.above_appetite_unaddressed if data.scorecard.compared else None, worse_up=True,
               help=f"Open risks above {matrix.appetite} with neither an active treatment nor a granted exception: "
                    "each needs a decision")
    with text.container(key="headline"):
        st.markdown(headline_markdown(said.sentence), unsafe_allow_html=True)


RISK_ID = re.compile(r"[\w.-]{1,40}")  # what a link's `risk` may be: an id, never Markdown


def follow_selections(data: RiskReviewData) -> None:
    """Copy clicks on the heatmap and the top-risks table into the keyed controls before those
    render, so that the controls alone drive the page (and the URL) whichever way a choice was made.

    A new date or filter opens the detail of its own default risk; a click may then change it.
    """
    scope = (data.as_of, data.filters)
    if st.session_state.get("_risk_scope") != scope or not st.session_state.get("risk"):
        # a link's risk on the page's first run (the link reproduces the view); else the scope's default
        linked = st.query_params.get("risk") if "_risk_scope" not in st.session_state else None
        linked = linked if linked and RISK_ID.fullmatch(linked) else None  # an id, not text to render
        st.session_state["_risk_scope"] = scope
        st.session_state["risk"] = linked or data.default_risk
    _adopt_selection("heatmap", _cell_from_chart)
    _adopt_selection("top_risks", lambda selection: _risk_from_table(selection, data.top_risks))


def _adopt_selection(chart_key: str, apply: Callable[[dict], None]) -> None:
    """Apply a selection only when it is new: an old one still in the widget state must not undo a
    choice made since in the fallback control."""
    state = st.session_state.get(chart_key)
    selection = state.get("selection") if state else None
    signature = repr(selection)
    if signature == st.session_state.get(f"_{chart_key}_seen"):
        return
    st.session_state[f"_{chart_key}_seen"] = signature
    if selection:
        apply(selection)


def _cell_from_chart(selection: dict) -> None:
    points = [p for p in selection.get("points", []) if p.get("customdata")]
    if points:
        st.session_state["cell_likelihood"], st.session_state["cell_impact"] = map(int, points[0]["customdata"][:2])


def _risk_from_table(selection: dict, top_risks: pd.DataFrame) -> None:
    rows = selection.get("rows", [])
    if rows and rows[0] < len(top_risks):
        st.session_state["risk"] = top_risks.iloc[rows[0]]["risk_id"]


@dataclass(frozen=True)
class HeatmapChoice:
    """What the reader chose in "Where the risks sit". The page asks isms for the chosen cell's
    risks and lists them in `beside`, the column next to the chart."""
    view: str
    cell: Cell | None
    beside: DeltaGenerator


def show_heatmap(data: RiskReviewData, matrix: RiskMatrix, present: bool) -> HeatmapChoice:
    """The heatmap on the chosen basis (or the residual moves), with the cell controls beside it:
    the controls are the keyboard and URL route to what a click on a cell selects."""
    st.header("Where the risks sit")
    controls = st.sidebar if present else st.columns([1, 2])[0]
    view = params.select(controls, "Heatmap", HEATMAP_VIEWS, key="basis", format_func=HEATMAP_LABELS.get,
                         help="Counts per cell on the inherent, residual or target rating, "
                              "or the moves since the comparison date")
    chart_column, beside = st.columns([3, 2])
    with chart_column:
        if view == "movement":
            title = f"Residual moves, {short_date(data.compare_to)} → {short_date(data.as_of)}"
            show_chart(charts.movement_map(matrix, data.movements, title), key="movement",
                       name=f"residual-moves-{data.as_of}", presentation=present)
        else:
            show_chart(charts.selectable_heatmap(matrix, data.cells_for(view),
                                                 f"{HEATMAP_LABELS[view]} risk heatmap, {short_date(data.as_of)}"),
                       key="heatmap", name=f"{view}-heatmap-{data.as_of}", presentation=present,
                       on_select="rerun", selection_mode="points")
    cell = None
    with beside:
        if view == "movement":
            _movement_summary(data)
        else:
            cell = _cell_controls(view, matrix, present)
    return HeatmapChoice(view, cell, beside)


def _movement_summary(data: RiskReviewData) -> None:
    m = data.movements
    moved = int(m["risks"].sum()) if not m.empty else 0
    within = int(m.loc[m["from_level"] == m["to_level"], "risks"].sum()) if not m.empty else 0
    # the changes' escalated and de-escalated count level changes: a move within a level is said here
    level = f", {within} of them within their level" if within else ""
    st.markdown(f"**{moved} risks changed residual cell** since {long_date(data.compare_to)}{level}.")

    def cell(side: str) -> list[str]:
        return [f"{level} (L{lk}, I{im})" for level, lk, im in zip(m[f"{side}_level"], m[f"{side}_likelihood"], m[f"{side}_impact"])]

    # three columns, the count first: beside the heatmap at 1366 px the seven of the table's
    # columns cut off its count, and the rows did not visibly add up to the sentence above
    if not m.empty:
        st.dataframe(pd.DataFrame({"Risks": m["risks"], "From": cell("from"), "To": cell("to")}),
                     hide_index=True, key="movements_table")


def _cell_controls(view: str, matrix: RiskMatrix, present: bool) -> Cell | None:
    """The cell to list, once both its likelihood and its impact are chosen."""
    likelihood_column, impact_column = (st.sidebar, st.sidebar) if present else st.columns(2)
    likelihood = _scale_step(likelihood_column, "Cell likelihood", matrix.likelihood_labels, key="cell_likelihood")
    impact = _scale_step(impact_column, "Cell impact", matrix.impact_labels, key="cell_impact")
    if likelihood != ANY and impact != ANY:
        return Cell(view, int(likelihood), int(impact))
    return None


def _scale_step(container, label: str, step_labels, *, key: str):
    """A step of a matrix scale (1 is the lowest), or ANY."""
    steps = range(1, len(step_labels) + 1)
    return container.selectbox(label, [ANY, *steps], key=key,
                               format_func=lambda x: x if x == ANY else f"{x} {step_labels[x - 1]}")


def show_cell_risks(choice: HeatmapChoice, focus: RiskFocus, matrix: RiskMatrix, present: bool) -> None:
    """Beside the heatmap, the risks of the chosen cell (the movement view has its own table there)."""
    if choice.view == "movement":
        return
    cell = choice.cell
    with choice.beside:
        if cell is None:
            if not present:  # the room is shown the chart, not told how to drive it; the presenter clicks
                st.caption("Click a cell (or pick its likelihood and impact) to list its risks.")
            return
        count = len(focus.cell_risks)
        st.markdown(f"**{count} risk{'' if count == 1 else 's'}** with {choice.view} likelihood {cell.likelihood} "
                    f"and impact {cell.impact} ({matrix.level(cell.likelihood, cell.impact)})")
        # half the page wide: the title wraps beside the levels; the owner and status scroll in
        listing(dashed(focus.cell_risks), {
            "risk_id": text("Risk", 58), "title": text("Title", 190), "residual_level": text("Residual", 70),
            "residual_score": text("Score", 52), "inherent_level": text("Inherent", 70), "target_level": text("Target", 70),
            "owner": text("Owner", 120), "status": text("Status", 80)}, key="cell_risks", visible=6)


def _trend_text(row) -> str:
    """How a top risk moved since the comparison date, in the few characters a table cell has."""
    if row.trend == "new":
        return "new"
    if row.trend == "same":
        return "="
    arrow = "▲" if row.trend == "up" else "▼"
    return f"{arrow} from {row.previous_level} ({int(row.previous_score)})"


def show_top_risks(data: RiskReviewData, present: bool = False) -> None:
    """The highest residual risks; selecting a row opens that risk's detail (see follow_selections)."""
    st.header("Top risks")
    top = data.top_risks.assign(trend_text=[_trend_text(r) for r in data.top_risks.itertuples()],
                                decisions=data.top_risks["decisions"].fillna("–"),
                                days_overdue=data.top_risks["days_overdue"].map(
                                    lambda d: shown.days_overdue(d, " days")))
    moved = data.scorecard.compared  # the first review on record has no movement to show, rather than '=' on each
    if present:
        progress = top["percent_complete"].map(shown.percent_complete)
        labels = {"risk_id": "Risk", "title": "Title", "owner": "Owner", "residual_level": "Level", "residual_score": "Score",
                  "trend_text": f"Since {short_date(data.compare_to)}", "decisions": "Decision", "percent_complete": "Progress",
                  "days_overdue": "Overdue"}
        present_table(top.assign(percent_complete=progress), {k: v for k, v in labels.items() if moved or k != "trend_text"},
                      "top risks")
        return
    columns = {
        "risk_id": text("Risk", 58), "title": text("Title", 225), "owner": text("Owner", 112),
        "residual_level": text("Level", 66), "residual_score": st.column_config.NumberColumn("Score", width=60),
        "trend_text": text(f"Since {data.compare_to.day} {data.compare_to:%b}", 92, help=f"Movement since {long_date(data.compare_to)}"),
        "decisions": text("Decision", 72),
        "percent_complete": st.column_config.ProgressColumn("Progress", min_value=0, max_value=100, width=100,
                                                            format="%.0f%%", color=charts.SERIES["complete"]),
        "days_overdue": text("Overdue", 72, help="Days past the due date, for a risk with an overdue treatment"),
    }
    if not moved:
        del columns["trend_text"]
    listing(top, columns, key="top_risks", on_select="rerun", selection_mode="single-row")
    # the detail sits screens below: the link takes the reader there (Streamlit anchors each header)
    chosen = st.session_state.get("risk")
    st.caption(f"Select a row to open the risk's detail below: [{literal(chosen or 'Risk detail')} ↓](#risk-detail).")


def show_changes(data: RiskReviewData, present: bool = False) -> None:
    """What moved since the comparison date: a count per kind of change, then the risks."""
    if not data.scorecard.compared:
        st.header("Changes")
        st.caption("This is the first review on record: what moved shows here once a later register is imported.")
        return
    st.header(f"Changes since {long_date(data.compare_to)}")
    counts = data.change_counts()
    for column, (kind, count) in zip(st.columns(len(counts)), counts.items()):
        column.metric(f"{kind} risks", count, border=True, height="stretch")
    labels = {"risk_id": "Risk", "title": "Title", "owner": "Owner", "change": "Change", "from_level": "From",
              "to_level": "To", "from_score": "From score", "to_score": "To score"}
    if present:
        present_table(data.changes, labels, "changes")
        return
    widths = {"risk_id": 58, "title": 270, "owner": 140, "change": 96, "from_level": 70, "to_level": 70,
              "from_score": 82, "to_score": 72}
    listing(dashed(data.changes), {c: text(label, widths[c]) for c, label in labels.items()}, key="changes")


def show_trends(data: RiskReviewData, matrix: RiskMatrix, present: bool) -> None:
    st.header("Trends")
    _side_by_side(present,
                  (charts.level_trend(matrix, data.level_trend), "level_trend", f"residual-levels-{data.as_of}"),
                  (charts.quarterly_exposure_trend(data.totals_trend), "exposure_trend", f"exposure-{data.as_of}"))


def show_treatment_progress(data: RiskReviewData, present: bool) -> None:
    st.header("Treatment progress")
    if data.no_treatment_progress:
        st.info(data.no_treatment_progress, icon=":material/timeline:")
        return
    _side_by_side(present, (charts.treatment_progress_trend(data.treatment_trend), "treatment_trend",
                            f"treatment-progress-{data.as_of}"),
                  (charts.exposure_projection(data.totals_trend, data.projection, data.compare_to), "projection",
                   f"exposure-projection-{data.as_of}"))


def _side_by_side(present: bool, *figures: tuple[go.Figure, str, str]) -> None:
    """Charts in one row, each (figure, widget key, download name), for the meeting to compare."""
    for column, (figure, key, name) in zip(st.columns(len(figures)), figures):
        with column:
            show_chart(figure, key=key, name=name, presentation=present)


# Above appetite and the policy exceptions run full width, one under the other: eight columns each
# stay readable on a meeting-room screen.
def show_above_appetite(data: RiskReviewData, matrix: RiskMatrix, present: bool = False) -> None:
    """The risks above appetite, flagged where nobody has addressed them (or only accepted them),
    since those are what the meeting must decide on."""
    st.header("Above appetite")
    above = data.above_appetite
    st.markdown(literal(headline.above_appetite(above, matrix.appetite)))
    flags = above["unaddressed"].map({True: "⚠ no decision", False: ""}).where(
        ~(above["unaddressed"] & above["accepted"]), "⚠ accepted above appetite")
    if present:
        present_table(above.assign(flag=flags), {
            "flag": "Decision needed", "risk_id": "Risk", "title": "Title", "owner": "Owner", "residual_level": "Level",
            "residual_score": "Score", "active_treatments": "Active treatments", "granted_exceptions": "Granted exceptions"},
            "risks above appetite")
        return
    listing(above.assign(flag=flags), {
        "flag": text("Decision needed", 118, help="Unaddressed: neither an active treatment nor a granted exception. "
                     "Accepted above appetite: its only decision is to accept it."), "risk_id": text("Risk", 58), "title": text("Title", 210), "owner": text("Owner", 140),
        "residual_level": text("Level", 66), "residual_score": st.column_config.NumberColumn("Score", width=60),
        # 'active', as the pack says: a done 'Accept 100%' (Top risks) is no active treatment
        "active_treatments": st.column_config.NumberColumn("Active treatments", width=112),
        "granted_exceptions": st.column_config.NumberColumn("Granted exceptions", width=122)}, key="appetite")


def show_policy_exceptions(data: RiskReviewData, present: bool = False) -> None:
    """Exceptions expired or expiring soon, grouped by window, so renewals are decided in time."""
    st.header("Policy exceptions for review")
    st.markdown(" · ".join(f"**{count}** {window.lower()}" for window, count in data.exception_windows().items()))
    # the days are the review date's, not today's: a pack read in December says 'in 9 days' of 30 September
    st.caption(f"When: counted from {long_date(data.as_of)}, the review's date.")
    if present:
        present_table(data.exceptions, {"window": "Review", "exception_id": "Exception", "policy": "Policy",
                                        "risk_id": "Risk", "risk_level": "Risk level", "expires_on": "Expires",
                                        "expires_in": "When"}, "exceptions")
        return
    columns = {
        "window": text("Review", 100), "exception_id": text("Exception", 78), "policy": text("Policy", 150),
        "title": text("What", 150), "risk_id": text("Risk", 58), "risk_level": text("Risk level", 72),
        "expires_on": text("Expires", 90),
        "expires_in": text("When", 100), "approver": text("Approver", 110)}
    # a log that names only the policy: an empty 'What' on every row says nothing
    listing(readable(data.exceptions), shown_columns(data.exceptions, columns), key="exceptions")


def show_risk_detail(data: RiskReviewData, focus: RiskFocus, matrix: RiskMatrix, present: bool) -> None:
    """One risk's story: the picker lists the highest risks that pass the filters, and any other
    risk id can be typed into it, so a risk raised in the meeting opens without changing filters."""
    st.header("Risk detail")
    choices = list(data.risk_choices["risk_id"])
    titles = dict(zip(data.risk_choices["risk_id"], data.risk_choices["title"]))
    (st.sidebar if present else st).selectbox(
        "Risk", choices, key="risk", accept_new_options=True, placeholder="Type a risk id",
        format_func=lambda r: f"{r} · {titles[r]}" if r in titles else r,
        help=f"The {len(choices)} highest residual risks that pass the filters; type any other risk id to open it")
    if st.session_state.get("risk"):
        st.query_params["risk"] = st.session_state["risk"]
    if focus.detail is None:
        chosen = st.session_state.get("risk")
        st.info(f"{literal(chosen)} is not in the risk register as of {long_date(data.as_of)}." if chosen else
                "No risk passes the filters at this date.")
    else:
        _risk_story(focus.detail, matrix, data.as_of, present)


def _risk_story(detail: RiskDetail, matrix: RiskMatrix, as_of: dt.date, present: bool) -> None:
    record = detail.record
    st.subheader(f"{detail.risk_id} · {record['title']}")
    unit = f" · business unit {record['business_unit']}" if pd.notna(record.get("business_unit")) else ""
    st.caption(f"{record['annex_a_theme']} · owner {record['owner']}{unit} · status {record['status']} · "
               f"source {record['source']} · identified {pd.Timestamp(record['identified_on']).date()}")
    if record.get("description"):
        st.write(record["description"])
    history_column, treatment_column = st.columns(2)
    with history_column:
        show_chart(charts.risk_history(matrix, detail.assessments, f"{detail.risk_id}: assessments over time"),
                   key="risk_history", name=f"{detail.risk_id}-assessments-{as_of}", presentation=present)
    with treatment_column:
        if detail.updates.empty:
            st.caption("No treatment progress has been reported for this risk.")
        else:
            show_chart(charts.treatment_history(detail.updates, f"{detail.risk_id}: treatment progress"),
                       key="risk_treatment_history", name=f"{detail.risk_id}-treatments-{as_of}", presentation=present)
    st.markdown("**Treatments**")
    if detail.treatments.empty:
        st.caption(f"No treatments recorded for this risk as of {long_date(as_of)}.")
    else:
        # the plan's state ("late": behind its linear plan) stands for the start date and planned share
        treatments = detail.treatments
        if present:  # a static table has no progress bar: the share as text
            treatments = treatments.assign(percent_complete=treatments["percent_complete"].map(
                shown.percent_complete))
        _detail_list(treatments, {
            "treatment_id": text("Treatment", 76), "decision": text("Decision", 70), "description": text("Plan", 190),
            "owner": text("Owner", 105), "due_on": text("Due", 86), "status": text("Status", 84),
            "percent_complete": st.column_config.ProgressColumn("Complete", min_value=0, max_value=100, format="%.0f%%",
                                                                color=charts.SERIES["complete"], width=92),
            "state": text("State", 66), "days_overdue": st.column_config.NumberColumn("Days overdue", width=86)},
            "treatments", present)
    # one under the other, full width: nine columns of an exception do not fit half a projector's page
    for label, table, what in (("Policy exceptions", detail.exceptions, "exceptions"), ("Assets", detail.assets, "assets")):
        st.markdown(f"**{label}**")
        if table.empty:
            st.caption(f"No {label.lower()} recorded for this risk as of {long_date(as_of)}.")
        else:
            _detail_list(table, {c: DETAIL_COLUMNS[c] for c in table.columns if c in DETAIL_COLUMNS}, what, present)
    _risk_controls(detail, as_of, present)


CONTROL_COLUMNS = {  # within a projector's 890 px (ui.tables)
    "flag": text("Attention", 90), "control_id": text("Control", 70), "name": text("Name", 200), "annex_a": text("Annex A", 70),
    "status": text("Status", 100), "last_tested_on": text("Last tested", 90), "last_result": text("Result", 84),
    "tester": text("Tester", 100),
    "overdue_tests": st.column_config.NumberColumn("Overdue", width=80, help="Tests past their due date without a result")}
FINDING_COLUMNS = {
    "flag": text("Attention", 80), "finding_id": text("Finding", 70), "title": text("Title", 250), "grade": text("Grade", 140),
    "status": text("Status", 90), "due_on": text("Due", 90), "linked_by": text("Through", 80)}


def _risk_controls(detail: RiskDetail, as_of: dt.date, present: bool) -> None:
    """Risk links both ways: the controls behind the risk with their last test as of the date, and the
    audit findings on the risk or those controls, so a failing control is seen beside the risk it
    should reduce. A risk's controls are those mapped to its Annex A controls (isms.store.risk_controls)."""
    st.markdown("**Controls and their last test**")
    controls = detail.controls
    if controls.empty:
        st.caption(f"No control in the control register is mapped to this risk's Annex A controls as of {long_date(as_of)}.")
    else:
        # a failed or qualified last test first, else an overdue one (the filter's "failed or overdue")
        flag = controls["last_result"].map({"Fail": "⚠ failed", "Exceptions": "⚠ exceptions"}).fillna(
            controls["overdue_tests"].gt(0).map({True: "⚠ overdue", False: ""}))
        _detail_list(controls.assign(flag=flag), CONTROL_COLUMNS, "controls", present)
    st.markdown("**Audit findings**")
    findings = detail.findings
    if findings.empty:
        st.caption(f"No audit finding names this risk or its controls as of {long_date(as_of)}.")
    else:
        flag = findings["overdue"].map({True: "⚠ overdue", False: ""})
        linked = findings["linked_by"].where(findings["linked_by"] != "risk", "this risk")
        _detail_list(findings.assign(flag=flag, linked_by=linked), FINDING_COLUMNS, "findings", present)


def _detail_list(frame: pd.DataFrame, columns: dict, what: str, present: bool) -> None:
    """A list of the risk's detail: a static table in presentation mode, as the meeting's lists are."""
    columns = shown_columns(frame, columns)  # no 'Attention' column when nothing needs it
    if present:
        present_table(frame, labels_of(columns), what)
    else:
        listing(readable(frame), columns, key=f"detail_{what}", visible=5)
