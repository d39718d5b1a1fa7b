"""The Compliance review view model: per framework in scope, coverage and effectiveness, control
testing, the audit and certification calendar and the findings, as of a date and compared with
the last review. One frozen bundle; the page, `python -m isms compliance` and the pack read it.

The figures' definitions are in isms.store.compliance_reads. Figures are computed here from the
store's rows; the page only formats them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb
import pandas as pd

from isms.dates import add_months, month_end, month_ends, previous_quarter_end, quarter_end
from isms.meetings import MeetingSeries
from isms.store import compliance_reads as reads

DUE_WINDOW_DAYS = 30       # tests due within this many days are 'due'
CALENDAR_DAYS = 365        # the calendar looks this far ahead
TREND_QUARTERS = 8         # pass-rate trend
BURNDOWN_MONTHS = 12
AGE_BUCKETS = ((0, 30, "0-30 days"), (31, 90, "31-90 days"), (91, 180, "91-180 days"), (181, 10**6, "over 180 days"))
GRADES = ("Major nonconformity", "Minor nonconformity", "Observation", "Opportunity for improvement")
FIGURES = ("requirements", "applicable", "covered", "effective", "open_major", "open_minor", "open_observation",
           "open_ofi")


@dataclass(frozen=True)
class ComplianceBundle:
    as_of: dt.date
    compare_to: dt.date
    frameworks: list[str]              # in scope
    totals: pd.DataFrame               # per framework: FIGURES, and each figure's change since compare_to
    coverage: pd.DataFrame             # framework, family, applicable, covered, effective, share_effective
    requirements: pd.DataFrame         # per requirement: framework, family, ref, title, applicable, controls, ...
    testing: dict                      # due, overdue, failed, exceptions (this period), tested, pass_rate
    tests_due: pd.DataFrame            # not yet tested: due within the window, or overdue
    tests_failed: pd.DataFrame         # Fail or Exceptions, tested since compare_to
    pass_rate_trend: pd.DataFrame      # quarter_end, tested, passed, pass_rate
    calendar: pd.DataFrame             # date, what, audit_id, audit_type, framework, detail (next 12 months)
    in_progress: pd.DataFrame          # audits (fieldwork or SOC period) under way on the date
    findings_open: pd.DataFrame        # grade x age bucket counts
    findings_overdue: pd.DataFrame     # open findings past their due date
    burndown: pd.DataFrame             # as_of (month ends), open, overdue, raised, closed
    compared: bool = True              # compliance data was imported on or before compare_to: else no changes to show
    data_dated: dt.date | None = None  # the latest compliance import on or before as_of (a period end may be later)
    controls_held: int = 0             # controls in the control register on as_of
    findings_since: dt.date | None = None  # the first findings register's date on or before as_of (None: none by then)

    @property
    def no_control_coverage(self) -> str | None:
        """Said above the coverage heatmap when no applicable requirement is covered by a control:
        a store with an SoA and no control register read '0/37' in red in every cell and 'Covered
        by a control 0' on every tile, beside an SoA that says 64 controls are implemented."""
        if self.coverage.empty or int(self.coverage["covered"].sum()) > 0:
            return None
        if self.controls_held:  # a register is there, but none of its controls names a requirement
            return (f"No applicable requirement is covered by a control yet: the control register holds "
                    f"{self.controls_held:,} control{'s' if self.controls_held != 1 else ''}, but none names a "
                    "requirement of these frameworks, and coverage counts the controls mapped to each requirement "
                    "(the register's Requirements column, such as ISO27001-2022:A.8.5); the SoA's own implementation "
                    "status does not cover one. Add these frameworks' requirements to that column (or the column to the "
                    "register) and import it again.")
        return ("No applicable requirement is covered by a control yet: coverage counts the controls of the control "
                "register mapped to each requirement (its Requirements column), and the SoA's own "
                "implementation status does not cover one. Import a control register to fill this in.")

    @property
    def burndown_from(self) -> str | None:
        """Said under the findings chart when the findings register began within its months: the
        chart starts there. Before, the months without a register read 0 open and the month of the
        first import 15, beside the same findings listed 220 to 318 days overdue."""
        first = self.findings_since
        if first is None:  # none by the date (one may come later): the zeros are no count of findings
            return f"No findings register by {self.as_of.day} {self.as_of:%B %Y}: the chart counts none."
        if first <= month_end(add_months(self.as_of, -(BURNDOWN_MONTHS - 1))):
            return None
        return (f"The findings register begins on {first.day} {first:%B %Y}: the months before it hold no register, "
                "so the chart starts there (a finding's age counts from the day it was raised).")

    @property
    def findings_unplaced(self) -> str | None:
        """Said beside the frameworks' figures when some open findings name no framework shown there
        (none given, or one not in scope): a CAPA tracker's findings counted in the headline ('15
        audit findings are open') while every framework's tiles and the pack's table read 0."""
        every = int(self.findings_open["total"].sum()) if "total" in self.findings_open else 0
        tiled = int(sum(self.totals[g].sum() for g in ("open_major", "open_minor", "open_observation", "open_ofi")))
        if every <= tiled:
            return None
        return (f"{every - tiled:,} of the {every:,} open findings name no framework shown here (none given, or one "
                "not in scope): the headline and the Findings section count them, no framework's figures do.")

    @property
    def no_test_results(self) -> str | None:
        """The sentence that stands for the pass-rate chart when no control test has a result by the
        date (an empty chart of two axes told nothing)."""
        trend = self.pass_rate_trend
        if not trend.empty and int(trend["tested"].sum()) > 0:
            return None
        return ("No control test has a result by this date, so there is no pass rate to draw. A control test log "
                "(control, period, result) brings them.")

    def cell(self, framework: str, family: str) -> pd.DataFrame:
        """The requirements of one heatmap cell, with their controls: what clicking it lists."""
        r = self.requirements
        return r[(r.framework == framework) & (r.family == family) & r.applicable].reset_index(drop=True)

    def as_json(self) -> dict:
        """What `python -m isms compliance --json` prints: the figures the page shows."""
        def rows(df: pd.DataFrame) -> list[dict]:
            return [{k: _plain(v) for k, v in r.items()} for r in df.to_dict("records")]

        totals = self.totals
        if not self.compared:  # nothing imported by compare_to: no change to show, as the page shows none
            totals = totals.assign(**{f"{f}_change": None for f in FIGURES})
        return {"as_of": self.as_of.isoformat(), "compare_to": self.compare_to.isoformat(), "compared": self.compared,
                "frameworks": rows(totals), "coverage": rows(self.coverage),
                "testing": {k: _plain(v) for k, v in self.testing.items()},
                "pass_rate_trend": rows(self.pass_rate_trend), "calendar": rows(self.calendar),
                "in_progress": rows(self.in_progress), "findings_open": rows(self.findings_open),
                "findings_overdue": rows(self.findings_overdue), "burndown": rows(self.burndown)}


