"""The committed sample ISMS: up to date with its generator, and shaped as the issue asks."""

import datetime as dt
import json

from python_calamine import CalamineWorkbook

from isms.models import KINDS
from isms.sample import generate_sample
from isms.store import queries
from tests.conftest import SAMPLE
from tests.factories import D


def _normal(v):
    if isinstance(v, dt.datetime):
        v = v.date()
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return "" if v is None else v


def test_generator_is_deterministic():
    assert generate_sample() == generate_sample()


def test_committed_workbooks_match_the_generator():
    """Someone who changes the generator must regenerate data/sample (make sample)."""
    books = generate_sample()
    assert sorted(p.name for p in SAMPLE.glob("*.xlsx")) == sorted(name for name, _, _ in books)
    for name, _, rows in books:
        wb = CalamineWorkbook.from_path(str(SAMPLE / name))
        for kind, records in rows.items():
            sheet, model, _ = KINDS[kind]
            got = wb.get_sheet_by_name(sheet).to_python()
            fields = list(model.model_fields)
            want = [[_normal(", ".join(r[f]) if isinstance(r.get(f), list) else r.get(f)) for f in fields] for r in records]
            assert [[_normal(v) for v in row] for row in got[1:]] == want, (name, sheet)


def test_sample_shape(sample_con):
    batches = sample_con.execute("SELECT as_of, row_counts FROM import_batch ORDER BY as_of").fetchall()
    quarter_ends = [b[0] for b in batches if "risks" in json.loads(b[1])]
    assert len(quarter_ends) == 12 and quarter_ends[-1] == D("2026-09-30")
    assert sample_con.execute("SELECT max(period) FROM monitoring_result").fetchone()[0] == D("2026-10-01")
    reg = queries.register(sample_con, "risks", D("2026-09-30"))
    assert 140 <= len(reg) <= 160
    assert set(reg["annex_a_theme"]) == {"A.5 Organizational", "A.6 People", "A.7 Physical", "A.8 Technological"}
    assert (reg["status"] == "Closed").sum() >= 3
    assets = queries.register(sample_con, "assets", D("2026-09-30"))
    assert set(assets["asset_class"]) == {"Primary", "Supporting"}
    n_metrics, n_months = sample_con.execute(
        "SELECT count(DISTINCT metric_id), count(DISTINCT period) FROM monitoring_result").fetchone()
    assert (n_metrics, n_months) == (40, 36)
    assert len(queries.exceptions(sample_con, D("2026-09-30"))) >= 15


def test_sample_tells_a_story(sample_con, settings):
    """Late and overdue treatments, breaches and expiring exceptions all appear at the last review."""
    from isms.posture import scorecard

    card = scorecard(sample_con, settings, D("2026-09-30"))
    cur = card.current
    assert cur.treatments.late > 0 and cur.treatments.overdue > 0 and cur.treatments.done > 0 and cur.treatments.on_track > 0
    assert cur.exceptions_expiring > 0 and cur.exceptions_expired_open > 0
    assert cur.kris.red > 0 and cur.kris.stale > 0
    assert all(cur.residual_by_level[lvl] > 0 for lvl in card.levels)
    assert cur.above_appetite_unaddressed > 0
    first = scorecard(sample_con, settings, D("2023-12-31")).current
    assert cur.within_appetite_share > first.within_appetite_share  # the programme is working
