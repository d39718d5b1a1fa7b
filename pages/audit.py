"""Audit trail (administrators): who signed in, imported, undid or changed settings, and when."""

import datetime as dt

import streamlit as st

from isms import audit
from isms.exports import to_csv
from ui.auth import require
from ui.params import DATE_FORMAT
from ui.resources import cursor
from ui.scorecard import literal

require("admin", "Audit trail")
st.title("Audit trail")
st.caption("Append-only: events are added by every sign-in (and failed one; in local mode, once a day per dashboard "
           "start), lockout, sign-out and ended session, import, undo, settings change, review pack and data export; "
           "none is ever changed or removed.")

with cursor() as cur:
    people = audit.people(cur)
# each date input wide enough for its whole placeholder at 1366 px (yyyy-mm-dd was cut to "yyyy-mm-d")
c1, c2, c3, c4 = st.columns([2.4, 1.8, 1.4, 1.4])
actions = c1.multiselect("Actions", audit.ACTIONS, key="audit_actions")
who = c2.selectbox("Who", ["everyone", *people], key="audit_who")
since = c3.date_input("From", format=DATE_FORMAT, value=None, key="audit_since")
until = c4.date_input("To", format=DATE_FORMAT, value=None, key="audit_until")

flt = audit.AuditFilter(tuple(actions), "" if who == "everyone" else who, since, until)
with cursor() as cur:
    events = audit.events(cur, flt)
st.caption(f"{len(events):,} event{'s' if len(events) != 1 else ''}. Click a row to read its detail whole.")
# the selection belongs to the table's key, not its rows: a key of the filter and the newest event
# clears it when the rows change, so a detail shown is always the clicked event's
shown = f"audit_events_{abs(hash((flt, len(events), int(events['event_id'].max()) if len(events) else 0)))}"
chosen = st.dataframe(events, hide_index=True, key=shown, on_select="rerun", selection_mode="single-row",
                      column_config={
                          "event_id": "Event",
                          "occurred_at": st.column_config.DatetimeColumn("When (UTC)", format="YYYY-MM-DD HH:mm:ss"),
                          "who": "Who", "action": "Action",
                          "detail": st.column_config.TextColumn("Detail", width="large"),
                      })
rows = chosen.selection.rows if chosen else []
if rows and rows[0] < len(events):
    event = events.iloc[rows[0]]
    # who is what was typed (a failed sign-in's user name): shown as text, never as Markdown
    st.markdown(f"**Event {event['event_id']}**: {literal(str(event['action']))} by {literal(str(event['who']))}")
    st.json(audit.detail_of(event["detail"]))
st.download_button("Export CSV", data=to_csv(events), file_name=f"audit-trail-{dt.date.today():%Y%m%d}.csv",
                   mime="text/csv", key="audit_csv", icon=":material/download:", on_click="ignore")
