"""Risk Review figures from `isms`, against figures worked out by hand (tests/risk_review_data.py)."""

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import settings as settings_
from hypothesis import strategies as st_

from isms.config import load_settings
from isms.filters import RiskFilter
from isms.posture import scorecard
from isms.store import connect
from isms.views import risk_review
from isms.views.risk_review import Cell
from tests.factories import D
from tests.conftest import ROOT
from tests.risk_review_data import A, C, build_small_isms


@pytest.fixture
def review(con, settings):
    build_small_isms(con)
    return lambda filters=RiskFilter(): risk_review.build(con, settings, A, C, filters)


def test_scorecard_by_hand(review):
    card = review().scorecard
    assert card.current.residual_by_level == {"Low": 0, "Medium": 1, "High": 2, "Critical": 1}
    assert card.previous.residual_by_level == {"Low": 1, "Medium": 1, "High": 1, "Critical": 1}
    assert card.current.residual_exposure == 12 + 12 + 9 + 25
    assert card.previous.residual_exposure == 9 + 16 + 4 + 20
    assert card.current.within_appetite_share == pytest.approx(1 / 4)
    assert (card.current.treatments.late, card.current.treatments.overdue) == (1, 1)
    assert (card.current.exceptions_expiring, card.current.exceptions_expired_open) == (1, 1)
    assert card.current.above_appetite_unaddressed == 1


def test_unfiltered_scorecard_agrees_with_the_register_wide_one(con, settings, review):
    mine, theirs = review().scorecard, scorecard(con, settings, A, C)
    for side in ("current", "previous"):
        a, b = getattr(mine, side), getattr(theirs, side)
        assert a.model_dump(exclude={"kris"}) == b.model_dump(exclude={"kris"})


def test_heatmap_cells_on_each_basis(review):
    data = review()
    residual = {(r.likelihood, r.impact): r.risks for r in data.cells_for("residual").itertuples()}
    assert residual == {(4, 3): 1, (3, 4): 1, (3, 3): 1, (5, 5): 1}
    inherent = {(r.likelihood, r.impact): r.risks for r in data.cells_for("inherent").itertuples()}
    assert inherent == {(4, 4): 1, (5, 5): 2, (5, 4): 1}
    target = {(r.likelihood, r.impact): r.risks for r in data.cells_for("target").itertuples()}
    assert target == {(2, 2): 1, (2, 3): 1}


def test_movements_between_cells(review):
    moves = {(r.from_likelihood, r.from_impact, r.to_likelihood, r.to_impact): r.risks for r in review().movements.itertuples()}
    assert moves == {(3, 3, 4, 3): 1, (4, 4, 3, 4): 1, (4, 5, 3, 3): 1}


def test_changes_since_last_review(review):
    data = review()
    rows = {r.risk_id: (r.change, None if pd.isna(r.from_level) else r.from_level, r.to_level)
            for r in data.changes.itertuples()}
    assert rows == {"R1": ("Escalated", "Medium", "High"), "R5": ("New", None, "Critical"),
                    "R4": ("De-escalated", "Critical", "Medium"), "R3": ("Closed", "Low", "Closed")}
    assert data.change_counts() == {"Escalated": 1, "New": 1, "De-escalated": 1, "Closed": 1}


def test_top_risks_with_trend_and_treatment(review):
    top = review().top_risks
    assert list(top["risk_id"]) == ["R5", "R1", "R2", "R4"]
    r5, r1, r2, r4 = (top.iloc[i] for i in range(4))
    assert (r5.trend, r5.decisions, r5.percent_complete, r5.days_overdue) == ("new", "Transfer", 50.0, 30)
    assert (r1.trend, r1.previous_level) == ("up", "Medium") and pd.isna(r1.decisions)  # no treatment
    assert (r2.trend, r2.previous_score, r2.decisions, r2.percent_complete) == ("down", 16, "Reduce", 30.0)
    assert (r4.trend, r4.previous_level) == ("down", "Critical")


def test_trends_over_the_history(review):
    data = review()
    levels = {(r.as_of, r.level): r.risks for r in data.level_trend.itertuples()}
    assert levels == {(C, "Low"): 1, (C, "Medium"): 1, (C, "High"): 1, (C, "Critical"): 1,
                      (A, "Medium"): 1, (A, "High"): 2, (A, "Critical"): 1}
    totals = data.totals_trend.set_index("as_of")
    assert totals.loc[C, "residual_exposure"] == 49 and totals.loc[A, "residual_exposure"] == 58
    assert totals.loc[C, "inherent_exposure"] == 16 + 25 + 9 + 20
    assert totals.loc[A, "inherent_exposure"] == 16 + 25 + 20 + 25


