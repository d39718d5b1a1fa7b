"""The Security Health bundle against figures worked out by hand from small factory data.

The meeting is June 2024, compared with May 2024. KRIs (thresholds amber / red):
  M1 higher 95/90, A.8, Ops: Jan 95 Feb 96 Mar 90 Apr 85 May 90 Jun 89 -> red four months running
  M2 lower 5/10, A.8, Ops: May 4 Jun 10                              -> newly red (exactly on red)
  M3 lower 5/10, A.5, GRC: Apr 12 May 11 Jun 5                        -> recovered (exactly on amber)
  M4 higher 95/90, A.5, GRC: Apr 99, nothing since                    -> stale in May and June
  M5 higher, target 100 only, A.6: May 98 Jun 100                     -> amber, then green
  M6 no thresholds, A.6: Jun 42                                       -> unrated
  M7 quarterly higher 95/90, A.7: Apr 80                              -> red Apr, May, Jun (its quarter)
  M8 lower 5/10, A.8, Ops: Mar 12, (no April), May 15 Jun 11          -> red, streak 2 after the gap
Risks: R1 residual 4x4 = 16 (High) in March, 2x4 = 8 (Medium) on 10 June; R2 2x2 = 4 (Low).
Treatments: T1 done 5 June; T2 10 % on 30 June of a plan at 181/365 -> late; T3 due 31 May -> 30 days overdue.
"""

import pytest

from isms.headline import security_health as security_health_headline
from isms.views.security_health import Filters, build, filter_options
from tests.factories import D, assessment, load, metric, result, risk, treatment, update

pytestmark = pytest.mark.both_stores  # con and sample_con: the local store, then DuckLake-on-PostgreSQL

HIGHER, LOWER = "Higher is better", "Lower is better"


def _metrics():
    ops = dict(control_domain="A.8 Technological", owner="Ops")
    grc = dict(control_domain="A.5 Organizational", owner="GRC")
    return [
        metric("M1", amber=95, red=90, target=99, **ops),
        metric("M2", direction=LOWER, amber=5, red=10, **ops),
        metric("M3", direction=LOWER, amber=5, red=10, **grc),
        metric("M4", amber=95, red=90, **grc),
        metric("M5", target=100, control_domain="A.6 People"),
        metric("M6", control_domain="A.6 People"),
        metric("M7", amber=95, red=90, cadence="Quarterly", control_domain="A.7 Physical"),
        metric("M8", direction=LOWER, amber=5, red=10, **ops),
    ]


def _results():
    series = {
        "M1": {"01": 95, "02": 96, "03": 90, "04": 85, "05": 90, "06": 89},
        "M2": {"05": 4, "06": 10}, "M3": {"04": 12, "05": 11, "06": 5}, "M4": {"04": 99},
        "M5": {"05": 98, "06": 100}, "M6": {"06": 42}, "M7": {"04": 80}, "M8": {"03": 12, "05": 15, "06": 11},
    }
    rows = [result(m, f"2024-{mm}-01", v) for m, by_month in series.items() for mm, v in by_month.items()]
    for r in rows:
        if r["metric_id"] == "M1" and r["period"] == D("2024-04-01"):
            r["note"] = "Agent rollout paused"
    return rows


@pytest.fixture
def health_db(con):
    load(con, "2024-03-31", risks=[risk("R1"), risk("R2")], metrics=_metrics(),
         assessments=[assessment("R1", "2024-03-10", residual=(4, 4)), assessment("R2", "2024-03-10", residual=(2, 2))],
         treatments=[treatment("T1", "R1", "2024-01-01", "2024-06-30"), treatment("T2", "R2", "2024-01-01", "2024-12-31")])
    load(con, "2024-06-30", risks=[risk("R1"), risk("R2")],
         assessments=[assessment("R1", "2024-06-10", residual=(2, 4))],
         treatments=[treatment("T1", "R1", "2024-01-01", "2024-06-30", status="Done", completed="2024-06-05"),
                     treatment("T2", "R2", "2024-01-01", "2024-12-31"),
                     treatment("T3", "R2", "2024-02-01", "2024-05-31")],
         treatment_updates=[update("T2", "2024-06-30", 10), update("T3", "2024-06-30", 50)],
         metrics=_metrics(), monitoring_results=_results())
    return con


