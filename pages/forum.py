"""Forum: the meeting calendar, overdue actions, held meetings with their decisions and actions,
and the forms an analyst records them with.

The date (bound to the URL, default today), one bundle from `isms.forum`, then the renderers of
`ui.forum`: this file shows only what goes where.
"""

import datetime as dt

import streamlit as st

from isms import forum
from isms.dates import long_date
from ui import forum as render
from ui.auth import permitted, require
from ui.params import DATE_FORMAT
from ui.presentation import presentation_toggle
from ui.resources import data_cursor, data_version_key, organisation, settings, viewing_sample

user = require("viewer", "Forum")
cfg = settings()


@st.cache_data(show_spinner=False, max_entries=16)
def load(data_version: str, forum_version: str, as_of: dt.date) -> forum.ForumView:
    with data_cursor() as cur:
        return forum.build(cur, cfg, as_of)


def forum_version() -> str | None:
    with data_cursor() as cur:
        return forum.version(cur) if forum.available(cur) else None


present = presentation_toggle(st.sidebar)
st.title("Forum")
if "forum_as_of" not in st.session_state:
    try:
        st.session_state["forum_as_of"] = dt.date.fromisoformat(st.query_params.get("on", ""))
    except ValueError:
        st.session_state["forum_as_of"] = dt.date.today()
# in presentation mode the date sits in the hidden sidebar and the forms are left out: the room reads
as_of = (st.sidebar if present else st.columns([1, 4])[0]).date_input("As of", format=DATE_FORMAT, key="forum_as_of")
st.query_params["on"] = as_of.isoformat()
version = forum_version()
if version is None:
    st.info("This database was made before the forum existed; its forum tables arrive with its next write "
            "(an import, a sign-in in password mode, or `python -m isms init-db`).")
    st.stop()
view = load(data_version_key(), version, as_of)

st.caption(f"The meetings of {organisation()}'s ISMS forum, their decisions and actions, as they stood on "
           f"{long_date(as_of)}.")
st.page_link("pages/management_review.py", label="Management review (clause 9.3): the inputs for a year",
             icon=":material/event_note:")
render.show_message()
render.show_overdue(view, present=present)
render.show_next_meetings(view, present=present)
render.show_exception_agenda(view, present=present)
render.show_meetings(view, cfg, user, can_approve=permitted("approve-minutes") and not viewing_sample() and not present,
                     present=present)
if permitted("record-forum") and not present:
    render.show_forms(view, cfg, user, read_only_reason=(
        "You are looking at the sample: its forum is read-only. Switch back to your own data to record."
        if viewing_sample() else None))
