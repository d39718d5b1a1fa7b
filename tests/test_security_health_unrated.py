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
    names = dict(con.execute("SELECT metric_id, name FROM metric").fetchall())
    con.close()
    # named from the ids, the unit said once and the trade's capitals kept
    assert names == {"patch_compliance_pct": "Patch compliance (%)", "incident_mttr_hours": "Incident MTTR (hours)"}
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
    # KRIs of no owner: '–', as every other table writes a blank (the grid printed 'None')
    assert list(at.dataframe(key="kri_board").value["Owner"]) == ["–", "–"]


def test_percentage_in_a_unit_column_is_the_percent_sign(tmp_path):
    """A KRI register whose Unit column says 'percentage': stored as '%', so the board reads '4.2%'
    (it printed '4.2 percentage', broken over two lines at 1366 px) and the chart's axis is 0-100."""
    from isms.kri import format_value

    register = ("KRI ID,KRI name,Unit,Direction,Target,Warning threshold,Breach threshold\n"
                "KRI-001,Patch compliance,percentage,Higher is better,95,90,80\n"
                "KRI-002,Phishing click rate,Percent,Lower is better,5,8,12\n"
                "KRI-003,Open incidents,count,Lower is better,2,5,10\n").encode()
    plan = build_plan(register, "kris.csv", load_settings().matrix, as_of=dt.date(2026, 8, 31))
    assert plan.ok, [str(p) for p in plan.problems]
    units = dict(zip(plan.frames["metrics"]["metric_id"], plan.frames["metrics"]["unit"]))
    assert units == {"KRI-001": "%", "KRI-002": "%", "KRI-003": "count"}
    assert format_value(4.2, units["KRI-001"]) == "4.2%"


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


def _rated_then_unrated(path):
    """M1 and M2 with thresholds since June 2026 (M1 95, 80, 97: green, red, green; M2 4, 4, 12:
    green, green, red; lower is better), then the results file above dated 31 August, which defines
    two indicators without thresholds from its column names."""
    from tests.factories import load, metric, result

    settings = load_settings()
    con = connect(path)
    load(con, "2026-06-30", metrics=[metric("M1", amber=95, red=90), metric("M2", direction="Lower is better", amber=5,
                                                                            red=10)],
         monitoring_results=[result("M1", "2026-06-01", 95), result("M2", "2026-06-01", 4)])
    load(con, "2026-07-31", metrics=[metric("M1", amber=95, red=90), metric("M2", direction="Lower is better", amber=5,
                                                                            red=10)],
         monitoring_results=[result("M1", "2026-07-01", 80), result("M2", "2026-07-01", 4),
                             result("M1", "2026-09-01", 97), result("M2", "2026-09-01", 12)])
    plan = build_plan(RESULTS, "kri.csv", settings.matrix, as_of=dt.date(2026, 8, 31), con=con)
    assert plan.ok and commit(con, plan, "test").status == "committed", [str(p) for p in plan.problems]
    return con, settings


def test_unrated_kris_beside_rated_ones_are_counted_once_everywhere(tmp_path):
    """September: M1 green, M2 red, the file's two unrated. The tiles' counts add up to the KRIs
    the domain health counts (4); the months before August count only M1 and M2 (the two new
    indicators had neither a result nor a place in the register then: they were 'stale' in June's
    and July's bars though those months' own pages never listed them); the headline and the pack
    say the two cannot be rated."""
    from isms.packs.content import build_pack

    con, settings = _rated_then_unrated(tmp_path / "isms.duckdb")
    data = security_health.build(con, settings, dt.date(2026, 9, 1), dt.date(2026, 7, 1))
    june = security_health.build(con, settings, dt.date(2026, 6, 1), dt.date(2026, 5, 1))
    pack = build_pack(con, settings, "security-health", dt.date(2026, 9, 30), dt.date(2026, 7, 31))
    con.close()
    c = data.counts
    assert (c.red, c.amber, c.green, c.stale, c.unrated) == (1, 0, 1, 0, 2)
    health = data.domain_health[data.domain_health["period"] == dt.date(2026, 9, 1)]
    assert int(health["kris"].sum()) == 4 == c.red + c.amber + c.green + c.stale + c.unrated
    by_month = data.status_by_month.groupby("period")["kris"].sum().to_dict()
    assert by_month == {dt.date(2026, 6, 1): 2, dt.date(2026, 7, 1): 2, dt.date(2026, 8, 1): 4, dt.date(2026, 9, 1): 4}
    assert june.counts.red + june.counts.amber + june.counts.green + june.counts.stale + june.counts.unrated == 2
    # July, the comparison month, did not list the two: they are counted in no status then
    p = data.previous_counts
    assert (p.red, p.amber, p.green, p.stale, p.unrated) == (1, 0, 1, 0, 0)
    assert "; 2 KRIs with results have no thresholds and cannot be rated." in security_health_headline(data).sentence
    card = next(s for s in pack.sections if s.key == "scorecard")
    unrated = [row for row in card.rows if row.label == "KRIs unrated (no thresholds)"]
    assert len(unrated) == 1 and unrated[0].value == "2"


