"""Scorecard figures against expectations worked out by hand from small factory data."""

import pandas as pd
import pytest

from isms.dates import month_ends
from isms.posture import progress_of, scorecard
from isms.store import queries
from tests.factories import D, assessment, exception, load, metric, result, risk, treatment, update

pytestmark = pytest.mark.both_stores  # con: the local store, then DuckLake-on-PostgreSQL


@pytest.fixture
def posture_db(con):
    load(con, "2023-12-31", risks=[risk("R1")], assessments=[assessment("R1", "2023-12-20", residual=(2, 2))])
    load(
        con, "2024-03-31",
        risks=[risk("R1"), risk("R2"), risk("R3"), risk("R4"), risk("R5", status="Closed"), risk("R6"), risk("R7")],
        assessments=[
            assessment("R1", "2024-03-15", residual=(5, 4)),
            assessment("R2", "2024-03-15", residual=(4, 4)),
            assessment("R2", "2024-05-01", residual=(1, 1)),  # after the date: must not count
            assessment("R3", "2024-03-15", residual=(3, 3)),
            assessment("R4", "2024-03-15", residual=(1, 2)),
            assessment("R5", "2024-03-15", residual=(3, 3)),
            assessment("R7", "2024-03-15", residual=(4, 5)),
        ],
        treatments=[
            treatment("T1", "R1", "2024-01-01", "2024-12-31"),
            treatment("T2", "R3", "2023-10-01", "2024-03-01"),
            treatment("T3", "R4", "2024-01-01", "2024-06-30"),
            treatment("T4", "R2", "2023-11-01", "2024-02-29", status="Done", completed="2024-02-01"),
            treatment("T5", "R7", "2024-01-01", "2024-06-30", status="Cancelled"),
            treatment("T6", "R3", "2024-05-01", "2024-09-30", status="Planned"),
        ],
        treatment_updates=[update("T1", "2024-03-01", 10), update("T3", "2024-03-31", 40), update("T3", "2024-04-30", 90)],
        exceptions=[
            exception("EX1", "R2", expires="2024-04-15"),
            exception("EX2", "R4", expires="2024-02-01"),
            exception("EX3", None, status="Requested", granted=None, expires=None),
        ],
        metrics=[
            metric("M1", amber=95, red=90),
            metric("M2", direction="Lower is better", amber=5, red=10),
            metric("M3", target=100),
            metric("M4", amber=95, red=90),
            metric("M5"),
        ],
        monitoring_results=[
            result("M1", "2024-03-01", 89), result("M2", "2024-03-01", 5), result("M3", "2024-03-01", 100),
            result("M4", "2024-02-01", 99), result("M5", "2024-03-01", 42), result("M1", "2024-04-01", 99),
        ],
    )
    return con


def test_scorecard_as_of_quarter_end(posture_db, settings):
    card = scorecard(posture_db, settings, D("2024-03-31"))
    cur = card.current
    assert card.compare_to == D("2023-12-31")
    assert cur.residual_by_level == {"Low": 1, "Medium": 1, "High": 1, "Critical": 2}
    assert cur.inherent_by_level == {"Low": 0, "Medium": 0, "High": 5, "Critical": 0}
    assert cur.open_risks == 6  # R5 closed
    assert cur.assessed_risks == 5  # R6 never assessed
    assert cur.residual_exposure == 20 + 16 + 9 + 2 + 20
    assert cur.inherent_exposure == 5 * 16
    assert cur.within_appetite == 2 and cur.above_appetite == 3
    assert cur.within_appetite_share == pytest.approx(0.4)
    # R1 has T1 active, R2 a granted exception still valid; R7's only treatment was cancelled.
    assert cur.above_appetite_unaddressed == 1
    t = cur.treatments
    assert (t.on_track, t.late, t.overdue, t.done, t.not_started) == (1, 1, 1, 1, 1)
    assert cur.exceptions_expiring == 1 and cur.exceptions_expired_open == 1
    k = cur.kris
    assert (k.red, k.amber, k.green, k.stale, k.unrated) == (1, 1, 1, 1, 1)


def test_scorecard_deltas_against_previous_quarter(posture_db, settings):
    card = scorecard(posture_db, settings, D("2024-03-31"))
    assert card.previous.residual_by_level == {"Low": 1, "Medium": 0, "High": 0, "Critical": 0}
    assert card.level_delta("Critical") == 2 and card.level_delta("Low") == 0
    assert card.delta("residual_exposure") == 67 - 4


