"""Management review: the annual review of ISO/IEC 27001:2022 clause 9.3, its inputs from the data.

The year (bound to the URL), one bundle from `isms.views.management_review`, then the renderers of
`ui.management_review`: this file shows only what goes where.
"""

import streamlit as st

from isms import forum
from isms.dates import short_date
from isms.views import management_review
from ui import management_review as render
from ui import params
from ui.auth import require
from ui.packs import pack_panel
from ui.presentation import presentation_toggle
from ui.resources import data_cursor, data_version_key, organisation, require_data, settings

require("viewer", "Management review")
cfg = settings()


@st.cache_data(show_spinner=False, max_entries=8)
def years(data_version: str):
    with data_cursor() as cur:
        return management_review.review_years(cur)


@st.cache_data(show_spinner=False, max_entries=8)
def load(data_version: str, forum_version: str, year: int):
    with data_cursor() as cur:
        return management_review.build(cur, cfg, year)


data_version = data_version_key()
choices = years(data_version)
require_data(choices, "Management review", "No year of data has closed yet.", imported=False)
with data_cursor() as cur:
    if not forum.available(cur):
        st.info("This database was made before the forum existed; its forum tables arrive with its next write.")
        st.stop()
    version = forum.version(cur)
present = presentation_toggle(st.sidebar)
# in presentation mode the picker sits in the hidden sidebar, as every page's controls do
year = params.select(st.sidebar if present else st.columns([1, 4])[0], "Year under review", choices, key="year", parse=int)
review = load(data_version, version, year)
st.title(f"Management review · {year}")
st.caption(f"The inputs of ISO/IEC 27001:2022 clause 9.3.2 for {organisation()}, {short_date(review.start)} to "
           f"{short_date(review.end)}, from the data the dashboard holds; the outputs of 9.3.3 are the review's decisions.")
render.show_actions(review, present=present)
render.show_context()
render.show_performance(review, present=present)
render.show_risks(review)
render.show_improvement(review, present=present)
render.show_outputs(review, present=present)
if not present:
    pack_panel("management-review", review.end, review.card.compare_to)
