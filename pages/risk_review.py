"""Risk Review: the quarterly risk posture meeting, on one page."""

import pandas as pd
import streamlit as st

from isms import charts
from isms.filters import RiskFilter
from isms.views import risk_review
from isms.views.risk_review import BASES, Cell
from ui import params
from ui.auth import require
from ui.charts import show_chart
from ui.packs import pack_panel
from ui.presentation import presentation_toggle
from ui.resources import cursor, require_data, settings, version
from ui.scorecard import risk_tiles

require("viewer", "Risk Review")
cfg = settings()
matrix = cfg.matrix
VIEWS = (*BASES, "movement")
VIEW_LABELS = {"residual": "Residual", "inherent": "Inherent", "target": "Target", "movement": "Movement since comparison"}
ANY = "Any"
DETAIL_COLUMNS = {
    "exception_id": "Exception", "policy": "Policy", "control": "Control", "status": "Status",
    "granted_on": st.column_config.DateColumn("Granted"), "expires_on": st.column_config.DateColumn("Expires"),
    "days_to_expiry": "Days left", "approver": "Approver", "compensating_controls": "Compensating controls",
    "asset_id": "Asset", "name": "Name", "asset_class": "Class", "asset_type": "Type", "criticality": "Criticality",
    "owner": "Owner", "location": "Location",
}


@st.cache_data(show_spinner=False, max_entries=8)
def meeting_dates(data_version: str):
    with cursor() as cur:
        return risk_review.review_dates(cur, include_interim=True)


@st.cache_data(show_spinner=False, max_entries=16)
def filter_options(data_version: str, as_of):
    with cursor() as cur:
        return risk_review.filter_options(cur, as_of)


@st.cache_data(show_spinner=False, max_entries=32)
def load(data_version: str, as_of, compare_to, filters: RiskFilter):
    with cursor() as cur:
        return risk_review.build(cur, cfg, as_of, compare_to, filters)


@st.cache_data(show_spinner=False, max_entries=64)
def load_focus(data_version: str, as_of, filters: RiskFilter, cell, risk_id):
    with cursor() as cur:
        return risk_review.focus(cur, cfg, as_of, filters, cell, risk_id)


def adopt_selection(chart_key: str, apply) -> None:
    """Copy a new chart or table selection into the keyed fallback controls (before they render),
    so that a click and the controls always agree and the controls alone drive the page."""
    state = st.session_state.get(chart_key)
    selection = state.get("selection") if state else None
    signature = repr(selection)
    if signature == st.session_state.get(f"_{chart_key}_seen"):
        return
    st.session_state[f"_{chart_key}_seen"] = signature
    if selection:
        apply(selection)


def trend_label(row) -> str:
    if row.trend == "new":
        return "new"
    if row.trend == "same":
        return "="
    arrow = "▲" if row.trend == "up" else "▼"
    return f"{arrow} from {row.previous_level} ({int(row.previous_score)})"


v = version()
dates = meeting_dates(v)
require_data(dates, "Risk Review", "No risk register has been imported yet.")

present = presentation_toggle(st.sidebar)
c1, c2 = (st.sidebar, st.sidebar) if present else st.columns([1, 1, 3])[:2]
as_of = params.select(c1, "As of (quarter end)", dates, key="as_of", parse=params.parse_date,
                      default=risk_review.default_review_date(dates), dump=lambda d: d.isoformat(),
                      on_change=params.forget, args=("compare_to",),
                      format_func=lambda d: d.isoformat() + ("" if risk_review.is_quarter_end(d) else " (interim)"))
earlier = [d for d in dates if d < as_of]
if earlier:
    compare_to = params.select(c2, "Compared with", earlier, key="compare_to", default=risk_review.default_compare(as_of),
                               parse=params.parse_date, dump=lambda d: d.isoformat(), format_func=lambda d: d.isoformat())
else:
    # Nothing earlier to compare with: every change would be the whole register appearing.
    compare_to = as_of
    c2.caption("No earlier review to compare with: changes show as zero.")

