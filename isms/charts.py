"""Plotly figure builders shared by the pages and the review packs.

A pack embeds exactly the figure the page shows, so both go through these functions.
"""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import plotly.graph_objects as go

from isms.dates import long_date, month_name, quarter_label, short_date
from isms.matrix import RiskMatrix

KRI_COLOURS = {"red": "#c62828", "amber": "#f9a825", "green": "#2e7d32", "stale": "#9e9e9e", "unrated": "#bdbdbd"}
# One colour per series on every page and in every pack: red, amber and green mean a status (levels
# take the matrix's colours), so a plain measure such as residual exposure is never drawn in red.
SERIES = {"residual": "#1f3864", "inherent": "#8d6e63", "planned": "#607d8b", "complete": "#1565c0",
          "projected": "#607d8b", "late": "#f9a825", "overdue": "#c62828"}
FONT = dict(family="Inter, Segoe UI, Helvetica, Arial, sans-serif", size=14)


def ink_on(hex_colour: str) -> str:
    """The text colour that reads on a fill (near-black on a light one, white on a dark one): for
    level and status cells on the page, the deck and the PDF alike."""
    r, g, b = (int(hex_colour.lstrip("#")[i:i + 2], 16) for i in (0, 2, 4))
    return "#212121" if (0.299 * r + 0.587 * g + 0.114 * b) > 150 else "#ffffff"


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
            # the step over its label: drawn half the page wide at 1280 px, '1 Insignificant 2 Minor'
            # ran together on one line
            z=z, x=[f"{i}<br>{lbl}" for i, lbl in enumerate(matrix.impact_labels, 1)],
            y=[f"{i} {lbl}" for i, lbl in enumerate(matrix.likelihood_labels, 1)],
            text=text, texttemplate="%{text}", textfont=dict(size=22, color="white"),
            hovertext=hover, hoverinfo="text", colorscale=scale, zmin=-0.5, zmax=n_levels - 0.5,
            showscale=False, xgap=3, ygap=3,
        )
    )
    fig.update_xaxes(title="Impact", side="bottom")
    fig.update_yaxes(title="Likelihood")
    return _layout(fig, title, height=460)


