"""The frame of the dashboard: page setup, navigation and the database check. No domain logic."""

from pathlib import Path

import streamlit as st

from isms.auth import Role
from ui.auth import badge, gate
from ui.resources import settings

st.set_page_config(page_title="ISMS risk posture", page_icon=":material/shield:", layout="wide")

cfg = settings()
if not Path(cfg.db_path).exists():
    st.error(
        f"No database at `{cfg.db_path}`. Run `make run` (which builds it from the sample) or "
        "`python -m isms init-db`, or point `ISMS_DB` at your database."
    )
    st.stop()

# Every page is routable (so its URL reaches its own refusal), but links show only what the role may open.
pages = [
    (st.Page("pages/risk_review.py", title="Risk Review", icon=":material/grid_view:", default=True), Role.viewer),
    (st.Page("pages/security_health.py", title="Security Health", icon=":material/monitor_heart:"), Role.viewer),
    (st.Page("pages/import_data.py", title="Import", icon=":material/upload_file:", url_path="import"), Role.analyst),
    (st.Page("pages/settings.py", title="Settings", icon=":material/settings:", url_path="settings"), Role.admin),
    (st.Page("pages/audit.py", title="Audit trail", icon=":material/history:", url_path="audit"), Role.admin),
]
nav = st.navigation([p for p, _ in pages], position="hidden")
user = gate()
for page, role in pages:
    if user.role >= role:
        st.sidebar.page_link(page)
st.sidebar.caption(f"{cfg.organisation} · matrix {cfg.matrix.name}, appetite {cfg.matrix.appetite}")
badge(user)
nav.run()
