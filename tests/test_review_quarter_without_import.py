"""The Risk meeting's quarter end when nothing was imported for it: a trial's register of 30 June
could not be reviewed as of 30 September, the date of the meeting the forum had scheduled, whose
agenda already named the exceptions expired by then. The page offers every quarter end up to
today, opens on the latest register's, and a review of a later quarter end says first whose date
its figures are. Figures worked out by hand for the two risks and one exception below."""

import datetime as dt

import pytest

from isms.config import load_settings
from isms.headline import risk_review as risk_review_headline
from isms.store import connect
from isms.views import risk_review
from tests.factories import import_text
from ui.apptest import app_database, open_app

JUNE, SEPTEMBER, DECEMBER = dt.date(2026, 6, 30), dt.date(2026, 9, 30), dt.date(2026, 12, 31)
REGISTER = ("Risk ID,Title,Owner,Likelihood,Impact\n"
            "R-1,Ransomware on the file servers,IT,4,5\n"
            "R-2,Lost laptop,HR,2,2\n").encode()
# granted, expiring on 15 August: 46 days ahead on 30 June, 46 days past on 30 September
EXCEPTIONS = ("Exception ID,Policy,Risk ID,Status,Granted on,Expires on\n"
              "EX-1,Patching,R-1,Granted,2026-01-15,2026-08-15\n").encode()


@pytest.fixture(scope="module")
def june_register(tmp_path_factory):
    path = tmp_path_factory.mktemp("june") / "isms.duckdb"
    settings = load_settings()
    con = connect(path)
    for data, name in ((REGISTER, "register.csv"), (EXCEPTIONS, "exceptions.csv")):
        import_text(con, data, name, JUNE, settings.matrix)
    con.close()
    return path, settings


def test_every_quarter_end_up_to_today_is_offered(june_register):
    path, _ = june_register
    con = connect(path, read_only=True)
    try:
        assert risk_review.review_dates(con, include_interim=True) == [JUNE]
        assert risk_review.review_dates(con, include_interim=True, until=dt.date(2026, 12, 6)) == [SEPTEMBER, JUNE]
        assert risk_review.review_dates(con, until=DECEMBER) == [DECEMBER, SEPTEMBER, JUNE]
    finally:
        con.close()


def test_a_quarter_end_with_no_import_is_the_register_before_it_judged_on_its_day(june_register):
    path, settings = june_register
    con = connect(path, read_only=True)
    try:
        june = risk_review.build(con, settings, JUNE, JUNE)
        september = risk_review.build(con, settings, SEPTEMBER, JUNE)
    finally:
        con.close()
    assert june.register_dated is None and september.register_dated == JUNE
    # the same register: 20 + 4
    assert september.scorecard.current.residual_exposure == june.scorecard.current.residual_exposure == 24
    # EX-1 expires on 15 August: within 60 days of 30 June (46), expired and open on 30 September
    assert june.exceptions.set_index("exception_id").loc["EX-1", "window"] == "Within 60 days"
    assert september.exceptions.set_index("exception_id").loc["EX-1", "window"] == "Expired, still open"
    sentence = risk_review_headline(september, settings.matrix.appetite).sentence
    assert sentence.startswith("The latest risk data is dated 30 June 2026, 92 days before this review: what "
                               "happened since is not in these figures. Since 30 June 2026"), sentence
    assert "latest risk data" not in risk_review_headline(june, settings.matrix.appetite).sentence
    # the trend has the quarter end too, the register carried to it
    trend = september.totals_trend.set_index("as_of")["residual_exposure"]
    assert {d: int(v) for d, v in trend.items()} == {JUNE: 24, SEPTEMBER: 24}


def test_the_page_opens_on_the_register_and_offers_the_next_quarter_end(june_register):
    path, _ = june_register
    with app_database(path):
        at = open_app("pages/risk_review.py")
        assert not at.exception, [e.message for e in at.exception]
        picker = at.selectbox(key="as_of")
        assert picker.value == JUNE  # the latest register's quarter end, not a later one nothing came for
        # every quarter end since up to today (more of them as the calendar moves on), newest first
        assert picker.options[-2:] == ["30 Sep 2026 · no import", "30 Jun 2026"], picker.options
        at = open_app("pages/risk_review.py", query={"as_of": "2026-09-30"})
        assert not at.exception, [e.message for e in at.exception]
        assert at.selectbox(key="as_of").value == SEPTEMBER
        assert not [w for w in at.warning if "not among this page's choices" in w.value]
        assert any("latest risk data is dated 30 June 2026" in m.value for m in at.markdown), [m.value for m in at.markdown][:5]
