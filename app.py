"""The frame of the dashboard: page setup, navigation and the database check. No domain logic."""

import streamlit as st

from isms.auth import Role
from isms.store.db import exists as db_exists
from isms.views import welcome
from ui.auth import badge, gate
from ui.resources import cursor, organisation, settings, viewing_sample
from ui.sample import sample_banner

st.set_page_config(page_title="ISMS risk posture", page_icon=":material/shield:", layout="wide")
# Tile labels wrap rather than end in '…' on a 1366 px projector ('Treatments overdue', 'Above appetite,
# unaddressed'); the meeting must read every label.
st.html("<style>[data-testid='stMetricLabel'] * {white-space: normal !important; overflow: visible !important;"
        " text-overflow: clip !important;}</style>")

cfg = settings()
if not db_exists(cfg.db_path):
    st.error(
        f"No database at `{cfg.db_path}`. For your own ISMS, create an empty one: `python -m isms init-db --empty` "
        f"(or `make run ISMS_DB={cfg.db_path}`, which does it); for the sample, `python -m isms init-db` "
        "(or plain `make run`). Or point `ISMS_DB` at your database."
    )
    st.stop()

with cursor() as cur:
    empty = welcome.is_empty(cur)
sample = viewing_sample()
first_steps = empty and not sample  # an empty database opens on the welcome, not on empty meeting pages

# Every page is routable (so its URL reaches its own refusal), but links show only what the role may
# open, and only what there is something to show in: (page, least role, linked while empty, linked with data).
# The Forum is the landing page once there is data: what was decided, what is overdue, what meets next.
# Streamlit serves the default page at the root only (its own path answers 'page not found'), so
# /forum, /risk_review (the Risk Review's address while it was the default), /security_health (the
# Security Health's before it was spelt like the others' addresses) and /management_review forward,
# with their query.
risk_review = st.Page("pages/risk_review.py", title="Risk Review", icon=":material/grid_view:", url_path="risk-review")
security_health = st.Page("pages/security_health.py", title="Security Health", icon=":material/monitor_heart:",
                          url_path="security-health")
forum_page = st.Page("pages/forum.py", title="Forum", icon=":material/groups:",
                     url_path="forum" if first_steps else "home", default=not first_steps)


def _forward(to):
    def forward() -> None:
        st.switch_page(to, query_params=st.query_params.to_dict())
    return forward


management_review = st.Page("pages/management_review.py", title="Management review", icon=":material/event_note:",
                            url_path="management-review")
# each hyphenated address also answers spelt with an underscore, as the page's file is named (a trial
# typed /management_review and was shown the Forum)
aliases = [st.Page(_forward(page), title=page.title, url_path=page.url_path.replace("-", "_"))
           for page in (risk_review, security_health, management_review)]
if not first_steps:
    aliases.append(st.Page(_forward(forum_page), title="Forum", url_path="forum"))


pages = [
    (st.Page("pages/welcome.py", title="First steps", icon=":material/flag:", url_path="welcome",
             default=first_steps), Role.viewer, True, False),
    (risk_review, Role.viewer, False, True),
    (security_health, Role.viewer, False, True),
    (st.Page("pages/compliance.py", title="Compliance Review", icon=":material/verified:", url_path="compliance"),
     Role.viewer, False, True),
    (forum_page, Role.viewer, False, True),
    # the annual meeting's page, beside the others (the Forum links it too): a trial looked for it
    # in the sidebar and found it only through the Forum
    (management_review, Role.viewer, False, True),
    (st.Page("pages/import_data.py", title="Import", icon=":material/upload_file:", url_path="import"), Role.analyst,
     True, True),
    (st.Page("pages/settings.py", title="Settings", icon=":material/settings:", url_path="settings"), Role.admin,
     True, True),
    (st.Page("pages/audit.py", title="Audit trail", icon=":material/history:", url_path="audit"), Role.admin,
     True, True),
    (st.Page("pages/export.py", title="Export", icon=":material/download:", url_path="export"), Role.admin,
     False, True),
    *((alias, Role.viewer, False, False) for alias in aliases),
]
nav = st.navigation([p for p, *_ in pages], position="hidden")
user = gate()
if sample:
    sample_banner(pages[0][0] if empty else risk_review)
for page, role, while_empty, with_data in pages:
    meeting = page.title in ("Risk Review", "Security Health", "Compliance Review", "Forum",
                             "Management review") and page not in aliases
    shown = meeting if sample else (while_empty if first_steps else with_data)
    if shown and user.role >= role:
        st.sidebar.page_link(page)
st.sidebar.caption(f"{organisation()} · matrix {cfg.matrix.name}, appetite {cfg.matrix.appetite}")
badge(user)
nav.run()
