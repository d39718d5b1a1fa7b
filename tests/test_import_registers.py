"""Public registers in their own layouts import after the proposed mapping, their numbers intact.

Expected figures are read off the files by hand (tests/fixtures/registers, see SOURCES.md).
"""

from pathlib import Path

import pandas as pd
import pytest

from isms.importing.pipeline import build_plan, commit
from isms.models import KINDS
from isms.store import connect, queries
from tests.conftest import SAMPLE
from tests.factories import D

pytestmark = pytest.mark.both_stores  # tests that take con: the local store, then DuckLake-on-PostgreSQL
REGISTERS = Path(__file__).parent / "fixtures" / "registers"
AS_OF = D("2026-06-30")


def imported(name, matrix, con=None):
    con = con or connect(":memory:")
    plan = build_plan((REGISTERS / name).read_bytes(), name, matrix, as_of=AS_OF, con=con)
    out = commit(con, plan, "pytest")
    assert out.status == "committed", [str(p) for p in plan.problems if p.severity == "error"]
    return con, plan


def assessments(con):
    return con.execute("SELECT * EXCLUDE (batch_id) FROM assessment").df().set_index("risk_id")


@pytest.mark.parametrize("name", sorted(p.name for p in REGISTERS.iterdir() if p.suffix in (".csv", ".xlsx")))
def test_every_register_imports_after_the_proposed_mapping(name, settings, con):
    imported(name, settings.matrix, con)


def test_snake_case_register_with_bom(settings, con):
    con, plan = imported("mtn_risk_register.csv", settings.matrix, con)
    a = assessments(con)
    assert len(a) == 15
    assert (a.loc["R001", "inherent_likelihood"], a.loc["R001", "inherent_impact"]) == (4, 5)
    assert (a.loc["R004", "residual_likelihood"], a.loc["R004", "residual_impact"]) == (2, 4)
    risks = queries.register(con, "risks", AS_OF).set_index("risk_id")
    assert risks.loc["R001", "owner"] == "IT Security" and risks.loc["R003", "status"] == "In treatment"
    # ISO 27001:2013 references are read as their 2022 successors, said at the cell (A.9.1.1 is
    # "access control policy", 2022's 5.15; A.10.1.1 "policy on the use of cryptographic controls", 8.24)
    assert list(risks.loc["R001", "annex_a_controls"]) == ["A.5.15"]
    assert list(risks.loc["R003", "annex_a_controls"]) == ["A.8.24"]
    assert risks.loc["R003", "annex_a_theme"] == "A.8 Technological"
    said = [p for p in plan.problems if p.row == 2 and p.severity == "warning" and "2013" in p.message]
    assert said and "A.9.1.1 -> A.5.15" in said[0].message
    # its target_date (R001: 2025-06-30) is due for nothing the file names: no treatment is made,
    # and the analyst is told so at the column's header, M1, rather than find the dates gone
    assert "treatments" not in plan.frames
    (due,) = [p for p in plan.problems if p.header == "target_date"]
    assert (due.cell, due.severity) == ("M1", "warning") and "no treatment is made" in due.message


def test_inherent_and_residual_pairs_with_quoted_commas(settings):
    con, plan = imported("michelledelara_risk-register.csv", settings.matrix)
    a = assessments(con)
    assert a.loc["RISK-001", ["inherent_likelihood", "inherent_impact", "residual_likelihood", "residual_impact"]].tolist() == [4, 5, 1, 5]
    risks = queries.register(con, "risks", AS_OF).set_index("risk_id")
    assert risks.loc["RISK-001", "description"].startswith("Exposure of personal data may cause harm to customers, regulatory")
    assert list(risks.loc["RISK-001", "asset_ids"]) == ["Amazon S3 customer-data bucket"]
    # "Moderate" is the file's word for Medium: no disagreement is reported for RISK-001's residual 1 x 5
    assert not [p for p in plan.problems if p.row == 2 and "rates" in p.message]


