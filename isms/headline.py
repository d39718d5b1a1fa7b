"""The sentence a meeting page opens with: what changed and what needs a decision, written from
the figures below it (never canned text), so a chair can read the story in ten seconds and the
page, the deck and the PDF say the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import pandas as pd

from isms.dates import long_date
from isms.views.compliance import ComplianceBundle
from isms.views.risk_review import RiskReviewData
from isms.views.security_health import LONG_STREAK, SecurityHealthData


@dataclass(frozen=True)
class Headline:
    sentence: str
    decision: str  # what needs a decision ('' when nothing does)
    worst: Optional[dict] = None  # the worst risk (or KRI) that needs it: id, title, level, score


def _n(count: int, one: str, many: str | None = None) -> str:
    return f"{count:,} {one if count == 1 else (many or one + 's')}"


def _move(name: str, now: int, before: int) -> str:
    if now == before:
        return f"{name} is unchanged at {now:,}"
    # 'fell 4% from 1,313 to 1,260': the share is of the earlier figure (read after the numbers, "(4%)"
    # was taken for 4% of the whole). Under 100 the counts say it plainly: 'fell from 66 to 65', not
    # 'fell 2%', and never 'rose 100% from 1 to 2'.
    change = (now - before) / before if before >= 100 else None
    pct = f" {abs(change):.0%}" if change is not None and round(abs(change) * 100) >= 1 else ""
    return f"{name} {'rose' if now > before else 'fell'}{pct} from {before:,} to {now:,}"


def _listed(parts: list[str]) -> str:
    parts = [p for p in parts if p]
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def closed_risks_unfinished(frame: pd.DataFrame) -> str:
    """What the treatment figures leave out and why, under the list of late and overdue treatments;
    '' when nothing is."""
    if frame.empty:
        return ""
    shown = ", ".join(f"{t} of {r}" for t, r in zip(frame["treatment_id"][:10], frame["risk_id"][:10]))
    more = f" and {len(frame) - 10} more" if len(frame) > 10 else ""
    return (f"Not counted: {_n(len(frame), 'unfinished treatment')} of closed risks ({shown}{more}); "
            "mark each done or cancelled in the treatment register.")


def worst_unaddressed(above_appetite: pd.DataFrame) -> Optional[dict]:
    """The highest-scored risk above appetite with neither an active treatment nor a granted
    exception (ties: the lower risk id), or None."""
    open_ = above_appetite[above_appetite["unaddressed"].astype(bool)]
    if open_.empty:
        return None
    row = open_.sort_values(["residual_score", "risk_id"], ascending=[False, True]).iloc[0]
    return {"risk_id": str(row["risk_id"]), "title": str(row["title"]), "level": str(row["residual_level"]),
            "score": int(row["residual_score"]), "owner": str(row["owner"])}


def above_appetite(above: pd.DataFrame, appetite: str) -> str:
    """'13 risks above appetite (Medium), of which 13 have neither an active treatment nor a granted exception
    (6 with no decision, 7 accepted above appetite).' The list below it flags the two kinds apart, and the
    headline's count is both: said once here, the page's list and the pack's read alike."""
    unaddressed = above["unaddressed"].astype(bool)
    n, accepted = int(unaddressed.sum()), int((unaddressed & above["accepted"].astype(bool)).sum())
    sentence = (f"{_n(len(above), 'risk')} above appetite ({appetite}), of which {n:,} {'has' if n == 1 else 'have'} neither an "
                "active treatment nor a granted exception")
    if accepted:
        # the n are all unaddressed (the tile's word); apart: no decision at all, or an acceptance without an exception
        sentence += f" ({n - accepted:,} with no decision, {accepted:,} accepted above appetite)"
    return sentence + "."


