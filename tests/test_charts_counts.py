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
