"""Plotly figures of the Compliance review, shared by its page and its pack (as isms.charts is by
the others): the coverage heatmap, the pass-rate trend and the findings burndown."""

from __future__ import annotations

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
    fig.update_xaxes(type="category", tickangle=-45 if len(families) > 8 else 0)
    return _layout(fig, title, height=max(260, 120 + 60 * len(frameworks)))


def pass_rate_trend(trend: pd.DataFrame, title: str = "Control test pass rate per quarter") -> go.Figure:
    labels = [quarter_label(q) for q in trend["quarter_end"]]
    fig = go.Figure()
    fig.add_bar(x=labels, y=trend["tested"], name="tests with a result", marker_color="#cfd8dc", yaxis="y2")
    fig.add_scatter(x=labels, y=trend["pass_rate"], name="passed", mode="lines+markers",
                    line=dict(color=SERIES["residual"], width=3))
    fig.update_layout(yaxis=dict(tickformat=".0%", range=[0, 1.05], title="pass rate"),
                      yaxis2=dict(overlaying="y", side="right", showgrid=False, title="tests", rangemode="tozero"))
    return _layout(fig, title)


def findings_burndown(burndown: pd.DataFrame, title: str = "Open audit findings by month") -> go.Figure:
    labels = [f"{d:%b %y}" for d in burndown["as_of"]]
    fig = go.Figure()
    fig.add_scatter(x=labels, y=burndown["open"], name="open", mode="lines+markers",
                    line=dict(color=SERIES["residual"], width=3))
    fig.add_scatter(x=labels, y=burndown["overdue"], name="overdue", mode="lines+markers",
                    line=dict(color=SERIES["overdue"], width=2))
    fig.update_yaxes(rangemode="tozero", title="findings")
    return _layout(fig, title)
