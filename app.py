"""The frame of the dashboard: page setup, navigation and the database check. No domain logic."""

from pathlib import Path

import streamlit as st

from ui.resources import settings

st.set_page_config(page_title="ISMS risk posture", page_icon=":material/shield:", layout="wide")

cfg = settings()
if not Path(cfg.db_path).exists():
    st.error(
        f"No database at `{cfg.db_path}`. Run `make run` (which builds it from the sample) or "
        "`python -m isms init-db`, or point `ISMS_DB` at your database."
    )
    st.stop()

pages = [
    st.Page("pages/risk_review.py", title="Risk Review", icon=":material/grid_view:", default=True),
    st.Page("pages/security_health.py", title="Security Health", icon=":material/monitor_heart:"),
    st.Page("pages/import_data.py", title="Import", icon=":material/upload_file:"),
]
nav = st.navigation(pages)
st.sidebar.caption(f"{cfg.organisation} · matrix {cfg.matrix.name}, appetite {cfg.matrix.appetite}")
nav.run()