def risk_review(data: RiskReviewData, appetite: str) -> Headline:
    """'Since 30 June 2026 residual exposure fell 4% from 1,313 to 1,260; 2 risks escalated and 3
    are new. 5 risks above Medium have neither ...: the worst is R-016 ...'."""
    cur, prev = data.scorecard.current, data.scorecard.previous
    since = long_date(data.compare_to)
    counts = data.change_counts()
    moved = _listed([_n(counts["Escalated"], "risk") + " escalated" if counts["Escalated"] else "",
                     f"{counts['New']:,} new" if counts["New"] else "",
                     f"{counts['De-escalated']:,} de-escalated" if counts["De-escalated"] else "",
                     f"{counts['Closed']:,} closed" if counts["Closed"] else ""])
    if data.scorecard.compared:
        first = f"Since {since} {_move('residual exposure', cur.residual_exposure, prev.residual_exposure)}"
        first += f"; {moved}." if moved else "; no risk changed level."
    else:
        first = (f"First review on record: residual exposure is {cur.residual_exposure:,} over "
                 f"{_n(cur.assessed_risks, 'assessed risk')}.")
    overdue = cur.treatments.overdue
    late = f" {_n(overdue, 'treatment')} {'is' if overdue == 1 else 'are'} overdue." if overdue else ""
    unaddressed = cur.above_appetite_unaddressed
    worst = worst_unaddressed(data.above_appetite)
    if unaddressed and worst:
        decision = (f"{_n(unaddressed, 'risk')} above appetite ({appetite}) {'has' if unaddressed == 1 else 'have'} neither an "
                    f"active treatment nor a granted exception; the worst is {worst['risk_id']} "
                    f"\u201c{worst['title']}\u201d ({worst['level']}, score {worst['score']}, owner {worst['owner']}).")
    elif cur.above_appetite:
        decision = ""
        late = f" Every risk above appetite ({appetite}) has an active treatment or a granted exception." + late
    else:
        decision = ""
        late = f" No risk is above appetite ({appetite})." + late
    # a quarter end reviewed on an earlier register (nothing imported for it): said first, as the
    # Compliance review says it of its period ends
    stale = (f"The latest risk data is dated {long_date(data.register_dated)}, "
             f"{_n((data.as_of - data.register_dated).days, 'day')} before this review: what happened since is not "
             "in these figures." if data.register_dated is not None else "")
    return Headline(" ".join(filter(None, [stale, first, decision, late.strip()])), decision, worst)


def security_health(data: SecurityHealthData) -> Headline:
    """'In October 2026, 4 KRIs are red (1 more than September); 2 turned red: ... Residual exposure fell ...'."""
    cur, prev = data.counts, data.previous_counts
    month, before = f"{data.month:%B %Y}", f"{data.compare_month:%B}"
    diff = cur.red - prev.red
    change = "as many as" if diff == 0 else (f"{abs(diff)} {'more' if diff > 0 else 'fewer'} than")
    change = f"{change} in {before}" if prev.with_results else f"no results for {before} to compare with"
    # a comma after the month: 'In October 2026 3 KRIs' ran the year into the count
    first = f"In {month}, {_n(cur.red, 'KRI')} {'is' if cur.red == 1 else 'are'} red ({change})"
    if not (cur.red or cur.amber or cur.green) and cur.unrated:
        # KRIs made from a results file's names have no thresholds: '0 KRIs are red' would read as all well
        first = (f"In {month}, no KRI can be rated: {'the one' if cur.unrated == 1 else f'the {cur.unrated:,}'} with "
                 f"results {'has' if cur.unrated == 1 else 'have'} no thresholds in the KRI register")
    newly = data.breaches.newly_red
    worst = None
    if not newly.empty:
        names = ", ".join(str(n) for n in newly["name"].head(3))
        more = f" and {len(newly) - 3} more" if len(newly) > 3 else ""
        first += f"; {_n(len(newly), 'turned', 'turned')} red: {names}{more}"
        row = newly.iloc[0]
        worst = {"metric_id": str(row["metric_id"]), "title": str(row["name"])}
    recovered = len(data.breaches.recovered)
    if recovered:
        first += f"; {recovered:,} recovered"
    silenced = data.breaches.silenced
    if not silenced.empty:
        # one red fewer that no recovery made: the feed of a red KRI stopped, and the month read as better
        names = ", ".join(str(n) for n in silenced["name"].head(3))
        more = f" and {len(silenced) - 3} more" if len(silenced) > 3 else ""
        first += (f"; {_n(len(silenced), 'red KRI')} {'has' if len(silenced) == 1 else 'have'} no result for "
                  f"{data.month:%B}, so {'it is' if len(silenced) == 1 else 'they are'} stale, not recovered: {names}{more}")
    if cur.unrated and (cur.red or cur.amber or cur.green):
        # some KRIs cannot be judged at all: left unsaid, 'n are red' read as of every KRI
        first += (f"; {_n(cur.unrated, 'KRI')} with results {'has' if cur.unrated == 1 else 'have'} no thresholds "
                  "and cannot be rated")
    first += "."
    exposure = ""
    # nothing to say of exposure while the risk register held no assessed risk at either month end
    if data.exposure_before is not None and (data.risk.exposure_now or data.exposure_before):
        exposure = _move("Residual exposure", data.risk.exposure_now, data.exposure_before) + " over the month"
        done = len(data.risk.completed)
        exposure += f", with {_n(done, 'treatment')} completed." if done else "."
    streaks = data.breaches.long_streaks
    decision = ""
    if not streaks.empty:
        # the threshold said, and each KRI's own run: 'red for months' left the room to guess how long
        longest = streaks.sort_values("red_streak", ascending=False, kind="stable").head(3)
        # a quarterly KRI's months rest on fewer results: said, so one red reading is not taken for three
        runs = "; ".join(f"{name}, {int(n)} months" + (f" on {_n(int(k), 'quarterly result')}" if c == "Quarterly" else "")
                         for name, n, k, c in zip(longest["name"], longest["red_streak"], longest["streak_results"],
                                                  longest["cadence"]))
        more = f"; {len(streaks) - 3:,} more" if len(streaks) > 3 else ""
        each = " for each" if len(streaks) > 1 else ""
        decision = (f"{_n(len(streaks), 'KRI')} {'has' if len(streaks) == 1 else 'have'} been red "
                    f"{LONG_STREAK} months or more in a row ({runs}{more}): decide on treatment or tolerance{each}.")
    return Headline(" ".join(filter(None, [first, exposure, decision])), decision, worst)


