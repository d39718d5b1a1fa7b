"""The sample's forum: three years of Northwind's meetings, their decisions and about 150 actions.

Written into the sample database after its workbooks are imported (the forum is recorded in the
dashboard, not kept in a spreadsheet), from the sample's own registers so decisions name real
exceptions and risks, and seeded so every build is the same. Nothing here changes an imported
figure: the forum tables are read only by the forum's own views.

The sample's "now" is 2026-11-30 (after the Security Health meeting for October): every change is
dated on or before it; a few actions are still open past their due date then.
"""

from __future__ import annotations

import datetime as dt
import random

import duckdb

from isms.meetings import DEFAULT_SERIES, MeetingSeries
from isms.sample.catalog import PEOPLE
from isms.store import forum as store

SEED = 27016
NOW = dt.date(2026, 11, 30)
CHAIR = "Priya Raman"
FIRST_PERIOD = {"security-health": dt.date(2023, 12, 31), "risk": dt.date(2023, 12, 31),
                "compliance": dt.date(2024, 2, 29), "management-review": dt.date(2024, 12, 31)}
LAST_PERIOD = {"security-health": dt.date(2026, 10, 31), "risk": dt.date(2026, 9, 30),
               "compliance": dt.date(2026, 10, 31), "management-review": dt.date(2025, 12, 31)}
ACTIONS_PER_MEETING = {"security-health": (1, 2), "risk": (4, 5), "compliance": (1, 3), "management-review": (5, 5)}
MINUTES = {
    "security-health": "KRI board and breaches for {period} reviewed; owners of red KRIs reported their recovery plans.",
    "risk": "Risk posture as of {period} reviewed against appetite; treatments, exceptions and new risks discussed.",
    "compliance": "Control tests, SoA changes and open findings for the two months to {period} reviewed.",
    "management-review": "Management review of {year} (ISO/IEC 27001 clause 9.3): inputs a) to g) presented; "
                         "outputs recorded as decisions.",
}
TITLES = {
    "security-health": ["Recover {kri} to amber within a month", "Explain the {kri} trend at the next meeting",
                        "Add a data source for {kri}", "Review the thresholds of {kri}"],
    "risk": ["Re-assess {risk} after the incident", "Propose a treatment plan for {risk}",
             "Confirm the owner of {risk}", "Report progress of the late treatment for {risk}",
             "Document the compensating controls for {exception}"],
    "compliance": ["Close the finding on access reviews", "Retest the backup restore control",
                   "Update the SoA justification for A.5.23", "Collect evidence for supplier assessments"],
    "management-review": ["Budget two security engineers for next year", "Update the ISMS scope statement",
                          "Run a phishing awareness campaign", "Review the information security objectives",
                          "Commission an external penetration test"],
}


def _meetings(series: tuple[MeetingSeries, ...], rng: random.Random) -> list[dict]:
    rows = []
    for s in series:
        if s.key not in FIRST_PERIOD:
            continue
        period = FIRST_PERIOD[s.key]
        while period <= LAST_PERIOD[s.key]:
            held = s.meeting_for(period)
            people = [CHAIR] + rng.sample([p for p in PEOPLE if p != CHAIR], rng.randint(3, 6))
            rows.append(dict(series=s.key, held_on=held, period_start=s.period_start(period), period_end=period,
                             attendees=people, minutes=MINUTES[s.key].format(period=f"{period:%B %Y}", year=period.year)))
            period = s.next_period_end(period)
    rows.sort(key=lambda r: (r["held_on"], r["series"]))
    for n, r in enumerate(rows, 1):
        r.update(meeting_id=f"M-{n:04d}", recorded_at=dt.datetime.combine(r["held_on"], dt.time(17)),
                 recorded_by="sample")
    return rows


