"""The sidebar's reminder, while a browser session looks at the sample, that it is not the ISMS's own data."""

from __future__ import annotations

import streamlit as st

from ui.resources import view_sample


def sample_banner(home) -> None:
    """Said on every page while looking around, with the way back to `home` (the welcome, or the
    ISMS's own Risk Review once something is imported)."""
    st.sidebar.info("You are looking at the **sample ISMS** (Northwind Cloud), a database of its own: "
                    "nothing here is your data.", icon=":material/explore:")
    if st.sidebar.button("Back to your own ISMS", key="leave_sample", icon=":material/undo:"):
        view_sample(False)
        st.switch_page(home)
