"""What goes into each meeting's pack, built from the same functions the pages call.

Every section has a key (for choosing and saving the selection) and a builder. The builders read
the page's view bundle and the posture functions, never their own versions of a figure.
"""

from __future__ import annotations

import datetime as dt
from numbers import Integral
from dataclasses import dataclass
from typing import Callable

import duckdb
import pandas as pd

from isms import shown
from isms import charts, headline, method, organisation
from isms.config import Settings
from isms.dates import add_months, long_date, month_end, month_name, quarter_name, short_date
from isms.filters import RiskFilter
from isms.kri import format_value
from isms.packs import MEETINGS
from isms.packs.agenda_content import framed
from isms.packs.model import (
    ChartSection, HeatmapSection, MethodSection, NativeSeries, Pack, ScorecardRow, ScorecardSection, Section,
    TableSection,
)
from isms.posture import Scorecard
from isms.shares import change_text, percent_text, points, points_text
from isms.views import pack_inputs, risk_review, security_health


@dataclass
class Context:
    con: duckdb.DuckDBPyConnection
    settings: Settings
    as_of: dt.date
    compare_to: dt.date
    filters: object
    _cache: dict
    meeting: str = ""

    def memo(self, key: str, fn: Callable):
        if key not in self._cache:
            self._cache[key] = fn()
        return self._cache[key]


def _fmt_delta(v: float | None) -> str:
    if v is None:
        return ""
    return change_text(v) if isinstance(v, Integral) or float(v).is_integer() else f"{v:+,.0f}"


def _count(v) -> str:
    """A count as the headline writes it ('1,300'), so a pack's table and its sentence read alike."""
    return f"{int(v):,}" if isinstance(v, Integral) and not isinstance(v, bool) else str(v)


MAX_ROWS = 25  # a meeting reads the worst of a list; the rest is counted in the note


def _top(frame: pd.DataFrame, what: str) -> tuple[pd.DataFrame, str]:
    if len(frame) <= MAX_ROWS:
        return frame.reset_index(drop=True), ""
    return frame.head(MAX_ROWS).reset_index(drop=True), f"The first {MAX_ROWS} of {len(frame)} {what}."


# -- Risk Review ------------------------------------------------------------------------------

def _rr_bundle(ctx: Context) -> risk_review.RiskReviewData:
    filters = ctx.filters if isinstance(ctx.filters, RiskFilter) else RiskFilter()
    return ctx.memo("rr", lambda: risk_review.build(ctx.con, ctx.settings, ctx.as_of, ctx.compare_to, filters))


def _judge(delta: float | None, worse_up: bool | None) -> str:
    """'worse' or 'better' for a change, as the page's tiles colour it; '' for none or no direction."""
    if not delta or worse_up is None:
        return ""
    return "worse" if (delta > 0) == worse_up else "better"


def _row(label: str, now, before, delta: float | None, worse_up: bool | None, *, shown=_count) -> ScorecardRow:
    return ScorecardRow(label, shown(now), shown(before), _fmt_delta(delta), _judge(delta, worse_up))


def _share_row(label: str, now, before, worse_up: bool | None) -> ScorecardRow:
    """A row of shares: its change in points between the two percents it shows (isms.shares)."""
    change = points(now, before)
    return ScorecardRow(label, percent_text(now), percent_text(before), points_text(change) or "", _judge(change, worse_up))


