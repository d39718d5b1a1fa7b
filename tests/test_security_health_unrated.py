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
    assert sentence == "In September 2026, no KRI can be rated: the 2 with results have no thresholds in the KRI register."



def test_a_month_without_results_is_not_compared_with(sample_db_path):
    """Against a month before the sample's first results: no '+16 red', in the headline or the pack."""
    from isms.dates import add_months, month_end
    from isms.packs.content import build_pack

    settings = load_settings()
    con = connect(sample_db_path, read_only=True)
    month = min(security_health.months_with_results(con))
    before = add_months(month, -2)  # the sample's results begin the month after this one
    data = security_health.build(con, settings, month, before)
    pack = build_pack(con, settings, "security-health", month_end(month), month_end(before))
    con.close()
    assert data.previous_counts.with_results == 0 and data.counts.red > 0
    sentence = security_health_headline(data).sentence
    assert sentence.startswith(f"In {month:%B %Y}, {data.counts.red} KRIs are red (no results for {before:%B} to "
                               "compare with)"), sentence
    card = next(s for s in pack.sections if s.key == "scorecard")
    assert card.note == f"No KRI results for {before:%B %Y} to compare with."
    kri_rows = [row for row in card.rows if row.label.startswith(("KRIs", "Stale"))]
    assert len(kri_rows) == 4 and all(row.previous == "–" and row.change == "" for row in kri_rows)


def test_the_first_month_s_tiles_show_no_change(tmp_path):
    """The page on a store whose results begin in August: compared with July (no results), its KRI
    tiles show no change rather than '+2 unrated' or '-2 stale'."""
    from ui.apptest import app_database, open_app

    settings = load_settings()
    path = tmp_path / "isms.duckdb"
    con = connect(path)
    plan = build_plan(RESULTS, "kri.csv", settings.matrix, as_of=dt.date(2026, 8, 31), con=con)
    assert commit(con, plan, "test").status == "committed"
    con.close()
    with app_database(path):
        at = open_app("pages/security_health.py", query={"month": "2026-08-01"})
    assert not at.exception
    assert at.selectbox(key="compare_month").value == dt.date(2026, 7, 1)
    tiles = {m.label: m.delta for m in at.metric if m.label.startswith(("KRIs", "Stale"))}
    assert len(tiles) == 4 and all(delta in ("", None) for delta in tiles.values()), tiles


def test_a_filtered_pack_says_it_is_filtered(sample_db_path):
    """One control domain's pack: its scorecard says which KRIs it counts, as the Risk Review's
    does ('2 red' of one domain read as the company's); the unfiltered pack says nothing of it."""
    from isms.packs.content import build_pack

    settings = load_settings()
    con = connect(sample_db_path, read_only=True)
    domain = security_health.filter_options(con, dt.date(2026, 6, 1)).domains[0]
    kwargs = dict(settings=settings, meeting="security-health", as_of=dt.date(2026, 6, 30), compare_to=dt.date(2026, 5, 31))
    filtered = build_pack(con, filters=security_health.Filters(domains=(domain,)), **kwargs)
    whole = build_pack(con, **kwargs)
    con.close()
    notes = [next(s for s in pack.sections if s.key == "scorecard").note for pack in (filtered, whole)]
    assert notes == [f"Compared with May 2026. Filtered: control domains: {domain}.", "Compared with May 2026."]
