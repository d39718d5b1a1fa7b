"""A risk whose exception gives no expiry date (requested, not yet granted): its detail, which the
Risk Review shows for the top risk by default, crashed ('boolean value of NA is ambiguous') and
took every section below the heatmap with it, the review pack's panel too."""

import datetime as dt

from isms import actions
from isms.auth import Role, User
from isms.store import connect
from isms.views.risk_review import risk_detail

AS_OF = dt.date(2026, 6, 30)


def test_the_detail_of_a_risk_with_an_exception_without_expiry(settings, tmp_path):
    con = connect(tmp_path / "d.duckdb")
    ana = User("ana", Role.analyst)
    out, _ = actions.import_workbook(con, ana, settings, b"Risk ID,Title,Owner,Likelihood,Impact\nR-03,Legacy VPN,Net,4,5\n",
                                     "risks.csv", as_of=AS_OF)
    assert out.status == "committed"
    log = (b"Exception ID,Policy,Status,Requested on,Granted on,Expires on,Risk ID\n"
           b"EX-04,Patch standard,Requested,2026-06-01,,,R-03\nEX-05,Patch standard,Granted,2026-06-01,2026-06-02,2026-07-09,R-03\n")
    out, _ = actions.import_workbook(con, ana, settings, log, "exceptions.csv", as_of=AS_OF)
    assert out.status == "committed", [str(p) for p in out.problems]
    detail = risk_detail(con, settings, "R-03", AS_OF)
    con.close()
    shown = dict(zip(detail.exceptions["exception_id"], detail.exceptions["expires_in"]))
    assert shown == {"EX-04": "", "EX-05": "in 9 days"}  # 30 June to 9 July
