"""Renderers of the welcome page: one function per step, each formatting what the bundle holds."""

from __future__ import annotations

import streamlit as st

from isms.views.welcome import Welcome

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def show_heading(w: Welcome) -> None:
    st.title("Welcome: your own ISMS in four steps")
    if w.empty:
        st.caption("Nothing has been imported into this database yet. Follow the steps in order; the Risk Review "
                   "and Security Health open as soon as the first register is in.")
    else:
        st.caption(f"{w.imports} import{'s' if w.imports != 1 else ''} so far: the meeting pages are open.")


def step(number: int, title: str):
    """A bordered box headed by its step, so the order reads at a glance."""
    box = st.container(border=True)
    box.subheader(f"Step {number}: {title}")
    return box


def show_matrix_fixed(w: Welcome) -> None:
    st.markdown(f"The risk matrix is **{w.matrix}**, levels {', '.join(w.levels)}; appetite **{w.appetite}**. "
                "An administrator chooses them, before the first import.")


def show_template_step(template: bytes) -> None:
    st.markdown("Download the blank template: one sheet per kind (assets, risks, assessments, treatments, "
                "indicators, exceptions), dropdowns in your matrix's words, and an Instructions sheet for every "
                "column. Fill in only the sheets you have.")
    st.download_button("Download the blank template", template, file_name="isms-import-template.xlsx", mime=XLSX,
                       key="welcome_template", icon=":material/download:")
    st.markdown("**Or bring the register you already keep**, in its own layout (.xlsx, .xlsm, .ods or .csv): "
                "the Import page proposes how its columns map, and you correct what is wrong.")


def show_import_step(can_import: bool) -> None:
    st.markdown("Upload the file, read how it was understood and every problem with its cell, preview the change, "
                "then commit it: all of it or none of it.")
    if can_import:
        st.page_link("pages/import_data.py", label="Import your register", icon=":material/upload_file:")
    else:
        st.caption("Importing needs the analyst role: ask an analyst or an administrator.")


def show_review_step(w: Welcome) -> None:
    if w.empty:
        st.markdown("Once a register is imported, the Risk Review shows where risk stands on your matrix, how it "
                    "moved and whether treatments work.")
    else:
        st.page_link("pages/risk_review.py", label="Open the Risk Review", icon=":material/grid_view:")


def sample_button(w: Welcome, can_load: bool) -> bool:
    """The offer to look around the sample first; True when clicked."""
    with st.container(border=True):
        st.markdown("**Just looking?** Open the sample ISMS (Northwind Cloud, 12 quarters) in a database of its "
                    f"own, `{w.sample.name}` beside yours: nothing of it enters your data, and you can come back "
                    "here at any time from the sidebar.")
        allowed = w.sample_ready or can_load
        clicked = st.button("Look around the sample", key="welcome_sample", icon=":material/explore:",
                            disabled=not allowed)
        if not allowed:
            st.caption("Building the sample needs the analyst role.")
        return clicked
