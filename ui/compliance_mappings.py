"""The Compliance Review's suggested mappings: the links an imported framework mapping offers for
a control, each accepted or rejected by an analyst (audited, dated by the page's as-of date, so the
review of that date and every later one counts an accepted link and only those)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from isms import actions
from isms.auth import User, allows
from ui.resources import writing
from ui.scorecard import dashed
from ui.tables import iso_days, listing, text

COLUMNS = {"framework": text("Framework", 140), "ref": text("Requirement", 110), "sources": text("Because it cites", 200),
           "status": text("Status", 90), "decided_on": text("Decided", 90), "decided_by": text("By", 110)}


def suggested_mappings(suggestions: pd.DataFrame, as_of: dt.date, user: User, present: bool) -> None:
    """Per control, its suggested links and their status; an analyst decides the undecided ones."""
    if suggestions.empty:
        return
    st.header("Suggested mappings", divider="gray")
    waiting = int((suggestions["status"] == "suggested").sum())
    st.caption(f"{waiting} link(s) from imported framework mappings wait for a decision. A suggestion counts towards "
               "coverage only once accepted.")
    names = dict(zip(suggestions["control_id"], suggestions["control_name"]))
    control = st.selectbox("Control", list(names), key="suggest_control", format_func=lambda c: f"{c} · {names[c]}")
    mine = suggestions[suggestions["control_id"] == control].reset_index(drop=True)
    listing(dashed(iso_days(mine)), COLUMNS, key="suggestions")
    said = st.session_state.pop("_mapping_said", None)
    if said:
        st.success(said)
    open_ = mine[mine["status"] == "suggested"]
    if present or open_.empty or not allows(user.role, "decide-mappings"):
        return
    with st.form("decide_mapping", border=False):
        target = st.selectbox("Suggested requirement", [f"{f}:{r}" for f, r in zip(open_["framework"], open_["ref"])],
                              key="suggest_target")
        accept, reject = st.columns(2)
        decision = "accepted" if accept.form_submit_button("Accept") else \
            "rejected" if reject.form_submit_button("Reject") else None
    if decision:
        framework, ref = target.split(":", 1)
        try:
            with writing("a mapping decision") as con:
                actions.decide_mapping(con, user, control, framework, ref, decision, as_of)
        except (ValueError, PermissionError) as exc:
            st.error(str(exc))
            return
        st.session_state["_mapping_said"] = f"{control} → {target} {decision} as of {as_of}."
        st.rerun()
