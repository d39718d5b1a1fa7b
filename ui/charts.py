"""Showing a plotly figure with PNG and SVG downloads of the same figure.

Images are rendered only when a download is clicked (a deferred callable), so a page with many
charts costs nothing extra on a rerun.
"""

from __future__ import annotations

import re

import plotly.graph_objects as go
import streamlit as st

from isms import images
from ui.presentation import SCALE


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "chart"


def _points(trace) -> int:
    return max((len(v) for v in (getattr(trace, a, None) for a in ("x", "y", "z", "values")) if v is not None),
               default=0)


INK = "#31333F"  # Streamlit's text colour, which the page's charts take from its theme


def _fewer_time_labels(fig: go.Figure) -> None:
    """Every other month or quarter label, counting back from the latest (still labelled), on a
    time axis at presentation size: a half-width chart's labels at 1280 px ran together ('Q1 2024Q3
    2024', 'Feb 2026' touching 'Mar 2026'), and a quarter's year under it. A heatmap's axes label
    each of its cells and are kept."""
    if any(t.type == "heatmap" for t in fig.data):
        return
    for axis in fig.select_xaxes():
        values, text = axis.tickvals, axis.ticktext
        if axis.tickmode == "array" and values is not None and len(values) > 6:
            keep = sorted(range(len(values) - 1, -1, -2))
            axis.tickvals = [values[i] for i in keep]
            if text is not None and len(text) == len(values):
                axis.ticktext = text = [text[i] for i in keep]
        if text is not None and all(re.fullmatch(r"Q\d \d{4}", str(t)) for t in text):
            # 'Q1 2024 Q3 2024' read as one run of words at 1280 px: the year under its quarter
            axis.ticktext = [str(t).replace(" ", "<br>") for t in text]


def show_chart(fig: go.Figure, *, key: str, name: str, presentation: bool = False, downloads: bool = True,
               on_select: str = "ignore", selection_mode=("points", "box", "lasso")):
    """Render the figure; below it, PNG and SVG downloads unless in presentation mode.

    A figure with no points (a filter that matches nothing) is a sentence, not a frame of bare axes.
    """
    if not any(_points(t) for t in fig.data):
        title = fig.layout.title.text if fig.layout.title and fig.layout.title.text else "This chart"
        st.info(f"{re.sub(r'<[^>]+>', '', title)}: nothing to show for this date and these filters.")
        return None
    theme = "streamlit"
    if presentation:
        # Streamlit's chart theme sets its own 12 px type, whatever the figure says; on the meeting
        # room screen the figure's own (larger) type and a plain white template are used instead
        fig = go.Figure(fig)
        base = int(fig.layout.height or 450)
        # the page's own ink ('plotly_white' writes titles and ticks in its blue-grey, unlike the page)
        fig.update_layout(height=int(base * SCALE), font=dict(size=int(14 * SCALE), color=INK), template="plotly_white",
                          hoverlabel=dict(font_size=int(13 * SCALE)))  # the presenter's pointer, read by the room
        if fig.layout.title and fig.layout.title.text:
            fig.update_layout(title_font_size=int(18 * SCALE), title_font_color=INK)
        # text a figure sized itself (a heatmap's counts, a chart's labels) grows with the rest
        for trace in fig.data:
            size = getattr(getattr(trace, "textfont", None), "size", None)
            if isinstance(size, (int, float)):
                trace.textfont.size = int(size * SCALE)
        for note in fig.layout.annotations or ():
            if isinstance(note.font.size, (int, float)):
                note.font.size = int(note.font.size * SCALE)
        _fewer_time_labels(fig)
        theme = None
    event = st.plotly_chart(fig, key=key, on_select=on_select, selection_mode=selection_mode,
                            config={"displaylogo": False}, theme=theme)
    if downloads and not presentation:
        slug = _slug(name)
        if images.available():
            row = st.container(horizontal=True)  # buttons at their own width, even in half-width columns
            row.download_button("PNG", data=lambda: images.render(fig, "png"), file_name=f"{slug}.png",
                               mime="image/png", key=f"{key}-png", on_click="ignore", icon=":material/download:")
            row.download_button("SVG", data=lambda: images.render(fig, "svg"), file_name=f"{slug}.svg",
                               mime="image/svg+xml", key=f"{key}-svg", on_click="ignore", icon=":material/download:")
        else:
            st.caption(f"Chart downloads need a Chromium: {images.CHROMIUM_HINT}.")
    return event
