"""AppTest: the Management review page on the sample for 2025, section by section. The risk and KRI
tiles are checked against the CLI scorecard (another entry point), the year's actions against a
query of their own over the raw action history, the outputs against the sample's review of 2025."""

import pandas as pd

from isms.store import connect
from tests.test_pages import app_db, cli_scorecard  # noqa: F401  (the module-scoped sample copy)
from ui.apptest import open_app
from tests.factories import signed

PAGE = "pages/management_review.py"


def _metrics(at) -> dict[str, tuple[str, str]]:
    return {m.label: (m.value, m.delta) for m in at.metric}


def test_every_input_of_clause_9_3_2_for_2025(app_db):  # noqa: F811
    at = open_app(PAGE, query={"year": "2025"})
    assert not at.exception, [e.message for e in at.exception]
    assert at.title[0].value == "Management review · 2025"
    assert [h.value for h in at.header] == [
        "a) Status of actions from previous management reviews", "b), c) and e) Issues, interested parties, feedback",
        "d) Performance: KRIs, nonconformities and findings, audit results",
        "f) Risk assessment results and treatment status",
        "g) Opportunities for improvement: what the forum decided this year",
        "Outputs (clause 9.3.3): the review's decisions"]
    m = _metrics(at)
    card = cli_scorecard("2025-12-31", "2024-12-31", app_db)
    for level, n in card["current"]["residual_by_level"].items():
        assert m[f"{level} risks"] == (str(n), signed(n - card['previous']['residual_by_level'][level]))
    # a change's colour says better or worse above appetite (more is red, fewer green); at or below
    # appetite a change is neither, grey, as the pack leaves it uncoloured
    from streamlit.proto.Metric_pb2 import Metric
    colour = {t.label: t.proto.color for t in at.metric}
    above = card["levels"][card["levels"].index(card["appetite"]) + 1:]
    for level, n in card["current"]["residual_by_level"].items():
        change = n - card["previous"]["residual_by_level"][level]
        if change and level in above:
            assert colour[f"{level} risks"] == (Metric.MetricColor.RED if change > 0 else Metric.MetricColor.GREEN), level
        elif change:
            assert colour[f"{level} risks"] == Metric.MetricColor.GRAY, level
    for k in ("red", "amber", "green", "stale"):
        assert m[f"KRIs {k}"][0] == str(card["current"]["kris"][k])
    # the pack's other posture rows, each with its change over the year, from the CLI's scorecard
    now, was = card["current"], card["previous"]
    assert m["Residual exposure"] == (f"{now['residual_exposure']:,}", signed(now['residual_exposure'] - was['residual_exposure']))
    shares = round(now["within_appetite_share"] * 100), round(was["within_appetite_share"] * 100)
    assert m["Within appetite (Medium or below)"][0] == f"{shares[0]}%"
    assert m["Within appetite (Medium or below)"][1].startswith(f"{shares[0] - shares[1]:+d} pt")
    for state in ("late", "overdue", "done"):
        n, before = now["treatments"][state], was["treatments"][state]
        assert m[f"Treatments {state}"] == (str(n), signed(n - before)), state
    assert m["Expired exceptions"] == (str(now["exceptions_expired_open"]),
                                             signed(now['exceptions_expired_open'] - was['exceptions_expired_open']))

    con = connect(app_db, read_only=True)
    try:
        raised, = con.execute("SELECT count(*) FROM action_change WHERE change_no = 1 "
                              "AND recorded_on BETWEEN '2025-01-01' AND '2025-12-31'").fetchone()
        # open at year end: the latest change on or before 2025-12-31 is open, in progress or blocked
        open_end, = con.execute(
            """SELECT count(*) FROM (SELECT * FROM action_change WHERE recorded_on <= '2025-12-31'
                   QUALIFY change_no = max(change_no) OVER (PARTITION BY action_id))
               WHERE status IN ('open', 'in progress', 'blocked')""").fetchone()
        outputs = con.execute("""SELECT d.decision_id FROM forum_decision d JOIN forum_meeting m USING (meeting_id)
                                 WHERE m.series = 'management-review' AND m.period_end = '2025-12-31'
                                 ORDER BY d.decision_id""").fetchall()
    finally:
        con.close()
    assert m["Raised"][0] == str(raised) and m["Open at year end"][0] == str(open_end)
    assert len(outputs) == 2   # the sample's review of 2025 (2026-01-30): ISMS changes and resources
    shown = [d.value for d in at.main.dataframe if "text" in d.value.columns and "decision_id" in d.value.columns]
    assert [list(f["decision_id"]) for f in shown] == [[d for (d,) in outputs]]
    assert any("Held on 30 January 2026." in c.value for c in at.caption)