def posture_rows(card: Scorecard, warning_days: int) -> list[ScorecardRow]:
    """The risk scorecard's rows (levels, exposure, appetite, treatments, exceptions): the Risk
    Review pack's and, year end against year end, the Management review pack's."""
    cur, prev = card.current, card.previous
    appetite_rank = card.levels.index(card.appetite)
    rows = [_row(f"{lvl} risks", cur.residual_by_level[lvl], prev.residual_by_level[lvl], card.level_delta(lvl),
                 True if card.levels.index(lvl) > appetite_rank else None)
            for lvl in reversed(card.levels)]
    rows += [
        _row("Residual exposure", cur.residual_exposure, prev.residual_exposure, card.delta("residual_exposure"), True),
        _share_row(f"Within appetite ({card.appetite} or below)", cur.within_appetite_share, prev.within_appetite_share,
                   False),
        _row("Above appetite, no treatment or exception", cur.above_appetite_unaddressed, prev.above_appetite_unaddressed,
             card.delta("above_appetite_unaddressed"), True),
        _row("Treatments late", cur.treatments.late, prev.treatments.late, cur.treatments.late - prev.treatments.late, True),
        _row("Treatments overdue", cur.treatments.overdue, prev.treatments.overdue,
             cur.treatments.overdue - prev.treatments.overdue, True),
        _row(f"Exceptions expiring within {warning_days} days", cur.exceptions_expiring,
             prev.exceptions_expiring, cur.exceptions_expiring - prev.exceptions_expiring, True),
        _row("Exceptions expired but open", cur.exceptions_expired_open, prev.exceptions_expired_open,
             cur.exceptions_expired_open - prev.exceptions_expired_open, True),
    ]
    if not card.compared:  # the first review on record: nothing earlier, so no change (the page's tiles show none)
        rows = [ScorecardRow(row.label, row.value, "–", "") for row in rows]
    return rows


def _risk_scorecard(ctx: Context) -> Section:
    data = _rr_bundle(ctx)
    rows = posture_rows(data.scorecard, ctx.settings.exception_warning_days)
    scope = f" Filtered: {said}." if (said := scope_of(data.filters)) else ""
    return ScorecardSection("scorecard", f"Risk scorecard, {long_date(ctx.as_of)}", tuple(rows),
                            note=(f"Compared with {long_date(ctx.compare_to)}." if data.scorecard.compared
                                  else "The first review on record: nothing earlier to compare with.") + scope,
                            summary=headline.risk_review(data, ctx.settings.matrix.appetite).sentence)


def _heatmap(ctx: Context) -> Section:
    m = ctx.settings.matrix
    cells = _rr_bundle(ctx).cells_for("residual")
    counts = {(int(r.likelihood), int(r.impact)): int(r.risks) for r in cells.itertuples()}
    lik = range(m.steps_likelihood, 0, -1)
    return HeatmapSection(
        "heatmap", "Residual risk heatmap",
        row_labels=tuple(f"{i} {m.likelihood_labels[i - 1]}" for i in lik),
        column_labels=tuple(f"{i} {m.impact_labels[i - 1]}" for i in range(1, m.steps_impact + 1)),
        counts=tuple(tuple(counts.get((li, im), 0) for im in range(1, m.steps_impact + 1)) for li in lik),
        colours=tuple(tuple(m.colour(m.level(li, im)) for im in range(1, m.steps_impact + 1)) for li in lik),
        note="Open, assessed risks per cell of the matrix (likelihood down, impact across).",
        figure=charts.selectable_heatmap(m, cells, f"Residual risk heatmap, {short_date(ctx.as_of)}"),
    )


def _level_trend(ctx: Context) -> Section:
    m = ctx.settings.matrix
    counts = _rr_bundle(ctx).level_trend
    dates = sorted(set(counts["as_of"]))
    series = []
    for level, colour in zip(m.levels, m.colours):
        part = counts[counts["level"] == level]
        per = dict(zip(part["as_of"], part["risks"]))
        series.append(NativeSeries(level, tuple(float(per.get(d, 0)) for d in dates), colour))
    return ChartSection("level_trend", "Residual risks by level per quarter", charts.level_trend(m, counts),
                        native_kind="column_stacked", categories=tuple(quarter_name(d) for d in dates),
                        series=tuple(series), number_format="0")


