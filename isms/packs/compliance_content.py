"""The Compliance review pack's sections, read from the same bundle as its page
(isms.views.compliance.build), registered in isms.packs.content.SECTIONS."""

from __future__ import annotations

import pandas as pd

from isms import headline, method
from isms.charts_compliance import coverage_heatmap, family_key, findings_burndown, pass_rate_trend
from isms.dates import long_date, month_name
from isms.packs.model import ChartSection, MethodSection, NativeSeries, Section, TableSection
from isms.views import compliance, pack_inputs
from isms.shares import change_text


def _bundle(ctx) -> compliance.ComplianceBundle:
    return ctx.memo("compliance", lambda: compliance.build(ctx.con, ctx.as_of, ctx.compare_to,
                                                           list(ctx.filters) if ctx.filters else None))


def _signed(v: int) -> str:
    return change_text(v)


def frameworks_table(bundle: compliance.ComplianceBundle) -> pd.DataFrame:
    """The per-framework figures as the page and the pack show them."""
    t = bundle.totals

    def changed(now, change) -> list[str]:  # the first review on record: no '(+65)' from nothing
        return [f"{n} ({_signed(d)})" if bundle.compared else f"{n}" for n, d in zip(now, change)]

    return pd.DataFrame({
        "Framework": t.framework,
        "Applicable": [f"{a} of {r}" for a, r in zip(t.applicable, t.requirements)],
        "Covered": changed(t.covered, t.covered_change),
        "Effective": changed(t.effective, t.effective_change),
        "Share effective": [f"{e / a:.0%}" if a else "–" for e, a in zip(t.effective, t.applicable)],
        "Open findings (major / minor / obs. / OFI)": [
            f"{a} / {b} / {c} / {d}" for a, b, c, d in zip(t.open_major, t.open_minor, t.open_observation, t.open_ofi)],
    })


def _frameworks(ctx) -> Section:
    b = _bundle(ctx)
    return TableSection("frameworks", f"Compliance by framework, {long_date(ctx.as_of)}", frameworks_table(b),
                        note=(f"Changes since {long_date(ctx.compare_to)} in brackets." if b.compared else
                              "The first review on record: nothing earlier to compare with.")
                        + " Effective: covered by a control whose last test passed."
                        + (f" {b.findings_unplaced}" if b.findings_unplaced else ""),
                        summary=headline.compliance(b).sentence)


def _coverage(ctx) -> Section:
    b = _bundle(ctx)
    return ChartSection("coverage", "Coverage by framework and family", coverage_heatmap(b.coverage),
                        note=" ".join(["Effective / applicable requirements in each family or theme.",
                                       *(f"{line}." for line in family_key(b.coverage, b.requirements)),
                                       b.no_control_coverage or ""]).strip())


def _testing(ctx) -> Section:
    b = _bundle(ctx)
    t = b.pass_rate_trend
    s = b.testing
    if b.no_test_results:  # the page's sentence, not an empty chart of two axes
        from isms.packs.content import said_instead

        return said_instead("testing", "Control test pass rate per quarter", b.no_test_results)
    # an image on the slide too: the bars of tests with a result, on a second axis under the pass
    # rate, are a combination python-pptx's charts cannot draw (the editable chart lost them)
    return ChartSection("testing", "Control test pass rate per quarter", pass_rate_trend(t),
                        note=f"{s['tested']} tests since {long_date(ctx.compare_to)}: {s['failed']} failed, "
                             f"{s['exceptions']} with exceptions; {s['overdue']} overdue, {s['due']} due within "
                             f"{s['due_window_days']} days.")


def _failed(ctx) -> Section:
    b = _bundle(ctx)
    rows = pd.concat([b.tests_failed.assign(state=b.tests_failed.result),
                      b.tests_due[b.tests_due.state == "Overdue"]], ignore_index=True)
    frame = pd.DataFrame({"Control": rows.control_id, "Name": rows.control_name, "Period": rows.period.astype(str),
                          "State": rows.state, "Owner": rows.owner})
    return TableSection("failed_tests", "Failed, excepted and overdue control tests", frame,
                        empty_text="No failed, excepted or overdue tests.")


def _calendar(ctx) -> Section:
    b = _bundle(ctx)
    frame = pd.DataFrame({"Date": b.calendar.date.astype(str), "What": b.calendar.what, "Audit": b.calendar.audit_type,
                          "Framework": b.calendar.framework, "Auditor": b.calendar.auditor})
    running = ", ".join(f"{r.audit_type} ({r.audit_id})" for r in b.in_progress.itertuples()) or "none"
    return TableSection("calendar", "Audit and certification calendar, next 12 months", frame,
                        note=f"Under way on {long_date(ctx.as_of)}: {running}.", empty_text="Nothing in the next 12 months.")


def _findings(ctx) -> Section:
    b = _bundle(ctx)
    o = b.findings_overdue
    frame = pd.DataFrame({"Finding": o.finding_id, "Title": o.title, "Grade": o.grade, "Owner": o.owner,
                          "Due": o.due_on.astype(str), "Days overdue": o.days_overdue})
    total = int(b.findings_open["total"].sum())
    return TableSection("findings", "Overdue audit findings", frame, note=f"{total} finding{'' if total == 1 else 's'} open in all.",
                        empty_text="No finding is past its due date.")


def _burndown(ctx) -> Section:
    b = _bundle(ctx)
    d = b.burndown
    cats = tuple(month_name(x) for x in d["as_of"])
    return ChartSection("burndown", "Open audit findings by month", findings_burndown(d), native_kind="line",
                        categories=cats, series=(NativeSeries("open", tuple(float(v) for v in d["open"])),
                                                 NativeSeries("overdue", tuple(float(v) for v in d["overdue"]))),
                        number_format="0", y_min=0, note=b.burndown_from or "")


def _method(ctx) -> Section:
    batches = pack_inputs.batches_read(ctx.con, ctx.as_of, compliance=True)
    lines = [
        ("Applicable", "the framework's SoA says so; a framework without an SoA has all its requirements applicable"),
        ("Covered", "cited by at least one Implemented or Partially implemented control"),
        ("Effective", "covered by a control whose last test result, known on the date, is Pass"),
        ("Open finding", "Open or Remediated (not yet verified); overdue when past its due date"),
        ("Data as of", f"{ctx.as_of:%Y-%m-%d}, compared with {ctx.compare_to:%Y-%m-%d}"),
    ]
    lines += [method.source_line(b.batch_id, b.file_name, b.as_of, b.sha256) for b in batches[:6]]
    if len(batches) > 6:
        lines.append((f"{len(batches) - 6} earlier batches", "every batch is listed in the Import history"))
    return MethodSection("method", "Appendix: method and data", tuple(lines))


SECTIONS = [
    ("frameworks", "Compliance by framework", _frameworks),
    ("coverage", "Coverage heatmap", _coverage),
    ("testing", "Control test pass rate", _testing),
    ("failed_tests", "Failed and overdue tests", _failed),
    ("calendar", "Audit calendar", _calendar),
    ("findings", "Overdue findings", _findings),
    ("burndown", "Findings burndown", _burndown),
    ("method", "Appendix: method", _method),
]