def _plain(v):
    if isinstance(v, pd.Timestamp):
        return v.date().isoformat()
    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat()[:10]
    if hasattr(v, "item"):
        return v.item()
    if isinstance(v, float) and v != v:
        return None
    return v


def _dates(df: pd.DataFrame, *cols: str) -> pd.DataFrame:
    for c in cols:
        if c in df:
            # object column of dates or None (an all-NULL column must not stay NaT)
            df[c] = pd.Series([None if pd.isna(v) else pd.Timestamp(v).date() for v in df[c]], index=df.index, dtype=object)
    return df


def review_dates(con: duckdb.DuckDBPyConnection) -> list[dt.date]:
    """The dates compliance data was imported for, newest first."""
    return reads.review_dates(con)


def period_ends(imported: list[dt.date], series: MeetingSeries, today: dt.date) -> list[dt.date]:
    """The meeting series' period ends from the first import to `today`, oldest first. The Compliance
    forum meets every two months while its data is imported quarterly: a meeting reviewing 31 October
    must be prepared as of 31 October (the registers of the latest import before it, the tests and
    findings due by then), which the import dates alone left out."""
    if not imported:
        return []
    ends, end = [], series.period_end(min(imported))
    while end <= today:
        ends.append(end)
        end = series.next_period_end(end)
    return ends


def offered_dates(imported: list[dt.date], series: MeetingSeries, today: dt.date) -> list[dt.date]:
    """What the page offers, newest first: the import dates and the series' period ends."""
    return sorted(set(imported) | set(period_ends(imported, series, today)), reverse=True)


def default_compare(as_of: dt.date, imported: list[dt.date], periods: list[dt.date]) -> dt.date | None:
    """A period end is compared with the period end before it, as the meeting's pack says ("new
    since 31 August"); an import date with the import before it. None: nothing earlier."""
    earlier = [d for d in (periods if as_of in periods and as_of not in imported else imported) if d < as_of]
    return max(earlier, default=None)