def _month_axis(fig: go.Figure, periods, slanted: bool = False) -> None:
    """Label months counting back from the latest, so the meeting's own month always has its label;
    at most about a dozen labels ("Nov 2025", `dates.month_name`). `slanted` is for a chart drawn half-width: the browser slants
    crowded labels downwards to the right and hides the last one past the chart's edge, so these
    rise to the right from their tick instead."""
    months = sorted(pd.to_datetime(pd.Series(list(periods))).dt.to_period("M").dt.to_timestamp().unique())
    if not months:
        return
    step = -(-len(months) // 13)
    shown = months[::-1][::step][::-1]
    fig.update_xaxes(tickmode="array", tickvals=shown, ticktext=[month_name(m) for m in shown],
                     tickangle=-45 if slanted else 0)  # 'Nov 2025', as the quarters read 'Q3 2026'


def kri_status_trend(counts: pd.DataFrame, title: str = "KRI status by month") -> go.Figure:
    """Stacked bars of red / amber / green / stale KRIs per month (`period`, `status`, `kris`)."""
    fig = go.Figure()
    for status in ("red", "amber", "green", "stale", "unrated"):
        part = counts[counts["status"] == status]
        if part.empty:
            continue
        fig.add_bar(x=pd.to_datetime(part["period"]), y=part["kris"], name=status.capitalize(),
                    marker_color=KRI_COLOURS[status])
    fig.update_layout(barmode="stack")
    _month_axis(fig, counts["period"], slanted=True)
    fig.update_yaxes(title="KRIs")
    _layout(fig, title)
    if len(fig.data) > 4:
        # five statuses (unrated beside stale) wrap beside the title at 1280 px and ran into it: the
        # legend goes to the foot, under the slanted month labels
        _legend_below(fig)
        fig.update_layout(margin=dict(b=105))
    return fig


# --- Risk Review figures (issue 4): add below this line ---


def _legend_below(fig: go.Figure) -> go.Figure:
    """Half-width charts have no room for a legend beside the title. The legend sits at the foot of
    the figure (placed against the container, not the plot), below the axis labels, so neither a
    projector's larger labels nor presentation type can run into it."""
    fig.update_layout(legend=dict(orientation="h", yref="container", yanchor="bottom", y=0.01, xanchor="left", x=0),
                      margin=dict(l=10, r=10, t=50, b=75))
    return fig


def _quarter_axis(fig: go.Figure, labels: list[str]) -> None:
    """Level quarter labels ('Q3 2026', `dates.quarter_name`), at most eight, counting back from the latest so the
    meeting's own quarter is always labelled: twenty '2026-Q3' labels overlapped at 1366 px."""
    if not labels:
        return
    step = -(-len(labels) // 8)
    shown = labels[::-1][::step][::-1]
    # the quarters in time order, whatever the traces hold: plotly orders categories as it meets
    # them, trace by trace, so a level with no risk in the first quarters (a filter that leaves no
    # Low risk until Q3 24) put those quarters after the last one
    fig.update_xaxes(tickmode="array", tickvals=shown, ticktext=[f"{q[5:]} {q[:4]}" for q in shown], tickangle=0,
                     categoryorder="array", categoryarray=list(labels))


def selectable_heatmap(matrix: RiskMatrix, cells: pd.DataFrame, title: str) -> go.Figure:
    """The heatmap with a near-transparent marker on every cell.

    Plotly reports selections on point traces, not on heatmap cells; the markers make a click on
    a cell a selection whose `customdata` is [likelihood, impact]. A point must take hover events
    to be clickable, so the markers carry the cells' hover text and the heatmap's is switched off.
    """
    fig = heatmap(matrix, cells, title)
    grid = fig.data[0]
    xs, ys, data, hover = [], [], [], []
    for li in range(1, matrix.steps_likelihood + 1):
        for im in range(1, matrix.steps_impact + 1):
            xs.append(grid.x[im - 1])
            ys.append(grid.y[li - 1])
            data.append([li, im])
            hover.append(grid.hovertext[li - 1][im - 1])
    grid.hoverinfo = "skip"
    fig.add_scatter(x=xs, y=ys, customdata=data, mode="markers", name="cells", showlegend=False,
                    marker=dict(size=60, symbol="square", opacity=0.01, color="white"),
                    hovertext=hover, hoverinfo="text")
    return fig


def movement_map(matrix: RiskMatrix, moves: pd.DataFrame, title: str, max_arrows: int = 15) -> go.Figure:
    """Arrows from each risk's residual cell at the comparison date to its cell now, labelled with
    how many risks made that move; the busiest moves only, so the picture stays readable."""
    fig = heatmap(matrix, pd.DataFrame(columns=["likelihood", "impact", "risks"]), title)
    fig.update_traces(opacity=0.45, selector=dict(type="heatmap"))
    for r in moves.head(max_arrows).itertuples():
        x0, y0, x1, y1 = r.from_impact - 1, r.from_likelihood - 1, r.to_impact - 1, r.to_likelihood - 1
        # Shift each arrow a little to its left, so that moves in opposite directions between the
        # same two cells run side by side instead of on top of each other.
        length = math.hypot(x1 - x0, y1 - y0)
        nx, ny = -(y1 - y0) / length * 0.14, (x1 - x0) / length * 0.14
        x0, y0, x1, y1 = x0 + nx, y0 + ny, x1 + nx, y1 + ny
        worse = matrix.rank(r.to_level) > matrix.rank(r.from_level)
        better = matrix.rank(r.to_level) < matrix.rank(r.from_level)
        colour = "#b71c1c" if worse else "#1b5e20" if better else "#37474f"
        fig.add_annotation(x=x1, y=y1, ax=x0, ay=y0, xref="x", yref="y", axref="x", ayref="y", text="",
                           showarrow=True, arrowhead=3, arrowsize=1.2, arrowwidth=2 + min(int(r.risks), 6), arrowcolor=colour,
                           standoff=6, startstandoff=6)
        fig.add_annotation(x=(x0 + x1) / 2, y=(y0 + y1) / 2, text=f"<b>{int(r.risks)}</b>", showarrow=False,
                           font=dict(size=15, color=colour), bgcolor="rgba(255,255,255,0.9)", borderpad=2)
    fig.update_xaxes(range=[-0.5, matrix.steps_impact - 0.5])
    fig.update_yaxes(range=[-0.5, matrix.steps_likelihood - 0.5])
    return fig


def level_trend(matrix: RiskMatrix, counts: pd.DataFrame, title: str = "Residual risks by level per quarter") -> go.Figure:
    """Stacked bars per quarter end (`as_of`, `level`, `risks`), highest level on top."""
    fig = go.Figure()
    for level in matrix.levels:
        part = counts[counts["level"] == level]
        fig.add_bar(x=[quarter_label(d) for d in part["as_of"]], y=part["risks"], name=level,
                    marker_color=matrix.colour(level))
    fig.update_layout(barmode="stack")
    _quarter_axis(fig, [quarter_label(d) for d in sorted(set(counts["as_of"]))])
    fig.update_yaxes(title="Open risks")
    return _legend_below(_layout(fig, title))


def quarterly_exposure_trend(totals: pd.DataFrame, title: str = "Exposure: inherent against residual") -> go.Figure:
    """Inherent and residual exposure per quarter end; the gap is what the controls take away."""
    x = [quarter_label(d) for d in totals["as_of"]]
    fig = go.Figure()
    fig.add_scatter(x=x, y=totals["inherent_exposure"], name="Inherent exposure", mode="lines+markers",
                    line=dict(color=SERIES["inherent"], width=2, dash="dot"))
    fig.add_scatter(x=x, y=totals["residual_exposure"], name="Residual exposure", mode="lines+markers",
                    line=dict(color=SERIES["residual"], width=3), fill="tonexty", fillcolor="rgba(141,110,99,0.12)")
    fig.update_yaxes(title="Sum of likelihood x impact", rangemode="tozero")
    _quarter_axis(fig, x)
    return _legend_below(_layout(fig, title))


def treatment_progress_trend(trend: pd.DataFrame, title: str = "Treatment progress against plan") -> go.Figure:
    """Weighted percent complete against the linear plan (lines) and late / overdue counts (bars).

    Month ends are drawn at their month, as `monthly_exposure_trend` draws them: at its own date a
    month's bar stood under the next month's tick (September's over 'Oct 2026' in a pack as of
    30 September)."""
    fig = go.Figure()
    # one date alone: plotly draws its bars a millisecond wide and no line through one point
    one = trend["as_of"].nunique() == 1
    wide = {"width": 20 * 86_400_000} if one else {}  # ms on a date axis: 20 days of the 90 shown
    months = pd.to_datetime(trend["as_of"]).dt.to_period("M").dt.to_timestamp()
    monthly = not one and len(trend) > 6 and months.is_unique  # else a tick at each date (`_few_dates_axis`)
    x = months if monthly else trend["as_of"]
    when = {"hovertemplate": "%{x|%b %Y}: %{y}"} if monthly else {}
    fig.add_bar(x=x, y=trend["late"], name="Late", marker_color=SERIES["late"], yaxis="y2", opacity=0.35,
                **wide, **when)
    fig.add_bar(x=x, y=trend["overdue"], name="Overdue", marker_color=SERIES["overdue"], yaxis="y2",
                opacity=0.35, **wide, **when)
    lines = "lines+markers" if one else "lines"
    fig.add_scatter(x=x, y=trend["weighted_percent_planned"], name="Planned %", mode=lines,
                    line=dict(color=SERIES["planned"], width=2, dash="dash"), **when)
    fig.add_scatter(x=x, y=trend["weighted_percent_complete"], name="Complete %", mode=lines,
                    line=dict(color=SERIES["complete"], width=3), **when)
    # whole-number steps for a count (plotly's own steps, printed as integers, read 0 5 11 16)
    most = int((trend["late"] + trend["overdue"]).max()) if len(trend) else 0
    step = next(n for n in (1, 2, 5, 10, 20, 25, 50, 100, 200, 500, 1000, 10**9) if most / n <= 6)
    top = max(step, -(-most // step) * step)
    fig.update_layout(barmode="stack", yaxis=dict(title="Weighted % complete", range=[0, 100]),
                      yaxis2=dict(title="Treatments late / overdue", overlaying="y", side="right",
                                  range=[0, top], dtick=step, showgrid=False, tickformat="d"))
    if monthly:
        _month_axis(fig, months, slanted=True)
    else:
        fig.update_xaxes(tickformat="%b %Y", tickangle=0, nticks=6)
        _few_dates_axis(fig, trend["as_of"])
    return _legend_below(_layout(fig, title))


def exposure_projection(actual: pd.DataFrame, projected: pd.DataFrame, planned_on: dt.date,
                        title: str = "Residual exposure: actual against plan") -> go.Figure:
    """Actual residual exposure per quarter end against the path the treatment due dates implied
    on `planned_on` (`actual`: as_of, residual_exposure; `projected`: as_of, projected_exposure)."""
    fig = go.Figure()
    fig.add_scatter(x=actual["as_of"], y=actual["residual_exposure"], name="Actual", mode="lines+markers",
                    line=dict(color=SERIES["residual"], width=3))
    fig.add_scatter(x=projected["as_of"], y=projected["projected_exposure"], name=f"Plan at {long_date(planned_on)}",
                    mode="lines", line=dict(color=SERIES["projected"], width=2, dash="dash", shape="hv"))
    steps = projected["projected_exposure"].reset_index(drop=True).astype(float).diff()
    if len(steps) > 1 and steps.min() < 0:  # the largest step down: treatments falling due, said on the chart
        at = int(steps.idxmin())
        # the label on the side with room: to the right it ran off a chart whose step came late
        fig.add_annotation(x=projected["as_of"].iloc[at], y=projected["projected_exposure"].iloc[at],
                           text=f"{int(steps[at]):+d}: treatments due", showarrow=True, arrowhead=2,
                           ax=40 if at < len(steps) / 2 else -60, ay=40,
                           font=dict(size=12, color=SERIES["projected"]), bgcolor="rgba(255,255,255,0.85)")
    gap = _gap_to_plan(actual, projected)
    if gap is not None:  # how far the latest actual stands from the plan then, in words on the chart
        day, now, planned = gap
        said = "on plan" if now == planned else f"{abs(now - planned):,} {'above' if now > planned else 'below'} plan"
        fig.add_annotation(x=day, y=now, text=f"{now:,}: {said} ({planned:,})", showarrow=True, arrowhead=2,
                           ax=0, ay=-36, font=dict(size=12, color=SERIES["residual"]), bgcolor="rgba(255,255,255,0.85)")
    fig.update_yaxes(title="Residual exposure", rangemode="tozero")
    # level month-and-year labels, few enough to stay level in presentation type ('2023, 2024, 2024...'
    # was plotly's own choice of ticks once the labels had turned vertical)
    fig.update_xaxes(tickformat="%b %Y", tickangle=0, nticks=6)
    days = pd.to_datetime(pd.Series([*actual["as_of"], *projected["as_of"]]))
    _few_dates_axis(fig, days)
    if days.nunique() > 1:  # a margin before the first date: its label, centred on the corner, ran into the '0'
        pad = (days.max() - days.min()) * 0.04
        fig.update_xaxes(range=[days.min() - pad, days.max() + pad])
    return _legend_below(_layout(fig, title))


def _gap_to_plan(actual: pd.DataFrame, projected: pd.DataFrame) -> tuple | None:
    """(date, actual, planned) at the latest actual point the plan reaches (the plan holds from
    each of its dates to the next); None when the plan starts after it."""
    if actual.empty or projected.empty:
        return None
    day = pd.Timestamp(actual["as_of"].iloc[-1])
    plan = projected[pd.to_datetime(projected["as_of"]) <= day]
    if plan.empty:
        return None
    return actual["as_of"].iloc[-1], int(actual["residual_exposure"].iloc[-1]), int(round(plan["projected_exposure"].iloc[-1]))


def _dates_axis(fig: go.Figure, dates) -> None:
    """A lone date would get plotly's millisecond ticks around it: show a quarter either side, its
    label the date itself."""
    days = sorted(set(pd.to_datetime(pd.Series(list(dates))).dt.normalize()))
    if len(days) == 1:
        day = days[0]
        fig.update_xaxes(range=[day - pd.Timedelta(days=45), day + pd.Timedelta(days=45)],
                         tickmode="array", tickvals=[day], ticktext=[short_date(day)])


def _few_dates_axis(fig: go.Figure, dates, most: int = 6) -> None:
    """Plotly's own month ticks over a span of a few weeks repeat the month ('Dec 2026' five times
    under one point, a register's first quarter): with at most `most` dates, a tick at each and none
    between (the day too where two share a month); a lone date as `_dates_axis` shows it."""
    days = sorted(set(pd.to_datetime(pd.Series(list(dates))).dt.normalize()))
    if len(days) == 1:
        _dates_axis(fig, days)
    elif 1 < len(days) <= most:
        same_month = len({(d.year, d.month) for d in days}) < len(days)
        fig.update_xaxes(tickmode="array", tickvals=days,
                         ticktext=[short_date(d) if same_month else f"{d:%b %Y}" for d in days])


def _event_dates_axis(fig: go.Figure, dates, most: int = 8) -> None:
    """A few events' own dates as the ticks ('30 Jun 2026'): plotly's month ticks put an assessment
    of 30 June on the 'Jul 2026' tick, read as July. Past `most` dates, plotly's ticks."""
    days = sorted(set(pd.to_datetime(pd.Series(list(dates))).dt.normalize()))
    if len(days) == 1:
        _dates_axis(fig, days)
    elif 1 < len(days) <= most:
        fig.update_xaxes(tickmode="array", tickvals=days, ticktext=[short_date(d) for d in days])


def risk_history(matrix: RiskMatrix, assessments: pd.DataFrame, title: str) -> go.Figure:
    """One risk's inherent and residual scores at each assessment, on the matrix's score scale."""
    fig = go.Figure()
    same = len(assessments) and (assessments["inherent_score"] == assessments["residual_score"]).all()
    for basis, colour, dash in (("inherent", SERIES["inherent"], "dot"), ("residual", SERIES["residual"], "solid")):
        # a residual drawn over an equal inherent hides it: the legend says the two are one line
        name = "Residual (= inherent: no reduction)" if same and basis == "residual" else basis.capitalize()
        fig.add_scatter(x=assessments["assessed_on"], y=assessments[f"{basis}_score"], name=name,
                        mode="lines+markers", line=dict(color=colour, width=3, dash=dash, shape="hv"), marker=dict(size=9),
                        text=assessments[f"{basis}_level"], hovertemplate="%{x}<br>score %{y} (%{text})<extra></extra>")
    fig.update_yaxes(title="Score (likelihood x impact)", range=[0, matrix.max_score + 1])
    _event_dates_axis(fig, assessments["assessed_on"])
    return _legend_below(_layout(fig, title, height=360))


def treatment_history(updates: pd.DataFrame, title: str) -> go.Figure:
    """Reported percent complete of each treatment over time."""
    fig = go.Figure()
    for treatment_id, part in updates.groupby("treatment_id", sort=True):
        fig.add_scatter(x=part["updated_on"], y=part["percent_complete"], name=str(treatment_id), mode="lines+markers")
    fig.update_yaxes(title="% complete", range=[0, 105])
    _event_dates_axis(fig, updates["updated_on"])
    return _legend_below(_layout(fig, title, height=360))



# --- Security Health figures (issue 5): add below this line ---

# Domains are told apart by hue but never in red, amber or green, which mean a KRI status here.
DOMAIN_COLOURS = ["#1565c0", "#6a1b9a", "#00838f", "#5d4037", "#455a64", "#ad1457"]


def domain_health_trend(health: pd.DataFrame, title: str = "Health index by control domain") -> go.Figure:
    """Share of each control domain's KRIs that are green, per month (`control_domain`, `period`, `health`)."""
    fig = go.Figure()
    for i, (domain, part) in enumerate(health.groupby("control_domain", sort=True)):
        colour = DOMAIN_COLOURS[i % len(DOMAIN_COLOURS)]
        fig.add_scatter(x=pd.to_datetime(part["period"]), y=part["health"] * 100, name=domain, mode="lines+markers",
                        customdata=part[["green", "kris"]], line=dict(width=3, color=colour), marker=dict(color=colour),
                        hovertemplate="%{x|%b %Y}: %{y:.0f}% green (%{customdata[0]} of %{customdata[1]})<extra>"
                                      + domain + "</extra>")
    _month_axis(fig, health["period"], slanted=True)
    fig.update_yaxes(title="KRIs green", range=[0, 105], ticksuffix="%")
    fig = _layout(fig, title)
    fig.update_layout(legend=dict(orientation="h", yanchor="top", y=-0.28, xanchor="left", x=0), margin=dict(b=20))
    return fig


def _bands(direction: str, amber, red, lo: float, hi: float) -> list[tuple[float, float, str]]:
    """(from, to, status) bands of the y-axis; a threshold belongs to the worse band."""
    has_amber, has_red = pd.notna(amber), pd.notna(red)
    if not has_amber and not has_red:
        return []
    amber = amber if has_amber else red
    red = red if has_red else None
    if direction == "Higher is better":
        bands = [(amber, hi, "green")]
        bands += [(red, amber, "amber"), (lo, red, "red")] if red is not None else [(lo, amber, "amber")]
    else:
        bands = [(lo, amber, "green")]
        bands += [(amber, red, "amber"), (red, hi, "red")] if red is not None else [(amber, hi, "amber")]
    return [(a, b, s) for a, b, s in bands if b > a]


def kri_history(metric: dict, history: pd.DataFrame, title: str | None = None) -> go.Figure:
    """One KRI's results over time on its green / amber / red bands, with the target as a dashed line.

    `history` has period, value and status; markers take the status colour so a breach stands out
    even in grey print.
    """
    unit = metric.get("unit") or ""
    values = history["value"].dropna().tolist()
    marks = [v for v in (metric.get("target"), metric.get("amber"), metric.get("red")) if pd.notna(v)]
    lo, hi = min(values + marks, default=0.0), max(values + marks, default=1.0)
    pad = (hi - lo) * 0.1 or 1.0
    lo, hi = lo - pad, hi + pad
    if unit == "%":
        lo, hi = max(lo, 0.0), min(hi, 100.0 + pad)
    fig = go.Figure()
    for a, b, status in _bands(metric["direction"], metric.get("amber"), metric.get("red"), lo, hi):
        fig.add_hrect(y0=a, y1=b, fillcolor=KRI_COLOURS[status], opacity=0.14, line_width=0, layer="below")
    if pd.notna(metric.get("target")):
        fig.add_hline(y=metric["target"], line=dict(color="#37474f", dash="dash", width=1.5),
                      annotation_text=f"target {metric['target']:g}", annotation_position="top left")
    fig.add_scatter(
        x=history["period"], y=history["value"], mode="lines+markers", name=metric["name"],
        line=dict(color="#37474f", width=2),
        marker=dict(size=9, color=[KRI_COLOURS.get(s, KRI_COLOURS["unrated"]) for s in history["status"]],
                    line=dict(color="white", width=1)),
        hovertemplate="%{x|%b %Y}: %{y:g} " + unit + "<extra></extra>", showlegend=False,
    )
    # a label per month with a result: plotly's own ticks on a date axis of one or two results fell
    # between months, and 'Feb 2024' read twice beside 'Mar 2024' twice
    _month_axis(fig, history["period"])
    fig.update_yaxes(title=unit or "value", range=[lo, hi])
    arrow = "higher is better" if metric["direction"] == "Higher is better" else "lower is better"
    return _layout(fig, title or f"{metric['metric_id']} {metric['name']} ({arrow})")


def monthly_exposure_trend(trend: pd.DataFrame, title: str = "Residual exposure by month") -> go.Figure:
    """Residual and inherent exposure of open risks per month end (`as_of`, `residual_exposure`, ...)."""
    months = pd.to_datetime(trend["as_of"]).dt.to_period("M").dt.to_timestamp()  # a month end is its month
    fig = go.Figure()
    fig.add_scatter(x=months, y=trend["inherent_exposure"], name="Inherent", mode="lines",
                    line=dict(color=SERIES["inherent"], width=2, dash="dot"), hovertemplate="%{x|%b %Y}: %{y}")
    fig.add_scatter(x=months, y=trend["residual_exposure"], name="Residual", mode="lines+markers",
                    line=dict(color=SERIES["residual"], width=3), hovertemplate="%{x|%b %Y}: %{y}")
    _month_axis(fig, months)
    fig.update_yaxes(title="Sum of likelihood x impact", rangemode="tozero")
    return _layout(fig, title, height=380)



# --- end of page-specific blocks ---
