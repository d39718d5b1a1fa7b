"""Presentation mode for a meeting-room screen: no sidebar, controls or help icons, larger type and figures.

The mode is a query parameter (`present=1`), so the chosen date and filters, also in the URL,
stay as they were when the mode is switched on or off.
"""

from __future__ import annotations

import re

import pandas as pd
import streamlit as st

from isms.charts import ink_on
from ui import params
from ui.scorecard import dashed
from ui.tables import iso_days, listing

_CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], header[data-testid="stHeader"] {display: none;}
.block-container {padding-top: 1rem; max-width: 100%; position: relative;}
h1 {font-size: 3rem !important;}
[data-testid="stMetricValue"] {font-size: 3.2rem !important;}
[data-testid="stMetricLabel"] p {font-size: 1.25rem !important;}
[data-testid="stMetricDelta"] p {font-size: 1.25rem !important;}
[data-testid="stMetricDelta"] svg {width: 1.25rem; height: 1.25rem;}
h2 {font-size: 2.2rem !important;}
[data-testid="stCaptionContainer"] p, .stMarkdown p {font-size: 1.2rem;}
[data-testid="stTooltipIcon"] {display: none;}
[data-testid="stTable"] td, [data-testid="stTable"] th {font-size: 1.25rem !important; padding: 0.45rem 0.7rem !important;}
[data-testid="stTable"] td:first-child {white-space: nowrap;}
[data-testid="stTable"] td [data-testid="stMarkdownContainer"], [data-testid="stTable"] td p {white-space: inherit !important;}
/* a long text uses its column's width: Streamlit holds a cell's text to 400 px, and at 1920 px a title
   wrapped onto two lines beside 250 px of its own empty column */
[data-testid="stTable"] td [data-testid="stMarkdownContainer"] {max-width: none !important;}
.st-key-exit_present button {font-size: 1.1rem; padding: 0.4rem 1.1rem;}
.st-key-exit_present {position: absolute; top: 0.6rem; right: 1.5rem; width: auto !important; z-index: 999990;}
h1 {padding-top: 0 !important;}
/* the sentence the room reads first, and the controls a presenter may still touch, at the room's size */
.st-key-headline p {font-size: 1.5rem !important; line-height: 1.45;}
[data-testid="stAlert"] p {font-size: 1.25rem !important;}
[role="tab"] p, [data-testid="stExpander"] summary p {font-size: 1.25rem !important;}
[data-testid="stWidgetLabel"] p, [data-testid="stSelectbox"] input, [data-testid="stMain"] [data-testid="stPageLink"] p
  {font-size: 1.15rem !important;}