def test_workbook_with_title_row_formulas_and_text_dates(settings):
    con, plan = imported("nikola_risk_register.xlsx", settings.matrix)
    kinds = {m.sheet: m.kind for m in plan.mappings}
    assert kinds == {"README": "ignore", "Methodology": "ignore", "Risk Register": "risks", "Risk Matrix": "ignore"}
    assert next(m for m in plan.mappings if m.sheet == "Risk Register").header_row == 1  # Excel row 2
    risks = queries.register(con, "risks", AS_OF).set_index("risk_id")
    assert len(risks) == 15 and risks.loc["R-001", "identified_on"] == pd.Timestamp("2026-01-15")
    assert assessments(con).loc["R-001", ["inherent_likelihood", "inherent_impact"]].tolist() == [4, 5]
    t = queries.register(con, "treatments", AS_OF).set_index("treatment_id")
    assert (t.loc["R-001-T", "decision"], t.loc["R-001-T", "due_on"]) == ("Reduce", pd.Timestamp("2026-03-01"))
    assert any("formulas" in p.message for p in plan.problems if p.sheet == "Risk Register")
    # R-002 is 4 x 4 = 16, "Critical" in the file; the 5x5 matrix's band 10-16 is High: a warning naming both
    warn = next(p for p in plan.problems if p.cell == "K4")
    assert warn.severity == "warning" and "'Critical'" in warn.message and "'High'" in warn.message


def test_semicolons_text_levels_and_not_rated(settings):
    con, plan = imported("ciso_RA_sample.csv", settings.matrix)
    a = assessments(con)
    # Significant -> 3, Likely -> 4; residual Critical -> 5, Very likely -> 5
    assert a.loc["R.1", ["inherent_likelihood", "inherent_impact", "residual_likelihood", "residual_impact"]].tolist() == [4, 3, 5, 5]
    # R.3's residual is "--": not rated, so the inherent rating stands (a warning says so)
    assert a.loc["R.3", ["residual_likelihood", "residual_impact"]].tolist() == [4, 4]
    assert any(p.cell == "L4" and "not rated" in p.message for p in plan.problems)
    # "open" is no treatment decision: a warning, and the risk still imports
    assert any(p.cell == "N2" and p.severity == "warning" for p in plan.problems)


def test_three_step_scale_keyed_by_control(settings):
    con, plan = imported("shoankj_risk-register.csv", settings.matrix)
    risks = queries.register(con, "risks", AS_OF).set_index("risk_id")
    assert "5.35" in risks.index  # the control reference stays text, not 5.35 the number
    assert list(risks.loc["5.35", "annex_a_controls"]) == ["A.5.35"]
    assert risks.loc["8.12", "annex_a_theme"] == "A.8 Technological"
    a = assessments(con)
    assert a.loc["5.35", ["residual_likelihood", "residual_impact"]].tolist() == [5, 5]  # 3, 3 on the 1-3 scale
    assert a.loc["5.9", ["residual_likelihood", "residual_impact"]].tolist() == [3, 5]  # 2, 3
    assert any("3-step scale" in r and "2→3" in r for r in plan.rules)
    t = queries.register(con, "treatments", AS_OF).set_index("risk_id")
    assert t.loc["5.35", "due_on"] == pd.Timestamp("2026-12-31")  # Q4-2026


def test_wide_monitoring_results_define_their_indicators(settings):
    con, plan = imported("mtn_monitoring_metrics.csv", settings.matrix)
    res = con.execute("SELECT metric_id, period, value FROM monitoring_result").df()
    assert len(res) == 80
    march = res[(res.metric_id == "patch_compliance_pct") & (res.period == pd.Timestamp("2025-03-01"))]
    assert march.value.tolist() == [78.0]
    metrics = queries.register(con, "metrics", AS_OF).set_index("metric_id")
    assert metrics.loc["incident_mttr_hours", "direction"] == "Lower is better"
    assert metrics.loc["backup_success_pct", "direction"] == "Higher is better"
    assert metrics.loc["backup_success_pct", "unit"] == "%"


def test_kri_definitions_with_targets_as_text(settings):
    con, _ = imported("csfprofile_alma-security.metricsfixture.csv", settings.matrix)
    m = queries.register(con, "metrics", AS_OF).set_index("metric_id")
    assert (m.loc["ALMA-M-01", "target"], m.loc["ALMA-M-01", "direction"]) == (95.0, "Higher is better")
    assert (m.loc["ALMA-M-03", "target"], m.loc["ALMA-M-03", "direction"], m.loc["ALMA-M-03", "unit"]) == (14.0, "Lower is better", "days")
    assert m.loc["ALMA-M-02", "target"] == 100.0