@pytest.fixture
def june(health_db, settings):
    return build(health_db, settings, D("2024-06-01"), D("2024-05-01"))


def test_board_statuses_values_and_streaks(june):
    b = june.board.set_index("metric_id")
    assert b["status"].to_dict() == {"M1": "red", "M2": "red", "M3": "amber", "M4": "stale", "M5": "green",
                                     "M6": "unrated", "M7": "red", "M8": "red"}
    assert b["red_streak"].to_dict() == {"M1": 4, "M2": 1, "M3": 0, "M4": 0, "M5": 0, "M6": 0, "M7": 3, "M8": 2}
    assert b.loc["M4", "value"] == 99 and b.loc["M4", "result_month"].month == 4  # shown, but stale
    assert b.loc["M1", "trend"] == [95, 96, 90, 85, 90, 89]
    assert b.loc["M8", "trend"] == [12, 15, 11]  # the empty April is left out


def test_board_is_worst_first(june):
    assert june.board["metric_id"].tolist() == ["M1", "M7", "M8", "M2", "M3", "M4", "M6", "M5"]


def test_change_against_the_comparison_month(june):
    b = june.board.set_index("metric_id")
    assert b.loc["M1", "change"] == -1 and b.loc["M1", "better"] is False  # higher is better, fell
    assert b.loc["M2", "change"] == 6 and b.loc["M2", "better"] is False  # lower is better, rose
    assert b.loc["M3", "change"] == -6 and b.loc["M3", "better"] is True
    assert b.loc["M4", "change"] == 0 and b.loc["M4", "better"] is None
    assert b.loc["M5", "compare_status"] == "amber" and b.loc["M6", "compare_status"] == "stale"


def test_summary_counts_and_deltas(june):
    c, p = june.counts, june.previous_counts
    assert (c.red, c.amber, c.green, c.unrated, c.stale) == (4, 1, 1, 1, 1)
    assert (p.red, p.amber, p.green, p.unrated, p.stale) == (4, 1, 1, 0, 2)


def test_breaches(june):
    br = june.breaches
    assert br.red["metric_id"].tolist() == ["M1", "M7", "M8", "M2"]
    assert br.newly_red["metric_id"].tolist() == ["M2"]
    assert br.recovered["metric_id"].tolist() == ["M3"]
    assert br.long_streaks["metric_id"].tolist() == ["M1", "M7"]


def test_the_headline_says_how_long_each_long_red_kri_has_been_red(june):
    """By hand (above): M1 red March to June, 4 months; M7 red April to June, 3 (its quarter), on its
    one April result."""
    sentence = security_health_headline(june).sentence
    assert ("2 KRIs have been red 3 months or more in a row (Metric M1, 4 months; Metric M7, 3 months on 1 quarterly "
            "result): "
            "decide on treatment or tolerance for each.") in sentence


def test_health_index_per_domain(june):
    h = june.domain_health
    jun = h[h["period"] == D("2024-06-01")].set_index("control_domain")
    assert jun["health"].to_dict() == {"A.5 Organizational": 0.0, "A.6 People": 0.5, "A.7 Physical": 0.0,
                                       "A.8 Technological": 0.0}
    may = h[h["period"] == D("2024-05-01")].set_index("control_domain")
    assert may.loc["A.8 Technological", "green"] == 1 and may.loc["A.8 Technological", "kris"] == 3
    assert sorted(h["period"].unique()) == [D(f"2024-0{m}-01") for m in range(1, 7)]  # from the first result


