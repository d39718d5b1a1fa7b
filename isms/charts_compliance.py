"""Plotly figures of the Compliance review, shared by its page and its pack (as isms.charts is by
the others): the coverage heatmap, the pass-rate trend and the findings burndown."""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go
from plotly.colors import sample_colorscale
from plotly.subplots import make_subplots

from isms.catalogs import shipped
from isms.charts import SERIES, _layout, ink_on
from isms.dates import month_name, quarter_name


EFFECTIVE_SCALE = [[0, "#c62828"], [0.5, "#f9a825"], [1, "#2e7d32"]]
CODED = 6  # a strip of more families than this labels each by its code ('AC'), keyed below the chart


def family_key(coverage: pd.DataFrame, requirements: pd.DataFrame | None = None) -> list[str]:
    """What the codes on the heatmap stand for, one line per framework whose cells are codes:
    'NIST-800-53r5-MODERATE: AC Access Control · AT Awareness and Training · ...'. A room shown 'CC6'
    or 'SI' with no key had to ask. Names from `shipped.family_names`; a code with none is left out."""
    out = []
    for framework in dict.fromkeys(coverage["framework"]):
        families = sorted(coverage.loc[coverage["framework"] == framework, "family"].astype(str))
        if len(families) > CODED:  # the strip shows each family's first word
            names = shipped.family_names(framework, requirements)
            named = [f"{f.split(' ', 1)[0]} {names.get(f, f.split(' ', 1)[1] if ' ' in f else '')}".strip()
                     for f in families]
            named = [n for n in named if " " in n]
            if named:
                out.append(f"{framework}: " + " · ".join(named))
    return out


def cell_name(framework: str, family: str, requirements: pd.DataFrame | None = None) -> str:
    """A heatmap cell as the room is told it: 'NIST-800-53r5-MODERATE · MA Maintenance' (the code
    alone left the room to ask), 'ISO27001-2022 · A.8 Technological' as it is."""
    name = shipped.family_names(framework, requirements).get(family) if " " not in family else None
    return f"{framework} · {family}" + (f" {name}" if name else "")


def _hex(colour: str) -> str:
    """'rgb(198, 40, 40)' (plotly's sampled colour) as '#c62828'."""
    r, g, b = (int(float(v)) for v in colour[colour.index("(") + 1:colour.index(")")].split(","))
    return f"#{r:02x}{g:02x}{b:02x}"


