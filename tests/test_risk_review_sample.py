"""AppTest on the sample ISMS: every Risk Review section shows real content (no empty charts)."""

import json

from tests.test_pages import app_db, open_page  # noqa: F401  (app_db is a fixture)


def test_every_section_of_the_sample_has_content(app_db):  # noqa: F811
    at = open_page("pages/risk_review.py")
    assert not at.exception
    # the detail opens on the top row (R-016, above appetite with no plan: no treatment chart) ...
    top = next(d.value for d in at.dataframe if "decisions" in d.value.columns)
    assert at.selectbox(key="risk").value == top["risk_id"].iloc[0]
    # ... so the section's treatment chart is shown on the first treated risk of the list
    at.selectbox(key="risk").set_value(top[top["decisions"] != "–"]["risk_id"].iloc[0]).run()
    charts = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    titles = [c["layout"]["title"]["text"] for c in charts]
    assert len(charts) == 7, titles
    for chart in charts:
        points = [t for t in chart["data"] if t.get("y") is not None or t.get("z") is not None]
        assert points, f"{chart['layout']['title']['text']} has no data"
    tables = [d.value for d in at.dataframe]
    assert all(len(t) for t in tables), [list(t.columns)[:3] for t in tables if not len(t)]
    for kind in ("Escalated", "New", "De-escalated", "Closed"):
        assert int(next(m.value for m in at.metric if m.label == f"{kind} risks")) > 0


def test_every_heatmap_view_of_the_sample_renders(app_db):  # noqa: F811
    at = open_page("pages/risk_review.py")
    for view in ("inherent", "target", "movement"):
        at.selectbox(key="basis").set_value(view).run()
        assert not at.exception, view
        assert at.get("plotly_chart")


def test_accepted_risks_above_appetite_are_told_apart_from_unaddressed_ones(app_db):  # noqa: F811
    """The sample accepts R-035 and R-135 (a done 'Accept' plan, risk status Accepted) although
    they sit above appetite: still flagged for a decision, but as accepted, not as unaddressed;
    R-016 is open with no plan at all."""
    at = open_page("pages/risk_review.py")
    above = next(d.value for d in at.dataframe if "unaddressed" in d.value.columns).set_index("risk_id")
    assert above.loc["R-035", "flag"] == above.loc["R-135", "flag"] == "⚠ accepted above appetite"
    assert above.loc["R-016", "flag"] == "⚠ no decision"


def test_presentation_mode_shows_short_static_lists_with_the_rest_counted(app_db):  # noqa: F811
    """On a meeting-room screen the lists are the first rows in large static tables, no scroll
    boxes; the numbers are the analyst's table's first rows, and what is left out is counted."""
    at = open_page("pages/risk_review.py")
    top = next(d.value for d in at.dataframe if "decisions" in d.value.columns)
    at.toggle(key="present").set_value(True).run()
    assert not at.exception
    tables = [t.value for t in at.table]
    # top risks, changes, above appetite, exceptions; the detail's assets and controls (R-016 has no
    # treatment, exception or finding); open actions and those closed since the last Risk meeting
    assert len(tables) == 8 and all(len(t) <= 8 for t in tables)
    shown = next(t for t in tables if "Progress" in t.columns)
    assert list(shown["Risk"]) == list(top["risk_id"].head(8))
    assert not [d for d in at.dataframe if "decisions" in d.value.columns]  # no scroll box for the list
    assert any(f"The first 8 of {len(top)} top risks" in c.value for c in at.caption)
