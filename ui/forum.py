"""Render helpers of the Forum page and of the meeting pages' 'Actions from earlier meetings'.

Figures come from isms.forum; the forms call isms.actions (role check and audit there), in the
button's callback so the rerun that follows already reads the change.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from isms import actions, forum
from isms.auth import User
from isms.config import Settings
from isms.dates import long_date, short_date
from ui.params import DATE_FORMAT
from ui.presentation import meeting_list
from ui.resources import data_cursor, data_version_key, settings, writing
from ui.scorecard import dashed
from ui.tables import iso_days, shown_columns, text

_MESSAGE = "_forum_message"

ACTION_COLUMNS = {
    "action_id": text("Action", 70),
    "title": text("What", 230),
    "owner": text("Owner", 110),
    "due_on": text("Due", 90),
    "original_due_on": text("First due", 90),
    "status": text("Status", 90),
    "series": text("Series", 110),
    "meeting_id": text("Meeting", 70),
}
OVERDUE_COLUMNS = {**{k: v for k, v in ACTION_COLUMNS.items() if k not in ("original_due_on", "meeting_id")},
                   "days_overdue": st.column_config.NumberColumn("Days overdue", width=90)}
CLOSED_COLUMNS = {
    "action_id": text("Action", 70), "title": text("What", 250), "owner": text("Owner", 110),
    "due_on": text("Due", 90), "closed_on": text("Closed", 90), "status": text("Status", 80),
    "closure_note": text("Closure note", 190),
}
DECISION_COLUMNS = {
    "decision_id": text("Decision", 70), "decided_on": text("On", 90), "kind": text("Kind", 130),
    "text": text("What was decided", 300), "review_on": text("Review", 90), "links": text("Concerns", 150),
}
NEXT_COLUMNS = {
    "series": text("Series", 170), "on": text("Next meeting", 110), "covers": text("Data as of", 110),
    "last_held_on": text("Last held", 110), "state": text("When", 120),
}


def _series_names(cfg: Settings) -> dict[str, str]:
    """Each series' key ('security-health') and the name the calendar gives it ('Security Health')."""
    return {s.key: s.name for s in cfg.meeting_series}


