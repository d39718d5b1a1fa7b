"""Import: the analyst's own spreadsheet in, how it was understood, every problem, preview, commit.

A page as the README describes it: the role, the upload, then the renderers of ui/import_data.py,
each of which calls into isms.views.import_data or isms.actions.
"""

import streamlit as st

from isms.views import import_data as view
from ui import import_data as render
from ui.auth import require
from ui.resources import settings

user = require("analyst", "Import")
cfg = settings()

st.title("Import")
st.caption("Upload the spreadsheet you already keep (.xlsx, .xlsm, .ods or .csv): see how it was understood and "
           "every problem with its cell, preview the change, then commit all of it or none of it.")
render.show_last_outcome()

tab_import, tab_history, tab_templates = st.tabs(["Import a file", "Import history", "Templates"])
with tab_import:
    upload = st.file_uploader("Spreadsheet", type=["xlsx", "xlsm", "ods", "csv", "txt"], key="upload",
                              max_upload_size=cfg.uploader_mb)
    if upload is None:
        view.prepare_reader(cfg)
        st.info("Choose a file. Several sheets per workbook are fine; title rows above the headers are fine.")
    else:
        render.import_flow(upload, user)
with tab_history:
    render.show_history(user)
with tab_templates:
    render.show_templates()
