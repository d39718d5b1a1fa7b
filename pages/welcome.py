"""Welcome: what an empty database opens on, the first steps in order instead of empty pages.

Settings (the role), one call into isms (`isms.views.welcome.build`), then one renderer per step;
the matrix form is the Settings page's own (`ui.matrix_settings`), and the sample is built through
`isms.actions.load_sample`.
"""

import streamlit as st

from isms import actions
from isms.auth import Refused
from isms.databases import SampleError
from isms.views import welcome
from ui import welcome as show
from ui.auth import permitted, require
from ui.matrix_settings import matrix_form, show_saved
from ui.resources import cursor, settings, view_sample, writing

user = require("viewer", "Welcome")
cfg = settings()


@st.cache_data(show_spinner=False)
def template(matrix_name: str, appetite: str) -> bytes:
    return welcome.blank_template(cfg)


with cursor() as cur:
    w = welcome.build(cur, cfg)

show.show_heading(w)
if show.sample_button(w, permitted("load-sample")):
    try:
        with st.spinner("Building the sample beside your database…"), writing("loading the sample") as cur:
            actions.load_sample(cur, user, cfg)
    except (Refused, SampleError, FileNotFoundError) as exc:
        st.error(f"The sample could not be opened: {exc}")
    else:
        view_sample(True)
        st.switch_page("pages/risk_review.py")

with show.step(1, "Choose your risk matrix and appetite"):
    st.markdown("Every level the import reports and every page shows comes from the matrix, so it comes first.")
    if permitted("change-settings"):
        show_saved()
        matrix_form(user, cfg, key="welcome_", organisation=w.organisation,
                    stand_in="" if w.organisation else w.stand_in)
    else:
        show.show_matrix_fixed(w)
with show.step(2, "Get your register into a spreadsheet"):
    show.show_template_step(template(cfg.matrix.name, cfg.matrix.appetite))
with show.step(3, "Import it"):
    show.show_import_step(permitted("import"))
with show.step(4, "See the Risk Review"):
    show.show_review_step(w)