def test_the_unrated_tile_shows_only_when_a_kri_is_unrated(tmp_path):
    from ui.apptest import app_database, open_app

    con, _ = _rated_then_unrated(tmp_path / "isms.duckdb")
    con.close()
    with app_database(tmp_path / "isms.duckdb"):
        at = open_app("pages/security_health.py", query={"month": "2026-09-01", "compare": "2026-07-01"})
        june = open_app("pages/security_health.py", query={"month": "2026-07-01", "compare": "2026-06-01"})
    assert not at.exception and not june.exception
    tiles = {m.label: m.value for m in at.metric}
    assert tiles["Unrated (no thresholds)"] == "2" and tiles["KRIs red"] == "1" and tiles["KRIs green"] == "1"
    assert not [m for m in june.metric if m.label.startswith("Unrated")]


def test_months_before_the_first_risk_register_show_no_risk_scorecard(tmp_path):
    """KRI results of March 2024 beside a risk register first imported as of 31 March 2026: the
    month of 2024 showed 'Residual exposure 0 · no change' and twelve months of zero exposure,
    which read as no exposure at all. It says there was no register; a month after the register
    starts its trend at the register, never at zeros before it."""
    from isms.packs.content import build_pack
    from tests.factories import import_text

    settings = load_settings()
    con = connect(tmp_path / "isms.duckdb")
    register = b"Risk ID,Title,Owner,Likelihood,Impact\nR-1,Ransomware,IT,4,5\nR-2,Lost laptop,HR,2,2\n"
    for data, name, as_of in ((RESULTS.replace(b"2026-", b"2024-"), "kri.csv", dt.date(2024, 8, 31)),
                              (register, "register.csv", dt.date(2026, 3, 31))):
        import_text(con, data, name, as_of, settings.matrix)
    early = security_health.build(con, settings, dt.date(2024, 9, 1), dt.date(2024, 8, 1))
    assert early.no_risk_register == ("No risk register as of September 2024: the first is dated 31 March 2026, so "
                                      "there is no risk scorecard for this month.")
    assert early.risk.exposure_trend.empty and early.exposure_before is None
    assert "exposure" not in security_health_headline(early).sentence.casefold()
    pack = build_pack(con, settings, "security-health", dt.date(2024, 9, 30), dt.date(2024, 8, 31))
    sections = {s.key: s for s in pack.sections}
    assert sections["exposure_trend"].frame.empty and sections["exposure_trend"].empty_text == early.no_risk_register
    rows = {r.label: r for r in sections["scorecard"].rows}
    assert (rows["Residual exposure"].value, rows["Residual exposure"].previous) == ("–", "–")
    # April 2026: the trend begins at the register's 31 March (20 + 4 = 24), no month of zeros before it
    later = security_health.build(con, settings, dt.date(2026, 4, 1), dt.date(2026, 3, 1))
    con.close()
    assert later.no_risk_register is None
    trend = later.risk.exposure_trend
    assert [(str(d)[:10], int(v)) for d, v in zip(trend["as_of"], trend["residual_exposure"])] == \
        [("2026-03-31", 24), ("2026-04-30", 24)]
    assert later.exposure_before == 24  # the comparison month ends on the register's date: held