def default_as_of(imported: list[dt.date], periods: list[dt.date]) -> dt.date:
    """The date the page and the pack open on: the latest period end of the Compliance series, when
    no import is newer, else the latest import. A pack as of a quarter end (30 September) carried
    the agenda of the meeting reviewing the bi-monthly period to 31 October ("new since 31 August"),
    its figures another period's; as of the period end, the figures and the agenda are one period's."""
    latest = max(imported)
    return max(periods) if periods and max(periods) >= latest else latest


def framework_options(con: duckdb.DuckDBPyConnection, as_of: dt.date | None) -> list[str]:
    """Every framework the page may put in scope: shipped and imported catalogs."""
    from isms.store import compliance as store

    return [f["framework"] for f in store.frameworks(con, as_of)] if as_of else []


def opening_dates(con: duckdb.DuckDBPyConnection, series: MeetingSeries, today: dt.date,
                  as_of: dt.date | None = None) -> tuple[dt.date, dt.date] | None:
    """The page's default date (`default_as_of`) and its comparison (`default_compare`; for a
    chosen `as_of`, that date's), for a pack built without them; None before any compliance import."""
    imported = review_dates(con)
    if not imported:
        return None
    periods = period_ends(imported, series, today)
    as_of = as_of or default_as_of(imported, periods)
    return as_of, default_compare(as_of, imported, periods) or previous_quarter_end(as_of)


def default_dates(today: dt.date) -> tuple[dt.date, dt.date]:
    """The last quarter end on or before today, compared with the one before (reviews are bi-monthly
    or quarterly; the comparison is the page's to change)."""
    as_of = quarter_end(today) if quarter_end(today) == today else previous_quarter_end(today)
    return as_of, previous_quarter_end(as_of)


def build(con: duckdb.DuckDBPyConnection, as_of: dt.date, compare_to: dt.date,
          frameworks: list[str] | None = None) -> ComplianceBundle:
    scope = list(frameworks) if frameworks else reads.frameworks_in_scope(con, as_of)
    now = reads.framework_totals(con, as_of, scope).set_index("framework")
    then = reads.framework_totals(con, compare_to, scope).set_index("framework")
    totals = now.reindex(scope)
    for f in FIGURES:
        totals[f] = totals[f].fillna(0).astype(int)
        totals[f"{f}_change"] = totals[f] - then[f].reindex(scope).fillna(0).astype(int)
    totals["has_soa"] = totals["has_soa"].fillna(False).astype(bool)
    totals = totals.reset_index()
    req = reads.requirement_state(con, as_of, scope)
    # the first review on record: a change from nothing would read '+65 effective' (the Risk Review's rule)
    imported = reads.review_dates(con)
    compared = any(d <= compare_to for d in imported)
    return ComplianceBundle(as_of, compare_to, scope, totals, _coverage(req), req,
                            *_testing(con, as_of, compare_to), *_calendar(con, as_of), *_findings(con, as_of),
                            compared=compared, data_dated=max((d for d in imported if d <= as_of), default=None),
                            controls_held=reads.controls_held(con, as_of),
                            findings_since=reads.first_register(con, "findings", as_of))


def _coverage(req: pd.DataFrame) -> pd.DataFrame:
    app = req[req.applicable]
    if app.empty:
        return pd.DataFrame(columns=["framework", "family", "applicable", "covered", "effective", "share_effective"])
    out = app.groupby(["framework", "family"], sort=True).agg(
        applicable=("ref", "size"), covered=("controls", lambda s: int(sum(len(v) > 0 for v in s))),
        effective=("effective_controls", lambda s: int(sum(len(v) > 0 for v in s)))).reset_index()
    out["share_effective"] = out["effective"] / out["applicable"]
    return out


