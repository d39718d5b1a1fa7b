"""Security Health on KRIs with results but no thresholds (a results file's indicators, defined
from their names): none can be red, amber or green, and the headline says so rather than
'0 KRIs are red', which a chair reads as all well. With no risk register, it says nothing of
residual exposure ('unchanged at 0' described a register that was never imported)."""

import datetime as dt

from isms.config import load_settings
from isms.headline import security_health as security_health_headline
from isms.importing.pipeline import build_plan, commit
from isms.store import connect
from isms.views import security_health

# a wide results file as analysts keep them: a month per row, an indicator per column
RESULTS = ("month,patch_compliance_pct,incident_mttr_hours\n"
           "2026-08,55,72\n"
           "2026-09,58,68\n").encode()


def test_unrated_kris_are_said_to_be_unrated_and_no_exposure_is_invented(tmp_path):
    settings = load_settings()
    con = connect(tmp_path / "isms.duckdb")
    plan = build_plan(RESULTS, "kri.csv", settings.matrix, as_of=dt.date(2026, 8, 31), con=con)
    assert plan.ok, [str(p) for p in plan.problems]
    assert commit(con, plan, "test").status == "committed"
    data = security_health.build(con, settings, dt.date(2026, 9, 1), dt.date(2026, 8, 1))
    con.close()
    assert (data.counts.red, data.counts.amber, data.counts.green, data.counts.unrated) == (0, 0, 0, 2)
    sentence = security_health_headline(data).sentence
    assert sentence == "In September 2026 no KRI can be rated: the 2 with results have no thresholds in the KRI register."