def test_treatment_progress_weighted_by_planned_duration(review):
    row = review().treatment_trend.set_index("as_of").loc[A]
    # T1 weighs 365 days at 30 % against 181/365 planned; T2 weighs 60 days at 50 % against 100 %.
    assert row["weighted_percent_complete"] == pytest.approx((365 * 30 + 60 * 50) / 425)
    assert row["weighted_percent_planned"] == pytest.approx((18100 + 60 * 100) / 425)
    assert (row["late"], row["overdue"]) == (1, 1)


def test_an_interim_date_ends_the_treatment_trend_on_itself(con, settings, review):
    """On 15 May 2024 (not a month end) the trend's last point is that day, not 31 May: planned
    progress and what is overdue are as they stood on the date. The register then is C's: T1 alone,
    planned 1 January to 31 December 2024, 15 % reported on 31 March."""
    review()
    interim = D("2024-05-15")
    trend = risk_review.build(con, settings, interim, C).treatment_trend
    assert [d.isoformat() for d in trend["as_of"]] == ["2024-03-31", "2024-04-30", "2024-05-15"]
    last = trend.iloc[-1]
    # 135 of T1's 365 days have passed on 15 May (31 + 29 + 31 + 30 + 14); on 31 May it was 151
    assert last["weighted_percent_planned"] == pytest.approx(100 * 135 / 365)
    assert last["weighted_percent_complete"] == pytest.approx(15.0)


def test_exposure_projection_from_the_comparison_date(review):
    proj = review().projection.set_index("as_of")["projected_exposure"]
    # On C only R2 has an active plan (T1, due 2024-12-31) and a target (2x3 = 6).
    assert proj.loc[C] == 49
    assert proj.loc[D("2024-11-30")] == 49
    assert proj.loc[D("2024-12-31")] == 49 - 16 + 6


def test_a_comparison_date_past_the_projection_horizon_projects_nothing(con, settings, review):
    """Compared with a date more than the projection's twelve months after the review date there is
    no month to project (the query was once built with an empty VALUES list and failed)."""
    review()
    data = risk_review.build(con, settings, C, D("2026-12-31"))
    assert data.projection.empty
    assert data.as_of == C and data.compare_to == D("2026-12-31")


def test_appetite_marks_risks_without_treatment_or_exception(review):
    above = review().above_appetite
    assert list(above["risk_id"]) == ["R1", "R5", "R2"]
    assert dict(zip(above["risk_id"], above["unaddressed"])) == {"R1": True, "R5": False, "R2": False}
    from isms.headline import above_appetite
    assert above_appetite(above, "Medium") == ("3 risks above appetite (Medium), of which 1 has neither an active treatment "
                                               "nor a granted exception.")
    # R2 'accepted' besides: still without a treatment or exception, and now said to be accepted
    accepted = above.assign(unaddressed=[True, False, True], accepted=[False, False, True])
    assert above_appetite(accepted, "Medium") == ("3 risks above appetite (Medium), of which 2 have neither an active "
                                                  "treatment nor a granted exception (1 with no decision, 1 accepted "
                                                  "above appetite).")


def test_exceptions_for_review(review):
    data = review()
    rows = [(r.exception_id, r.window, r.days_to_expiry, r.risk_level) for r in data.exceptions.itertuples()]
    assert rows == [("E2", "Expired, still open", -29, "Medium"), ("E1", "Within 30 days", 20, "High"),
                    ("E3", "Within 90 days", 77, "Critical")]
    # the words the page and pack show for those days
    assert data.exceptions["expires_in"].tolist() == ["29 days ago", "in 20 days", "in 77 days"]