def _exposure_trend(ctx: Context) -> Section:
    totals = _rr_bundle(ctx).totals_trend
    series = (
        NativeSeries("Inherent exposure", tuple(float(v) for v in totals["inherent_exposure"]), charts.SERIES["inherent"]),
        NativeSeries("Residual exposure", tuple(float(v) for v in totals["residual_exposure"]), charts.SERIES["residual"]),
    )
    return ChartSection("exposure_trend", "Exposure: inherent against residual",
                        charts.quarterly_exposure_trend(totals), native_kind="line",
                        categories=tuple(quarter_name(d) for d in totals["as_of"]), series=series, number_format="0", y_min=0,
                        note="Sum of likelihood x impact over open, assessed risks; the gap is what controls take away.")


def said_instead(key: str, title: str, sentence: str) -> Section:
    """The page's sentence where it shows no chart (no treatment tracked, no register yet, no test
    result): an empty chart on a slide told nothing."""
    return TableSection(key, title, pd.DataFrame(), empty_text=sentence)


def _progress(ctx: Context) -> Section:
    data = _rr_bundle(ctx)
    if data.no_treatment_progress:
        return said_instead("treatment_progress", "Treatment progress against plan", data.no_treatment_progress)
    df = data.treatment_trend
    df = df[pd.to_datetime(df["as_of"]) > pd.Timestamp(add_months(ctx.as_of.replace(day=1), -12))]
    months = pd.to_datetime(df["as_of"])
    shown = f"{months.min():%B %Y} to {months.max():%B %Y}" if len(months) else "The last 12 months"
    # the page's figure, drawn as an image on the slide too: its late and overdue bars sit on a
    # second axis under the two lines, a combination python-pptx's charts cannot draw (the
    # editable chart had only the lines, and the deck lost what the page and the PDF show)
    return ChartSection("treatment_progress", "Treatment progress against plan", charts.treatment_progress_trend(df),
                        note=f"{shown}, each month's end (the page shows the whole history). Percent complete weighted "
                             "by planned duration; the plan is linear from start to due date. Bars: treatments late "
                             "and overdue at each month end.")


def _exposure_plan(ctx: Context) -> Section:
    data = _rr_bundle(ctx)
    if data.no_treatment_progress:
        return said_instead("exposure_plan", "Residual exposure: actual against plan", data.no_treatment_progress)
    return ChartSection("exposure_plan", "Residual exposure: actual against plan",
                        charts.exposure_projection(data.totals_trend, data.projection, data.compare_to),
                        note=f"The plan is the exposure the treatments' due dates implied on {long_date(data.compare_to)}: "
                             "each risk falls to its target once the last of its active treatments is due.")


def _top_risks(ctx: Context) -> Section:
    data = _rr_bundle(ctx)
    top = data.top_risks
    m = ctx.settings.matrix
    frame = pd.DataFrame({
        "Risk": top["risk_id"], "Title": top["title"], "Owner": top["owner"], "Level": top["residual_level"],
        "Score": top["residual_score"].astype(int),
        "Was": [f"{lvl} ({int(sc)})" if isinstance(lvl, str) else "new" for lvl, sc in
                zip(top["previous_level"], top["previous_score"].fillna(0))],
        "Treatment": top["decisions"].fillna("–"),
        "Complete": top["percent_complete"].map(shown.percent_complete),
        # '–' for none, as the page's Overdue column writes it (a column of '0' read as a figure)
        "Days overdue": top["days_overdue"].map(shown.days_overdue),
    })
    if not data.scorecard.compared:  # the first review on record: each risk 'was' what it is
        frame = frame.drop(columns="Was")
    return TableSection("top_risks", "Top risks by residual score", frame.reset_index(drop=True),
                        level_column="Level", level_colours=m.level_colours)


