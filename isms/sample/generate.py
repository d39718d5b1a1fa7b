"""Simulate three years of a cloud provider's ISMS and write it as the workbooks analysts keep.

The simulation runs month by month: risks are identified (most in the first annual assessment,
more from incidents, datacenter assessments and audits), assessed each quarter, treated with
plans that run on time, slip or stall, re-rated when treatments complete or incidents strike,
and sometimes closed. KRIs drift toward their targets with noise, seasonality and a few
breaches. Every quarter becomes one workbook dated at the quarter end (the register as it stood
then, that quarter's assessments, updates and results), so importing them in order rebuilds the
history that the dashboard reads. Dates are fixed: the last quarter assessed ends 2026-09-30, the
last monthly result is for 2026-10.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass, field
from pathlib import Path

from isms.dates import add_months, month_end
from isms.matrix import PRESETS
from isms.sample.compliance import compliance_books
from isms.sample.catalog import (
    ASSESSORS, ASSETS, KRI_OWNERS, KRIS, PEOPLE, POLICIES, SCENARIOS, TREATMENT_PLANS,
)

SEED = 27001
FIRST_QUARTER_END = dt.date(2023, 12, 31)
QUARTERS = 12
LAST_RESULT_MONTH = dt.date(2026, 10, 1)
RESULT_MONTHS = 36
MATRIX = PRESETS["5x5"]
CRITICALITY_IMPACT = {"Critical": (4, 5), "High": (3, 4), "Medium": (2, 3), "Low": (1, 2)}
EFFECTIVENESS = ["None", "Weak", "Partial", "Effective", "Strong"]


@dataclass
class SimTreatment:
    treatment_id: str
    risk_id: str
    decision: str
    description: str
    owner: str
    start_on: dt.date
    due_on: dt.date
    speed: float  # progress relative to the plan; 1.0 finishes on the due date
    stall_after: float | None  # progress stops here (a stalled project), or None
    cancel_on: dt.date | None = None
    completed_on: dt.date | None = None
    progress: dict[dt.date, float] = field(default_factory=dict)

    def status(self, d: dt.date) -> str:
        if self.completed_on and self.completed_on <= d:
            return "Done"
        if self.cancel_on and self.cancel_on <= d:
            return "Cancelled"
        return "In progress" if self.start_on <= d else "Planned"


@dataclass
class SimRisk:
    risk_id: str
    title: str
    description: str
    theme: str
    controls: str
    nist: str
    asset_id: str
    owner: str
    identified_on: dt.date
    source: str
    inherent: tuple[int, int]
    residual: tuple[int, int]
    effectiveness: int  # index into EFFECTIVENESS
    closed_on: dt.date | None = None
    neglected: bool = False  # above appetite and left without a plan, to show on the review
    treatments: list[SimTreatment] = field(default_factory=list)
    assessments: list[dict] = field(default_factory=list)

    def status(self, d: dt.date) -> str:
        if self.closed_on and self.closed_on <= d:
            return "Closed"
        active = [t for t in self.treatments if t.status(d) in ("Planned", "In progress")]
        if active:
            return "In treatment"
        if any(t.decision == "Accept" and t.status(d) == "Done" for t in self.treatments):
            return "Accepted"
        return "Open"


def _in_sentence(name: str, kind: str) -> str:
    """An asset's name inside a risk title: a site keeps its proper name ("DC-FRA1 Frankfurt
    datacenter"), an acronym stays upper case ("CI/CD platform", "cloud control plane API"); only a
    plain first word loses its capital ("hypervisor fleet")."""
    first = name.split()[0]
    if kind == "Facility" or first[1:] != first[1:].lower():
        return name
    return name[0].lower() + name[1:]


def _clamp(v: int, lo: int = 1, hi: int = 5) -> int:
    return max(lo, min(hi, v))


def _above(li: tuple[int, int]) -> bool:
    return not MATRIX.within_appetite(MATRIX.level(*li))


class Simulation:
    def __init__(self, seed: int = SEED) -> None:
        self.rng = random.Random(seed)
        self.assets = {a[0]: a for a in ASSETS}
        self.risks: list[SimRisk] = []
        self.treatment_seq = 0
        self.quarter_ends = [month_end(add_months(FIRST_QUARTER_END, 3 * q)) for q in range(QUARTERS)]
        self._plan_risks()

    # -- risks -----------------------------------------------------------------------------
    def _plan_risks(self) -> None:
        rng = self.rng
        pairs = [(s, a) for s in SCENARIOS for a in s[6]]
        rng.shuffle(pairs)
        sources_later = ["Incident", "Datacenter assessment", "Vulnerability", "Audit", "Business impact assessment"]
        for n, (scenario, asset_id) in enumerate(pairs, start=1):
            title_t, theme, controls, nist, base_l, consequence, _ = scenario
            asset = self.assets[asset_id]
            if n <= 100:
                identified = dt.date(2023, 11, 1) + dt.timedelta(days=rng.randrange(0, 45))
                source = "Annual assessment"
            else:
                q = rng.randrange(1, QUARTERS)
                qe = self.quarter_ends[q]
                identified = qe - dt.timedelta(days=rng.randrange(5, 80))
                source = "Annual assessment" if qe.month == 12 and rng.random() < 0.6 else rng.choice(sources_later)
                if source == "Datacenter assessment" and asset[3] != "Facility":
                    source = "Audit"
            lo, hi = CRITICALITY_IMPACT[asset[4]]
            inherent = (_clamp(base_l + rng.choice([0, 0, 1, 1, 2])), rng.randint(lo, hi))
            eff = rng.choice([1, 1, 2, 2, 2, 3])
            reduction = {0: 0, 1: 0, 2: 1, 3: 1, 4: 2}[eff]
            residual = (_clamp(inherent[0] - reduction), _clamp(inherent[1] - (1 if eff >= 3 and rng.random() < 0.3 else 0)))
            title = title_t.format(a=_in_sentence(asset[1], asset[3]))
            title = title[0].upper() + title[1:]
            self.risks.append(
                SimRisk(
                    risk_id=f"R-{n:03d}",
                    title=title,
                    description=f"{title}, leading to {consequence}. Affects {asset[1]} ({asset[3].lower()} asset).",
                    theme=theme, controls=controls, nist=nist, asset_id=asset_id,
                    owner=asset[5], identified_on=identified, source=source,
                    inherent=inherent, residual=residual, effectiveness=eff,
                    neglected=rng.random() < 0.06,
                )
            )

    def _new_treatment(self, risk: SimRisk, start: dt.date) -> SimTreatment:
        rng = self.rng
        self.treatment_seq += 1
        decision = rng.choices(["Reduce", "Transfer", "Avoid", "Accept"], weights=[76, 9, 5, 10])[0]
        if decision == "Avoid" and risk.asset_id.startswith(("FA", "IN", "BP")):
            decision = "Reduce"
        plan = rng.choice(TREATMENT_PLANS[decision]).format(c=risk.controls)
        months = 0 if decision == "Accept" else rng.choice([3, 4, 6, 6, 9, 9, 12, 12, 15, 18])
        due = month_end(add_months(start, months)) if months else start
        profile = rng.random()
        speed, stall = (1.0, None)
        if profile < 0.55:
            speed = rng.uniform(1.0, 1.25)  # on time or early
        elif profile < 0.8:
            speed = rng.uniform(0.55, 0.85)  # slipping: late, then overdue
        elif profile < 0.93:
            speed, stall = rng.uniform(0.8, 1.1), rng.choice([30.0, 45.0, 60.0, 75.0])  # stalls
        else:
            speed = rng.uniform(0.9, 1.1)
        t = SimTreatment(
            treatment_id=f"T-{self.treatment_seq:03d}", risk_id=risk.risk_id, decision=decision,
            description=plan, owner=self.rng.choice(PEOPLE), start_on=start, due_on=due,
            speed=speed, stall_after=stall,
        )
        if profile >= 0.93 and months >= 6:
            t.cancel_on = month_end(add_months(start, rng.randint(2, months - 1)))
        if decision == "Accept":
            t.completed_on = start
            t.progress[month_end(start)] = 100.0
        risk.treatments.append(t)
        return t

    # -- the months --------------------------------------------------------------------------
    def run(self) -> None:
        rng = self.rng
        months = [month_end(add_months(dt.date(2023, 10, 1), i)) for i in range(37)]  # 2023-10 .. 2026-10
        # a few risks close when their asset is retired or the scenario no longer applies
        for r in rng.sample([r for r in self.risks if r.identified_on < dt.date(2024, 1, 1)], 6):
            r.closed_on = self.quarter_ends[rng.randrange(4, QUARTERS)] - dt.timedelta(days=rng.randrange(3, 40))
        for me in months:
            for r in self.risks:
                if r.identified_on > me or (r.closed_on and r.closed_on <= me):
                    continue
                for t in r.treatments:
                    self._progress(r, t, me)
            if me in self.quarter_ends:
                self._quarter(me)

    def _progress(self, risk: SimRisk, t: SimTreatment, me: dt.date) -> None:
        if t.decision == "Accept" or t.start_on > me or t.completed_on or (t.cancel_on and t.cancel_on <= me):
            return
        planned_days = max(1, (t.due_on - t.start_on).days)
        elapsed = (me - t.start_on).days
        pct = min(100.0, 100.0 * t.speed * elapsed / planned_days + self.rng.uniform(-3, 3))
        if t.stall_after is not None:
            pct = min(pct, t.stall_after)
        prev = max(t.progress.values(), default=0.0)
        pct = round(max(prev, pct, 0.0), 0)
        t.progress[me] = pct
        if pct >= 100:
            t.completed_on = me - dt.timedelta(days=self.rng.randrange(0, 20))
            t.progress[me] = 100.0
            li, im = risk.residual
            if t.decision == "Transfer":
                im = _clamp(im - 1)
            elif t.decision == "Avoid":
                risk.closed_on = month_end(add_months(me, 1))
            else:
                li = _clamp(li - self.rng.choice([1, 1, 2]))
            risk.residual = (li, im)
            risk.effectiveness = min(4, risk.effectiveness + 1)

    def _quarter(self, qe: dt.date) -> None:
        rng = self.rng
        live = [r for r in self.risks if r.identified_on <= qe and not (r.closed_on and r.closed_on <= qe)]
        # incidents and new threats push a few residual ratings up each quarter
        for r in rng.sample(live, min(len(live), 3)):
            if qe > FIRST_QUARTER_END:
                r.residual = (_clamp(r.residual[0] + 1), r.residual[1])
        # the annual reassessment also revisits inherent ratings
        if qe.month == 12 and qe > FIRST_QUARTER_END:
            for r in rng.sample(live, len(live) // 5):
                r.inherent = (_clamp(r.inherent[0] + rng.choice([-1, 1])), r.inherent[1])
                r.residual = (min(r.residual[0], r.inherent[0]), min(r.residual[1], r.inherent[1]))
        for r in live:
            active = [t for t in r.treatments if t.status(qe) in ("Planned", "In progress")]
            accepted = any(t.decision == "Accept" for t in r.treatments)
            if _above(r.residual) and not active and not accepted and not r.neglected:
                start = qe + dt.timedelta(days=rng.randrange(1, 40))
                self._new_treatment(r, start)
            target = self._target(r)
            r.assessments.append({
                "risk_id": r.risk_id,
                "assessed_on": qe - dt.timedelta(days=rng.randrange(0, 25)),
                "inherent_likelihood": r.inherent[0], "inherent_impact": r.inherent[1],
                "control_effectiveness": EFFECTIVENESS[r.effectiveness],
                "residual_likelihood": r.residual[0], "residual_impact": r.residual[1],
                "target_likelihood": target[0], "target_impact": target[1],
                "assessor": rng.choice(ASSESSORS),
            })

    def reassessments(self, start: dt.date, end: dt.date) -> list[dict]:
        """Risks re-rated as soon as a treatment completes between quarterly reviews (start, end]."""
        out = []
        for r in self.risks:
            done = [t.completed_on for t in r.treatments
                    if t.decision != "Accept" and t.completed_on and start < t.completed_on <= end]
            if done and not (r.closed_on and r.closed_on <= end):
                target = self._target(r)
                out.append({
                    "risk_id": r.risk_id, "assessed_on": min(end, max(done) + dt.timedelta(days=7)),
                    "inherent_likelihood": r.inherent[0], "inherent_impact": r.inherent[1],
                    "control_effectiveness": EFFECTIVENESS[r.effectiveness],
                    "residual_likelihood": r.residual[0], "residual_impact": r.residual[1],
                    "target_likelihood": target[0], "target_impact": target[1], "assessor": ASSESSORS[0],
                })
        return out

    def _target(self, r: SimRisk) -> tuple[int, int]:
        li, im = r.residual
        while _above((li, im)) and li > 1:
            li -= 1
        return li, im

    # -- what the workbooks hold -------------------------------------------------------------
    def assets_rows(self) -> list[dict]:
        keys = ["asset_id", "name", "asset_class", "asset_type", "criticality", "owner", "location"]
        return [dict(zip(keys, a)) for a in ASSETS]

    def risk_rows(self, qe: dt.date) -> list[dict]:
        return [
            {
                "risk_id": r.risk_id, "title": r.title, "description": r.description,
                "annex_a_theme": r.theme, "annex_a_controls": r.controls, "nist_family": r.nist,
                "asset_ids": r.asset_id, "owner": r.owner, "status": r.status(qe),
                "identified_on": r.identified_on, "source": r.source,
            }
            for r in self.risks if r.identified_on <= qe
        ]

    def assessment_rows(self, start: dt.date, end: dt.date) -> list[dict]:
        return [a for r in self.risks for a in r.assessments if start < a["assessed_on"] <= end]

    def treatment_rows(self, d: dt.date) -> list[dict]:
        out = []
        for r in self.risks:
            for t in r.treatments:
                if t.start_on - dt.timedelta(days=40) > d:
                    continue
                status = t.status(d)
                out.append({
                    "treatment_id": t.treatment_id, "risk_id": t.risk_id, "decision": t.decision,
                    "description": t.description, "owner": t.owner, "start_on": t.start_on,
                    "due_on": t.due_on, "status": status,
                    "completed_on": t.completed_on if status == "Done" else None,
                })
        return out

    def update_rows(self, start: dt.date, end: dt.date) -> list[dict]:
        out = []
        for r in self.risks:
            for t in r.treatments:
                for me, pct in sorted(t.progress.items()):
                    if start < me <= end and t.decision != "Accept":
                        if t.cancel_on and me >= t.cancel_on:
                            continue
                        done = pct >= 100
                        behind = me > t.due_on and not done
                        note = ("Completed and verified" if done else
                                "Past due: recovery plan requested" if behind else
                                "Blocked on dependencies" if t.stall_after is not None and pct >= t.stall_after else
                                "On plan")
                        out.append({
                            "treatment_id": t.treatment_id,
                            "updated_on": t.completed_on if done and t.completed_on else me,
                            "percent_complete": pct, "status": "Done" if done else "In progress", "note": note,
                        })
        return out

    # -- KRIs ----------------------------------------------------------------------------------
    def metric_rows(self) -> list[dict]:
        return [
            {"metric_id": k[0], "name": k[1], "control_domain": k[2], "unit": k[3], "direction": k[4],
             "target": k[5], "amber": k[6], "red": k[7], "cadence": k[8], "owner": KRI_OWNERS[k[2]]}
            for k in KRIS
        ]

    def results(self) -> list[dict]:
        rng = random.Random(SEED + 1)
        months = [add_months(LAST_RESULT_MONTH, -i) for i in range(RESULT_MONTHS - 1, -1, -1)]
        out = []
        for k in KRIS:
            mid, _, _, unit, direction, _, _, _, cadence, start, end, noise = k
            for i, m in enumerate(months):
                if cadence == "Quarterly" and m.month % 3:
                    continue
                if mid == "KRI-35" and m >= add_months(LAST_RESULT_MONTH, -1):
                    continue  # the HR feed stopped: the board must show it stale, not green
                frac = i / (len(months) - 1)
                v = start + (end - start) * (frac ** 0.8) + rng.gauss(0, noise)
                note = None
                if mid == "KRI-38":
                    heat = 4 * max(0.0, math.sin((m.month - 4) / 12 * 2 * math.pi))  # summer heat
                    v += heat
                    note = "Heatwave: chiller capacity at its limit" if heat > 3.5 else None
                if mid == "KRI-08" and dt.date(2025, 2, 1) <= m <= dt.date(2025, 4, 1):
                    v += 14  # a widely exploited appliance flaw
                    note = "Widely exploited appliance flaw: emergency patching of edge appliances"
                if mid == "KRI-03" and m == dt.date(2026, 10, 1):
                    v += 22  # SIEM migration blind spot this month
                    note = "SIEM migration: two log pipelines were offline for nine days"
                if mid == "KRI-16" and m == dt.date(2026, 9, 1):
                    v += 17  # a volumetric attack, mitigated by hand
                    note = "Volumetric attack on the edge; scrubbing failover was manual"
                if mid == "KRI-16" and m == dt.date(2026, 10, 1):
                    note = "Automatic scrubbing failover in place since 2 October"
                if mid == "KRI-24" and m >= dt.date(2026, 8, 1):
                    v -= 9
                    note = "Service desk turnover: incident closures backlogged"
                if unit == "%":
                    v = min(100.0, max(0.0, v))
                v = max(0.0, v)
                v = round(v) if unit == "count" else round(v, 3 if mid == "KRI-19" else 1)
                out.append({"metric_id": mid, "period": m, "value": v, "note": note})
        return out

    # -- exceptions ----------------------------------------------------------------------------
    def exceptions(self) -> list[dict]:
        rng = random.Random(SEED + 2)
        last_qe = self.quarter_ends[-1]
        candidates = [r for r in self.risks if r.identified_on < dt.date(2025, 6, 1)]
        neglected = [r for r in candidates if r.neglected]
        linked = rng.sample(candidates, 20)
        # expiry offsets from the last quarter end, in days: some long gone, some just expired,
        # several coming due in the next 30/60/90 days, some comfortably later
        plan = [-300, -120, -45, -12, 9, 17, 26, 41, 55, 73, 88, 120, 160, 210, 260, None, None, None, None, None]
        out = []
        for n in range(20):
            policy, control = POLICIES[n % len(POLICIES)]
            risk = neglected[n] if n < min(2, len(neglected)) and plan[n] is not None and plan[n] > 0 else linked[n]
            offset = plan[n]
            if offset is None:
                kind = ["Requested", "Refused", "Closed", "Closed", "Requested"][n - 15]
                requested = last_qe - dt.timedelta(days=rng.randrange(20, 500))
                if kind == "Requested":
                    requested = last_qe - dt.timedelta(days=rng.randrange(3, 25))
                granted = requested + dt.timedelta(days=14) if kind == "Closed" else None
                expires = granted + dt.timedelta(days=180) if granted else None
            else:
                kind = "Granted"
                expires = last_qe + dt.timedelta(days=offset)
                granted = expires - dt.timedelta(days=rng.choice([180, 270, 365]))
                requested = granted - dt.timedelta(days=rng.randrange(7, 30))
            out.append({
                "exception_id": f"EX-{n + 1:03d}", "policy": policy, "control": control,
                "risk_id": risk.risk_id, "likelihood": rng.randint(2, 4), "impact": rng.randint(2, 5),
                "requested_on": requested, "granted_on": granted, "expires_on": expires,
                "compensating_controls": rng.choice([
                    "Additional monitoring of the affected systems",
                    "Network isolation and restricted access",
                    "Manual weekly review by the asset owner",
                    "Vendor support contract with 4-hour response",
                ]),
                "approver": "CISO" if n % 3 else "CTO",
                "final_status": kind,
            })
        return out

    def exception_rows(self, d: dt.date, exceptions: list[dict]) -> list[dict]:
        rows = []
        for e in exceptions:
            if e["requested_on"] > d:
                continue
            status = e["final_status"]
            granted = e["granted_on"] if e["granted_on"] and e["granted_on"] <= d else None
            if status in ("Granted", "Closed") and not granted:
                status = "Requested"
            if status == "Closed" and e["expires_on"] and e["expires_on"] > d:
                status = "Granted"
            row = {k: v for k, v in e.items() if k != "final_status"}
            row.update(status=status, granted_on=granted, expires_on=e["expires_on"] if granted else None)
            rows.append(row)
        return rows


def generate_sample(seed: int = SEED) -> list[tuple[str, dt.date, dict[str, list[dict]]]]:
    """(file name, as-of date, rows by kind) for every sample workbook, in import order."""
    sim = Simulation(seed)
    sim.run()
    results = sim.results()
    exceptions = sim.exceptions()
    books = []
    prev = dt.date(2023, 9, 30)
    for qe in sim.quarter_ends:
        books.append((
            f"{qe.isoformat()}-register.xlsx", qe, {
                "assets": sim.assets_rows(),
                "risks": sim.risk_rows(qe),
                "assessments": sim.assessment_rows(prev, qe),
                "treatments": sim.treatment_rows(qe),
                "treatment_updates": sim.update_rows(prev, qe),
                "metrics": sim.metric_rows(),
                "monitoring_results": [r for r in results if prev < r["period"] <= qe],
                "exceptions": sim.exception_rows(qe, exceptions),
            },
        ))
        prev = qe
    last = month_end(LAST_RESULT_MONTH)
    books.append((
        f"{last.isoformat()}-monitoring.xlsx", last, {
            "assessments": sim.reassessments(prev, last),
            "treatment_updates": sim.update_rows(prev, last),
            "monitoring_results": [r for r in results if prev < r["period"] <= last],
        },
    ))
    # the compliance programme: its own workbooks, imported after the risk history (isms.sample.compliance)
    books += compliance_books({qe: rows["risks"] for _, qe, rows in books if "risks" in rows})
    return books


def write_sample(out_dir: str | Path, seed: int = SEED) -> list[Path]:
    from isms.importing.template import write_workbook

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, as_of, rows in generate_sample(seed):
        paths.append(write_workbook(out_dir / name, rows, as_of=as_of, title=f"Northwind Cloud ISMS, {name[:-5]}"))
    return paths