@pytest.mark.parametrize("filters, risks_now, exposure_now", [
    (RiskFilter(themes=("A.8 Technological",)), {"R1"}, 12),
    (RiskFilter(asset_classes=("Primary",)), {"R2", "R4", "R5"}, 12 + 9 + 25),
    (RiskFilter(assets=("HW-01",)), {"R1"}, 12),
    (RiskFilter(owners=("Bob",)), {"R2", "R4"}, 12 + 9),
    (RiskFilter(statuses=("In treatment",)), {"R2"}, 12),
    (RiskFilter(decisions=("Transfer",)), {"R5"}, 25),
    (RiskFilter(asset_classes=("Primary",), owners=("Bob",)), {"R2", "R4"}, 21),
])
def test_each_filter_narrows_every_section(review, filters, risks_now, exposure_now):
    data = review(filters)
    assert set(data.top_risks["risk_id"]) == risks_now
    assert data.scorecard.current.residual_exposure == exposure_now
    assert int(data.cells_for("residual")["risks"].sum()) == len(risks_now)
    assert set(data.above_appetite["risk_id"]) <= risks_now
    assert set(data.changes[data.changes["change"] != "Closed"]["risk_id"]) <= risks_now
    assert set(data.exceptions["risk_id"]) <= risks_now


def test_theme_filter_keeps_closed_risks_of_that_theme_only(review):
    data = review(RiskFilter(themes=("A.8 Technological",)))
    assert data.change_counts() == {"Escalated": 1, "New": 0, "De-escalated": 0, "Closed": 1}
    assert data.exceptions.empty


def test_focus_lists_a_cell_and_tells_a_risk_story(con, settings, review):
    review()
    f = risk_review.focus(con, settings, A, RiskFilter(), Cell("inherent", 5, 5), "R2")
    assert list(f.cell_risks["risk_id"]) == ["R5", "R2"]
    d = f.detail
    assert list(d.assessments["residual_score"]) == [16, 12]
    assert list(d.assessments["residual_level"]) == ["High", "High"]
    assert list(d.treatments["state"]) == ["late"]
    assert list(d.updates["percent_complete"]) == [15.0, 30.0]
    assert list(d.exceptions["exception_id"]) == ["E1"]
    assert list(d.assets["asset_class"]) == ["Primary"]


def test_detail_of_a_risk_not_in_the_register_is_none(con, settings, review):
    review()
    assert risk_review.focus(con, settings, C, RiskFilter(), None, "R5").detail is None


def test_filter_is_order_free_and_describes_itself():
    assert RiskFilter(owners=("Bob", "Alice")) == RiskFilter(owners=("Alice", "Bob", "Bob"))
    assert RiskFilter().describe() == "all risks"
    assert RiskFilter(owners=("Bob",)).describe() == "owners: Bob"


def test_filter_values_are_quoted_safely(review):
    data = review(RiskFilter(owners=("O'Brien'); DROP TABLE risk; --",)))
    assert data.top_risks.empty and data.scorecard.current.residual_exposure == 0


@pytest.fixture(scope="module")
def small_store():
    c = connect(":memory:")
    build_small_isms(c)
    yield c, load_settings(ROOT / "isms.toml", db_path=":memory:")
    c.close()


OWNERS, THEMES = ["Alice", "Bob", "Carol"], ["A.5 Organizational", "A.6 People", "A.7 Physical", "A.8 Technological"]


@settings_(max_examples=12, deadline=None)
@given(owners=st_.sets(st_.sampled_from(OWNERS)), themes=st_.sets(st_.sampled_from(THEMES)),
       classes=st_.sets(st_.sampled_from(["Primary", "Supporting"])))
def test_sections_agree_with_each_other_under_any_filter(small_store, owners, themes, classes):
    con, cfg = small_store
    data = risk_review.build(con, cfg, A, C, RiskFilter(owners=tuple(owners), themes=tuple(themes),
                                                        asset_classes=tuple(classes)))
    card = data.scorecard.current
    shown = len(data.top_risks)
    assert sum(card.residual_by_level.values()) == card.assessed_risks == shown
    for basis in ("residual", "inherent"):
        assert int(data.cells_for(basis)["risks"].sum()) == shown
    assert card.residual_exposure == int(data.top_risks["residual_score"].sum())
    assert len(data.above_appetite) == card.above_appetite
    assert int(data.above_appetite["unaddressed"].sum()) == card.above_appetite_unaddressed


def test_a_risk_assessed_once_has_its_date_as_the_only_tick():
    """One assessment: a readable date, not plotly's millisecond ticks around a single instant."""
    import datetime as dt

    import pandas as pd

    from isms.charts import risk_history
    from isms.matrix import PRESETS

    once = pd.DataFrame([{"assessed_on": dt.date(2026, 11, 19), "inherent_score": 12, "residual_score": 8,
                          "inherent_level": "High", "residual_level": "Medium"}])
    axis = risk_history(PRESETS["5x5"], once, "R-901").layout.xaxis
    assert list(axis.ticktext) == ["19 Nov 2026"]
    low, high = (pd.Timestamp(v) for v in axis.range)
    assert (high - low).days == 90 and low < pd.Timestamp("2026-11-19") < high


