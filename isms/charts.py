"""Plotly figure builders shared by the pages and the review packs.

A pack embeds exactly the figure the page shows, so both go through these functions.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from isms.matrix import RiskMatrix

KRI_COLOURS = {"red": "#c62828", "amber": "#f9a825", "green": "#2e7d32", "stale": "#9e9e9e", "unrated": "#bdbdbd"}
FONT = dict(family="Inter, Segoe UI, Helvetica, Arial, sans-serif", size=14)


def _layout(fig: go.Figure, title: str, height: int = 420) -> go.Figure:
    fig.update_layout(
        title=dict(text=title, x=0, xanchor="left"), font=FONT, height=height,
        margin=dict(l=10, r=10, t=50, b=10), plot_bgcolor="white", paper_bgcolor="white",
        legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="right", x=1),
    )
    return fig


def heatmap(matrix: RiskMatrix, cells: pd.DataFrame, title: str = "Residual risk heatmap") -> go.Figure:
    """Counts per (likelihood, impact) cell on the configured matrix, coloured by level.

    `cells` has columns likelihood, impact, risks. Empty cells show their level colour without a
    number so that the shape of the matrix stays readable.
    """
    counts = {(int(r.likelihood), int(r.impact)): int(r.risks) for r in cells.itertuples()}
    n_levels = len(matrix.levels)
    z, text, hover = [], [], []
    for li in range(1, matrix.steps_likelihood + 1):
        z_row, t_row, h_row = [], [], []
        for im in range(1, matrix.steps_impact + 1):
            level = matrix.level(li, im)
            n = counts.get((li, im), 0)
            z_row.append(matrix.rank(level))
            t_row.append(str(n) if n else "")
            h_row.append(f"Likelihood {li} {matrix.likelihood_labels[li - 1]}<br>Impact {im} {matrix.impact_labels[im - 1]}"
                         f"<br>Level {level}<br>Risks {n}")
        z.append(z_row)
        text.append(t_row)
        hover.append(h_row)
    scale = []
    for i, colour in enumerate(matrix.colours):
        scale += [(i / n_levels, colour), ((i + 1) / n_levels, colour)]
    fig = go.Figure(
        go.Heatmap(
            z=z, x=[f"{i} {lbl}" for i, lbl in enumerate(matrix.impact_labels, 1)],
            y=[f"{i} {lbl}" for i, lbl in enumerate(matrix.likelihood_labels, 1)],
            text=text, texttemplate="%{text}", textfont=dict(size=22, color="white"),
            hovertext=hover, hoverinfo="text", colorscale=scale, zmin=-0.5, zmax=n_levels - 0.5,
            showscale=False, xgap=3, ygap=3,
        )
    )
    fig.update_xaxes(title="Impact", side="bottom")
    fig.update_yaxes(title="Likelihood")
    return _layout(fig, title, height=460)


def kri_status_trend(counts: pd.DataFrame, title: str = "KRI status by month") -> go.Figure:
    """Stacked bars of red / amber / green / stale KRIs per month (`period`, `status`, `kris`)."""
    fig = go.Figure()
    for status in ("red", "amber", "green", "stale", "unrated"):
        part = counts[counts["status"] == status]
        if part.empty:
            continue
        fig.add_bar(x=part["period"], y=part["kris"], name=status.capitalize(), marker_color=KRI_COLOURS[status])
    fig.update_layout(barmode="stack")
    fig.update_xaxes(dtick="M1", tickformat="%b %Y")
    fig.update_yaxes(title="KRIs")
    return _layout(fig, title)


def level_trend(counts: pd.DataFrame, matrix: RiskMatrix, title: str = "Open risks by residual level") -> go.Figure:
    """Stacked bars per review date (`as_of`, `level`, `risks`), lowest level at the bottom."""
    fig = go.Figure()
    for level, colour in zip(matrix.levels, matrix.colours):
        part = counts[counts["level"] == level]
        fig.add_bar(x=[f"{d:%Y-%m-%d}" for d in part["as_of"]], y=part["risks"], name=level, marker_color=colour)
    fig.update_layout(barmode="stack")
    fig.update_xaxes(type="category")
    fig.update_yaxes(title="Open risks")
    return _layout(fig, title)


def progress_against_plan(progress: pd.DataFrame, title: str = "Treatment progress against plan") -> go.Figure:
    """Weighted percent complete and planned per month end (`as_of`, `weighted_percent_*`)."""
    fig = go.Figure()
    fig.add_scatter(x=progress["as_of"], y=progress["weighted_percent_planned"], name="Planned", mode="lines",
                    line=dict(color="#9e9e9e", dash="dash", width=3))
    fig.add_scatter(x=progress["as_of"], y=progress["weighted_percent_complete"], name="Complete", mode="lines+markers",
                    line=dict(color="#1f3864", width=3))
    fig.update_yaxes(title="Weighted % complete", range=[0, 100])
    fig.update_xaxes(tickformat="%b %Y")
    return _layout(fig, title)


# --- Risk Review figures (issue 4): add below this line ---


# --- Security Health figures (issue 5): add below this line ---


# --- end of page-specific blocks ---
