"""Count axes show whole numbers ('0.5 findings' and '6.82 tests' were plotly's own ticks), and the
pass-rate line is drawn over the bars of tests, not under them."""

import datetime as dt

import pandas as pd

from isms.charts_compliance import findings_burndown, pass_rate_trend


def test_the_pass_rate_line_is_on_the_axis_drawn_last_and_the_tests_axis_counts_whole_tests():
    trend = pd.DataFrame({"quarter_end": [dt.date(2026, 3, 31), dt.date(2026, 6, 30), dt.date(2026, 9, 30)],
                          "tested": [12, 30, 34], "pass_rate": [0.75, 0.8, 0.9]})
    fig = pass_rate_trend(trend)
    bars, line = fig.data
    assert bars.type == "bar" and bars.yaxis in (None, "y") and line.yaxis == "y2"
    assert fig.layout.yaxis2.overlaying == "y" and fig.layout.yaxis2.tickformat == ".0%"
    # 34 tests at most: steps of 7 (34 / 5 rounded up), whole numbers, from zero
    assert (fig.layout.yaxis.tick0, fig.layout.yaxis.dtick, fig.layout.yaxis.tickformat) == (0, 7, ",d")
    assert (fig.layout.yaxis2.tickmode, fig.layout.yaxis2.dtick) == ("linear", 0.2)  # 0%, 20% ... 100%


def test_a_few_findings_are_counted_one_by_one():
    burndown = pd.DataFrame({"as_of": [dt.date(2026, 7, 31), dt.date(2026, 8, 31)], "open": [1, 2], "overdue": [0, 1]})
    axis = findings_burndown(burndown).layout.yaxis
    assert (axis.dtick, axis.tickformat, axis.rangemode) == (1, ",d", "tozero")


def test_treatment_progress_draws_each_month_end_under_its_own_month():
    """Month ends at their own date stood under the next month's tick: September's bar over
    'Oct 2026' in a pack as of 30 September. Each is drawn at its month, and the last tick is the
    meeting's month."""
    from isms.charts import treatment_progress_trend

    ends = pd.date_range("2023-12-31", "2026-09-30", freq="ME")
    trend = pd.DataFrame({"as_of": ends.date, "late": 1, "overdue": 2, "weighted_percent_planned": 50.0,
                          "weighted_percent_complete": 40.0})
    fig = treatment_progress_trend(trend)
    bars = fig.data[0]
    assert [pd.Timestamp(x) for x in bars.x] == [pd.Timestamp(e.year, e.month, 1) for e in ends]
    axis = fig.layout.xaxis
    assert axis.ticktext[-1] == "Sep 2026" and pd.Timestamp(axis.tickvals[-1]) == pd.Timestamp(2026, 9, 1)
    assert axis.ticktext[0] != "Jan 2024" and "Oct 2026" not in axis.ticktext


def test_the_level_trend_keeps_its_quarters_in_time_order_when_a_level_starts_late():
    # a filter left no Low risk before Q3 2024: Low's trace (drawn first) starts there, and plotly
    # put Q4 23 to Q2 24, met later in High's trace, after Q3 24
    from isms.charts import level_trend
    from isms.config import ROOT, load_settings

    matrix = load_settings(ROOT / "isms.toml").matrix
    ends = [dt.date(2023, 12, 31), dt.date(2024, 3, 31), dt.date(2024, 6, 30), dt.date(2024, 9, 30)]
    counts = pd.DataFrame({"as_of": [ends[3]] + ends, "level": ["Low"] + ["High"] * 4, "risks": [1, 3, 3, 3, 2]})
    fig = level_trend(matrix, counts)
    assert list(fig.layout.xaxis.categoryarray) == ["2023-Q4", "2024-Q1", "2024-Q2", "2024-Q3"]
    assert fig.layout.xaxis.categoryorder == "array"


def test_actual_against_plan_says_the_gap_at_the_latest_actual():
    from isms.charts import exposure_projection

    actual = pd.DataFrame({"as_of": [dt.date(2026, 6, 30), dt.date(2026, 9, 30)], "residual_exposure": [1313, 1300]})
    plan = pd.DataFrame({"as_of": [dt.date(2026, 6, 30), dt.date(2026, 7, 31), dt.date(2026, 8, 31), dt.date(2026, 10, 31)],
                         "projected_exposure": [1313.0, 1161.0, 1156.0, 1100.0]})
    texts = [a.text for a in exposure_projection(actual, plan, dt.date(2026, 6, 30)).layout.annotations]
    # on 30 September the plan holds its 31 August figure (1,156): 1,300 is 144 above it
    assert "1,300: 144 above plan (1,156)" in texts
    assert "-152: treatments due" in texts
    # a plan that starts after the latest actual has no gap to say
    later = plan.assign(as_of=[dt.date(2026, 10, 31)] * 4)
    assert not [t for t in (a.text for a in exposure_projection(actual, later, dt.date(2026, 9, 30)).layout.annotations)
                if "plan (" in t]