def _approvals(meetings: list[dict]) -> list[dict]:
    """Each meeting's minutes approved at the series' next meeting; the latest of each awaits it."""
    out = []
    by_series: dict[str, list[dict]] = {}
    for m in meetings:
        by_series.setdefault(m["series"], []).append(m)
    for ms in by_series.values():
        for m, after in zip(ms, ms[1:]):
            out.append(dict(meeting_id=m["meeting_id"], approved_on=after["held_on"], approved_by=CHAIR,
                            recorded_at=dt.datetime.combine(after["held_on"], dt.time(17))))
    return out


def _at_or_after(meetings: list[dict], series: str, day: dt.date) -> dict | None:
    return next((m for m in meetings if m["series"] == series and m["held_on"] >= day), None)


def _decisions(con: duckdb.DuckDBPyConnection, meetings: list[dict]) -> list[dict]:
    exceptions = store.latest_exceptions(con)
    accepted = store.latest_acceptances(con)
    rows: list[dict] = []

    def add(meeting: dict | None, kind: str, text: str, **kw) -> None:
        if meeting is not None:
            rows.append(dict(meeting_id=meeting["meeting_id"], decided_on=meeting["held_on"], kind=kind, text=text, **kw))

    for ex_id, status, requested, granted, expires, risk_id in exceptions:
        links = dict(exception_ids=[ex_id], risk_ids=[risk_id] if risk_id else [])
        if granted:
            decided = _at_or_after(meetings, "risk", granted - dt.timedelta(days=91)) or meetings[0]
            add(decided, "exception-grant", f"Grant {ex_id} until {expires:%d %B %Y} with its compensating controls",
                review_on=expires, **links)
            if expires and dt.date(2026, 9, 30) < expires <= dt.date(2026, 12, 31):
                add(_at_or_after(meetings, "risk", dt.date(2026, 10, 1)), "exception-renewal",
                    f"Renew {ex_id} for six months; the remediation is funded for the first half of 2027",
                    review_on=expires + dt.timedelta(days=182), **links)
        elif status == "Refused" and requested:
            add(_at_or_after(meetings, "risk", requested), "exception-refusal",
                f"Refuse {ex_id}: the risk is above appetite and the compensating controls do not reduce it", **links)
    for treatment_id, risk_id, start in accepted[:12]:
        m = _at_or_after(meetings, "risk", start)
        if m is not None:
            add(m, "risk-acceptance", f"Accept {risk_id} as treated by {treatment_id}; review in a year",
                review_on=m["held_on"] + dt.timedelta(days=365), risk_ids=[risk_id], treatment_ids=[treatment_id])
    add(_at_or_after(meetings, "risk", dt.date(2025, 4, 1)), "appetite-change",
        "Appetite stays Medium, but a Critical risk above it must have a treatment approved within 30 days")
    for m in (m for m in meetings if m["series"] == "management-review"):
        add(m, "free", f"ISMS changes for {m['held_on'].year}: scope confirmed, objectives renewed")
        add(m, "treatment-approval", "Resources: security budget approved for the year, including the SOC contract")
    rows.sort(key=lambda r: (r["decided_on"], r["meeting_id"]))
    for n, r in enumerate(rows, 1):
        r.update(decision_id=f"D-{n:04d}", recorded_at=dt.datetime.combine(r["decided_on"], dt.time(17)),
                 recorded_by="sample")
    return rows


