"""AppTest: the Compliance Review page on the sample ISMS, section by section.

Expected figures are the sample's compliance story as isms/sample/compliance.py writes it, worked
out by hand: Annex A with two exclusions (A.7.9, A.8.30) of 93; the 800-53 Moderate baseline with
four exclusions of 287; 26 SOC 2 criteria; the Q2 2026 privileged access review (CTL-08) still not
done at 30 September 2026; the ISO recertification starting 9 November 2026 and the certificate
expiring 30 November 2026; findings F-012 (due 12 March 2026) and F-013 (due 7 July 2026) overdue,
four open (F-012, F-013, F-015, F-016).
"""

import re
import io

import pandas as pd
from openpyxl import load_workbook

from tests.test_pages import app_db  # noqa: F401  (the module-scoped sample copy)
from ui.apptest import open_app

PAGE = "pages/compliance.py"
SAMPLE_IMPORT = "2026-09-30"  # the sample's latest compliance import: the figures below are worked out for it


def open_page(page: str):
    return open_app(page, query={"as_of": SAMPLE_IMPORT})


def test_the_page_opens_on_the_latest_period_end_of_its_meetings(app_db):  # noqa: F811
    """The Compliance forum meets every two months (periods end with February, April, ..., December),
    the sample's data is imported quarterly: the page opens on the latest period end on or before
    today, no older than the latest import, compared with the period end before it, so its figures
    and its pack's agenda ('reviews 1 Sep to 31 Oct, new since 31 Aug') are one period's."""
    import datetime as dt

    today = dt.date.today()
    ends = [dt.date(y, m + 1, 1) - dt.timedelta(days=1) if m < 12 else dt.date(y, 12, 31)
            for y in range(2026, today.year + 1) for m in (2, 4, 6, 8, 10, 12)]
    ends = [e for e in ends if dt.date.fromisoformat(SAMPLE_IMPORT) <= e <= today]
    at = open_app(PAGE)
    assert not at.exception
    if not ends:  # before 31 October 2026 the import is the latest date
        assert at.selectbox(key="as_of").value.isoformat() == SAMPLE_IMPORT
        return
    assert at.selectbox(key="as_of").value == ends[-1]
    year, month = (ends[-1].year, ends[-1].month - 2) if ends[-1].month > 2 else (ends[-1].year - 1, 12)
    next_first = dt.date(year + month // 12, month % 12 + 1, 1)
    assert at.selectbox(key="compare_to").value == next_first - dt.timedelta(days=1)


def _metrics(at) -> list[tuple[str, str, str]]:
    return [(m.label, m.value, m.delta) for m in at.metric]


# AppTest keeps keys only for selectable tables: each list is found by columns only it has
SIGNATURE = {"cell_requirements": ("effective", "controls"), "tests_due": ("state", "due_on"),
             "calendar": ("what", "auditor"), "findings_overdue": ("days_overdue",),
             "findings_open": ("total", "grade"), "soa_rows": ("why", "risks")}


def _frame(at, key: str) -> pd.DataFrame:
    found = [d.value for d in at.dataframe if all(c in d.value.columns for c in SIGNATURE[key])]
    assert len(found) == 1, f"{len(found)} tables like {key}"
    return found[0]


def test_settings_and_frameworks(app_db):
    at = open_page(PAGE)
    assert not at.exception
    assert at.selectbox(key="as_of").value.isoformat() == "2026-09-30"
    assert at.selectbox(key="compare_to").value.isoformat() == "2026-06-30"
    assert [h.value for h in at.header] == ["Frameworks", "Coverage and effectiveness", "Control testing", "Audit and certification calendar",
                                            "Findings", "Statement of Applicability", "Actions from earlier meetings"]
    assert [s.value for s in at.subheader][:3] == ["ISO27001-2022", "NIST-800-53r5-MODERATE", "SOC2"]
    tiles = _metrics(at)
    applicable = [v for label, v, _ in tiles if label == "Applicable"]
    assert applicable == ["91", "283", "26"]
    open_findings = [v for label, v, _ in tiles if label == "Open findings"]
    assert open_findings == ["3", "0", "1"]  # ISO: F-012, F-015, F-016; SOC 2: F-013


def test_coverage_cell_lists_its_requirements_and_controls(app_db):
    at = open_page(PAGE)
    at.selectbox(key="cell").set_value("SOC2 · CC6").run()
    cell = _frame(at, "cell_requirements").set_index("ref")
    assert list(cell.index) == ["CC6.1", "CC6.2", "CC6.3", "CC6.6", "CC6.7", "CC6.8"]
    assert cell.loc["CC6.1", "controls"] == "CTL-05, CTL-07, CTL-19, CTL-21"
    assert at.query_params["cell"] in ("SOC2 · CC6", ["SOC2 · CC6"])


def test_control_testing(app_db):
    at = open_page(PAGE)
    tiles = {label: v for label, v, _ in _metrics(at)}
    assert tiles["Tests overdue"] == "1"
    failed = [d.value for d in at.dataframe if "state" in d.value.columns][0]  # 'Failed or with exceptions'
    # the tile counts what the list below it lists: none failed, four with exceptions (the sample's story)
    assert tiles["Failed / exceptions since 30 Jun 2026"] == \
        f"{(failed.state == 'Fail').sum()} / {(failed.state == 'Exceptions').sum()}" == "0 / 4"
    due = [d.value for d in at.dataframe if "state" in d.value.columns][-1]  # failed first, then due
    overdue = due[due.state == "Overdue"]
    assert overdue.control_id.tolist() == ["CTL-08"] and overdue.period.tolist() == ["2026-06-30"]


def test_calendar_and_findings(app_db):
    at = open_page(PAGE)
    cal = _frame(at, "calendar")
    assert cal[["date", "what", "audit_type"]].values.tolist()[:2] == [
        ["2026-11-09", "Audit starts", "ISO recertification"], ["2026-11-30", "Certificate expires", "ISO stage 2"]]
    overdue = _frame(at, "findings_overdue")
    assert overdue[["finding_id", "days_overdue"]].values.tolist() == [["F-012", 202], ["F-013", 85]]
    assert int(_frame(at, "findings_open")["total"].sum()) == 4
    assert len(at.get("plotly_chart")) == 3  # coverage, pass rate, burndown


def test_soa_view_and_download(app_db):
    at = open_page(PAGE)
    rows = _frame(at, "soa_rows").set_index("ref")
    assert len(rows) == 93 and rows.loc["A.8.30", "applicable"] == "No"
    assert rows.loc["A.8.30", "why"] == "No outsourced development: all engineering is in-house"
    # an excluded requirement has no control and no risk: '–', not an empty cell
    assert (rows.loc["A.8.30", "controls"], rows.loc["A.8.30", "risks"]) == ("–", "–")
    button = next(b for b in at.get("download_button") if b.proto.id.endswith("soa_xlsx"))
    assert button is not None
    at.selectbox(key="soa").set_value("SOC2").run()
    assert len(_frame(at, "soa_rows")) == 26


def test_presentation_mode_and_pack_panel(app_db):
    at = open_page(PAGE)
    ids = [b.proto.id for b in at.get("download_button")]
    assert any(i.endswith("compliance_pptx") for i in ids) and any(i.endswith("coverage-png") for i in ids) or \
        any(i.endswith("compliance_pptx") for i in ids)
    at.toggle(key="present").set_value(True).run()
    assert not at.exception and not at.get("download_button")
    assert len(at.get("plotly_chart")) == 3
    assert not at.main.selectbox and at.sidebar.selectbox(key="soa")  # every picker in the hidden sidebar
    # the lists as the room reads them: static tables of the first rows, no scrolling grid
    assert not at.main.dataframe
    tables = {tuple(t.value.columns): t.value for t in at.main.table}
    overdue = tables[("Finding", "Title", "Grade", "Owner", "Due", "Days overdue")]
    # dates as the page's lists and the pack's tables write them (ISO), not another style on the big screen
    assert overdue["Finding"].tolist() == ["F-012", "F-013"] and overdue["Due"].tolist() == ["2026-03-12", "2026-07-07"]
    due = [t for cols, t in tables.items() if cols[:2] == ("Control", "Name") and "Overdue" in set(t["State"])]
    assert len(due) == 1 and due[0]["Control"].iloc[0] == "CTL-08" and len(due[0]) == 8  # 35 due: the first 8
    assert any("The first 8 of 35 tests, overdue first" in c.value for c in at.main.caption)


def test_the_soa_download_is_the_export(app_db):
    from isms.soa_export import soa_table, write_soa
    from isms.store import connect
    from tests.factories import D

    con = connect(app_db, read_only=True)
    buf = io.BytesIO()
    write_soa(soa_table(con, "ISO27001-2022", D("2026-09-30")), buf)
    con.close()
    ws = load_workbook(io.BytesIO(buf.getvalue())).active
    assert ws["A2"].value == "SoA version 3.0, approved 2025-12-12 by Priya Raman (CISO)"


def test_the_headline_says_what_the_tiles_and_lists_below_it_say(app_db):
    """One paragraph under the title, from the story above: ISO's effective requirements one fewer
    than at 30 June (its tile), the overdue privileged access review, four findings open and none
    major, F-012 longest overdue (12 March to 30 September: 202 days), the recertification next."""
    at = open_page(PAGE)
    # the sentence as it reads: ids are kept whole by a no-wrap span around each (ui.scorecard.headline_markdown)
    said = [re.sub(r'<span style="white-space: nowrap">([^<]*)</span>', r"\1", m.value) for m in at.markdown
            if "Next on the calendar" in m.value]
    assert any('<span style="white-space: nowrap">F-012</span>' in m.value for m in at.markdown)
    assert len(said) == 1
    iso_effective = [(v, d) for label, v, d in _metrics(at) if label.startswith("Effective")][0]
    assert iso_effective == ("65", "-1")
    assert said[0].startswith("**Since 30 June 2026 effective requirements fell from 66 to 65 in ISO27001-2022 "
                              "and are unchanged in NIST-800-53r5-MODERATE and SOC2.")
    assert "; 1 test is overdue." in said[0]
    assert "4 audit findings are open, none a major nonconformity. 2 are past their due date; the longest overdue " \
           "is F-012 " in said[0] and "202 days" in said[0]
    assert said[0].endswith("Next on the calendar: ISO recertification (ISO-2026-RC) starts 9 November 2026.**")


def test_the_heatmap_is_a_strip_per_framework_of_its_own_families(app_db):
    """32 families across three frameworks that share none: one strip each, of only its own
    families (no empty cells), so a cell is wide enough to read; a strip of four themes names
    them in full, and a click on a cell selects [framework, family] by the family's full name."""
    import json

    at = open_page(PAGE)
    spec = next(json.loads(c.proto.spec) for c in at.get("plotly_chart") if c.proto.id.endswith("-coverage"))
    heats = [t for t in spec["data"] if t["type"] == "heatmap"]
    strips = {t["y"][0]: t for t in heats}
    assert list(strips) == ["ISO27001-2022", "NIST-800-53r5-MODERATE", "SOC2"]
    assert all(len(t["y"]) == 1 and None not in t["z"][0] for t in heats)
    iso = strips["ISO27001-2022"]
    assert iso["x"] == ["A.5 Organizational", "A.6 People", "A.7 Physical", "A.8 Technological"]
    assert len(strips["NIST-800-53r5-MODERATE"]["x"]) == 18 and strips["SOC2"]["x"][0] == "A1"
    axis = spec["layout"]["xaxis" + iso["xaxis"][1:]]
    assert axis["ticktext"] == iso["x"]
    cells = [d for t in spec["data"] if t["type"] == "scatter" and t.get("customdata") for d in t["customdata"]]
    assert ["ISO27001-2022", "A.5 Organizational"] in cells and len(cells) == 32


def test_a_strip_of_many_themes_names_them_by_code():
    """Beyond six themes in a strip, the axis says 'A.5' (the full name laid over its neighbours);
    the hover and the chooser keep the full name."""
    from isms.charts_compliance import coverage_heatmap

    families = [f"T.{n} Theme number {n}" for n in range(1, 9)]
    cov = pd.DataFrame({"framework": "F", "family": families, "applicable": 4, "covered": 3, "effective": 2,
                        "share_effective": 0.5})
    fig = coverage_heatmap(cov)
    assert list(fig.layout.xaxis.ticktext) == [f"T.{n}" for n in range(1, 9)]
    assert list(fig.data[2].text) == ["2/4"] * 8
    assert list(fig.data[1].customdata[0]) == ["F", "T.1 Theme number 1"]


def test_each_cell_count_is_in_the_ink_its_fill_needs_and_the_codes_are_keyed():
    """A red (0%) and a green (100%) cell: white on both dark fills; an amber one (50%, #f9a825):
    near-black. The key names what the codes on a strip of many families stand for."""
    from isms.charts_compliance import coverage_heatmap, family_key

    families = ["AC", "AT", "AU", "CA", "CM", "CP", "IA"]
    shares = [0.0, 0.5, 1.0, 0.5, 0.5, 0.5, 0.5]
    cov = pd.DataFrame({"framework": "NIST-800-53r5-MODERATE", "family": families, "applicable": 2, "covered": 2,
                        "effective": [int(2 * s) for s in shares], "share_effective": shares})
    counts = [t for t in coverage_heatmap(cov).data if t.name == "counts"]
    inks = {x: t.textfont.color for t in counts for x in t.x}
    assert (inks["AC"], inks["AT"], inks["AU"]) == ("#ffffff", "#212121", "#ffffff") and len(inks) == len(families)
    # a chosen cell fades no count: each keeps its ink, selected or not
    assert all(t.selected.textfont.color == t.unselected.textfont.color == t.textfont.color for t in counts)
    key = family_key(cov)
    assert key == ["NIST-800-53r5-MODERATE: AC Access Control · AT Awareness and Training · AU Audit and Accountability"
                   " · CA Assessment, Authorization, and Monitoring · CM Configuration Management · CP Contingency "
                   "Planning · IA Identification and Authentication"]
    # a strip of a few named themes shows the names themselves: nothing to key
    assert family_key(cov.head(3)) == []


def test_a_choice_on_the_page_is_no_link_the_page_lacks(app_db):
    # the page writes its own choices to the URL; when another control narrows the options, its own
    # earlier value left them and was warned about as a link's ('The link asks for Framework ...')
    at = open_page(PAGE)
    at.selectbox(key="cell").set_value("SOC2 · CC6").run()
    at.multiselect(key="framework").set_value(["ISO27001-2022"]).run()
    assert not at.exception
    assert not [w.value for w in at.warning if "The link asks" in w.value]
    # a real link's value the page lacks is still said, its text shown, not rendered
    from ui.apptest import open_app

    linked = open_app(PAGE, query={"framework": "[Sign in again](https://example.invalid)"})
    said = [w.value for w in linked.warning if "The link asks" in w.value]
    assert said and "\\[Sign in again\\]" in said[0]


def test_the_meetings_period_ends_are_offered_beside_the_import_dates(app_db):
    """The Compliance series meets every two months (isms.toml) while the sample imports quarterly: the
    meeting that reviews 31 October 2026 is prepared as of that day, from a link or the picker. The
    default stays the latest import, compared with the one before."""
    from ui.apptest import open_app

    at = open_app(PAGE, query={"as_of": "2026-10-31"})
    assert not at.exception
    assert not at.warning, [w.value for w in at.warning]  # the link's date is one the page has
    assert at.title[0].value == "Compliance Review · 31 October 2026"
    box = at.selectbox(key="as_of")
    assert box.value.isoformat() == "2026-10-31"
    assert "31 Oct 2026 · period end" in box.options and "30 Sep 2026" in box.options
    # compared with the period before, as the meeting's pack says ("new since 31 August")
    assert at.selectbox(key="compare_to").value.isoformat() == "2026-08-31"
    # the figures are the 30 September import's: said first, so nobody takes them for October's news
    said = [m.value for m in at.markdown if "latest compliance data" in m.value]
    assert said and said[0].startswith("**The latest compliance data is dated 30 September 2026, 31 days before this review")
    # CTL-08's Q2 test, due by 30 June, is still overdue a month later
    due = [d.value for d in at.dataframe if "state" in d.value.columns][-1]
    assert "CTL-08" in due[due.state == "Overdue"].control_id.tolist()


def test_offered_dates_are_the_imports_and_the_series_period_ends_up_to_today():
    import datetime as dt

    from isms.meetings import MeetingSeries
    from isms.views.compliance import offered_dates

    D = dt.date.fromisoformat
    bimonthly = MeetingSeries("compliance", "Compliance", 2)
    imported = [D("2026-09-30"), D("2026-03-31")]
    # periods end on the last day of Feb, Apr, Jun, Aug, Oct, Dec; from the one holding 31 March (30 April)
    # to the last on or before 5 December
    assert offered_dates(imported, bimonthly, D("2026-12-05")) == [
        D("2026-10-31"), D("2026-09-30"), D("2026-08-31"), D("2026-06-30"), D("2026-04-30"), D("2026-03-31")]
    assert offered_dates([], bimonthly, D("2026-12-05")) == []
    # a date before the import's own period ends: the import date alone
    assert offered_dates([D("2026-09-30")], bimonthly, D("2026-10-01")) == [D("2026-09-30")]


def test_a_period_end_is_compared_with_the_period_before_an_import_with_the_import_before():
    import datetime as dt

    from isms.views.compliance import default_compare

    D = dt.date.fromisoformat
    imported = [D("2026-09-30"), D("2026-06-30"), D("2026-03-31")]
    periods = [D("2026-04-30"), D("2026-06-30"), D("2026-08-31"), D("2026-10-31")]
    assert default_compare(D("2026-10-31"), imported, periods) == D("2026-08-31")
    assert default_compare(D("2026-09-30"), imported, periods) == D("2026-06-30")
    assert default_compare(D("2026-06-30"), imported, periods) == D("2026-03-31")  # both: an import date
    assert default_compare(D("2026-03-31"), imported, periods) is None


def test_open_findings_without_a_framework_are_said_beside_the_tiles(sample_db_copy):
    """A CAPA tracker's findings name no framework: the tiles (by framework) leave them out, and the
    page says how many, so they add up to the headline's count. By hand: the sample's 4 open at
    30 September 2026 all name a framework; two more without one make 6, of which 2 are untiled."""
    from isms.store import connect
    from tests.factories import finding, load
    from ui.apptest import app_database

    from isms.store import queries

    con = connect(sample_db_copy)
    held = queries.register(con, "findings", pd.Timestamp(SAMPLE_IMPORT).date()).to_dict("records")
    # the register as it stands, with two more (a batch is the whole register's snapshot)
    load(con, SAMPLE_IMPORT, findings=[*held, finding("CAPA-1", framework=None, raised="2026-09-01"),
                                       finding("CAPA-2", framework=None, raised="2026-09-02")])
    con.close()
    with app_database(sample_db_copy):
        at = open_page(PAGE)
    assert not at.exception, [e.message for e in at.exception]
    said = [c.value for c in at.caption if "open findings name no framework" in c.value]
    sentence = ("2 of the 6 open findings name no framework shown here (none given, or one not in scope): the "
                "headline and the Findings section count them, no framework's figures do.")
    assert said == [sentence]
    # and the pack's table of frameworks says it too: its open findings read 0 beside a headline that counts them
    import datetime as dt

    from isms.config import load_settings
    from isms.packs.content import build_pack

    con = connect(sample_db_copy, read_only=True)
    as_of = pd.Timestamp(SAMPLE_IMPORT).date()
    pack = build_pack(con, load_settings(), "compliance", as_of, as_of - dt.timedelta(days=92))
    con.close()
    assert sentence in next(s for s in pack.sections if s.key == "frameworks").note


def test_in_presentation_mode_the_line_under_a_cells_first_rows_names_the_cell(app_db):  # noqa: F811
    """'The first 8 of 37 requirements of the cell' left the room to guess which cell."""
    at = open_page(PAGE)
    at.toggle(key="present").set_value(True).run()
    offered = at.selectbox(key="cell").options
    # the cell with the most requirements, so the room's table holds its first 8 of them
    cell = next(o for o in offered if o.startswith("ISO27001-2022 · A.8"))
    at.selectbox(key="cell").set_value(cell).run()
    assert not at.exception
    lines = [c.value for c in at.main.caption if "requirements of" in c.value and "of the SoA" not in c.value]
    assert len(lines) == 1 and lines[0].startswith("The first 8 of ")
    assert f"requirements of {cell};" in lines[0] and "of the cell" not in lines[0]
    # a family named by its code says its name too, above the table as below it, however few its rows
    at.selectbox(key="cell").set_value("NIST-800-53r5-MODERATE · MA").run()
    assert not at.exception
    said = [m.value for m in at.main.markdown if m.value.startswith("**NIST-800-53r5-MODERATE · MA Maintenance**: ")]
    shown = len(at.main.table[[tuple(t.value.columns)[:2] for t in at.main.table].index(("Ref", "Requirement"))].value)
    more = [re.search(r"The first 8 of (\d+) requirements of NIST", c.value) for c in at.main.caption]
    total = next((int(m.group(1)) for m in more if m), shown)
    assert len(said) == 1 and said[0].endswith(f": {total} requirements") and shown > 0