opts = filter_options(v, as_of)
asset_names = dict(opts["assets"])
side = st.sidebar
side.subheader("Filters")
filters = RiskFilter(
    themes=params.multiselect(side, "Annex A theme", opts["themes"], key="theme", placeholder="All themes"),
    asset_classes=params.multiselect(side, "Asset type", opts["asset_classes"], key="asset_type",
                                     placeholder="Primary and supporting"),
    assets=params.multiselect(side, "Asset", list(asset_names), key="asset", placeholder="All assets",
                              format_func=lambda a: f"{a} · {asset_names.get(a, a)}"),
    owners=params.multiselect(side, "Risk owner", opts["owners"], key="owner", placeholder="All owners"),
    statuses=params.multiselect(side, "Status", opts["statuses"], key="status", placeholder="All statuses"),
    decisions=params.multiselect(side, "Treatment decision", opts["decisions"], key="decision",
                                 placeholder="All decisions"),
)
data = load(v, as_of, compare_to, filters)

st.title(f"Risk Review · {as_of:%d %B %Y}")
st.caption(f"Risk posture of {cfg.organisation} as of {as_of}, with changes since {compare_to} · "
           f"{filters.describe()} · matrix {matrix.name}, appetite {matrix.appetite}.")
risk_tiles(data.scorecard)

# Selections made by clicking are copied into the fallback controls before those render.
likelihoods, impacts = list(range(1, matrix.steps_likelihood + 1)), list(range(1, matrix.steps_impact + 1))


def _cell_from_chart(selection) -> None:
    points = [p for p in selection.get("points", []) if p.get("customdata")]
    if points:
        st.session_state["cell_likelihood"], st.session_state["cell_impact"] = map(int, points[0]["customdata"][:2])


def _risk_from_table(selection) -> None:
    rows = selection.get("rows", [])
    if rows and rows[0] < len(data.top_risks):
        st.session_state["risk"] = data.top_risks.iloc[rows[0]]["risk_id"]


# A new date or filter opens the detail of its own default risk; a click may then change it.
if st.session_state.get("_risk_scope") != (as_of, filters) or not st.session_state.get("risk"):
    st.session_state["_risk_scope"] = (as_of, filters)
    st.session_state["risk"] = data.default_risk
adopt_selection("heatmap", _cell_from_chart)
adopt_selection("top_risks", _risk_from_table)
choices = list(data.risk_choices["risk_id"])

st.header("Where the risks sit")
controls = st.sidebar if present else st.columns([1, 2])[0]
view = params.select(controls, "Heatmap", VIEWS, key="basis", format_func=VIEW_LABELS.get,
                     help="Counts per cell on the inherent, residual or target rating, or the moves since the comparison date")
left, right = st.columns([3, 2])
cell = None
with left:
    if view == "movement":
        show_chart(charts.movement_map(matrix, data.movements, f"Residual moves, {compare_to} → {as_of}"),
                   key="movement", name=f"residual-moves-{as_of}", presentation=present)
    else:
        show_chart(charts.selectable_heatmap(matrix, data.cells_for(view), f"{VIEW_LABELS[view]} risk heatmap, {as_of}"),
                   key="heatmap", name=f"{view}-heatmap-{as_of}", presentation=present,
                   on_select="rerun", selection_mode="points")
with right:
    if view == "movement":
        moved = int(data.movements["risks"].sum()) if not data.movements.empty else 0
        st.markdown(f"**{moved} risks changed residual cell** since {compare_to}.")
        st.dataframe(data.movements.rename(columns={
            "from_likelihood": "From L", "from_impact": "From I", "from_level": "From level",
            "to_likelihood": "To L", "to_impact": "To I", "to_level": "To level", "risks": "Risks"}),
            hide_index=True, key="movements_table")
    else:
        cl, ci = (st.sidebar, st.sidebar) if present else st.columns(2)
        li = cl.selectbox("Cell likelihood", [ANY, *likelihoods], key="cell_likelihood",
                          format_func=lambda x: x if x == ANY else f"{x} {matrix.likelihood_labels[x - 1]}")
        im = ci.selectbox("Cell impact", [ANY, *impacts], key="cell_impact",
                          format_func=lambda x: x if x == ANY else f"{x} {matrix.impact_labels[x - 1]}")
        if li != ANY and im != ANY:
            cell = Cell(view, int(li), int(im))