.stMarkdown li {font-size: 1.2rem;}
/* a 1920-wide screen: the type grows with it (at the 1280 size a headline ran 170 characters a line) */
@media (min-width: 1600px) and (min-height: 821px) {
  h1 {font-size: 3.6rem !important;}
  h2 {font-size: 2.6rem !important;}
  h3 {font-size: 2rem !important;}
  [data-testid="stMetricValue"] {font-size: 3.8rem !important;}
  [data-testid="stMetricLabel"] p, [data-testid="stMetricDelta"] p {font-size: 1.5rem !important;}
  [data-testid="stCaptionContainer"] p, .stMarkdown p, .stMarkdown li, [data-testid="stAlert"] p
    {font-size: 1.45rem !important;}
  .st-key-headline p {font-size: 2rem !important;}
  [data-testid="stTable"] td, [data-testid="stTable"] th {font-size: 1.5rem !important;}
  [role="tab"] p, [data-testid="stExpander"] summary p {font-size: 1.45rem !important;}
}
/* a 720- or 768-line projector: the scorecard's rows above the fold, in type still read across a room */
@media (max-height: 820px) {
  h1 {font-size: 2.3rem !important;}
  [data-testid="stMetricValue"] {font-size: 2.4rem !important;}
  [data-testid="stMetricLabel"] p {font-size: 1.05rem !important;}
  [data-testid="stMetric"] label {min-height: 0 !important;}
  [data-testid="stVerticalBlockBorderWrapper"]:has([data-testid="stMetric"]) {padding: 0.5rem 0.8rem !important;}
  .block-container {padding-top: 0.4rem;}
}
</style>
"""

SCALE = 1.35  # figures grow by this much in presentation mode


def presentation_toggle(container=None) -> bool:
    """The toggle; returns True when the page is in presentation mode (and applies its style)."""
    container = container or st
    on = params.toggle(container, "Presentation mode", key="present",
                       help="Hide the controls and the sidebar, and enlarge figures and type for a meeting-room screen")
    if on:
        st.html(_CSS)
        # a clear button, found at once on a meeting-room screen (a tertiary link was too easy to miss)
        st.button("Exit presentation", key="exit_present", type="secondary", icon=":material/close_fullscreen:",
                  on_click=_exit)
    return on


def _exit() -> None:
    st.session_state["present"] = False


_ID = re.compile(r"\b([A-Z]{1,6})-(\d)")  # R-016, EX-012, KRI-21, A-0086: a hyphen that must not break
_NUMBER = re.compile(r"[-+]?[\d,]+(?:\.\d+)?%?")
SHORT = 16  # characters: a value no longer than this stays on one line in a meeting-room table
PRESENT_ROWS = 8  # a list on a meeting-room screen: the worst few, at a size the room can read


def present_table(frame: pd.DataFrame, labels: dict[str, str], what: str, rows: int = PRESENT_ROWS,
                  fills: dict[str, dict[str, str]] | None = None) -> None:
    """A static table of the first rows at presentation type size, no scroll box, and how many more
    there are: the meeting-room form of a list the analyst's page shows in full. Dates stay ISO days,
    as the page's lists and the packs' tables write them; `fills`: per column (by its label), the
    fill of each value (a status badge keeps its colour on the big screen)."""
    shown = dashed(iso_days(frame[list(labels)].head(rows))).rename(columns=labels)
    # a column of short values (ids, levels, dates, counts) never wraps: at presentation size the
    # browser broke 'R-016' after its hyphen and '607 days' between its words. The style is the
    # cell's; the CSS above lets the cell's markdown inherit it (Streamlit sets it back to normal)
    short = [c for c in shown.columns if shown[c].map(lambda v: len(str(v))).max() <= SHORT]
    # and a column of long text wraps within the screen (left to the table's own style, a decision's
    # text ran on past the screen's edge and was cut: 'scope confirmed, objecti'), an id inside it
    # keeping its hyphen unbroken ('controls for EX-' over '012' was the browser's break)
    long = [c for c in shown.columns if c not in short]
    for c in long:
        shown[c] = [_ID.sub("\\1\u2011\\2", v) if isinstance(v, str) else v for v in shown[c]]
    # a column of numbers with a '–' among them is text to pandas (dashed), and sat on the left beside a
    # column of numbers on the right ('From score' and 'To score'): numbers align right, '–' with them
    numbers = [c for c in shown.columns if len(shown) and shown[c].map(
        lambda v: v == "–" or bool(_NUMBER.fullmatch(str(v)))).all() and not (shown[c] == "–").all()]
    styler = shown.style
    if numbers:
        styler = styler.map(lambda v: "text-align: right !important", subset=numbers)  # over the grid's own
    if short:
        styler = styler.map(lambda v: "white-space: nowrap", subset=short)
    if long:
        styler = styler.map(lambda v: "white-space: normal; overflow-wrap: break-word; min-width: 12rem", subset=long)
    for column, by_value in (fills or {}).items():
        styler = styler.map(lambda v, m=by_value: f"background-color: {m[v]}; color: {ink_on(m[v])}" if v in m else "",
                            subset=[column])
    st.table(styler, hide_index=True)
    if len(frame) > rows:
        st.caption(f"The first {rows} of {len(frame):,} {what}; the full list is on the page outside presentation mode.")


def labels_of(columns: dict) -> dict[str, str]:
    """A list's column labels from its column_config (a label, or a config holding one)."""
    return {k: v["label"] if isinstance(v, dict) else str(v) for k, v in columns.items()}


def meeting_list(frame: pd.DataFrame, columns: dict, *, key: str, what: str, present: bool,
                 room: tuple[str, ...] | None = None, **listing_kw) -> None:
    """One list of a meeting page: at presentation size (its first rows, no scroll box) on the
    meeting-room screen, else the analyst's sortable list. The Forum's and the Management review's
    lists stayed grids of page-size type on the big screen. `room`: the columns the room reads,
    where the analyst's list has more than a screen holds at that size."""
    if present:
        shown = {c: v for c, v in columns.items() if c in frame.columns and (room is None or c in room)}
        present_table(frame, labels_of(shown), what)
    else:
        listing(frame, columns, key=key, **listing_kw)
