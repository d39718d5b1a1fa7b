"""AppTest: the Security Health page on the sample ISMS, section by section, widgets by key.

Expected figures are the sample's story as its generator writes it (isms/sample/generate.py):
KRI-21 (suppliers assessed) red since November 2025, KRI-26 red since June 2026, KRI-03 (mean
time to detect) newly red in October 2026 with a note, KRI-16 (DDoS mitigation) red in September
and recovered, KRI-35 without results since August (stale), T-107 done on 13 October and its risk
R-061 re-rated from High to Medium.
"""

import datetime
import json

from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT
from tests.test_pages import app_db, open_page  # noqa: F401  (the module-scoped sample copy)

PAGE = "pages/security_health.py"
D = datetime.date.fromisoformat


def _metrics(at) -> dict[str, tuple[str, str]]:
    return {m.label: (m.value, m.delta) for m in at.metric}


def _board(at):
    return at.dataframe(key="kri_board").value


def _text(at) -> str:
    return "\n".join(m.value for m in at.markdown)


def _chart(at, key: str) -> dict:
    for c in at.get("plotly_chart"):
        if c.proto.id.endswith(f"-{key}"):
            return json.loads(c.proto.spec)
    raise AssertionError(f"no chart {key}")


def _param(at, key: str) -> list[str]:
    value = at.query_params[key]
    return value if isinstance(value, list) else [value]


def _table_with(at, column: str):
    """A read-only table (AppTest keeps keys only for selectable ones), found by one of its columns."""
    found = [d.value for d in at.dataframe if column in d.value.columns]
    assert len(found) == 1, f"{len(found)} tables with column {column!r}"
    return found[0]


