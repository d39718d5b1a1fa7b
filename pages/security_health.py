"""Security Health: the monthly security monitoring meeting, on one page.

Settings (each control bound to the URL, so a link reproduces the view), one bundle from
`isms.views.security_health`, then the renderers of `ui.health`: this file shows only what goes where.
"""

import streamlit as st

from isms.charts import domain_health_trend, kri_history, kri_status_trend, monthly_exposure_trend
from isms.dates import add_months, month_end, month_name
from isms.views import security_health
from isms.views.security_health import Filters
from ui import health, params
from ui.auth import require
from ui.charts import show_chart
from ui.forum import earlier_actions_section
from ui.packs import pack_panel
from ui.presentation import presentation_toggle
from ui.resources import data_cursor, data_version_key, organisation, require_data, settings

require("viewer", "Security Health")
cfg = settings()


@st.cache_data(show_spinner=False, max_entries=64)
def load(data_version: str, month, compare_month, filters: Filters):
    with data_cursor() as cur:
        return security_health.build(cur, cfg, month, compare_month, filters)


@st.cache_data(show_spinner=False, max_entries=64)
def options(data_version: str, month):
    with data_cursor() as cur:
        return security_health.filter_options(cur, month)


@st.cache_data(show_spinner=False, max_entries=4)
def result_months(data_version: str):
    with data_cursor() as cur:
        return security_health.months_with_results(cur)


def _open_selected(ids: list[str]) -> None:
    rows = st.session_state["kri_board"].selection.rows
    if rows:
        st.session_state["kri"] = ids[rows[0]]


data_version = data_version_key()
months = result_months(data_version)
if not months:
    with data_cursor() as cur:
        require_data(months, "Security Health", security_health.nothing_to_show(cur))

present = presentation_toggle(st.sidebar)
controls = [st.sidebar] * 5 if present else st.columns([1.15, 1.15, 1.2, 1.2, 1.5])  # "September 2026" whole at 1366 px
# a month is its first day in the link; any day of it is taken ('2026-09-30', as the packs and the
# CLI date a month, opens September)
fmt_month = {"parse": lambda text: params.parse_date(text).replace(day=1), "dump": lambda d: d.isoformat(),
             "format_func": month_name}  # 'Sep 2026', a select box's short form: 'September 202' was cut at 1280
month = params.select(controls[0], "Month", months, key="month", on_change=params.forget, args=("compare_month",), **fmt_month)
earlier = [m for m in months if m < month] or [add_months(month, -1)]
compare_month = params.select(controls[1], "Compared with", earlier, key="compare_month", **fmt_month)
opts = options(data_version, month)
domains = params.multiselect(controls[2], "Control domain", opts.domains, key="domain", placeholder="All domains")
owners = params.multiselect(controls[3], "Owner", opts.owners, key="owner", placeholder="All owners")
metric_ids = params.multiselect(controls[4], "Indicators", list(opts.metrics), key="metric", placeholder="All KRIs",
                                format_func=lambda m: f"{m} {opts.metrics[m]}")

# offered once the risk register names business units; it narrows the risk scorecard (KRIs have no unit)
units = params.multiselect(st.sidebar, "Business unit (risk scorecard)", opts.business_units,
                           key="business_unit", placeholder="All business units") if opts.business_units else []
data = load(data_version, month, compare_month, Filters(tuple(domains), tuple(owners), tuple(metric_ids), tuple(units)))
since = f"{compare_month:%b %Y}"
st.title(f"Security Health · {month:%B %Y}")
scope = "all KRIs" if data.filters == Filters() else f"{len(data.board)} KRIs of {data.filters.describe()}"
# the first month with results has nothing to change from: said, as the headline says it
changes = (f"with changes since {compare_month:%B %Y}" if data.previous_counts.with_results
           else f"no results for {compare_month:%B %Y} to compare with")
st.caption(f"Security monitoring of {organisation()} for {month:%B %Y} ({scope}), {changes}.")

health.show_headline(data)
st.header("Health summary", divider="gray")
health.status_tiles(data.counts, data.previous_counts, since)
health.domain_tiles(data.domain_health, month, compare_month)
status_column, domain_column = (st.container(), st.container()) if present else st.columns(2)
with status_column:
    show_chart(kri_status_trend(data.status_by_month, "KRI status, last 12 months"), key="kri_trend",
               name=f"kri-status-{month:%Y-%m}", presentation=present)
with domain_column:
    show_chart(domain_health_trend(data.domain_health, "Health index by control domain (share of KRIs green)"),
               key="domain_health", name=f"domain-health-{month:%Y-%m}", presentation=present)

st.header("Breaches", divider="gray")
health.show_breaches(data.breaches, since)

st.header("KRI board", divider="gray")
board_ids = data.board["metric_id"].tolist()
if board_ids:
    st.caption("Worst first. Status comes from the amber and red thresholds; the target is where the KRI should be. "
               "A KRI without a result for the month is stale, never green, and shows its last value with its month. "
               f"Change is since {since}. Select a row to open it below.")
    health.show_board(data.board, since, key="kri_board", on_select=lambda: _open_selected(board_ids), present=present)
else:
    st.info("No KRI matches the filters.")

st.header("Indicator detail", divider="gray")
if board_ids:
    # in presentation mode the picker sits in the hidden sidebar, as every page's controls do
    kri = params.select(st.sidebar if present else st, "Indicator", board_ids, key="kri", default=data.default_indicator(),
                        format_func=lambda m: f"{m} {opts.metrics.get(m, '')}")
    detail = data.indicator(kri)
    show_chart(kri_history(detail.metric, detail.history), key="kri_history",
               name=f"{kri}-history-{month:%Y-%m}", presentation=present)
    health.show_notes(detail.notes)

st.header("Risk scorecard", divider="gray")
st.caption("The measured effect of risk treatments across "
           + (f"business unit(s) {', '.join(units)}" if units else "the whole register") + " (the KRI filters do not apply).")
risk = data.risk
if data.no_risk_register:
    st.info(data.no_risk_register, icon=":material/info:")
else:
    health.treatment_effect_tiles(risk, data.exposure_before, since)
    show_chart(monthly_exposure_trend(risk.exposure_trend, "Residual exposure by month"), key="exposure_trend",
               name=f"residual-exposure-{month:%Y-%m}", presentation=present)
    health.show_risk_tables(risk, present)
earlier_actions_section("security-health", month_end(month), present=present)

if not present:
    pack_panel("security-health", month_end(month), month_end(compare_month), data.filters)