def test_quarter_end_assessments_are_ticked_on_their_own_dates():
    """Plotly's month ticks put the 30 June and 30 September assessments on 'Jul 2026' and 'Oct 2026'."""
    import datetime as dt

    import pandas as pd

    from isms.charts import risk_history
    from isms.matrix import PRESETS

    two = pd.DataFrame([{"assessed_on": dt.date(2026, 6, 30), "inherent_score": 12, "residual_score": 8,
                         "inherent_level": "High", "residual_level": "Medium"},
                        {"assessed_on": dt.date(2026, 9, 30), "inherent_score": 12, "residual_score": 6,
                         "inherent_level": "High", "residual_level": "Medium"}])
    axis = risk_history(PRESETS["5x5"], two, "R-902").layout.xaxis
    assert list(axis.ticktext) == ["30 Jun 2026", "30 Sep 2026"]
    assert [pd.Timestamp(v).date() for v in axis.tickvals] == [dt.date(2026, 6, 30), dt.date(2026, 9, 30)]


@pytest.mark.parametrize("late, overdue, ticks", [([3, 6], [4, 20], [0, 5, 10, 15, 20, 25, 30]),
                                                   ([0, 1], [2, 2], [0, 1, 2, 3]), ([0], [0], [0, 1])])
def test_late_and_overdue_counts_have_whole_number_ticks(late, overdue, ticks):
    import pandas as pd

    from isms.charts import treatment_progress_trend

    trend = pd.DataFrame({"as_of": pd.date_range("2026-01-31", periods=len(late), freq="ME"), "late": late,
                          "overdue": overdue, "weighted_percent_planned": 50.0, "weighted_percent_complete": 40.0})
    axis = treatment_progress_trend(trend).layout.yaxis2
    shown = list(range(int(axis.range[0]), int(axis.range[1]) + 1, int(axis.dtick)))
    assert shown == ticks


@pytest.mark.parametrize("dates, labels", [
    (["2026-12-03"], ["3 Dec 2026"]),  # a register's first import: one point, one label
    (["2026-10-31", "2026-11-30", "2026-12-31"], ["Oct 2026", "Nov 2026", "Dec 2026"]),
    (["2026-12-03", "2026-12-31"], ["3 Dec 2026", "31 Dec 2026"]),  # two in one month: the day says which
])
def test_a_short_treatment_trend_labels_each_date_once(dates, labels):
    import pandas as pd

    from isms.charts import treatment_progress_trend

    trend = pd.DataFrame({"as_of": pd.to_datetime(dates), "late": 1, "overdue": 0,
                          "weighted_percent_planned": 50.0, "weighted_percent_complete": 40.0})
    fig = treatment_progress_trend(trend)
    assert list(fig.layout.xaxis.ticktext) == labels
    assert [pd.Timestamp(v) for v in fig.layout.xaxis.tickvals] == list(pd.to_datetime(dates))
    assert all("markers" in s.mode for s in fig.data if s.type == "scatter") == (len(dates) == 1)


def test_an_asset_the_asset_register_does_not_hold_is_listed_by_name_and_marked(tmp_path, settings):
    """A risk register naming 'User Accounts' with no asset register: the risk's detail lists it,
    marked as not in the register (it said 'No assets recorded', as if the file had named none)."""
    from tests.factories import load, risk

    con = connect(tmp_path / "a.duckdb")
    try:
        load(con, "2026-03-31", assets=[dict(asset_id="HW-01", name="Web server", asset_class="Supporting",
                                             asset_type="Hardware", criticality="High", owner=None, location=None)])
        load(con, "2026-03-31", risks=[risk("R1", asset_ids=["User Accounts", "HW-01"])])
        f = risk_review.focus(con, settings, D("2026-03-31"), RiskFilter(), None, "R1")
        got = list(zip(f.detail.assets["asset_id"], f.detail.assets["name"]))
    finally:
        con.close()
    assert got[0] == ("HW-01", "Web server")
    assert got[1] == ("User Accounts", "(not in the asset register)")
