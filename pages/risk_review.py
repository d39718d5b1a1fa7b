"""Risk Review: the quarterly risk posture meeting, on one page.

Settings (each control bound to the URL, so a link reproduces the view), one bundle from
`isms.views.risk_review`, then one renderer per section from `ui.risk_review`: the figures can be
tested on the bundle without Streamlit, and this file shows only what goes where.
"""

import datetime as dt

import streamlit as st

from isms.filters import CONTROL_EFFECTIVENESS, RiskFilter
from isms.dates import short_date
from isms.views import risk_review
from ui import params
from ui.auth import require
from ui.forum import earlier_actions_section
from ui.packs import pack_panel
from ui.presentation import presentation_toggle
from ui.resources import data_cursor, data_version_key, require_data, settings
from ui.risk_review import (
    follow_selections, show_above_appetite, show_cell_risks, show_changes, show_heading, show_heatmap,
    show_policy_exceptions, show_risk_detail, show_top_risks, show_treatment_progress, show_trends,
)

require("viewer", "Risk Review")
cfg = settings()


@st.cache_data(show_spinner=False, max_entries=8)
def meeting_dates(data_version: str, today):
    """The dates offered (quarter ends up to today among them) and those a register was imported for."""
    with data_cursor() as cur:
        return (risk_review.review_dates(cur, include_interim=True, until=today),
                frozenset(risk_review.review_dates(cur, include_interim=True)))


@st.cache_data(show_spinner=False, max_entries=16)
def filter_options(data_version: str, as_of):
    with data_cursor() as cur:
        return risk_review.filter_options(cur, as_of)


@st.cache_data(show_spinner=False, max_entries=32)
def load(data_version: str, as_of, compare_to, filters: RiskFilter):
    with data_cursor() as cur:
        return risk_review.build(cur, cfg, as_of, compare_to, filters)


@st.cache_data(show_spinner=False, max_entries=64)
def load_focus(data_version: str, as_of, filters: RiskFilter, cell, risk_id):
    with data_cursor() as cur:
        return risk_review.focus(cur, cfg, as_of, filters, cell, risk_id)


data_version = data_version_key()
dates, imported = meeting_dates(data_version, dt.date.today())
require_data(dates, "Risk Review", "No risk register has been imported yet.")

present = presentation_toggle(st.sidebar)
# the date picker wide enough for '30 Sep 2026 · no import' at 1366 px
as_of_column, compare_column = (st.sidebar, st.sidebar) if present else st.columns([1.3, 1, 2.7])[:2]
iso_date = {"parse": params.parse_date, "dump": lambda d: d.isoformat()}
as_of = params.select(as_of_column, "As of (quarter end)", dates, key="as_of", **iso_date,
                      default=risk_review.default_review_date(sorted(imported, reverse=True)),
                      on_change=params.forget, args=("compare_to",),
                      format_func=lambda d: short_date(d) + ("" if d in imported else " · no import")
                      + ("" if risk_review.is_quarter_end(d) else " (interim)"))
earlier = [d for d in dates if d < as_of]
if earlier:
    compare_to = params.select(compare_column, "Compared with", earlier, key="compare_to", **iso_date,
                               default=risk_review.default_compare(as_of, dates), format_func=short_date)
else:
    # Nothing earlier to compare with: every change would be the whole register appearing.
    compare_to = as_of
    compare_column.caption("The first review on record: nothing earlier to compare with.")

options = filter_options(data_version, as_of)
asset_names = dict(options["assets"])
sidebar = st.sidebar
sidebar.subheader("Filters")
filters = RiskFilter(
    themes=params.multiselect(sidebar, "Annex A theme", options["themes"], key="theme", placeholder="All themes"),
    asset_classes=params.multiselect(sidebar, "Asset type", options["asset_classes"], key="asset_type",
                                     placeholder="Primary and supporting"),
    assets=params.multiselect(sidebar, "Asset", list(asset_names), key="asset", placeholder="All assets",
                              format_func=lambda a: f"{a} · {asset_names.get(a, a)}"),
    owners=params.multiselect(sidebar, "Risk owner", options["owners"], key="owner", placeholder="All owners"),
    statuses=params.multiselect(sidebar, "Status", options["statuses"], key="status", placeholder="All statuses"),
    decisions=params.multiselect(sidebar, "Treatment decision", options["decisions"], key="decision",
                                 placeholder="All decisions"),
    # offered once a register names business units (teams that import their own part of it)
    business_units=params.multiselect(sidebar, "Business unit", options["business_units"], key="business_unit",
                                      placeholder="All business units") if options["business_units"] else (),
    # offered once a control register exists: how the risk's controls fared in their tests as of the date
    control_effectiveness=params.select(sidebar, "Control effectiveness", list(CONTROL_EFFECTIVENESS), key="controls",
                                        format_func=CONTROL_EFFECTIVENESS.get,
                                        help="The risk's controls (mapped to its Annex A controls) and their last "
                                             "test as of the date") if options["control_register"] else "",
)
data = load(data_version, as_of, compare_to, filters)

show_heading(data, cfg)
follow_selections(data)
heatmap = show_heatmap(data, cfg.matrix, present)
focus = load_focus(data_version, as_of, filters, heatmap.cell, st.session_state.get("risk"))
show_cell_risks(heatmap, focus, cfg.matrix, present)
show_top_risks(data, present)
show_changes(data, present)
show_trends(data, cfg.matrix, present)
show_treatment_progress(data, present)
show_above_appetite(data, cfg.matrix, present)
show_policy_exceptions(data, present)
show_risk_detail(data, focus, cfg.matrix, present)
earlier_actions_section("risk", as_of, present=present)

if not present:
    pack_panel("risk-review", as_of, compare_to, filters)