def _testing(con, as_of: dt.date, compare_to: dt.date):
    t = _dates(reads.tests(con, as_of), "period", "due_on", "tested_on")
    untested = t[t.result.isna()]
    window = as_of + dt.timedelta(days=DUE_WINDOW_DAYS)
    overdue = untested[untested.due_on <= as_of]
    due = untested[(untested.due_on > as_of) & (untested.due_on <= window)]
    tested = t[t.result.notna()]
    this_period = tested[(tested.tested_on > compare_to) & (tested.tested_on <= as_of)]
    # the worst first: a failed test above those that passed with exceptions (sorted by its word, the
    # one failure of fifteen came last, and the meeting-room table of eight rows left it out)
    failed = this_period[this_period.result.isin(["Fail", "Exceptions"])]
    failed = failed.assign(_worst=failed.result.ne("Fail")).sort_values(["_worst", "control_id", "period"]).drop(columns="_worst")
    quarters = [quarter_end(add_months(as_of, -3 * k)) for k in range(TREND_QUARTERS - 1, -1, -1)]
    trend = []
    for q in quarters:
        start = add_months(q, -2).replace(day=1)
        inq = tested[(tested.tested_on >= start) & (tested.tested_on <= min(q, as_of))]
        passed = int((inq.result == "Pass").sum())
        trend.append({"quarter_end": q, "tested": len(inq), "passed": passed,
                      "pass_rate": passed / len(inq) if len(inq) else None})
    summary = {"due": len(due), "overdue": len(overdue), "failed": int((this_period.result == "Fail").sum()),
               "exceptions": int((this_period.result == "Exceptions").sum()), "tested": len(this_period),
               "pass_rate": (int((this_period.result == "Pass").sum()) / len(this_period)) if len(this_period) else None,
               "due_window_days": DUE_WINDOW_DAYS}
    due_list = pd.concat([overdue.assign(state="Overdue"), due.assign(state="Due")], ignore_index=True)
    return summary, due_list.sort_values(["due_on", "control_id"]).reset_index(drop=True), \
        failed.reset_index(drop=True), pd.DataFrame(trend)


def _calendar(con, as_of: dt.date):
    a = _dates(reads.register(con, "audits", as_of), "starts_on", "ends_on", "period_start", "period_end",
               "certificate_issued_on", "certificate_expires_on")
    end = as_of + dt.timedelta(days=CALENDAR_DAYS)
    events = []
    for r in a.to_dict("records"):
        base = {"audit_id": r["audit_id"], "audit_type": r["audit_type"], "framework": r["framework"],
                "auditor": r["auditor"]}
        if r["starts_on"] and as_of < r["starts_on"] <= end:
            events.append({"date": r["starts_on"], "what": "Audit starts", **base})
        if r["period_end"] and as_of < r["period_end"] <= end:
            events.append({"date": r["period_end"], "what": "Audit period ends", **base})
        if r["certificate_expires_on"] and as_of < r["certificate_expires_on"] <= end:
            events.append({"date": r["certificate_expires_on"], "what": "Certificate expires", **base})
    cal = pd.DataFrame(events, columns=["date", "what", "audit_id", "audit_type", "framework", "auditor"])
    cal = cal.sort_values(["date", "audit_id"]).reset_index(drop=True)
    fieldwork = a.starts_on.map(lambda d: d is not None and d <= as_of).astype(bool) & \
        a.ends_on.map(lambda d: d is not None and d >= as_of).astype(bool)
    period = a.period_start.map(lambda d: d is not None and d <= as_of).astype(bool) & \
        a.period_end.map(lambda d: d is not None and d >= as_of).astype(bool)
    running = a.loc[fieldwork | period][["audit_id", "audit_type", "framework", "starts_on", "ends_on", "period_start",
                                     "period_end", "auditor"]].reset_index(drop=True)
    return cal, running


def _findings(con, as_of: dt.date):
    f = _dates(reads.register(con, "findings", as_of), "raised_on", "due_on", "closed_on")
    openf = f[f.status.isin(reads.OPEN)].copy()
    openf["age_days"] = [(as_of - d).days for d in openf.raised_on]
    counts = []
    for grade in GRADES:
        mine = openf[openf.grade == grade]
        row = {"grade": grade}
        for lo, hi, label in AGE_BUCKETS:
            row[label] = int(((mine.age_days >= lo) & (mine.age_days <= hi)).sum())
        row["total"] = len(mine)
        counts.append(row)
    overdue = openf.loc[openf.due_on.map(lambda d: d is not None and d < as_of).astype(bool)]
    overdue = overdue.assign(days_overdue=[(as_of - d).days for d in overdue.due_on]).sort_values(
        ["days_overdue", "finding_id"], ascending=[False, True]).reset_index(drop=True)
    months = month_ends(add_months(as_of, -(BURNDOWN_MONTHS - 1)), as_of)
    months = [m for m in months if m < month_end(as_of)] + [as_of]
    first = reads.first_register(con, "findings", as_of)
    if first is not None:  # no month before the first findings register: not 'none open' but not known
        months = [m for m in months if m >= first] or [as_of]
    burndown = _dates(reads.open_findings_by_month(con, months), "as_of")
    return pd.DataFrame(counts), overdue, burndown


def mapping_suggestions(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> pd.DataFrame:
    """Links that imported framework mappings suggest for the controls as of a date, with the
    analysts' decisions (isms.store.mapping_suggestions); none is applied until accepted."""
    from isms.store import mapping_suggestions as store

    return _dates(store.suggestions(con, as_of), "decided_on")