def test_status_by_month_counts_every_kri_each_month(june):
    """Each month counts the KRIs that had a result by then or that the register held then (its
    page lists them): the register is dated 31 March, so January and February count only M1, the
    one with results then (95: at its amber 95, amber; 96: above it, green); March on, all 8."""
    s = june.status_by_month
    assert s.groupby("period")["kris"].sum().to_dict() == {D("2024-01-01"): 1, D("2024-02-01"): 1,
                                                           **{D(f"2024-0{m}-01"): 8 for m in range(3, 7)}}
    assert s[s["period"] < D("2024-03-01")][["period", "status"]].values.tolist() == [
        [D("2024-01-01"), "amber"], [D("2024-02-01"), "green"]]
    jun = s[s["period"] == D("2024-06-01")].set_index("status")["kris"].to_dict()
    assert jun == {"red": 4, "amber": 1, "green": 1, "unrated": 1, "stale": 1}


def test_filters_narrow_the_board(health_db, settings):
    by_domain = build(health_db, settings, D("2024-06-01"), D("2024-05-01"), Filters(domains=("A.5 Organizational",)))
    assert sorted(by_domain.board["metric_id"]) == ["M3", "M4"]
    assert (by_domain.counts.amber, by_domain.counts.stale, by_domain.counts.red) == (1, 1, 0)
    by_owner = build(health_db, settings, D("2024-06-01"), D("2024-05-01"), Filters(owners=("Ops",)))
    assert sorted(by_owner.board["metric_id"]) == ["M1", "M2", "M8"]
    one = build(health_db, settings, D("2024-06-01"), D("2024-05-01"), Filters(metric_ids=("M5",)))
    assert one.board["metric_id"].tolist() == ["M5"] and one.counts.green == 1


def test_filter_options_come_from_the_register(health_db):
    opts = filter_options(health_db, D("2024-06-01"))
    assert opts.domains == ["A.5 Organizational", "A.6 People", "A.7 Physical", "A.8 Technological"]
    assert opts.owners == ["GRC", "Ops"]
    assert list(opts.metrics) == [f"M{i}" for i in range(1, 9)]


def test_indicator_detail_has_the_whole_history_and_notes(june):
    d = june.indicator("M1")
    assert d.history["period"].tolist() == [D(f"2024-0{m}-01") for m in range(1, 7)]
    assert d.history["status"].tolist() == ["amber", "green", "red", "red", "red", "red"]
    assert d.notes[["period", "note"]].values.tolist() == [[D("2024-04-01"), "Agent rollout paused"]]
    assert d.metric["amber"] == 95 and d.metric["red"] == 90 and d.metric["direction"] == HIGHER
    assert june.indicator("nope") is None
    assert june.default_indicator() == "M1"


def test_an_earlier_month_sees_only_what_was_known_then(health_db, settings):
    april = build(health_db, settings, D("2024-04-01"), D("2024-03-01"))
    b = april.board.set_index("metric_id")
    assert b.loc["M1", "red_streak"] == 2 and b.loc["M1", "value"] == 85
    assert b.loc["M2", "status"] == "stale"  # its first result is in May
    assert b.loc["M8", "status"] == "stale" and b.loc["M8", "red_streak"] == 0


def test_no_kri_register_yet_gives_an_empty_board(health_db, settings):
    early = build(health_db, settings, D("2024-02-01"), D("2024-01-01"))
    assert early.board.empty and early.counts.red == 0 and early.breaches.red.empty


