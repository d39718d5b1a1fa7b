"""A KRI file with months of history, imported as of today: its results are stored, but Security
Health shows a month only against the definitions the register held at its end. The import says so
at the first such cell, and the date it names shows every month."""

import datetime as dt
import re

import pandas as pd

from isms.config import load_settings
from isms.importing.pipeline import build_plan, commit
from isms.store import connect, queries
from tests.test_import_page import REGISTERS

KRI_FILE = REGISTERS / "mtn_monitoring_metrics.csv"


def _plan(con, as_of):
    settings = load_settings()
    return build_plan(KRI_FILE.read_bytes(), KRI_FILE.name, settings.matrix, as_of=as_of, con=con,
                      max_rows=settings.max_rows, max_bytes=settings.max_upload_bytes)


def _early(plan):
    return [p for p in plan.problems if "before the register defines" in p.message]


def test_history_dated_today_is_kept_and_the_warning_names_the_date_that_shows_it(tmp_path):
    raw = pd.read_csv(KRI_FILE, encoding="utf-8-sig")  # a month per row, a KRI per column
    months = sorted({dt.date.fromisoformat(f"{m}-01") for m in raw["month"]})
    cells = int(raw.drop(columns="month").notna().sum().sum())
    con = connect(tmp_path / "today.duckdb")
    plan = _plan(con, dt.date(2026, 12, 3))
    results = plan.frames["monitoring_results"]
    assert len(results) == cells
    [warning] = _early(plan)
    assert warning.severity == "warning" and plan.ok
    assert warning.row is not None and warning.value == min(months).isoformat()
    assert f"{len(results):,} result(s)" in warning.message
    assert commit(con, plan, "test").status == "committed"
    assert len(con.execute("SELECT * FROM monitoring_result").fetchall()) == len(results)  # kept
    assert queries.result_periods(con) == []  # and, as the warning says, not shown

    first = min(months)
    show = dt.date.fromisoformat(re.search(r"as of (\d{4}-\d{2}-\d{2}), the first", warning.message).group(1))
    assert show == (pd.Timestamp(first) + pd.offsets.MonthEnd(0)).date()
    con2 = connect(tmp_path / "dated.duckdb")
    dated = _plan(con2, show)
    assert _early(dated) == []
    assert commit(con2, dated, "test").status == "committed"
    assert queries.result_periods(con2) == months  # every month of the file is on the board


def test_results_for_months_the_register_already_defines_are_not_warned(tmp_path):
    """The register defined the file's indicators at its first month end: next year's file of the
    same results, dated today, defines nothing and every month is shown."""
    con = connect(tmp_path / "defined.duckdb")
    assert commit(con, _plan(con, dt.date(2024, 7, 31)), "test").status == "committed"
    later = _plan(con, dt.date(2026, 12, 3))
    assert "metrics" not in later.frames and _early(later) == []


def test_results_before_the_register_s_own_definitions_are_warned_with_its_date(tmp_path):
    """The register defined the indicators at 2025-01-31: the file's results of 2024 are not shown,
    and the warning says so with the register's date; the indicators are the register's, so the
    advice is to date their definitions earlier, not to re-date this file."""
    raw = pd.read_csv(KRI_FILE, encoding="utf-8-sig")
    before = raw[raw["month"] < "2025-01"]
    expected = int(before.drop(columns="month").notna().sum().sum())
    con = connect(tmp_path / "later.duckdb")
    assert commit(con, _plan(con, dt.date(2025, 1, 31)), "test").status == "committed"
    [warning] = _early(_plan(con, dt.date(2026, 12, 3)))
    assert f"{expected:,} result(s)" in warning.message and "(from 2025-01-31)" in warning.message
    assert f"for {before['month'].min()} to {before['month'].max()}" in warning.message
    assert "import the indicators' definitions as of 2024-07-31" in warning.message


DEFINITIONS = REGISTERS / "csfprofile_alma-security.metricsfixture.csv"


def test_a_results_file_adds_its_indicators_and_keeps_the_register_s_others(tmp_path):
    """A file of results alone defines its indicators from their names: those are what it brings to
    the KRI register. The register's other indicators are kept beside them, said as kept, and not
    counted as the file's rows; committed as the whole register, it retires none of them."""
    settings = load_settings()
    others = sorted(pd.read_csv(DEFINITIONS)["metric_id"])
    named = sorted(c for c in pd.read_csv(KRI_FILE, encoding="utf-8-sig").columns if c != "month")
    con = connect(tmp_path / "kris.duckdb")
    first = build_plan(DEFINITIONS.read_bytes(), DEFINITIONS.name, settings.matrix, as_of=dt.date(2024, 6, 30), con=con,
                       max_rows=settings.max_rows, max_bytes=settings.max_upload_bytes)
    assert commit(con, first, "test").status == "committed"

    plan = _plan(con, dt.date(2024, 7, 31))
    metrics = plan.preview.kinds["metrics"]
    assert sorted(metrics.new) == named and metrics.unchanged == [] and metrics.no_longer_listed == []
    assert sorted(metrics.kept) == others
    assert plan.row_counts["metrics"] == len(named)
    out = commit(con, plan, "test")  # the default: the whole register
    assert out.status == "committed" and out.row_counts["metrics"] == len(named)
    held = queries.register(con, "metrics", dt.date(2024, 7, 31))
    assert sorted(held["metric_id"]) == sorted(others + named)
    (counts, carried), = con.execute("SELECT row_counts, carried_counts FROM import_batch WHERE batch_id = ?",
                                     [out.batch_id]).fetchall()
    assert f'"metrics": {len(named)}' in counts and carried == f'{{"metrics": {len(others)}}}'


def test_with_a_later_kri_register_the_advice_is_to_add_the_indicators_to_it(tmp_path):
    """A whole KRI register dated 30 September 2024 (one indicator of its own) replaces whatever the
    file would add on 31 July: re-dated, the file would show its indicators for two months and then
    lose them, and the analyst met a second warning. The advice says so, and what does show them."""
    from tests.factories import load, metric

    con = connect(tmp_path / "later.duckdb")
    load(con, "2024-09-30", metrics=[metric("KRI-1", amber=90, red=80)])
    [warning] = _early(_plan(con, dt.date(2026, 12, 3)))
    assert ("to show them, add these indicators, with their thresholds, to your KRI register file and import that "
            "again: dated 2024-07-31, this file would show them only until the register's next batch, dated "
            "2024-09-30") in warning.message


def test_security_health_says_results_are_held_not_that_none_were_imported(tmp_path):
    """Found as a new user: after 275 KRI results were committed as of today, Security Health said
    'No monitoring results have been imported yet.' It now says how many are held and the date that
    shows them."""
    from isms.views.security_health import nothing_to_show

    raw = pd.read_csv(KRI_FILE, encoding="utf-8-sig")
    cells = int(raw.drop(columns="month").notna().sum().sum())
    first_end = (pd.Timestamp(f"{min(raw['month'])}-01") + pd.offsets.MonthEnd(0)).date()
    con = connect(tmp_path / "held.duckdb")
    assert nothing_to_show(con) == "No monitoring results have been imported yet."
    assert commit(con, _plan(con, dt.date(2026, 12, 3)), "test").status == "committed"
    said = nothing_to_show(con)
    assert said.startswith(f"{cells:,} KRI result(s) are held, but all are for months before their indicators are "
                           "defined (the KRI register begins on 3 Dec 2026)"), said
    assert f"import the KRI definitions dated {first_end.day} {first_end:%b %Y} (the first result's month end) or earlier" in said
