"""The Compliance Review of a store with an SoA and no control register, nor any control test: every
heatmap cell read '0/n' in red and the pass-rate chart was two empty axes, with nothing to say why.
The page and the pack say what is missing instead; once a control register covers a requirement,
and once a test has a result, the sentences go and the figures show."""

import datetime as dt

import pytest

from isms.config import load_settings
from isms.packs.content import build_pack
from isms.store import connect
from isms.views import compliance
from tests.factories import import_text
from tests.test_browser_compliance import CONTROLS, SOA

AS_OF = dt.date(2026, 9, 30)


@pytest.fixture
def soa_only(tmp_path):
    settings = load_settings()
    con = connect(tmp_path / "isms.duckdb")
    import_text(con, SOA, "soa.csv", AS_OF)
    yield con, settings
    con.close()


def test_an_soa_alone_says_what_coverage_and_pass_rate_need(soa_only):
    con, settings = soa_only
    data = compliance.build(con, AS_OF, AS_OF)
    assert int(data.coverage["covered"].sum()) == 0 and int(data.coverage["applicable"].sum()) == 5  # 5 of 6 apply
    assert data.no_control_coverage.startswith("No applicable requirement is covered by a control yet")
    assert data.no_test_results.startswith("No control test has a result by this date")
    pack = build_pack(con, settings, "compliance", AS_OF, AS_OF)
    sections = {s.key: s for s in pack.sections}
    assert sections["testing"].frame.empty and sections["testing"].empty_text == data.no_test_results
    assert data.no_control_coverage in sections["coverage"].note
    # a control register that covers A.5.15, A.5.18, A.8.8 and A.8.13: the coverage sentence goes
    import_text(con, CONTROLS, "controls.csv", AS_OF)
    covered = compliance.build(con, AS_OF, AS_OF)
    assert int(covered.coverage["covered"].sum()) == 4 and covered.no_control_coverage is None
    assert covered.no_test_results is not None  # still no test
    # one test with a result: the chart shows
    import_text(con, "Control ID,Period,Due on,Tested on,Result\nC-01,2026-07-01,2026-09-30,2026-09-15,Pass\n",
            "ControlTests.csv", AS_OF)
    tested = compliance.build(con, AS_OF, AS_OF)
    assert tested.no_test_results is None
    assert any(s.key == "testing" and hasattr(s, "figure") for s in build_pack(con, settings, "compliance", AS_OF,
                                                                                AS_OF).sections)


def test_the_page_says_it_instead_of_an_empty_chart(tmp_path):
    from ui.apptest import app_database, open_app

    path = tmp_path / "isms.duckdb"
    con = connect(path)
    import_text(con, SOA, "soa.csv", AS_OF)
    con.close()
    with app_database(path):
        at = open_app("pages/compliance.py")
    assert not at.exception, [e.message for e in at.exception]
    said = [i.value for i in at.info]
    assert any(s.startswith("No applicable requirement is covered by a control yet") for s in said), said
    assert any(s.startswith("No control test has a result by this date") for s in said), said
    assert not [c for c in at.get("plotly_chart") if "pass_rate" in c.proto.id]