def test_risk_scorecard(june):
    r = june.risk
    assert r.completed["treatment_id"].tolist() == ["T1"]
    behind = r.behind.set_index("treatment_id")
    assert behind["state"].to_dict() == {"T3": "overdue", "T2": "late"}
    assert behind.loc["T3", "days_overdue"] == 30
    ch = r.level_changes.set_index("risk_id")
    assert list(ch.index) == ["R1"]
    assert (ch.loc["R1", "level_before"], ch.loc["R1", "level_now"], ch.loc["R1", "rank_change"]) == ("High", "Medium", -1)
    assert r.exposure_now == 8 + 4 and june.exposure_before == 16 + 4
    trend = r.exposure_trend.set_index("as_of")["residual_exposure"]
    # from the first register (31 March 2024) on: the months before it held no risk, not an exposure of 0
    assert list(trend.index) == [D("2024-03-31"), D("2024-04-30"), D("2024-05-31"), D("2024-06-30")]
    assert trend[D("2024-04-30")] == 20


def test_board_agrees_with_the_scorecard_on_the_sample(sample_con, settings):
    """Two read paths (latest result per KRI for the scorecard, the month grid for the page) and one
    status rule: their counts must agree in every month, including the stale quarterly KRIs."""
    from isms.dates import add_months, month_end
    from isms.posture import scorecard

    months = [add_months(D("2026-10-01"), -i) for i in (0, 1, 2, 5, 13, 30)]
    for month in months:
        view = build(sample_con, settings, month, add_months(month, -1))
        card = scorecard(sample_con, settings, month_end(month), month_end(add_months(month, -1))).current.kris
        assert view.counts == card, month


def test_months_offered_are_those_a_kri_register_covers(health_db):
    """Results for January and February arrived, but the KRI definitions are dated 31 March: the
    page cannot judge those months, so it does not offer them (they would show an empty board)."""
    from isms.views.security_health import months_with_results

    assert months_with_results(health_db) == [D("2024-06-01"), D("2024-05-01"), D("2024-04-01"), D("2024-03-01")]


def test_a_quarterly_kris_value_in_the_months_after_its_result_names_its_month(june):
    """M7 is quarterly, reported in April: red in June on April's 80, which the board's value says
    (an October board showed a September 7 as October's, among the month's red KRIs, unmarked)."""
    from ui.health import board_table

    b = june.board.set_index("metric_id")
    assert b["carried"].to_dict() == {"M1": False, "M2": False, "M3": False, "M4": True, "M5": False, "M6": False,
                                      "M7": True, "M8": False}
    values = dict(zip(board_table(june.board, "May")["KRI"], board_table(june.board, "May")["Value"]))
    assert values["M7"].endswith(" (Apr 2024)") and values["M7"].startswith("80")
    assert "(" not in values["M1"]


def test_a_red_kri_without_a_result_this_month_is_said_stale_not_recovered(health_db, settings):
    """July has no result: M1, M2, M8 (monthly) and M7 (quarterly, April's result past its three
    months) were red in June and are stale now. Four reds fewer that nothing recovered: the month
    read as better ('1 fewer than in June', a green arrow) while the feeds had stopped."""
    july = build(health_db, settings, D("2024-07-01"), D("2024-06-01"))
    b = july.breaches
    assert set(b.silenced["metric_id"]) == {"M1", "M2", "M7", "M8"} and b.recovered.empty
    said = security_health_headline(july).sentence
    assert "4 red KRIs have no result for July, so they are stale, not recovered: " in said, said


def test_a_quarterly_kris_red_streak_says_how_many_results_it_rests_on(june):
    """M7's one red result (April) is red for April, May and June: '3 months in a row' read as three
    failed measurements; the headline now says they rest on one quarterly result."""
    b = june.board.set_index("metric_id")
    assert b["streak_results"].to_dict() == {"M1": 4, "M2": 1, "M3": 0, "M4": 0, "M5": 0, "M6": 0, "M7": 1, "M8": 2}
    said = security_health_headline(june).sentence
    name = b.loc["M7", "name"]
    assert f"{name}, 3 months on 1 quarterly result" in said, said
    assert f"{b.loc['M1', 'name']}, 4 months" in said and f"{b.loc['M1', 'name']}, 4 months on" not in said  # monthly