def _changes(ctx: Context) -> Section:
    data = _rr_bundle(ctx)
    ch = data.changes
    m = ctx.settings.matrix
    frame = pd.DataFrame({
        "Change": ch["change"], "Risk": ch["risk_id"], "Title": ch["title"], "Owner": ch["owner"],
        "From": ch["from_level"].fillna("–"), "To": ch["to_level"].fillna("–"),
    })
    frame, note = _top(frame, "changes")
    if not data.scorecard.compared:
        return TableSection("changes", "Changes", frame, note=note,
                            empty_text="The first review on record: what moved shows once a later register is imported.")
    return TableSection("changes", f"Changes since {long_date(ctx.compare_to)}", frame, note=note,
                        empty_text="No risk was added, closed, escalated or de-escalated.",
                        level_column=("From", "To"), level_colours=m.level_colours)


def _appetite(ctx: Context) -> Section:
    above = _rr_bundle(ctx).above_appetite
    m = ctx.settings.matrix
    above = above.sort_values(["unaddressed", "residual_score"], ascending=[False, False])
    frame = pd.DataFrame({
        "Risk": above["risk_id"], "Title": above["title"], "Owner": above["owner"], "Level": above["residual_level"],
        "Score": above["residual_score"].astype(int), "Active treatments": above["active_treatments"].astype(int),
        "Granted exceptions": above["granted_exceptions"].astype(int),
        # what the meeting must decide on, said plainly: nobody has addressed it, or it was accepted
        # although above appetite ('yes (accepted)' read as a contradiction)
        "Decision needed": above["unaddressed"].map({True: "No decision", False: ""}).where(
            ~(above["unaddressed"] & above["accepted"]), "Accepted above appetite"),
    })
    frame, note = _top(frame, "risks above appetite, those needing a decision first")
    note = " ".join(filter(None, [headline.above_appetite(above, m.appetite), note]))
    return TableSection("appetite", f"Risks above appetite ({m.appetite})", frame, note=note,
                        level_column="Level", level_colours=m.level_colours)