_NEXT = {"Audit starts": "starts", "Audit period ends": "ends its audit period", "Certificate expires": "certificate expires"}


def _effective_moves(totals: pd.DataFrame) -> str:
    """'effective requirements fell from 66 to 65 in ISO27001-2022 and are unchanged in SOC2'."""
    moved = [(r["framework"], int(r["effective"]), int(r["effective"] - r["effective_change"]))
             for r in totals.to_dict("records") if r["effective_change"]]
    still = [str(f) for f, c in zip(totals["framework"], totals["effective_change"]) if not c]
    parts = [_move("effective requirements" if i == 0 else "", now, before).strip() + f" in {f}"
             for i, (f, now, before) in enumerate(moved)]
    if still:
        where = (f"all {len(still)} frameworks" if not moved and len(still) > 2 else
                 f"the other {len(still)} frameworks" if len(still) > 2 else _listed(still))
        parts.append(("effective requirements are" if not moved else "are") + f" unchanged in {where}")
    return _listed(parts)


def compliance(data: ComplianceBundle) -> Headline:
    """'Since 30 June 2026 effective requirements fell from 66 to 65 in ISO27001-2022 and are
    unchanged in NIST-800-53r5-MODERATE and SOC2. 33 control tests had a result: 88% passed, 4 with
    exceptions; 1 is overdue. 4 audit findings are open, none a major nonconformity. 2 are past
    their due date; the longest overdue is F-012 ... Next on the calendar: ...'."""
    t = data.totals
    if t.empty:
        first = "No framework is in scope."
    elif not data.compared:
        first = "First review on record: " + _listed(
            [f"{int(r['effective']):,} of {int(r['applicable']):,} applicable requirements effective in {r['framework']}"
             for r in t.to_dict("records")]) + "."
    else:
        first = f"Since {long_date(data.compare_to)} {_effective_moves(t)}."
    s = data.testing
    if s["tested"]:
        flaws = _listed([f"{s['failed']:,} failed" if s["failed"] else "",
                         f"{s['exceptions']:,} with exceptions" if s["exceptions"] else ""])
        tests = f"{_n(s['tested'], 'control test')} had a result: {s['pass_rate']:.0%} passed" + (f", {flaws}" if flaws else "")
    else:
        tests = "No control test had a result"
    if s["overdue"]:
        tests += f"; {_n(s['overdue'], 'test')} {'is' if s['overdue'] == 1 else 'are'} overdue"
    opened = int(data.findings_open["total"].sum())
    major = int(data.findings_open.loc[data.findings_open["grade"] == "Major nonconformity", "total"].sum())
    if opened:
        findings = (f"{_n(opened, 'audit finding')} {'is' if opened == 1 else 'are'} open, "
                    + (_n(major, 'major nonconformity', 'major nonconformities') if major else "none a major nonconformity")
                    + ".")
    else:
        findings = "No audit finding is open."
    late, decision = data.findings_overdue, ""
    if not late.empty:
        row = late.iloc[0]  # longest overdue first
        days, named = _n(int(row["days_overdue"]), "day"), f"{row['finding_id']} \u201c{row['title']}\u201d"
        decision = (f"{named} ({row['grade']}, owner {row['owner']}) is {days} past its due date." if len(late) == 1 else
                    f"{len(late):,} are past their due date; the longest overdue is {named} ({row['grade']}, {days}, "
                    f"owner {row['owner']}).")
    upcoming = ""
    if not data.calendar.empty:
        nxt = data.calendar.iloc[0]
        upcoming = (f"Next on the calendar: {nxt['audit_type']} ({nxt['audit_id']}) "
                    f"{_NEXT.get(nxt['what'], nxt['what'].lower())} {long_date(nxt['date'])}.")
    # a review dated after the latest compliance import (a meeting's period end): its figures are that
    # import's, and tests due since it read overdue; said first, so nobody takes them for this date's news
    stale = (f"The latest compliance data is dated {long_date(data.data_dated)}, "
             f"{_n((data.as_of - data.data_dated).days, 'day')} before this review: what happened since is not in "
             "these figures." if data.data_dated is not None and data.data_dated < data.as_of else "")
    return Headline(" ".join(filter(None, [stale, first, tests + ".", findings, decision, upcoming])), decision)
