"""AppTest: the Management review page on the sample for 2025, section by section. The risk and KRI
tiles are checked against the CLI scorecard (another entry point), the year's actions against a
query of their own over the raw action history, the outputs against the sample's review of 2025."""

from isms.store import connect
from tests.test_pages import app_db, cli_scorecard  # noqa: F401  (the module-scoped sample copy)
from ui.apptest import open_app

PAGE = "pages/management_review.py"


def _metrics(at) -> dict[str, tuple[str, str]]:
    return {m.label: (m.value, m.delta) for m in at.metric}


def test_every_input_of_clause_9_3_2_for_2025(app_db):  # noqa: F811
    at = open_app(PAGE, query={"year": "2025"})
    assert not at.exception, [e.message for e in at.exception]
    assert at.title[0].value == "Management review · 2025"
    assert [h.value for h in at.header] == [
        "a) Status of actions from previous management reviews", "b), c) and e) Issues, interested parties, feedback",
        "d) Performance: KRIs at year end", "f) Risk assessment results and treatment status",
        "g) Opportunities for improvement: what the forum decided this year",
        "Outputs (clause 9.3.3): the review's decisions"]
    m = _metrics(at)
    card = cli_scorecard("2025-12-31", "2024-12-31", app_db)
    for level, n in card["current"]["residual_by_level"].items():
        assert m[f"{level} risks"] == (str(n), f"{n - card['previous']['residual_by_level'][level]:+d}")
    for k in ("red", "amber", "green", "stale"):
        assert m[f"KRIs {k}"][0] == str(card["current"]["kris"][k])
    assert m["Treatments on track"][0] == str(card["current"]["treatments"]["on_track"])

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


def test_the_forum_links_the_management_review(app_db):  # noqa: F811
    at = open_app("pages/forum.py", query={"on": "2026-11-30"})
    assert [p.proto.label for p in at.main.get("page_link")] == [
        "Management review (clause 9.3): the inputs for a year"]
