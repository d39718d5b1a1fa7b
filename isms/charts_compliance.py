"""Plotly figures of the Compliance review, shared by its page and its pack (as isms.charts is by
the others): the coverage heatmap, the pass-rate trend and the findings burndown."""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

from isms.charts import SERIES, _layout
from isms.dates import quarter_label


def coverage_heatmap(coverage: pd.DataFrame, title: str = "Share of applicable requirements effective") -> go.Figure:
    """Frameworks (rows) x families or themes (columns): the share effective, with 'effective /
    applicable' in each cell; a cell is selectable (its requirements are listed on the page)."""
    frameworks = list(dict.fromkeys(coverage["framework"]))
    families = sorted(dict.fromkeys(coverage["family"]), key=str)
    share = {(r.framework, r.family): r.share_effective for r in coverage.itertuples()}
    label = {(r.framework, r.family): f"{r.effective}/{r.applicable}" for r in coverage.itertuples()}
    z = [[share.get((f, c)) for c in families] for f in frameworks]
    text = [[label.get((f, c), "") for c in families] for f in frameworks]
    fig = go.Figure(go.Heatmap(
        z=z, x=families, y=frameworks, text=text, texttemplate="%{text}", zmin=0, zmax=1,
        colorscale=[[0, "#c62828"], [0.5, "#f9a825"], [1, "#2e7d32"]], xgap=2, ygap=2,
        colorbar=dict(title="effective", tickformat=".0%"),
        hoverinfo="skip"))
    # plotly reports selections on point traces, not heatmap cells (as isms.charts.selectable_heatmap):
    # a near-transparent marker on each cell makes a click a selection of [framework, family]
    cells = [(f, c) for f in frameworks for c in families if (f, c) in share]
    fig.add_scatter(x=[c for _, c in cells], y=[f for f, _ in cells], customdata=[[f, c] for f, c in cells],
                    mode="markers", name="cells", showlegend=False, hoverinfo="text",
                    hovertext=[f"{f} · {c}<br>{label[(f, c)]} effective ({share[(f, c)]:.0%})" for f, c in cells],
                    marker=dict(size=40, symbol="square", opacity=0.01, color="white"))
    fig.update_yaxes(autorange="reversed", type="category")
    # a theme by its code ('A.5', not 'A.5 Organizational' laid over its neighbours at -45 degrees); the
    # hover, the cell's chooser and its list name it in full
    fig.update_xaxes(type="category", tickangle=-45 if len(families) > 8 else 0, tickmode="array", tickvals=families,
                     ticktext=[str(c).split(" ", 1)[0] if len(families) > 8 else str(c) for c in families])
    return _layout(fig, title, height=max(260, 120 + 60 * len(frameworks)))


def count_axis(largest: float) -> dict:
    """A y axis of counts: whole numbers only, about five steps ('0.5 findings' and '6.82 tests'
    were plotly's own choices for small counts)."""
    largest = 0 if pd.isna(largest) else largest
    return dict(rangemode="tozero", tick0=0, dtick=max(1, math.ceil(largest / 5)), tickformat=",d")


def pass_rate_trend(trend: pd.DataFrame, title: str = "Control test pass rate per quarter") -> go.Figure:
    """The pass rate as a line over the count of tests as bars. The line is on the overlaying axis,
    which plotly draws last: on the other one the bars hid it."""
    labels = [quarter_label(q) for q in trend["quarter_end"]]
    fig = go.Figure()
    fig.add_bar(x=labels, y=trend["tested"], name="tests with a result", marker_color="#cfd8dc")
    fig.add_scatter(x=labels, y=trend["pass_rate"], name="pass rate", mode="lines+markers", yaxis="y2",
                    line=dict(color=SERIES["residual"], width=3))
    tests = count_axis(trend["tested"].max())
    # five steps on each axis over the same height, so the ticks face each other (0%, 20% ... 100%)
    fig.update_layout(yaxis=dict(side="right", showgrid=False, title="tests", range=[0, 5 * tests["dtick"] * 1.05], **tests),
                      yaxis2=dict(overlaying="y", side="left", tickformat=".0%", tickmode="linear", tick0=0, dtick=0.2,
                                  range=[0, 1.05], title="pass rate"))
    return _layout(fig, title)


def findings_burndown(burndown: pd.DataFrame, title: str = "Open audit findings by month") -> go.Figure:
    labels = [f"{d:%b %y}" for d in burndown["as_of"]]
    fig = go.Figure()
    fig.add_scatter(x=labels, y=burndown["open"], name="open", mode="lines+markers",
                    line=dict(color=SERIES["residual"], width=3))
    fig.add_scatter(x=labels, y=burndown["overdue"], name="overdue", mode="lines+markers",
                    line=dict(color=SERIES["overdue"], width=2))
    fig.update_yaxes(title="findings", **count_axis(burndown[["open", "overdue"]].max().max()))
    return _layout(fig, title)