def _actions(con: duckdb.DuckDBPyConnection, meetings: list[dict], decisions: list[dict],
             rng: random.Random) -> list[dict]:
    """Each action's history of changes: raised at a meeting, then (by its due date or later)
    in progress, done and mostly verified; some closed late, a few cancelled or moved, and a few
    still open past their due date on NOW."""
    risks, kris = store.risk_and_kri_ids(con)
    exceptions = [d for d in decisions if d["kind"] == "exception-grant"]
    changes: list[dict] = []
    n = 0
    stay_open = 0
    for m in meetings:
        low, high = ACTIONS_PER_MEETING[m["series"]]
        for _ in range(rng.randint(low, high)):
            n += 1
            action_id = f"A-{n:04d}"
            risk, kri = rng.choice(risks), rng.choice(kris)
            decision = rng.choice(exceptions) if exceptions and rng.random() < 0.2 and m["series"] == "risk" else None
            title = rng.choice(TITLES[m["series"]]).format(risk=risk, kri=kri,
                                                           exception=(decision or {}).get("exception_ids", ["EX-001"])[0])
            raised, due = m["held_on"], m["held_on"] + dt.timedelta(days=rng.choice([30, 45, 60, 90]))
            base = dict(action_id=action_id, title=title, series=m["series"], owner=rng.choice(PEOPLE), due_on=due,
                        original_due_on=due, status="open", closure_note=None, verified_by=None,
                        meeting_id=m["meeting_id"], decision_id=None, risk_id=risk if "{risk}" in title or
                        m["series"] == "risk" else None, kri_id=kri if m["series"] == "security-health" else None,
                        finding_id=None, recorded_by="sample")
            if decision and "exception" in title.lower():
                base["decision_id"] = decision["decision_id"]
            history = [dict(base, recorded_on=raised)]

            def change(on: dt.date, **kw) -> None:
                if on <= NOW and on >= history[-1]["recorded_on"]:
                    history.append({**history[-1], **kw, "recorded_on": on})

            fate = rng.random()
            if due > NOW - dt.timedelta(days=20) or (fate < 0.03 and stay_open < 6):
                # recent, or left behind: still open (some in progress); those past due are overdue
                stay_open += due <= NOW
                if rng.random() < 0.5:
                    change(raised + dt.timedelta(days=rng.randint(3, 20)), status="in progress")
            elif fate < 0.06:
                change(raised + dt.timedelta(days=rng.randint(5, 25)), status="cancelled",
                       closure_note="No longer needed: superseded by a later decision")
            else:
                late = fate > 0.82
                if fate < 0.15:  # the owner asked for more time once
                    change(due - dt.timedelta(days=rng.randint(1, 10)), due_on=due + dt.timedelta(days=30))
                    due = due + dt.timedelta(days=30)
                change(raised + dt.timedelta(days=rng.randint(3, 15)), status="in progress")
                done = due + dt.timedelta(days=rng.randint(5, 45)) if late else due - dt.timedelta(days=rng.randint(0, 20))
                change(max(done, history[-1]["recorded_on"]), status="done",
                       closure_note="Closed late: " + rng.choice(["waited for a supplier", "change freeze", "staffing"])
                       if late else "Done as agreed")
                if rng.random() < 0.7:
                    change(history[-1]["recorded_on"] + dt.timedelta(days=rng.randint(3, 20)), status="verified",
                           verified_by=CHAIR)
            for no, row in enumerate(history, 1):
                changes.append(dict(row, change_no=no, recorded_at=dt.datetime.combine(row["recorded_on"], dt.time(17))))
    return changes


def write_forum(con: duckdb.DuckDBPyConnection, series: tuple[MeetingSeries, ...] = DEFAULT_SERIES,
                seed: int = SEED) -> dict[str, int]:
    """Append the sample forum to a database holding the imported sample; returns the rows by table."""
    rng = random.Random(seed)
    meetings = _meetings(series, rng)
    decisions = _decisions(con, meetings)
    actions = _actions(con, meetings, decisions, rng)
    approvals = _approvals(meetings)
    con.execute("BEGIN TRANSACTION")
    try:
        store.insert_many(con, "forum_meeting", store.MEETING_COLUMNS, meetings)
        store.insert_many(con, "minutes_approval", ("meeting_id", "approved_on", "approved_by", "recorded_at"), approvals)
        store.insert_many(con, "forum_decision", store.DECISION_COLUMNS, decisions)
        store.insert_many(con, "action_change", store.ACTION_COLUMNS, actions)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return {"forum_meeting": len(meetings), "minutes_approval": len(approvals), "forum_decision": len(decisions),
            "action_change": len(actions), "actions": len({a["action_id"] for a in actions})}