focus = load_focus(v, as_of, filters, cell, st.session_state.get("risk"))
with right:
    if view != "movement":
        if cell is None:
            st.caption("Click a cell to list its risks." if present else
                       "Click a cell (or pick its likelihood and impact) to list its risks.")
        else:
            level = matrix.level(cell.likelihood, cell.impact)
            st.markdown(f"**{len(focus.cell_risks)} risk{'' if len(focus.cell_risks) == 1 else 's'}** with {view} "
                        f"likelihood {cell.likelihood} and impact "
                        f"{cell.impact} ({level})")
            st.dataframe(focus.cell_risks, hide_index=True, key="cell_risks",
                         column_config={"risk_id": "Risk", "title": "Title", "owner": "Owner", "status": "Status",
                                        "residual_level": "Residual", "residual_score": "Score",
                                        "inherent_level": "Inherent", "target_level": "Target"})

st.header("Top risks")
top = data.top_risks.assign(trend_text=[trend_label(r) for r in data.top_risks.itertuples()])
st.dataframe(
    top, key="top_risks", on_select="rerun", selection_mode="single-row", hide_index=True,
    column_order=["risk_id", "title", "owner", "residual_level", "residual_score", "trend_text", "decisions",
                  "percent_complete", "days_overdue"],
    column_config={
        "risk_id": "Risk", "title": st.column_config.TextColumn("Title", width="medium"), "owner": "Owner",
        "residual_level": "Level", "residual_score": "Score", "trend_text": f"Since {compare_to}",
        "decisions": "Decision",
        "percent_complete": st.column_config.ProgressColumn("Treatment progress", min_value=0, max_value=100, format="%.0f%%"),
        "days_overdue": st.column_config.NumberColumn("Days overdue", format="%d"),
    },
)
st.caption("Select a row to open the risk's detail below.")

st.header(f"Changes since {compare_to}")
counts = data.change_counts()
for col, (kind, n) in zip(st.columns(len(counts)), counts.items()):
    col.metric(f"{kind} risks", n, border=True)
st.dataframe(data.changes, hide_index=True, key="changes",
             column_config={"risk_id": "Risk", "title": "Title", "owner": "Owner", "change": "Change",
                            "from_level": "From", "to_level": "To", "from_score": "From score", "to_score": "To score"})

st.header("Trends")
t1, t2 = st.columns(2)
with t1:
    show_chart(charts.level_trend(matrix, data.level_trend), key="level_trend", name=f"residual-levels-{as_of}",
               presentation=present)
with t2:
    show_chart(charts.quarterly_exposure_trend(data.totals_trend), key="exposure_trend", name=f"exposure-{as_of}",
               presentation=present)

st.header("Treatment progress")
p1, p2 = st.columns(2)
with p1:
    show_chart(charts.treatment_progress_trend(data.treatment_trend), key="treatment_trend",
               name=f"treatment-progress-{as_of}", presentation=present)
with p2:
    show_chart(charts.exposure_projection(data.totals_trend, data.projection, compare_to), key="projection",
               name=f"exposure-projection-{as_of}", presentation=present)

# Full width, one under the other: eight columns each stay readable on a meeting-room screen.
st.header("Above appetite")
above = data.above_appetite
n_above, unaddressed = len(above), int(above["unaddressed"].sum())
st.markdown(f"**{n_above} risk{'' if n_above == 1 else 's'} above {matrix.appetite}**, of which **{unaddressed}** "
            f"{'has' if unaddressed == 1 else 'have'} neither an active treatment nor a granted exception.")
flags = above["unaddressed"].map({True: "⚠ unaddressed", False: ""}).where(
    ~(above["unaddressed"] & above["accepted"]), "⚠ accepted above appetite")