def test_wide_results_added_to_an_existing_kri_register_keep_it(sample_db_copy, settings):
    con = connect(sample_db_copy)
    before = queries.register(con, "metrics", D("2026-10-31"))
    plan = build_plan((REGISTERS / "mtn_monitoring_metrics.csv").read_bytes(), "m.csv", settings.matrix,
                      as_of=D("2026-10-31"), con=con)
    # the file brings its 8 indicators (defined from their names); the register's others are kept
    # beside them, not counted as the file's
    assert len(plan.frames["metrics"]) == 8 and not set(before.metric_id) & set(plan.frames["metrics"].metric_id)
    assert plan.preview.kinds["metrics"].counts == {"new": 8, "changed": 0, "unchanged": 0, "no longer listed": 0}
    assert sorted(plan.preview.kinds["metrics"].kept) == sorted(before.metric_id)
    assert commit(con, plan, "test").status == "committed"
    after = queries.register(con, "metrics", D("2026-10-31"))
    assert set(before.metric_id) < set(after.metric_id) and len(after) == len(before) + 8


def test_a_sample_template_reads_back_what_the_generator_wrote(settings):
    """A template file needs no mapping: every row the sample generator wrote comes back as it was."""
    from isms.sample import generate_sample

    name, as_of, rows = generate_sample()[1]
    plan = build_plan((SAMPLE / name).read_bytes(), name, settings.matrix)
    assert plan.ok and plan.as_of == as_of and plan.rules == []
    assert set(plan.frames) == {kind for kind, records in rows.items() if records}  # an empty sheet says nothing
    for kind, records in rows.items():
        if not records:
            continue
        frame = plan.frames[kind].reset_index(drop=True)
        assert len(frame) == len(records), kind
        key = KINDS[kind][2][0]
        assert list(frame[key]) == [r[key] for r in records], kind
    risks = plan.frames["risks"].set_index("risk_id")
    first = rows["risks"][0]
    assert risks.loc[first["risk_id"], "owner"] == first["owner"]
    assert list(risks.loc[first["risk_id"], "annex_a_controls"]) == ["A." + c.strip() for c in first["annex_a_controls"].split(",")]


def test_results_a_row_per_indicator_and_a_column_per_month(settings):
    text = "Indicator,2025-01,2025-02,2025-03\npatch_latency_days,21,--,14\nmfa_pct,80,85,\n"
    con = connect(":memory:")
    plan = build_plan(text.encode(), "kri.csv", settings.matrix, as_of=D("2025-03-31"), con=con)
    assert plan.mappings[0].layout == "row per indicator"
    assert commit(con, plan, "t").status == "committed"
    got = con.execute("SELECT metric_id, period, value FROM monitoring_result ORDER BY 1, 2").fetchall()
    assert got == [("mfa_pct", D("2025-01-01"), 80.0), ("mfa_pct", D("2025-02-01"), 85.0),
                   ("patch_latency_days", D("2025-01-01"), 21.0), ("patch_latency_days", D("2025-03-01"), 14.0)]


def test_low_medium_high_is_a_three_step_scale_on_a_5x5(settings):
    text = "Risk ID,Title,Likelihood,Impact\nR-1,a,Low,High\nR-2,b,Medium,Medium\nR-3,c,High,--\n"
    plan = build_plan(text.encode(), "lmh.csv", settings.matrix, as_of=AS_OF)
    a = plan.frames["assessments"].set_index("risk_id")
    assert a.loc["R-1", ["inherent_likelihood", "inherent_impact"]].tolist() == [1, 5]
    assert a.loc["R-2", ["inherent_likelihood", "inherent_impact"]].tolist() == [3, 3]
    assert "R-3" not in a.index  # impact not rated: no assessment, and the row says so
    assert any("rated Low / Medium / High" in r and "'Likelihood'" in r for r in plan.rules)