def _behind_table(late: pd.DataFrame, not_counted: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    late = late.sort_values(["days_overdue", "due_on"], ascending=[False, True])
    frame = pd.DataFrame({
        "Treatment": late["treatment_id"], "Risk": late["risk_id"],
        "What": late["description"].fillna("").map(lambda t: t if len(t) <= 70 else t[:69].rstrip() + "…"),
        "Owner": late["owner"], "Due": pd.to_datetime(late["due_on"]).dt.strftime("%Y-%m-%d"),
        "Complete": late["percent_complete"].round(0).astype(int).astype(str) + "%",
        "Planned": late["planned_percent"].round(0).astype(int).astype(str) + "%",
        # '–' for a late treatment not yet due, as the Top risks table writes it
        "State": late["state"], "Days overdue": late["days_overdue"].map(shown.days_overdue),
    })
    frame, note = _top(frame, "late or overdue treatments, most overdue first")
    return frame, " ".join(filter(None, [note, headline.closed_risks_unfinished(not_counted)]))


def _late_treatments(ctx: Context) -> Section:
    filters = _rr_bundle(ctx).filters
    behind = risk_review.treatments_behind(ctx.con, ctx.settings, ctx.as_of, filters)
    not_counted = risk_review.closed_risks_unfinished(ctx.con, ctx.as_of, filters)
    return TableSection("late_treatments", "Late and overdue treatments", *_behind_table(behind, not_counted))


def _exceptions(ctx: Context) -> Section:
    ex = _rr_bundle(ctx).exceptions
    m = ctx.settings.matrix
    frame = pd.DataFrame({
        # '–' for an exception of no risk, as every other table writes a blank
        "Exception": ex["exception_id"], "Policy": ex["policy"], "Risk": ex["risk_id"].fillna("–"),
        "Risk level": ex["risk_level"].fillna("–"),
        "Expires": pd.to_datetime(ex["expires_on"]).dt.strftime("%Y-%m-%d"),
        "When": ex["expires_in"], "Review": ex["window"],
    })
    frame, note = _top(frame, "exceptions, soonest expiry first")
    # the agenda judges each exception on the meeting's day, later than the figures' date: EX-005,
    # 'within 30 days, 9' here, was 'expired, no decision' on the agenda of 14 October
    note = " ".join(filter(None, [f"When: counted from {long_date(ctx.as_of)}, the figures' date; the agenda counts "
                                  "to the meeting's day.", note]))
    return TableSection("exceptions", "Policy exceptions for review", frame, note=note,
                        level_column="Risk level", level_colours=m.level_colours)


# -- Security Health --------------------------------------------------------------------------

def _sh_bundle(ctx: Context) -> security_health.SecurityHealthData:
    filters = ctx.filters if isinstance(ctx.filters, security_health.Filters) else security_health.Filters()
    return ctx.memo("sh", lambda: security_health.build(ctx.con, ctx.settings, ctx.as_of.replace(day=1),
                                                        ctx.compare_to.replace(day=1), filters))


def _late_overdue_row(data) -> ScorecardRow:
    """'Treatments late / overdue' as the page's tile writes it ('6 / 13'), with the comparison
    month end's from the month-end counts the exposure trend holds."""
    late, overdue = data.risk.late_and_overdue
    trend = data.risk.exposure_trend
    then = trend[pd.to_datetime(trend["as_of"]) == pd.Timestamp(month_end(data.compare_month))]
    before = "" if then.empty else f"{int(then['late'].iloc[0])} / {int(then['overdue'].iloc[0])}"
    return ScorecardRow("Treatments late / overdue", f"{late} / {overdue}", before, "")


def _kri_scorecard(ctx: Context) -> Section:
    data = _sh_bundle(ctx)
    cur, prev = data.counts, data.previous_counts
    worse = {"red": True, "amber": True, "green": False, "stale": True, "unrated": True}
    # unrated KRIs (results, no thresholds) only when there are any: the domain health counts them,
    # and the tiles must add up to the KRIs it counts (isms.views.security_health)
    said = [("red", "red"), ("amber", "amber"), ("green", "green"), ("stale (no result)", "stale")]
    said += [("unrated (no thresholds)", "unrated")] if cur.unrated or prev.unrated else []
    rows = [_row(f"KRIs {name}", getattr(cur, attr), getattr(prev, attr), getattr(cur, attr) - getattr(prev, attr),
                 worse[attr])
            for name, attr in said]
    rows += [
        ScorecardRow("Newly red", str(len(data.breaches.newly_red)), "", ""),
        ScorecardRow("Recovered", str(len(data.breaches.recovered)), "", ""),
        ScorecardRow("Residual exposure", _count(data.risk.exposure_now),
                     "" if data.exposure_before is None else _count(data.exposure_before),
                     "" if data.exposure_before is None else _fmt_delta(data.risk.exposure_now - data.exposure_before),
                     "" if data.exposure_before is None else _judge(data.risk.exposure_now - data.exposure_before, True)),
        ScorecardRow("Treatments completed this month", str(len(data.risk.completed)), "", ""),
        _late_overdue_row(data),
    ]
    if data.no_risk_register:  # no register at the month's end: no exposure, rather than '0'
        rows[-3:] = [ScorecardRow(row.label, "–", "–", "") for row in rows[-3:]]
    scope = f" Filtered: {said}." if (said := scope_of(data.filters)) else ""
    note = f"Compared with {ctx.compare_to:%B %Y}.{scope}"
    if not prev.with_results:  # the month before the first results: no change to show, as on the page's tiles
        rows[:4] = [ScorecardRow(row.label, row.value, "–", "") for row in rows[:4]]
        note = f"No KRI results for {ctx.compare_to:%B %Y} to compare with.{scope}"
    if data.no_risk_register:
        note += " " + data.no_risk_register
    return ScorecardSection("scorecard", f"Security health, {ctx.as_of:%B %Y}", tuple(rows),
                            note=note, summary=headline.security_health(data).sentence)


def _kri_trend(ctx: Context) -> Section:
    counts = _sh_bundle(ctx).status_by_month
    months = sorted(set(counts["period"]))
    series = []
    for status, colour in charts.KRI_COLOURS.items():
        part = counts[counts["status"] == status]
        if part.empty:
            continue
        per = dict(zip(part["period"], part["kris"]))
        series.append(NativeSeries(status.capitalize(), tuple(float(per.get(m, 0)) for m in months), colour))
    return ChartSection("kri_trend", "KRI status, last 12 months",
                        charts.kri_status_trend(counts, "KRI status, last 12 months"),
                        native_kind="column_stacked", categories=tuple(month_name(m) for m in months),
                        series=tuple(series), number_format="0")


def _domain_health(ctx: Context) -> Section:
    health = _sh_bundle(ctx).domain_health
    months = sorted(set(health["period"]))
    series = []
    for i, domain in enumerate(sorted(health["control_domain"].unique())):
        per = dict(zip(health.loc[health["control_domain"] == domain, "period"],
                       health.loc[health["control_domain"] == domain, "health"]))
        series.append(NativeSeries(domain, tuple(None if per.get(m) is None else round(100 * float(per[m]), 1)
                                                 for m in months),
                                   charts.DOMAIN_COLOURS[i % len(charts.DOMAIN_COLOURS)]))
    return ChartSection("domain_health", "Health index by control domain (share of KRIs green, %)",
                        charts.domain_health_trend(health, "Health index by control domain (share of KRIs green)"),
                        native_kind="line", categories=tuple(month_name(m) for m in months), series=tuple(series),
                        number_format="0")


def _kri_table(board: pd.DataFrame) -> pd.DataFrame:
    """Values and thresholds with their units, as the page's board prints them (kri.format_value)."""
    def fmt(column: str) -> list[str]:
        return [format_value(v, u) for v, u in zip(board[column], board["unit"])]

    return pd.DataFrame({
        "KRI": board["metric_id"], "Indicator": board["name"], "Domain": board["control_domain"],
        "Value": fmt("value"), "Amber at": fmt("amber"), "Red at": fmt("red"),
        "Months red": board["red_streak"].astype(int),
        "Owner": board["owner"].fillna(""),
    }).reset_index(drop=True)


def _kri_breaches(ctx: Context) -> Section:
    b = _sh_bundle(ctx).breaches
    newly = set(b.newly_red["metric_id"])
    frame = _kri_table(b.red)
    frame.insert(1, "New", ["new" if m in newly else "" for m in frame["KRI"]])
    frame, note = _top(frame, "KRIs in breach")
    recovered = ", ".join(f"{r.metric_id} {r.name}" for r in b.recovered.itertuples()) or "none"
    silent = ", ".join(f"{r.metric_id} {r.name}" for r in b.silenced.itertuples())
    note = " ".join(x for x in (note, f"Recovered since {ctx.compare_to:%B %Y}: {recovered}.",
                                f"Red in {ctx.compare_to:%B %Y}, no result since (stale, not recovered): {silent}."
                                if silent else "") if x)
    return TableSection("kri_breaches", "KRIs in breach (red), longest streak first", frame, note=note,
                        empty_text="No KRI is red this month.")


def _kri_amber(ctx: Context) -> Section:
    """The KRIs at amber: the watch list the page's board shows under the red ones, which a pack of
    breaches and stale KRIs alone left out."""
    board = _sh_bundle(ctx).board
    frame, note = _top(_kri_table(board[board["status"] == "amber"]).drop(columns=["Months red"]), "KRIs at amber")
    return TableSection("kri_amber", "KRIs at amber (watch)", frame, note=note, empty_text="No KRI is amber this month.")


def _kri_stale(ctx: Context) -> Section:
    board = _sh_bundle(ctx).board
    stale = board[board["status"] == "stale"]
    frame = _kri_table(stale).drop(columns=["Value", "Months red"])
    frame["Last result"] = pd.to_datetime(stale["result_month"]).dt.strftime("%b %Y").fillna("never").values
    frame, note = _top(frame, "stale KRIs")
    return TableSection("kri_stale", "Stale KRIs (no result for the month)", frame, note=note,
                        empty_text="Every KRI reported this month.")


def _exposure(ctx: Context) -> Section:
    data = _sh_bundle(ctx)
    if data.no_risk_register:  # the page's sentence, not twelve months of zeros
        return said_instead("exposure_trend", "Residual exposure by month", data.no_risk_register)
    trend = data.risk.exposure_trend
    cats = tuple(month_name(pd.Timestamp(d)) for d in trend["as_of"])
    series = (NativeSeries("Inherent", tuple(float(v) for v in trend["inherent_exposure"]), charts.SERIES["inherent"]),
              NativeSeries("Residual", tuple(float(v) for v in trend["residual_exposure"]), charts.SERIES["residual"]))
    return ChartSection("exposure_trend", "Residual exposure by month", charts.monthly_exposure_trend(trend), native_kind="line",
                        categories=cats, series=series, number_format="0", y_min=0,
                        note="Sum of likelihood x impact over open, assessed risks: the measured effect of treatments.")


def _treatments_behind(ctx: Context) -> Section:
    risk = _sh_bundle(ctx).risk
    return TableSection("late_treatments", "Late and overdue treatments", *_behind_table(risk.behind, risk.not_counted))


# -- Method -----------------------------------------------------------------------------------

def _method(ctx: Context) -> Section:
    batches = [(b.batch_id, b.file_name, b.as_of, b.sha256) for b in pack_inputs.batches_read(ctx.con, ctx.as_of)]
    shown, earlier = batches[:6], batches[6:]  # the latest six by name; the trends also read the earlier ones
    lines = [*method.terms(ctx.settings), ("Data as of", f"{ctx.as_of:%Y-%m-%d}, compared with {ctx.compare_to:%Y-%m-%d}")]
    lines += [method.source_line(*b) for b in shown]
    if earlier:
        lines.append((f"{len(earlier)} earlier batch{'' if len(earlier) == 1 else 'es'}",
                      f"as of {earlier[-1][2]:%Y-%m-%d} to {earlier[0][2]:%Y-%m-%d}, read by the trends; "
                      "every batch is listed in the Import history"))
    return MethodSection("method", "Appendix: method and data", tuple(lines))


SECTIONS: dict[str, list[tuple[str, str, Callable[[Context], Section]]]] = {
    "risk-review": [
        ("scorecard", "Scorecard", _risk_scorecard),
        ("heatmap", "Residual heatmap", _heatmap),
        ("top_risks", "Top risks", _top_risks),
        ("changes", "Changes since last review", _changes),
        ("level_trend", "Risks by level over time", _level_trend),
        ("exposure_trend", "Inherent against residual exposure", _exposure_trend),
        ("treatment_progress", "Treatment progress", _progress),
        ("exposure_plan", "Residual exposure against plan", _exposure_plan),
        ("appetite", "Risks above appetite", _appetite),
        ("late_treatments", "Late and overdue treatments", _late_treatments),
        ("exceptions", "Policy exceptions for review", _exceptions),
        ("method", "Appendix: method", _method),
    ],
    "security-health": [
        ("scorecard", "Scorecard", _kri_scorecard),
        ("kri_trend", "KRI status trend", _kri_trend),
        ("domain_health", "Health index by domain", _domain_health),
        ("kri_breaches", "KRIs in breach", _kri_breaches),
        ("kri_amber", "KRIs at amber", _kri_amber),
        ("kri_stale", "Stale KRIs", _kri_stale),
        ("exposure_trend", "Residual exposure trend", _exposure),
        ("late_treatments", "Late and overdue treatments", _treatments_behind),
        ("method", "Appendix: method", _method),
    ],
}


def _more_sections():
    from isms.packs.compliance_content import SECTIONS as compliance_sections
    from isms.packs.management_review_content import SECTIONS as review_sections

    return {"compliance": compliance_sections, "management-review": review_sections}


SECTIONS |= _more_sections()
SECTIONS = {meeting: framed(sections) for meeting, sections in SECTIONS.items()}


def section_choices(meeting: str) -> list[tuple[str, str]]:
    return [(key, label) for key, label, _ in SECTIONS[meeting]]


def default_dates(con: duckdb.DuckDBPyConnection, meeting: str, settings: Settings,
                  as_of: dt.date | None = None) -> tuple[dt.date, dt.date] | None:
    """The page's defaults: the latest quarter end (Risk Review; Compliance: its series' latest period
    end, `compliance.opening_dates`), month (Security Health) or closed year (Management review)."""
    if meeting == "management-review":
        from isms.views.management_review import review_years

        years = review_years(con)
        return (dt.date(years[0], 12, 31), dt.date(years[0] - 1, 12, 31)) if years else None
    if meeting == "compliance":
        from isms.views.compliance import opening_dates

        return opening_dates(con, settings.series("compliance"), dt.date.today(), as_of)
    if meeting == "risk-review":
        dates = risk_review.review_dates(con)  # the page's default: the latest register's quarter end
        if not dates:
            return None
        return dates[0], risk_review.compare_date(con, dates[0])
    months = security_health.months_with_results(con)
    if not months:
        return None
    return month_end(months[0]), month_end(add_months(months[0], -1))


def scope_of(filters: object) -> str:
    """What a page's filters kept, as the pack says it ('themes: A.8 Technological'); '' for none.
    The Compliance page's filter is the frameworks chosen (a tuple)."""
    if filters is None or isinstance(filters, tuple):
        return f"frameworks: {', '.join(filters)}" if filters else ""
    return "" if filters == type(filters)() else filters.describe()


def build_pack(con: duckdb.DuckDBPyConnection, settings: Settings, meeting: str, as_of: dt.date,
               compare_to: dt.date, sections: list[str] | None = None, filters: object = None) -> Pack:
    """The pack for one meeting and date; `filters` are the page's (its view module's Filters)."""
    if meeting not in SECTIONS:
        raise ValueError(f"unknown meeting {meeting!r}; choose one of {sorted(SECTIONS)}")
    if meeting == "security-health":
        as_of, compare_to = month_end(as_of), month_end(compare_to)
    if meeting == "management-review":  # a calendar year against the one before, whatever the date given
        from isms.views.management_review import review_years

        if as_of.year not in review_years(con):
            raise ValueError(f"the data has not reached the end of {as_of.year}; the years under review can be "
                             f"{', '.join(map(str, review_years(con))) or 'none yet'}")
        as_of, compare_to = dt.date(as_of.year, 12, 31), dt.date(as_of.year - 1, 12, 31)
    chosen = set(sections) if sections is not None else None
    unknown = (chosen or set()) - {k for k, _, _ in SECTIONS[meeting]}
    if unknown:
        raise ValueError(f"unknown section(s) {sorted(unknown)} for {meeting}")
    ctx = Context(con, settings, as_of, compare_to, filters, {}, meeting)
    built = tuple(build(ctx) for key, _, build in SECTIONS[meeting] if chosen is None or key in chosen)
    def said(day: dt.date) -> str:  # the title slide says both dates as the meeting does
        return {"security-health": f"{day:%B %Y}", "management-review": f"{day.year}"}.get(meeting, long_date(day))

    nothing_before = False
    if meeting == "compliance":  # the bundle knows whether anything was imported by the comparison date
        from isms.packs.compliance_content import _bundle as compliance_bundle

        nothing_before = not compliance_bundle(ctx).compared
    return Pack(meeting=meeting, title=f"{MEETINGS[meeting]} pack", subtitle=said(as_of),
                organisation=organisation.shown_on(con, settings), as_of=as_of, compare_to=compare_to, sections=built,
                compared=said(compare_to), scope=scope_of(filters), nothing_before=nothing_before)
