"""Export (administrators): every fact as it stood on a date, for a BI tool or to take the data elsewhere.

The same export as `python -m isms export` (isms.data_export), offered as a zip download.
"""

import streamlit as st

from isms.data_export import default_date
from ui.auth import require
from ui.export import export_panel
from ui.resources import cursor

user = require("admin", "Export")
st.title("Export")
st.caption("Every kind (assets, risks, assessments, treatments, updates, indicators, results, exceptions, controls, "
           "tests, audits, findings, frameworks and mappings) as it stood on a date, with the imports it came from, "
           "the forum's meetings, decisions and actions and the mapping decisions up to it, and each risk's score "
           "and level and each treatment's progress and state as the dashboard counts them, and the catalogs' "
           "requirement titles, for Power BI, "
           "Tableau, a data warehouse or another dashboard. Undone imports are left out.")
with cursor() as cur:
    default = default_date(cur)
export_panel(user, default)