def test_treatment_states_and_weighted_progress(posture_db, settings):
    states = queries.treatment_states(posture_db, [D("2024-03-31")], settings.late_tolerance_points).set_index("treatment_id")
    assert states.loc["T1", "state"] == "late"  # 10 % against 90/365 of the plan
    assert states.loc["T2", "state"] == "overdue" and states.loc["T2", "days_overdue"] == 30
    assert states.loc["T3", "state"] == "on track"  # 40 % against 90/181: within 10 points
    assert states.loc["T3", "percent_complete"] == 40  # the 90 % of April is later
    months = month_ends(D("2024-03-01"), D("2024-03-31"))
    figures = queries.treatment_figures(posture_db, months, settings.late_tolerance_points)
    progress = progress_of(figures, months).set_index("as_of")
    row = progress.loc[D("2024-03-31")]
    # weights are planned days: T1 365, T2 152, T3 181, T4 120
    assert row["weighted_percent_complete"] == pytest.approx((365 * 10 + 181 * 40 + 120 * 100) / 818)
    assert row["weighted_percent_planned"] == pytest.approx((9000 + 152 * 100 + 9000 + 120 * 100) / 818)
    assert (row["late"], row["overdue"]) == (1, 1)


def test_register_as_of_reads_the_snapshot_of_that_date(posture_db):
    assert list(queries.register(posture_db, "risks", D("2024-01-31"))["risk_id"]) == ["R1"]
    assert len(queries.register(posture_db, "risks", D("2024-03-31"))) == 7
    assert queries.register(posture_db, "risks", D("2023-01-01")).empty


def test_latest_assessment_on_or_before_date(posture_db, settings):
    p = queries.posture(posture_db, settings.matrix, [D("2024-06-30")]).set_index("risk_id")
    assert (p.loc["R2", "residual_likelihood"], p.loc["R2", "residual_impact"]) == (1, 1)
    assert p.loc["R2", "residual_level"] == settings.matrix.level(1, 1)
    p = queries.posture(posture_db, settings.matrix, [D("2024-03-31")]).set_index("risk_id")
    assert p.loc["R2", "residual_level"] == "High"


def test_a_treatment_reported_done_between_registers_is_done_from_that_update(con, settings):
    """T-107 in the sample: the September register says in progress, an update of 13 October says
    Done. As of 31 October it is done (counted as done, neither late nor overdue); as of 10 October
    it is still what the register and the September update say."""
    load(con, "2026-09-30", risks=[risk("R1")],
         treatments=[treatment("T1", "R1", "2026-01-01", "2026-10-01"), treatment("T2", "R1", "2026-01-01", "2026-10-01")],
         treatment_updates=[update("T1", "2026-09-15", 60), update("T2", "2026-09-15", 60)])
    load(con, "2026-10-13", treatment_updates=[update("T1", "2026-10-13", 100, status="Done")])
    states = queries.treatment_states(con, [D("2026-10-10"), D("2026-10-31")], settings.late_tolerance_points)
    by = {(r.as_of.date() if hasattr(r.as_of, "date") else r.as_of, r.treatment_id): r for r in states.itertuples()}
    # 10 October: both are past their 1 October due date and not done
    assert by[(D("2026-10-10"), "T1")].state == "overdue" and by[(D("2026-10-10"), "T2")].state == "overdue"
    # 31 October: T1 is done from its update (completed on the update's date), T2 still overdue by 30 days
    t1 = by[(D("2026-10-31"), "T1")]
    assert t1.state == "done" and pd.Timestamp(t1.completed_on).date() == D("2026-10-13")
    assert by[(D("2026-10-31"), "T2")].state == "overdue" and by[(D("2026-10-31"), "T2")].days_overdue == 30
    card = scorecard(con, settings, D("2026-10-31"), D("2026-10-10"))
    assert (card.current.treatments.done, card.current.treatments.overdue) == (1, 1)
    assert (card.previous.treatments.done, card.previous.treatments.overdue) == (0, 2)


def test_a_matrix_changed_after_import_leaves_a_cell_outside_it_uncounted_not_failing(con, settings):
    """Settings allow a smaller matrix after a 5x5 register was imported: R1's residual (5, 5) then
    lies outside the 4x4 matrix. It stays an open, assessed risk but has no score or level; R2's
    (2, 2) scores 2 x 2 = 4, Medium on the 4x4 (Low is up to 3). The Risk Review shows the same, its level trend
    keeping R1's row without a level."""
    import dataclasses

    from isms.matrix import from_settings
    from isms.views import risk_review

    load(con, "2024-03-31", risks=[risk("R1"), risk("R2")],
         assessments=[assessment("R1", "2024-01-10", residual=(5, 5)), assessment("R2", "2024-01-10", residual=(2, 2))])
    small = dataclasses.replace(settings, matrix=from_settings({"preset": "4x4"}))
    card = scorecard(con, small, D("2024-03-31")).current
    assert (card.open_risks, card.assessed_risks, card.residual_exposure) == (2, 2, 4)
    assert card.residual_by_level == {"Low": 0, "Medium": 1, "High": 0, "Critical": 0}
    assert card.within_appetite + card.above_appetite == 1
    trend = risk_review.build(con, small, D("2024-03-31"), D("2023-12-31")).level_trend
    assert trend["risks"].tolist() == [1, 1]
    assert trend["level"].tolist()[0] == "Medium" and pd.isna(trend["level"].tolist()[1])