def _frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A list as the page shows it: ISO days, '–' for blanks, and a series by its name ('Security
    Health'), not the key the configuration files it under ('security-health')."""
    if "series" in frame.columns:
        names = _series_names(settings())
        frame = frame.assign(series=frame["series"].map(lambda k: names.get(k, k)))
    if "kind" in frame.columns:  # a decision's kind as people say it ('Exception granted', not 'exception-grant')
        frame = frame.assign(kind=frame["kind"].map(forum.kind_name))
    return dashed(iso_days(frame))


def show_message() -> None:
    """What the last form did (set in its callback), once."""
    kind, message = st.session_state.pop(_MESSAGE, (None, None))
    if kind == "error":
        st.error(message)
    elif kind:
        st.success(message)


def show_overdue(view: forum.ForumView, *, present: bool = False) -> None:
    st.header("Overdue actions", divider="gray")
    if view.overdue.empty:
        st.success(f"No action is overdue on {long_date(view.as_of)}.")
        return
    st.caption(f"{len(view.overdue)} actions open past their due date on {long_date(view.as_of)}, longest overdue first.")
    meeting_list(_frame(view.overdue), OVERDUE_COLUMNS, key="overdue_actions", what="overdue actions", present=present)


def show_next_meetings(view: forum.ForumView, *, present: bool = False) -> None:
    st.header("Next meetings", divider="gray")
    rows = pd.DataFrame([{
        "series": n.series.name, "on": n.on.isoformat(), "covers": n.covers.isoformat(),
        "last_held_on": n.last_held_on.isoformat() if n.last_held_on else None,
        "state": f"late since {n.on.day} {n.on:%b}" if n.late else f"in {(n.on - view.as_of).days} days",
    } for n in view.next_meetings])
    st.caption("Each series reviews the period after the one its last meeting reviewed; 'Data as of' is the date its "
               "pack covers.")
    meeting_list(dashed(rows), NEXT_COLUMNS, key="next_meetings", what="meetings", present=present, wrapped=True)


def show_exception_agenda(view: forum.ForumView, *, present: bool = False) -> None:
    risk = next((n for n in view.next_meetings if n.series.key == "risk"), None)
    if risk is None:
        return
    st.header(f"Exceptions for the next Risk meeting ({short_date(risk.on)})", divider="gray")
    if view.exception_agenda.empty:
        st.success("No policy exception needs renewing or a decision.")
        return
    st.caption("Granted exceptions expiring by the meeting plus the warning window (renewal), or already expired, "
               "with no renewal or refusal decided since they were granted.")
    columns = {"exception_id": text("Exception", 90), "title": text("Title", 260), "policy": text("Policy", 180),
               "owner": text("Owner", 120), "expires_on": text("Expires", 100), "item": text("Agenda item", 130)}
    frame = _frame(view.exception_agenda)
    meeting_list(frame, shown_columns(frame, columns), key="exception_agenda", what="exceptions", present=present)


def _links(row) -> str:
    parts = []
    for col in ("risk_ids", "treatment_ids", "exception_ids", "kri_ids", "finding_ids"):
        value = row.get(col)
        if value is not None and len(value):
            parts.extend(list(value))
    return ", ".join(parts) or None


def show_meetings(view: forum.ForumView, settings: Settings, user: User, *, can_approve: bool,
                  present: bool = False) -> None:
    st.header("Held meetings", divider="gray")
    if view.meetings.empty:
        st.info("No meeting has been recorded yet.")
        return
    names = _series_names(settings)
    n = view.held
    st.caption(f"{n} meeting{'s' if n != 1 else ''} held up to {long_date(view.as_of)}"
               + (f"; the {len(view.meetings)} most recent below." if n > len(view.meetings) else "."))
    for m in view.meetings.to_dict("records"):
        held = pd.Timestamp(m["held_on"]).date()
        with st.expander(f"{names.get(m['series'], m['series'])} · {long_date(held)} · {m['meeting_id']}"):
            # a meeting recorded by an imported minutes sheet may have no attendees, and a series the
            # calendar does not know no period
            reviewed = (f"{short_date(pd.Timestamp(m['period_start']))} – {short_date(pd.Timestamp(m['period_end']))}"
                        if pd.notna(m["period_start"]) and pd.notna(m["period_end"]) else "not recorded")
            people = ", ".join(m["attendees"]) if m["attendees"] is not None and len(m["attendees"]) else "not recorded"
            st.markdown(f"**Reviewed** {reviewed} · **Attendees** {people}")
            if isinstance(m["pack_file"], str) and m["pack_file"]:
                st.markdown(f"**Pack** `{m['pack_file']}` · sha256 `{m['pack_sha256']}`")
                st.download_button("Download the pack presented", data=_pack_bytes(m["meeting_id"]),
                                   file_name=m["pack_file"], key=f"pack_{m['meeting_id']}", icon=":material/download:")
            else:
                st.markdown("**Pack** none stored")
            if pd.notna(m["approved_on"]):
                st.markdown(f"**Minutes approved** {short_date(pd.Timestamp(m['approved_on']))} by {m['approved_by']}")
            else:
                st.markdown("**Minutes** not yet approved")
                if can_approve:
                    st.button("Approve the minutes", key=f"approve_{m['meeting_id']}", on_click=_approve,
                              args=(user, settings, m["meeting_id"]))
            st.markdown(m["minutes"] or "_No minutes recorded._")
            decisions = view.meeting_decisions(m["meeting_id"]).copy()
            if len(decisions):
                decisions["links"] = [_links(r) for r in decisions.to_dict("records")]
                # at the room's size in presentation mode, as the page's other lists (a grid of page type)
                meeting_list(_frame(decisions), DECISION_COLUMNS, key=f"decisions_{m['meeting_id']}",
                             what="decisions", present=present, room=("decision_id", "kind", "text", "review_on"), inset=True)
            acts = view.meeting_actions(m["meeting_id"])
            if len(acts):
                meeting_list(_frame(acts), ACTION_COLUMNS, key=f"actions_{m['meeting_id']}", what="actions",
                             present=present, room=("action_id", "title", "owner", "due_on", "status"), inset=True)


def _pack_bytes(meeting_id: str):
    """The stored pack of a meeting, read only when its button is clicked (twelve packs per page)."""
    def read() -> bytes:
        with data_cursor() as cur:
            found = forum.meeting_pack(cur, meeting_id)
        return found[1] if found else b""
    return read


def show_earlier_actions(earlier: forum.EarlierActions, series_name: str, *, present: bool = False,
                         title: str = "Actions from earlier meetings") -> None:
    """Clause 9.3.2 a) for every meeting: the series' actions open on the meeting's day (overdue
    first) and those closed since its last meeting."""
    st.header(title, divider="gray")
    since = (f"since the last {series_name} meeting ({short_date(earlier.last_meeting_on)})" if earlier.last_meeting_on
             else f"(no earlier {series_name} meeting recorded)")
    # the meeting's day may be ahead (the next Compliance meeting, in January): the actions as they
    # stand today, for that day ('open on 14 Jan 2027', read on 6 December, claimed to know the future)
    ahead = earlier.as_of > dt.date.today()
    on = (f"for the {series_name} meeting of {short_date(earlier.as_of)} (as they stand today)" if ahead
          else f"on {short_date(earlier.as_of)}")
    if earlier.open.empty and earlier.closed_since.empty:
        st.info(f"No {series_name} action open {on}, and none closed {since}.")
        return
    cols = st.columns(3)  # bordered, as every other page's tiles are
    cols[0].metric("Open", len(earlier.open), border=True)
    cols[1].metric("Overdue", len(earlier.overdue), border=True)
    cols[2].metric("Closed since last meeting", len(earlier.closed_since), border=True)
    if len(earlier.open):
        st.caption(f"Open {on}, overdue {'by then ' if ahead else ''}first.")
        frame = _frame(earlier.open)
        # one series' list: its Series column and a 'First due' no action moved say nothing
        columns = shown_columns(frame, {k: v for k, v in ACTION_COLUMNS.items() if k != "series"},
                                repeats={"original_due_on": "due_on"})
        meeting_list(frame, columns, key=f"earlier_open_{earlier.series}", what="open actions", present=present)
    if len(earlier.closed_since):
        st.caption(f"Closed {since}.")
        frame = _frame(earlier.closed_since)
        columns = shown_columns(frame, CLOSED_COLUMNS)
        meeting_list(frame, columns, key=f"earlier_closed_{earlier.series}", what="actions closed since",
                     present=present)


@st.cache_data(show_spinner=False, max_entries=32)
def _earlier(data_version: str, forum_version: str, series: str, covers: dt.date) -> forum.EarlierActions:
    with data_cursor() as cur:
        return forum.actions_for_meeting(cur, settings(), series, covers)


def earlier_actions_section(series: str, covers: dt.date, *, present: bool = False) -> None:
    """A meeting page's 'Actions from earlier meetings' for its series and date (nothing on a
    database made before the forum existed)."""
    with data_cursor() as cur:
        if not forum.available(cur):
            return
        version = forum.version(cur)
    earlier = _earlier(data_version_key(), version, series, covers)
    show_earlier_actions(earlier, settings().series(series).name, present=present)


# --- the forms --------------------------------------------------------------------------------------

def _say(kind: str, message: str) -> None:
    st.session_state[_MESSAGE] = (kind, message)


def _write(fn, done: str):
    """Run one write under the writers' lock; its refusal or problem becomes the page's message."""
    try:
        with writing("the forum") as con:
            result = fn(con)
    except (ValueError, KeyError, PermissionError) as exc:
        _say("error", str(exc.args[0] if isinstance(exc, KeyError) else exc))
        return None
    _say("success", done.format(result))
    return result


def _split(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").replace(";", ",").split(",") if v.strip()]


def _approve(user: User, settings: Settings, meeting_id: str) -> None:
    _write(lambda con: actions.approve_minutes(con, user, settings, meeting_id, dt.date.today()),
           f"Minutes of {meeting_id} approved.")


def _record_meeting(user: User, settings: Settings) -> None:
    s = st.session_state
    pack = s.get("fm_pack")
    _write(lambda con: actions.record_meeting(
        con, user, settings, s["fm_series"], s["fm_held_on"], attendees=_split(s["fm_attendees"]),
        minutes=s["fm_minutes"], pack=(pack.name, pack.getvalue()) if pack else None), "Meeting {} recorded.")


def _record_decision(user: User) -> None:
    s = st.session_state
    _write(lambda con: actions.record_decision(
        con, user, s["fd_meeting"], s["fd_kind"], s["fd_text"], review_on=s["fd_review_on"],
        risk_ids=_split(s["fd_risks"]), treatment_ids=_split(s["fd_treatments"]),
        exception_ids=_split(s["fd_exceptions"]), kri_ids=_split(s["fd_kris"]), finding_ids=_split(s["fd_findings"])),
        "Decision {} recorded.")


def _record_action(user: User, settings: Settings) -> None:
    s = st.session_state
    source = s["fa_meeting"]
    _write(lambda con: actions.record_action(
        con, user, settings, s["fa_title"], s["fa_owner"], s["fa_due_on"], raised_on=s["fa_raised_on"],
        meeting_id=source or None, series=s["fa_series"] if not source else None,
        decision_id=s["fa_decision"] or None, risk_id=s["fa_risk"] or None, kri_id=s["fa_kri"] or None,
        finding_id=s["fa_finding"] or None), "Action {} recorded.")


KEEP = ""  # the Status choice that leaves an action's status as it is


def _update_action(user: User) -> None:
    s = st.session_state
    action_id = s["fu_action"]
    _write(lambda con: actions.update_action(
        con, user, action_id, s["fu_on"], status=None if s["fu_status"] == KEEP else s["fu_status"],
        owner=s["fu_owner"] or None,
        due_on=s["fu_due_on"], closure_note=s["fu_note"] or None), f"{action_id} updated (change {{}}).")


def show_forms(view: forum.ForumView, settings: Settings, user: User, *, read_only_reason: str | None) -> None:
    """Forms for analysts: record a meeting, a decision, an action; change an action."""
    st.header("Record", divider="gray")
    if read_only_reason:
        st.info(read_only_reason)
        return
    series = _series_names(settings)
    meetings = {m["meeting_id"]: f"{m['meeting_id']} · {series.get(m['series'], m['series'])} · "
                                 f"{short_date(pd.Timestamp(m['held_on']))}" for m in view.meetings.to_dict("records")}
    tab_meeting, tab_decision, tab_action, tab_update = st.tabs(["A meeting", "A decision", "An action",
                                                                 "Change an action"])
    with tab_meeting, st.form("forum_meeting", clear_on_submit=True):
        st.selectbox("Series", list(series), format_func=series.get, key="fm_series")
        st.date_input("Held on", format=DATE_FORMAT, value=view.as_of, key="fm_held_on")
        st.text_input("Attendees (comma-separated)", key="fm_attendees")
        st.text_area("Minutes", key="fm_minutes")
        # the same cap as an import's ([import] max_upload_mb), which the uploader then states
        st.file_uploader("The pack presented", type=["pptx", "pdf", "zip"], key="fm_pack",
                         max_upload_size=settings.uploader_mb)
        st.form_submit_button("Record the meeting", on_click=_record_meeting, args=(user, settings))
    with tab_decision:
        if not meetings:
            st.info("Record the meeting first: a decision belongs to a meeting.")
        else:
            with st.form("forum_decision", clear_on_submit=True):
                st.selectbox("Meeting", list(meetings), format_func=meetings.get, key="fd_meeting")
                st.selectbox("Kind", list(forum.DECISION_KINDS), format_func=forum.DECISION_KINDS.get, key="fd_kind")
                st.text_area("Decision", key="fd_text")
                st.date_input("Review or expiry date (acceptances, exceptions)", format=DATE_FORMAT, value=None, key="fd_review_on")
                c = st.columns(5)
                c[0].text_input("Risks", key="fd_risks")
                c[1].text_input("Treatments", key="fd_treatments")
                c[2].text_input("Exceptions", key="fd_exceptions")
                c[3].text_input("KRIs", key="fd_kris")
                c[4].text_input("Findings", key="fd_findings")
                st.form_submit_button("Record the decision", on_click=_record_decision, args=(user,))
    with tab_action, st.form("forum_action", clear_on_submit=True):
        st.text_input("What is to be done", key="fa_title")
        c = st.columns(3)
        c[0].text_input("Owner", key="fa_owner")
        c[1].date_input("Raised on", format=DATE_FORMAT, value=view.as_of, key="fa_raised_on")
        c[2].date_input("Due", format=DATE_FORMAT, value=view.as_of + dt.timedelta(days=30), key="fa_due_on")
        st.selectbox("From the meeting", [""] + list(meetings), format_func=lambda k: meetings.get(k, "(none)"),
                     key="fa_meeting")
        st.selectbox("Series that follows it up (an action raised outside a meeting)", list(series),
                     format_func=series.get, key="fa_series")
        c = st.columns(4)
        c[0].text_input("From the decision", key="fa_decision")
        c[1].text_input("From the risk", key="fa_risk")
        c[2].text_input("From the KRI", key="fa_kri")
        c[3].text_input("From the finding", key="fa_finding")
        st.form_submit_button("Record the action", on_click=_record_action, args=(user, settings))
    with tab_update:
        open_ids = view.actions.loc[~view.actions["status"].isin(("verified", "cancelled")), "action_id"].tolist()
        if not open_ids:
            st.info("No action to change.")
        else:
            titles = dict(zip(view.actions["action_id"], view.actions["title"]))
            with st.form("forum_update", clear_on_submit=True):
                st.selectbox("Action", open_ids, format_func=lambda a: f"{a} · {titles.get(a, '')}", key="fu_action")
                c = st.columns(3)
                # unchanged unless chosen: a form cannot show the chosen action's own status, and a
                # default of 'open' reset an 'in progress' action whose due date alone was changed
                c[0].selectbox("Status", [KEEP, *forum.STATUSES], key="fu_status",
                               format_func=lambda v: "(unchanged)" if v == KEEP else v)
                c[1].date_input("On", format=DATE_FORMAT, value=view.as_of, key="fu_on")
                c[2].date_input("New due date", format=DATE_FORMAT, value=None, key="fu_due_on")
                st.text_input("New owner", key="fu_owner")
                st.text_input("Closure note (done, cancelled)", key="fu_note")
                st.form_submit_button("Record the change", on_click=_update_action, args=(user,))