st.dataframe(above.assign(flag=flags), hide_index=True,
             key="appetite", column_order=["flag", "risk_id", "title", "owner", "residual_level", "residual_score",
                                           "active_treatments", "granted_exceptions"],
             column_config={"flag": "", "risk_id": "Risk", "title": "Title", "owner": "Owner",
                            "residual_level": "Level", "residual_score": "Score",
                            "active_treatments": "Treatments", "granted_exceptions": "Exceptions"})
st.header("Policy exceptions for review")
windows = data.exception_windows()
st.markdown(" · ".join(f"**{n}** {w.lower()}" for w, n in windows.items()))
st.dataframe(data.exceptions, hide_index=True, key="exceptions",
             column_order=["window", "exception_id", "policy", "risk_id", "risk_level", "expires_on",
                           "days_to_expiry", "approver"],
             column_config={"window": "Expiry", "exception_id": "Exception", "policy": "Policy", "risk_id": "Risk",
                            "risk_level": "Risk level", "expires_on": st.column_config.DateColumn("Expires"),
                            "days_to_expiry": "Days left",
                            "approver": "Approver"})

st.header("Risk detail")
titles = dict(zip(data.risk_choices["risk_id"], data.risk_choices["title"]))
(st.sidebar if present else st).selectbox(
    "Risk", choices, key="risk", accept_new_options=True, placeholder="Type a risk id",
    format_func=lambda r: f"{r} · {titles[r]}" if r in titles else r,
    help=f"The {len(choices)} highest residual risks that pass the filters; type any other risk id to open it")
detail = focus.detail
if detail is None:
    chosen = st.session_state.get("risk")
    st.info(f"{chosen} is not in the risk register as of {as_of}." if chosen else "No risk passes the filters at this date.")
else:
    rec = detail.record
    st.subheader(f"{detail.risk_id} · {rec['title']}")
    st.caption(f"{rec['annex_a_theme']} · owner {rec['owner']} · status {rec['status']} · source {rec['source']} · "
               f"identified {pd.Timestamp(rec['identified_on']).date()}")
    if rec.get("description"):
        st.write(rec["description"])
    d1, d2 = st.columns(2)
    with d1:
        show_chart(charts.risk_history(matrix, detail.assessments, f"{detail.risk_id}: assessments over time"),
                   key="risk_history", name=f"{detail.risk_id}-assessments-{as_of}", presentation=present)
    with d2:
        if detail.updates.empty:
            st.caption("No treatment progress has been reported for this risk.")
        else:
            show_chart(charts.treatment_history(detail.updates, f"{detail.risk_id}: treatment progress"),
                       key="risk_treatment_history", name=f"{detail.risk_id}-treatments-{as_of}", presentation=present)
    st.markdown("**Treatments**")
    st.dataframe(detail.treatments, hide_index=True, key="detail_treatments", column_config={
        "treatment_id": "Treatment", "decision": "Decision", "description": "Plan", "owner": "Owner",
        "start_on": st.column_config.DateColumn("Start"), "due_on": st.column_config.DateColumn("Due"),
        "status": "Status", "completed_on": st.column_config.DateColumn("Completed"),
        "percent_complete": st.column_config.ProgressColumn("Complete", min_value=0, max_value=100, format="%.0f%%"),
        "planned_percent": st.column_config.NumberColumn("Planned %", format="%.0f"), "state": "State",
        "days_overdue": "Days overdue"})
    e1, e2 = st.columns(2)
    for col, label, table, key in ((e1, "Policy exceptions", detail.exceptions, "detail_exceptions"),
                                   (e2, "Assets", detail.assets, "detail_assets")):
        col.markdown(f"**{label}**")
        if table.empty:
            col.caption(f"No {label.lower()} recorded for this risk as of {as_of}.")
        else:
            col.dataframe(table, hide_index=True, key=key, column_config=DETAIL_COLUMNS)

if not present:
    pack_panel("risk-review", as_of, compare_to, filters)