def test_at_presentation_size_a_time_axis_labels_every_other_period_back_from_the_latest():
    """A half-width chart's 13 month labels ran together at 1280 px in presentation mode: 7 are
    kept, the latest among them; a heatmap's axes, which label each cell, keep every label."""
    from isms.charts import heatmap, kri_status_trend
    from isms.matrix import PRESETS
    from ui.charts import _fewer_time_labels

    months = pd.date_range("2025-10-01", "2026-10-01", freq="MS")  # 13 months
    fig = kri_status_trend(pd.DataFrame({"period": months, "status": "green", "kris": 5}))
    assert len(fig.layout.xaxis.tickvals) == 13
    _fewer_time_labels(fig)
    shown = [pd.Timestamp(v).strftime("%Y-%m") for v in fig.layout.xaxis.tickvals]
    assert shown == ["2025-10", "2025-12", "2026-02", "2026-04", "2026-06", "2026-08", "2026-10"]
    assert list(fig.layout.xaxis.ticktext) == ["Oct 2025", "Dec 2025", "Feb 2026", "Apr 2026", "Jun 2026", "Aug 2026",
                                               "Oct 2026"]
    grid = heatmap(next(iter(PRESETS.values())), pd.DataFrame(columns=["likelihood", "impact", "risks"]))
    grid.update_xaxes(tickmode="array", tickvals=list(range(7)))
    _fewer_time_labels(grid)
    assert list(grid.layout.xaxis.tickvals) == list(range(7))


def test_at_presentation_size_a_quarters_year_sits_under_it():
    """'Q1 2024 Q3 2024' read as one run of words on a half-width chart at 1280 px."""
    import plotly.graph_objects as go

    from ui.charts import _fewer_time_labels

    fig = go.Figure(go.Scatter(x=["2024-Q1", "2024-Q2", "2024-Q3"], y=[1, 2, 3]))
    fig.update_xaxes(tickmode="array", tickvals=["2024-Q1", "2024-Q3"], ticktext=["Q1 2024", "Q3 2024"])
    _fewer_time_labels(fig)
    assert list(fig.layout.xaxis.ticktext) == ["Q1<br>2024", "Q3<br>2024"]
    assert list(fig.layout.xaxis.tickvals) == ["2024-Q1", "2024-Q3"]


def test_the_plan_charts_first_date_stands_clear_of_the_zero():
    """'Jan 2024', centred on the chart's corner, ran into the y axis's '0' at 1280 px: the axis
    starts a little before the first date and ends a little after the last."""
    from isms.charts import exposure_projection

    actual = pd.DataFrame({"as_of": pd.to_datetime(["2024-01-31", "2025-01-31"]), "residual_exposure": [1100, 1200]})
    plan = pd.DataFrame({"as_of": pd.to_datetime(["2025-01-31", "2026-01-31"]), "projected_exposure": [1200, 1000]})
    start, end = (pd.Timestamp(v) for v in exposure_projection(actual, plan, dt.date(2025, 1, 31)).layout.xaxis.range)
    span = pd.Timestamp("2026-01-31") - pd.Timestamp("2024-01-31")
    assert start == pd.Timestamp("2024-01-31") - span * 0.04 and end == pd.Timestamp("2026-01-31") + span * 0.04


def test_the_open_and_overdue_findings_lines_both_show_where_they_meet():
    """Every open finding overdue: the red line lay on the navy one and hid it; it is dashed now."""
    burndown = pd.DataFrame({"as_of": [dt.date(2026, 7, 31), dt.date(2026, 8, 31)], "open": [2, 2], "overdue": [2, 2]})
    opened, overdue = findings_burndown(burndown).data
    assert (opened.name, overdue.name) == ("open", "overdue")
    assert opened.line.dash in (None, "solid") and overdue.line.dash == "dash"


def test_a_kris_history_of_two_results_labels_each_month_once():
    """One KRI with results for February and March 2024: plotly's own date ticks read 'Feb 2024,
    Feb 2024, Mar 2024, Mar 2024'."""
    from isms.charts import kri_history

    metric = {"metric_id": "KRI-001", "name": "Patch compliance", "unit": "%", "direction": "Higher is better",
              "target": 95.0, "amber": 90.0, "red": 80.0}
    history = pd.DataFrame({"period": pd.to_datetime(["2024-02-01", "2024-03-01"]), "value": [91.0, 96.0],
                            "status": ["amber", "green"]})
    axis = kri_history(metric, history).layout.xaxis
    assert axis.tickmode == "array" and list(axis.ticktext) == ["Feb 2024", "Mar 2024"]
    assert [pd.Timestamp(v) for v in axis.tickvals] == list(history["period"])