def test_every_section_has_content(app_db):
    at = open_page(PAGE)
    assert not at.exception, [e.message for e in at.exception]
    assert [h.value for h in at.header] == ["Health summary", "Breaches", "KRI board", "Indicator detail", "Risk scorecard",
                                              "Actions from earlier meetings"]
    assert at.selectbox(key="month").value == D("2026-10-01")
    assert at.selectbox(key="compare_month").value == D("2026-09-01")
    m = _metrics(at)
    # KRI-21, KRI-26, KRI-03 red; KRI-16 recovered from red
    assert m["KRIs red"] == ("3", "no change")
    assert m["Stale (no result)"][0] == "1"
    assert {k for k in m if k.endswith(" health")} == {f"{t} health" for t in
                                                      ("A.5 Organizational", "A.6 People", "A.7 Physical", "A.8 Technological")}
    assert len(at.get("plotly_chart")) == 4  # status trend, domain health, indicator history, exposure trend
    last_year = ["Nov 2025", "Dec 2025"] + [f"{m} 2026" for m in
                                            ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct")]
    for key in ("kri_trend", "domain_health"):  # every month labelled, the meeting's month included
        assert _chart(at, key)["layout"]["xaxis"]["ticktext"] == last_year, key
    assert _chart(at, "exposure_trend")["layout"]["xaxis"]["ticktext"][-1] == "Oct 2026"

    errors = [e.value for e in at.error]
    assert any("KRI-21" in e and "12 months in a row" in e for e in errors)
    assert any("KRI-26" in e and "5 months in a row" in e for e in errors)
    text = _text(at)
    assert "Newly red since Sep 2026 (1)" in text and "**KRI-03** Mean time to detect" in text
    assert "Recovered since Sep 2026 (1)" in text and "**KRI-16** DDoS mitigation time" in text

    board = _board(at)
    assert len(board) == 40
    assert board["KRI"].tolist()[:3] == ["KRI-21", "KRI-26", "KRI-03"]
    rows = board.set_index("KRI")
    assert list(rows.loc["KRI-35", "Status"]) == ["Stale"] and rows.loc["KRI-35", "Result for"] == "Aug 2026"
    assert rows.loc["KRI-35", "Value"] == "99.5% (Aug 2026)"  # a stale value says which month it is from
    assert rows.loc["KRI-21", "Months red"] == "12 mo"
    # a KRI not red has no streak to show ('0 mo' on 37 rows read as data), a stale one no change
    assert rows.loc[[s != ["Red"] for s in rows["Status"].map(list)], "Months red"].eq("").all()
    assert rows.loc["KRI-35", [c for c in rows.columns if c.startswith("Change since")][0]] == "–"
    assert list(rows.loc["KRI-03", "Status"]) == ["Red"] and rows.loc["KRI-03", "Value"] == "24.7 hours"

    assert m["Treatments completed this month"][0] == "1"
    assert m["Residual level changed"][0] == "1 ↓ / 0 ↑"
    completed = _table_with(at, "completed_on")
    assert completed["treatment_id"].tolist() == ["T-107"]
    changed = _table_with(at, "level_before")
    assert changed[["risk_id", "level_before", "level_now"]].values.tolist() == [["R-061", "High", "Medium"]]


def test_a_new_month_compares_with_the_month_before(app_db):
    at = open_page(PAGE)
    at.selectbox(key="month").set_value(D("2026-06-01")).run()
    assert not at.exception
    assert at.selectbox(key="compare_month").value == D("2026-05-01")
    assert at.title[0].value == "Security Health · June 2026"
    assert _param(at, "month") == ["2026-06-01"] and _param(at, "compare_month") == ["2026-05-01"]
    at.selectbox(key="compare_month").set_value(D("2026-01-01")).run()
    assert "Change since Jan 2026" in _board(at).columns
    at.selectbox(key="month").set_value(D("2026-10-01")).run()  # January would still be valid: not kept
    assert at.selectbox(key="compare_month").value == D("2026-09-01")


def test_domain_filter_narrows_every_kri_section(app_db):
    at = open_page(PAGE)
    at.multiselect(key="domain").set_value(["A.6 People"]).run()
    assert not at.exception
    board = _board(at)
    assert sorted(board["KRI"]) == [f"KRI-{i}" for i in range(31, 36)]
    m = _metrics(at)
    assert sum(int(m[k][0]) for k in ("KRIs red", "KRIs amber", "KRIs green", "Stale (no result)")) == 5
    assert [k for k in m if k.endswith(" health")] == ["A.6 People health"]
    # the count behind the share, readable without hovering: the green tile's count of the 5
    assert any(c.value == f"KRIs green: A.6 People {int(m['KRIs green'][0])} of 5." for c in at.caption), \
        [c.value for c in at.caption]
    assert _param(at, "domain") == ["A.6 People"]
    at.multiselect(key="owner").set_value(["Head of GRC"]).run()
    assert not any(getattr(d, "key", None) == "kri_board" for d in at.dataframe)  # A.6 has no GRC-owned KRI
    assert any("No KRI matches" in i.value for i in at.info)


def test_indicator_detail_shows_history_bands_and_notes(app_db):
    at = open_page(PAGE)
    assert at.selectbox(key="kri").value == "KRI-21"  # the worst KRI opens first
    at.selectbox(key="kri").set_value("KRI-03").run()
    fig = _chart(at, "kri_history")
    assert fig["layout"]["title"]["text"].startswith("KRI-03 Mean time to detect")
    assert len(fig["data"][0]["x"]) == 36  # every monthly result since November 2023
    bands = sorted((s["y0"], s["y1"]) for s in fig["layout"]["shapes"] if s["type"] == "rect")
    assert [round(b, 6) for b in (bands[0][1], bands[1][1])] == [8, 24]  # green up to amber 8, amber up to red 24
    notes = _table_with(at, "note")
    assert notes["note"].tolist() == ["SIEM migration: two log pipelines were offline for nine days"]
    assert _param(at, "kri") == ["KRI-03"]


def test_the_url_reproduces_the_view(app_db):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params.update({"month": "2025-03-01", "domain": "A.8 Technological", "kri": "KRI-08"})
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception
    assert at.selectbox(key="month").value == D("2025-03-01")
    assert at.selectbox(key="compare_month").value == D("2025-02-01")
    assert at.multiselect(key="domain").value == ["A.8 Technological"]
    assert at.selectbox(key="kri").value == "KRI-08"
    notes = _table_with(at, "note")
    assert notes["note"].str.contains("appliance flaw").sum() == 2  # February and March 2025


def test_presentation_mode_hides_controls_and_downloads(app_db):
    at = open_page(PAGE)
    assert at.get("download_button"), "PNG and SVG downloads under each chart"
    at.toggle(key="present").set_value(True).run()
    assert not at.exception
    assert not at.get("download_button")
    assert len(at.get("plotly_chart")) == 4
    fig = _chart(at, "kri_trend")
    assert fig["layout"]["height"] > 420  # enlarged for the room
    assert _param(at, "present") == ["1"]


def test_presentation_mode_keeps_the_status_colours(app_db):
    # the meeting-room board wrote statuses as bare words: each keeps its badge's fill (and a text
    # colour that reads on it), as the analyst's board shows them
    import re

    at = open_page(PAGE)
    at.toggle(key="present").set_value(True).run()
    board = next(t for t in at.table if "Status" in t.value.columns)
    styles = board.proto.arrow_data.styler.styles
    fill_of_row = {int(row): fill for rows, fill in re.findall(r"((?:#T_\w+_row\d+_col\d+,? ?)+)\{[^}]*background-color: (#\w+)", styles)
                   for row in re.findall(r"row(\d+)_col", rows)}
    expected = {"Red": "#c62828", "Amber": "#f9a825", "Green": "#2e7d32", "Stale": "#9e9e9e"}
    statuses = list(board.value["Status"])
    assert statuses and {i: expected[s] for i, s in enumerate(statuses)} == fill_of_row


def test_a_link_may_name_a_month_by_any_of_its_days(app_db):
    # the packs and the CLI date a month by its end ('2026-09-30'); the page's own links by its first day
    from ui.apptest import open_app

    at = open_app(PAGE, query={"month": "2026-09-30"})
    assert not at.exception
    assert at.selectbox(key="month").value == datetime.date(2026, 9, 1)
    assert not [w.value for w in at.warning if "The link asks" in w.value]


def test_presentation_mode_shows_the_treatment_lists_large(app_db):
    # the scorecard's tabs were small scrolling grids on the big screen: static tables of the first rows
    at = open_page(PAGE)
    at.toggle(key="present").set_value(True).run()
    assert not at.exception
    assert not [d for d in at.dataframe if getattr(d, "key", None) in ("treatments_completed", "treatments_behind",
                                                                       "level_changes")]
    columns = [tuple(t.value.columns) for t in at.table]
    assert ("Treatment", "Risk", "Owner", "State", "Due", "Days overdue", "Complete") in columns
    # no control left on the room's screen: the lists one under the other (no tabs), the
    # indicator picker in the hidden sidebar
    assert not at.tabs
    assert not at.main.selectbox and at.sidebar.selectbox(key="kri")
    assert [s.value for s in at.subheader if s.value.startswith(("Completed this month", "Late or overdue",
                                                                  "Residual level changed"))]


def test_a_change_of_a_percent_kri_is_in_points():
    import pandas as pd

    from ui.health import _change_text

    board = pd.DataFrame({"change": [-1.6, 3.0, 0.0, None], "better": [False, False, None, None],
                          "status": ["amber", "red", "green", "stale"], "unit": ["%", "count", "%", "%"]})
    assert _change_text(board) == ["-1.6 pts (worse)", "+3 (worse)", "no change", "–"]
