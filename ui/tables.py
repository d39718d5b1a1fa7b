"""Lists on the meeting pages: every column on screen at a projector's 1280 px, titles wrapped.

The page cannot know the browser's width, so a list's columns are given pixel widths, written for
a 1366 px screen (about 890 px of table beside the sidebar) and drawn narrower (`_fitted`) so they
also fit a 1280 px projector's 818 px without a sideways scroll; the grid shares out any extra
width on a larger screen, so at 1366 px a column is as wide as it was written. A title or an owner's name that does not fit
wraps instead of being cut: the grid wraps text only in rows taller than 4rem (64 px), hence
WRAPPED_ROW.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ui.scorecard import dashed

ROW = 35  # the grid's own row height
HEADER = 38
WRAPPED_ROW = 66  # just above 4rem: text wraps onto up to three lines
VISIBLE_ROWS = 10  # about ten rows, then the list scrolls
FIT_WIDTH = 890  # the table width at 1366 px with the sidebar open; the pages' widths add up to at most this
NARROW_WIDTH = 818  # the table width at 1280 px with the sidebar open (measured in Chromium)
SELECTION_BOX = 30  # the grid's row-selection column on a selectable list, whatever the widths
EXPANDER_INSET = 32  # an expander's padding: a list inside one has this much less room


def height(rows: int, *, wrapped: bool, visible: int = VISIBLE_ROWS) -> int:
    """A list's height: all its rows up to `visible`, then a scroll box of that many."""
    return HEADER + (WRAPPED_ROW if wrapped else ROW) * max(1, min(rows, visible)) + 2


def text(label: str, width: int, **kw) -> st.column_config.Column:
    return st.column_config.TextColumn(label, width=width, **kw)


def _blank(v) -> bool:
    if isinstance(v, str):
        return v.strip() in ("", "–")
    if hasattr(v, "__len__"):  # a list of ids
        return len(v) == 0
    return bool(pd.isna(v))  # None, NaN, NaT


def shown_columns(frame: pd.DataFrame, columns: dict[str, object], repeats: dict[str, str] | None = None) -> dict:
    """`columns` less those no row fills (a 'What' or 'Owner' of '–' on every row says nothing) and
    those that repeat another column on every row ('First due' equal to 'Due' when no date moved)."""
    if frame.empty:
        return dict(columns)
    out = {k: v for k, v in columns.items() if k not in frame or not all(_blank(v) for v in frame[k])}
    for col, other in (repeats or {}).items():
        if col in out and other in frame and col in frame and len(frame) and \
                (frame[col].astype(str) == frame[other].astype(str)).all():
            del out[col]
    return out


def _fitted(columns: dict[str, object], selectable: bool, inset: bool = False) -> dict[str, object]:
    """The columns with their pixel widths scaled from FIT_WIDTH to NARROW_WIDTH (less an
    expander's padding for a list in one), beside the selection box a selectable list has at both
    (the grid widens them again to fill a wider table)."""
    box = SELECTION_BOX if selectable else 0
    room = NARROW_WIDTH - box - (EXPANDER_INSET if inset else 0)
    out = {}
    for name, config in columns.items():
        if isinstance(config, dict) and isinstance(config.get("width"), int):
            config = {**config, "width": max(40, config["width"] * room // (FIT_WIDTH - box))}
        out[name] = config
    return out


CHAR_WIDTH = 6.5  # px, the grid's average character (14 px Source Sans)
CELL_PADDING = 16  # px, either side together
READ_WHOLE = "A long text is cut at the cell's edge: double-click the cell to read it whole."


def _read_whole_said(frame: pd.DataFrame, columns: dict[str, object], wrapped: bool) -> dict[str, object]:
    """The columns, a text column holding a value longer than its cells show (three lines of its
    width when rows wrap, else one) with a header tooltip saying how to read it whole: the grid
    cuts such a text at the cell's edge without an ellipsis (a long SoA justification, a decision)."""
    lines = 3 if wrapped else 1
    out = {}
    for name, config in columns.items():
        if isinstance(config, dict) and isinstance(config.get("width"), int) and not config.get("help") \
                and config.get("type_config", {}).get("type") == "text" and name in frame and len(frame):
            room = int(lines * (config["width"] - CELL_PADDING) / CHAR_WIDTH)
            if frame[name].map(lambda v: len(v) if isinstance(v, str) else 0).max() > room:
                config = {**config, "help": READ_WHOLE}
        out[name] = config
    return out


def listing(frame: pd.DataFrame, columns: dict[str, object], *, key: str, container=None, wrapped: bool = True,
            visible: int = VISIBLE_ROWS, inset: bool = False, **kw):
    """st.dataframe with the given columns in order (each a label or a column_config with its width),
    rows tall enough to wrap text when `wrapped`, and about `visible` rows before it scrolls;
    `inset`: the list sits in an expander."""
    container = container or st
    return container.dataframe(
        frame, hide_index=True, key=key, column_order=list(columns), column_config=_read_whole_said(frame, _fitted(columns, "selection_mode" in kw, inset), wrapped),
        row_height=WRAPPED_ROW if wrapped else None, height=height(len(frame), wrapped=wrapped, visible=visible), **kw)


def iso_days(frame: pd.DataFrame) -> pd.DataFrame:
    """Date columns as ISO days (text), so a list whose empty cells show '–' (ui.scorecard.dashed)
    keeps one type per column; an ISO day sorts as a date does."""
    out = frame.copy()
    for c in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[c]):
            out[c] = out[c].dt.date.map(lambda d: None if pd.isna(d) else d.isoformat())
        elif out[c].map(lambda v: hasattr(v, "isoformat") and not isinstance(v, str)).any():
            out[c] = out[c].map(lambda v: v.isoformat() if hasattr(v, "isoformat") and not isinstance(v, str) else v)
    return out


def readable(frame: pd.DataFrame) -> pd.DataFrame:
    """Dates as ISO days and empty text cells as '–'; number columns keep their numbers, which a
    progress bar or a sortable number column needs."""
    out = iso_days(frame)
    # pandas 3 gives text columns (and the ISO days above) the 'str' dtype, not object: both are text
    return dashed(out, [c for c in out.columns if out[c].dtype == object or pd.api.types.is_string_dtype(out[c])])
