"""Compliance Review: frameworks, coverage, control testing, audits and findings, as of a date and
compared with the last review.

Settings (each bound to the URL, so a link reproduces the view), one bundle from
`isms.views.compliance`, then the renderers of `ui.compliance`: this file shows only what goes where.
"""

import datetime as dt
import io

import streamlit as st

from isms.charts_compliance import cell_name, coverage_heatmap, family_key, pass_rate_trend
from isms.dates import long_date, previous_quarter_end, short_date
from isms.soa_export import soa_table, write_soa
from isms.views import compliance
from ui import compliance as render
from ui import params
from ui.forum import earlier_actions_section
from ui.auth import require
from ui.charts import show_chart
from ui.compliance_mappings import suggested_mappings
from ui.packs import pack_panel
from ui.presentation import presentation_toggle
from ui.resources import data_cursor, data_version_key, require_data, settings

user = require("viewer", "Compliance Review")


@st.cache_data(show_spinner=False, max_entries=32)
def load(data_version: str, as_of, compare_to, frameworks: tuple[str, ...]):
    with data_cursor() as cur:
        return compliance.build(cur, as_of, compare_to, list(frameworks) or None)


@st.cache_data(show_spinner=False, max_entries=8)
def options(data_version: str, as_of):
    with data_cursor() as cur:
        return compliance.review_dates(cur), compliance.framework_options(cur, as_of)


def date_label(d) -> str:
    """A period end the data was not imported for says so: its figures are the import's before it."""
    return f"{short_date(d)} · period end" if d in periods and d not in imported else short_date(d)


@st.cache_data(show_spinner=False, max_entries=16)
def suggestions(data_version: str, as_of):
    with data_cursor() as cur:
        return compliance.mapping_suggestions(cur, as_of)


@st.cache_data(show_spinner=False, max_entries=16)
def soa(data_version: str, framework: str, as_of):
    with data_cursor() as cur:
        return soa_table(cur, framework, as_of)


def _soa_xlsx(table) -> bytes:
    buf = io.BytesIO()
    write_soa(table, buf)
    return buf.getvalue()


def _pick_cell(labels: list[str]) -> None:
    points = st.session_state["coverage"].selection.points
    if points:
        framework, family = points[0].get("customdata") or (points[0]["y"], points[0]["x"])
        st.session_state["cell"] = f"{framework} · {family}"


data_version = data_version_key()
imported, _ = options(data_version, None)
require_data(imported, "Compliance Review", "No controls, SoA, tests, audits or findings have been imported yet.")
# the import dates and the Compliance meetings' period ends (every two months by default) up to today
series = settings().series("compliance")
periods = compliance.period_ends(imported, series, dt.date.today())
dates = compliance.offered_dates(imported, series, dt.date.today())
present = presentation_toggle(st.sidebar)
# each date picker wide enough for "31 Aug 2026 · period end" at 1366 px (it was cut to "period end")
controls = [st.sidebar] * 3 if present else st.columns([1.25, 1.25, 2])
fmt = {"parse": params.parse_date, "dump": lambda d: d.isoformat(), "format_func": date_label}
as_of = params.select(controls[0], "As of", dates, key="as_of", default=compliance.default_as_of(imported, periods),
                      on_change=params.forget,
                      args=("compare_to",), **fmt)
# nothing earlier: the quarter end before the date, as the CLI and the pack compare it (the page
# offered 30 June for 6 December, the CLI 30 September)
earlier = [d for d in dates if d < as_of] or [previous_quarter_end(as_of)]
compare_to = params.select(controls[1], "Compared with", earlier, key="compare_to",
                           default=compliance.default_compare(as_of, imported, periods) or earlier[0], **fmt)
_, known = options(data_version, as_of)
chosen = params.multiselect(controls[2], "Frameworks", known, key="framework", placeholder="Those with an SoA")
data = load(data_version, as_of, compare_to, tuple(chosen))
since = short_date(compare_to)

st.title(f"Compliance Review · {long_date(as_of)}")
st.caption(f"Frameworks in scope: {', '.join(data.frameworks) or 'none'}; changes since {long_date(compare_to)}.")
render.show_headline(data)
st.header("Frameworks", divider="gray")
render.framework_tiles(data, since)

st.header("Coverage and effectiveness", divider="gray")
labels = [f"{r.framework} · {r.family}" for r in data.coverage.itertuples()]
if data.no_control_coverage:
    st.info(data.no_control_coverage, icon=":material/info:")
show_chart(coverage_heatmap(data.coverage), key="coverage", name=f"coverage-{as_of}", presentation=present,
           on_select=lambda: _pick_cell(labels), selection_mode=("points",))
for line in family_key(data.coverage, data.requirements):
    st.caption(line)
# in presentation mode the picker sits in the hidden sidebar, as every page's controls do: a click
# on the heatmap still chooses the cell
cell = params.select(st.sidebar if present else st, "Requirements of a framework and family (or click a cell)", labels,
                     key="cell")
if cell:
    framework, family = cell.split(" · ", 1)
    render.cell_requirements(data.cell(framework, family), key="cell_requirements", present=present,
                             name=cell_name(framework, family, data.requirements))

st.header("Control testing", divider="gray")
render.testing_tiles(data, since)
if data.no_test_results:
    st.info(data.no_test_results, icon=":material/info:")
else:
    show_chart(pass_rate_trend(data.pass_rate_trend), key="pass_rate", name=f"pass-rate-{as_of}", presentation=present)
render.test_lists(data, present)

st.header("Audit and certification calendar", divider="gray")
render.calendar(data, present)

st.header("Findings", divider="gray")
render.findings(data, present)

st.header("Statement of Applicability", divider="gray")
soa_framework = params.select(st.sidebar if present else st, "SoA framework" if present else "Framework",
                              data.frameworks, key="soa")
if soa_framework:
    table = soa(data_version, soa_framework, as_of)
    render.soa_view(table, key="soa_rows", present=present)
    if not present:
        st.download_button("SoA (xlsx)", data=lambda: _soa_xlsx(table), file_name=f"soa-{soa_framework}-{as_of}.xlsx",
                           key="soa_xlsx", on_click="ignore", icon=":material/download:",
                           mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

suggested_mappings(suggestions(data_version, as_of), as_of, user, present)
earlier_actions_section("compliance", as_of, present=present)

if not present:
    pack_panel("compliance", as_of, compare_to, tuple(chosen))