def test_year_over_year_tiles_findings_and_audits_for_2025(app_db):  # noqa: F811
    """d) completed and the deltas against 2024. Findings and audits by hand from the sample's
    compliance workbook as of 2025-12-31 (F-001..F-012; audits INT-2025, ISO-2025-SV2, SOC2-2025);
    the actions of 2024 by a query of their own; KRI health against the Security Health page's
    12-month status trend for December 2025 (another entry point: January to December)."""
    import datetime as dt

    from isms.config import load_settings
    from isms.views import security_health
    from tests.conftest import ROOT

    at = open_app(PAGE, query={"year": "2025"})
    assert not at.exception, [e.message for e in at.exception]
    assert [s.value for s in at.subheader][-2:] == ["Nonconformities and findings", "Audit results"]
    frames = {tuple(d.value.columns): d.value for d in at.main.dataframe}
    by_grade = next(f for cols, f in frames.items() if cols[:2] == ("grade", "raised"))
    # raised in 2025: F-007 major, F-008 obs., F-009 minor, F-010 OFI, F-011 minor, F-012 obs.;
    # closed in 2025: F-004 minor (01-31), F-005 minor (02-06), F-006 obs. (03-03), F-007 major (07-18),
    # F-008 obs. (06-28), F-010 OFI (12-21); open at year end: F-009 and F-011 minor, F-012 obs.;
    # overdue at year end: F-009 (due 2025-12-11)
    assert by_grade.set_index("grade").to_dict("index") == {
        "Major nonconformity": {"raised": 1, "closed": 1, "open_at_end": 0, "overdue_at_end": 0},
        "Minor nonconformity": {"raised": 2, "closed": 2, "open_at_end": 2, "overdue_at_end": 1},
        "Observation": {"raised": 2, "closed": 2, "open_at_end": 1, "overdue_at_end": 0},
        "Opportunity for improvement": {"raised": 1, "closed": 1, "open_at_end": 0, "overdue_at_end": 0}}
    listed = next(f for cols, f in frames.items() if cols[0] == "finding_id")
    assert list(listed["finding_id"]) == ["F-004", "F-005", "F-006", "F-007", "F-008", "F-009", "F-010", "F-011",
                                          "F-012"]
    assert list(listed.loc[listed["status"].str.endswith(", overdue"), "finding_id"]) == ["F-009"]
    assert listed.set_index("finding_id").loc["F-011", "closed_on"] == "–"
    audits = next(f for cols, f in frames.items() if cols[0] == "audit_id")
    assert [tuple(r) for r in audits[["audit_id", "opinion", "major", "minor", "observation", "ofi"]].values] == [
        ("SOC2-2025", "Qualified (CC6.3)", 1, 0, 1, 0), ("INT-2025", "Improvement needed", 0, 1, 0, 1),
        ("ISO-2025-SV2", "Certification maintained", 0, 1, 1, 0)]

    m = _metrics(at)
    con = connect(app_db, read_only=True)
    try:
        raised_2024, = con.execute("SELECT count(*) FROM action_change WHERE change_no = 1 "
                                   "AND recorded_on BETWEEN '2024-01-01' AND '2024-12-31'").fetchone()
        raised_2025, = con.execute("SELECT count(*) FROM action_change WHERE change_no = 1 "
                                   "AND recorded_on BETWEEN '2025-01-01' AND '2025-12-31'").fetchone()
        trend = security_health.build(con, load_settings(ROOT / "isms.toml", db_path=str(app_db)),
                                      dt.date(2025, 12, 1), dt.date(2025, 11, 1)).status_by_month
    finally:
        con.close()
    assert m["Raised"] == (str(raised_2025), signed(raised_2025 - raised_2024))
    months = trend[pd.to_datetime(trend["period"]).dt.year == 2025].groupby("status")["kris"].sum()
    total = int(months.sum())
    assert m["KRI-months"][0] == str(total)
    for status in ("green", "amber", "red"):
        assert m[f"KRI-months {status}"][0] == f"{months.get(status, 0) / total:.0%}"
    assert m["KRI-months red"][1].endswith(" pts")
    assert "Above appetite (Medium)" in m
    assert [b.proto.label for b in at.get("download_button")][:1] == ["PowerPoint deck"]


def test_the_forum_links_the_management_review(app_db):  # noqa: F811
    at = open_app("pages/forum.py", query={"on": "2026-11-30"})
    assert [p.proto.label for p in at.main.get("page_link")] == [
        "Management review (clause 9.3): the inputs for a year"]


def test_presentation_mode_leaves_out_the_pack_panel(app_db):  # noqa: F811
    """Presentation mode: the same sections and tiles, the year in the hidden sidebar, an Exit button,
    no pack downloads (a control for the analyst, not for the room), and `present=1` in the URL."""
    normal = open_app(PAGE, query={"year": "2025"})
    at = open_app(PAGE, query={"year": "2025", "present": "1"})
    assert not at.exception, [e.message for e in at.exception]
    assert at.query_params["present"] == "1"
    assert [h.value for h in at.header] == [h.value for h in normal.header]
    assert _metrics(at) == _metrics(normal)
    assert at.button(key="exit_present")
    assert [s.value for s in at.sidebar.selectbox] == [2025]
    assert not list(at.get("download_button")) and list(normal.get("download_button"))
    # the lists at presentation size: static tables with the grids' labels, no grid left
    assert not at.main.dataframe and normal.main.dataframe
    grades = next(t.value for t in at.table if "Open at year end" in t.value.columns)
    grid = next(d.value for d in normal.main.dataframe if "open_at_end" in d.proto.column_order)
    assert list(grades["Grade"]) == list(grid["grade"][:8]) and [int(v) for v in grades["Raised"]] == list(grid["raised"][:8])