def coverage_heatmap(coverage: pd.DataFrame, title: str = "Share of applicable requirements effective") -> go.Figure:
    """One strip per framework, of its own families or themes: the share effective as the colour,
    'effective/applicable' in each cell; a cell is selectable (its requirements are listed on the page).

    A strip each, not one frameworks x families grid: the frameworks share no family, so the grid
    was mostly empty and its 32 columns left each cell too narrow to read ('33/37' at a few pixels)."""
    frameworks = list(dict.fromkeys(coverage["framework"])) or [""]
    fig = make_subplots(rows=len(frameworks), cols=1, vertical_spacing=0.5 / len(frameworks))
    for row, framework in enumerate(frameworks, start=1):
        own = coverage[coverage["framework"] == framework].sort_values("family", key=lambda c: c.astype(str))
        families = own["family"].astype(str).tolist()
        counts = [f"{r.effective}/{r.applicable}" for r in own.itertuples()]
        fig.add_heatmap(z=[own["share_effective"].tolist()], x=families, y=[framework],
                        coloraxis="coloraxis", xgap=2, hoverinfo="skip", row=row, col=1)
        fills = sample_colorscale(EFFECTIVE_SCALE, [0.0 if pd.isna(s) else float(s) for s in own["share_effective"]])
        inks = [ink_on(_hex(fill)) for fill in fills]
        # plotly reports selections on point traces, not heatmap cells (as isms.charts.selectable_heatmap):
        # a near-transparent marker on each cell makes a click a selection of [framework, family]
        fig.add_scatter(x=families, y=[framework] * len(families), customdata=[[framework, c] for c in families],
                        mode="markers", name="cells", showlegend=False, hoverinfo="text",
                        hovertext=[f"{framework} · {c}<br>{n} effective ({share:.0%})"
                                   for c, n, share in zip(families, counts, own["share_effective"])],
                        marker=dict(size=max(24, min(60, 700 // max(1, len(families)))), symbol="square",
                                    opacity=0.01, color="white"),
                        # the chosen cell is shaded; the others stay as they were (not faded)
                        selected=dict(marker=dict(opacity=0.3, color="#000000")), unselected=dict(marker=dict(opacity=0.01)),
                        row=row, col=1)
        # each count in the ink its cell's fill needs: one colour for all ('33/37' in white) was hard
        # to read on the amber cells. A text trace per strip and ink, drawing no events ('skip'): an
        # annotation per cell cost 8 ms each. Its ink holds when a cell is chosen: plotly faded every
        # count of the strip, the chosen cell's too, to near invisible
        for ink in dict.fromkeys(inks):
            at = [i for i, k in enumerate(inks) if k == ink]
            fig.add_scatter(x=[families[i] for i in at], y=[framework] * len(at), text=[counts[i] for i in at],
                            mode="text", showlegend=False, hoverinfo="skip", textfont=dict(size=13, color=ink),
                            selected=dict(textfont=dict(color=ink)), unselected=dict(textfont=dict(color=ink)),
                            name="counts", row=row, col=1)
        # a theme by its code ('A.5', not 'A.5 Organizational' laid over its neighbours) where the strip
        # has many; the hover, the cell's chooser and its list name it in full
        short = len(families) > CODED
        # the ranges fixed to the cells: the click markers would pad them, and thin the strip
        fig.update_xaxes(type="category", tickmode="array", tickvals=families, tickangle=0, showgrid=False,
                         ticktext=[c.split(" ", 1)[0] if short else c for c in families],
                         range=[-0.5, len(families) - 0.5], row=row, col=1)
        fig.update_yaxes(type="category", showgrid=False, range=[-0.5, 0.5], row=row, col=1)
    fig.update_layout(coloraxis=dict(cmin=0, cmax=1, colorscale=EFFECTIVE_SCALE,
                                     # its title beside the bar: above it, 'effective' ran into '100%'
                                     colorbar=dict(title=dict(text="effective", side="right"), tickformat=".0%",
                                                   thickness=14)))
    return _layout(fig, title, height=80 + 110 * len(frameworks))


def count_axis(largest: float) -> dict:
    """A y axis of counts: whole numbers only, about five steps ('0.5 findings' and '6.82 tests'
    were plotly's own choices for small counts)."""
    largest = 0 if pd.isna(largest) else largest
    return dict(rangemode="tozero", tick0=0, dtick=max(1, math.ceil(largest / 5)), tickformat=",d")


def pass_rate_trend(trend: pd.DataFrame, title: str = "Control test pass rate per quarter") -> go.Figure:
    """The pass rate as a line over the count of tests as bars. The line is on the overlaying axis,
    which plotly draws last: on the other one the bars hid it."""
    labels = [quarter_name(q) for q in trend["quarter_end"]]
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
    labels = [month_name(d) for d in burndown["as_of"]]
    fig = go.Figure()
    fig.add_scatter(x=labels, y=burndown["open"], name="open", mode="lines+markers",
                    line=dict(color=SERIES["residual"], width=3))
    # dashed, over the open line: where every open finding is overdue the two lines lie on each other,
    # and a solid red line hid the navy one
    fig.add_scatter(x=labels, y=burndown["overdue"], name="overdue", mode="lines+markers",
                    line=dict(color=SERIES["overdue"], width=2, dash="dash"))
    fig.update_yaxes(title="findings", **count_axis(burndown[["open", "overdue"]].max().max()))
    return _layout(fig, title)
