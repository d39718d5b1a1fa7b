"""The review-pack panel on each meeting page: choose sections, then download the pack.

Files are built only when a download is clicked (deferred callables, on Streamlit's download
thread), from the same date and comparison the page shows.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from isms import actions, images
from isms.auth import User
from isms.packs.build import make_pack
from isms.packs.content import scope_of, section_choices
from isms.packs.model import file_stem
from isms.views.pack_inputs import saved_sections
from ui.auth import permitted, signed_in_user
from ui.resources import cursor, data_connection, settings, store, writing


def _builder(user: User, meeting: str, fmt: str, as_of: dt.date, compare_to: dt.date, sections: list[str], filters):
    # the pack reads the data the page shows (the sample while looking at it); the audit trail is the ISMS's own
    data, own, cfg = data_connection(), store(), settings()

    def build() -> bytes:
        cur = data.cursor()
        try:
            made = make_pack(cur, cfg, meeting, fmt, as_of, compare_to, sections, filters)
        finally:
            cur.close()
        with own.write("recording a pack download") as trail:
            actions.record_pack(trail, user, meeting, made.pack.as_of, made.file_name, made.pack.compare_to,
                                made.pack.scope)
        return made.data

    return build


def pack_panel(meeting: str, as_of: dt.date, compare_to: dt.date, filters: object = None) -> None:
    """`filters` are the page's own, so the pack shows what the page shows. Every download is
    recorded in the audit trail."""
    user = signed_in_user(widgets=False)
    choices = dict(section_choices(meeting))
    with st.expander("Review pack: PowerPoint, PDF, chart images", icon=":material/slideshow:"):
        with cursor() as cur:
            saved = saved_sections(cur, meeting)
        key = f"pack_sections_{meeting}"
        if key not in st.session_state:
            st.session_state[key] = [k for k in (saved or list(choices)) if k in choices]
        chosen = st.multiselect("Sections", list(choices), format_func=choices.get, key=key)
        ordered = [k for k in choices if k in chosen]
        if permitted("save-pack-sections") and st.button(
                "Save these sections for every pack of this meeting", key=f"{key}_save", type="tertiary"):
            with writing("saving pack sections") as cur:
                actions.save_pack_sections(cur, user, meeting, ordered)
            st.toast("Saved.")
        stem = file_stem(meeting, as_of, scope_of(filters))
        c1, c2, c3 = st.columns(3)
        c1.download_button("PowerPoint deck", data=_builder(user, meeting, "pptx", as_of, compare_to, ordered, filters),
                           file_name=f"{stem}.pptx", key=f"{meeting}_pptx", on_click="ignore",
                           mime="application/vnd.openxmlformats-officedocument.presentationml.presentation",
                           icon=":material/download:", disabled=not ordered)
        if images.available():
            c2.download_button("PDF", data=_builder(user, meeting, "pdf", as_of, compare_to, ordered, filters), file_name=f"{stem}.pdf",
                               key=f"{meeting}_pdf", on_click="ignore", mime="application/pdf",
                               icon=":material/download:", disabled=not ordered)
            c3.download_button("Chart images (zip)", data=_builder(user, meeting, "zip", as_of, compare_to, ordered, filters),
                               file_name=f"{stem}-charts.zip", key=f"{meeting}_zip", on_click="ignore",
                               mime="application/zip", icon=":material/download:", disabled=not ordered)
        else:
            st.caption(f"The PDF and chart images need a Chromium: {images.CHROMIUM_HINT}. "
                       "The PowerPoint deck's charts are native and need nothing more.")
