"""Northwind Cloud's compliance programme, simulated: a control set mapped to ISO/IEC 27001:2022
Annex A, NIST SP 800-53 Rev 5 (the Moderate baseline it is working towards) and a SOC 2 list kept
as a user-imported catalog; three years of quarterly control tests; a yearly ISO surveillance
(recertification in the third year) and a SOC 2 Type II report each year, with findings opened
and closed.

The SOC 2 list is test data written for the sample (identifiers in the style of the Trust
Services Criteria, titles in our own words): the criteria text is the AICPA's and is not here.
One workbook per quarter end, `compliance-<date>.xlsx`, imported after the risk history (the
file names sort last), so the risk batches, and every figure of the other pages, stay as they were.
"""

from __future__ import annotations

import datetime as dt
import random

from isms.dates import add_months, month_end

SEED = 22301
FIRST = dt.date(2023, 12, 31)
QUARTERS = 12
ISO, NIST, SOC = "ISO27001-2022", "NIST-800-53r5", "SOC2"
SCOPE_NIST = "NIST-800-53r5-MODERATE"

# SOC 2 (test list): ref, family, title in our own words
SOC2 = [
    ("CC1.1", "CC1", "Leadership sets the tone on integrity"), ("CC1.2", "CC1", "The board oversees security"),
    ("CC1.4", "CC1", "People are hired and kept competent"), ("CC2.1", "CC2", "Information needed for control is kept"),
    ("CC2.2", "CC2", "Security duties are communicated inside"), ("CC3.1", "CC3", "Objectives are set for risk work"),
    ("CC3.2", "CC3", "Risks are identified and analysed"), ("CC3.4", "CC3", "Changes that bring risk are assessed"),
    ("CC4.1", "CC4", "Controls are monitored"), ("CC4.2", "CC4", "Control weaknesses are reported and fixed"),
    ("CC5.2", "CC5", "Technology controls are chosen"), ("CC6.1", "CC6", "Logical access is restricted"),
    ("CC6.2", "CC6", "Users are registered and removed"), ("CC6.3", "CC6", "Access is reviewed and least privilege"),
    ("CC6.6", "CC6", "The boundary is protected"), ("CC6.7", "CC6", "Data in transit is protected"),
    ("CC6.8", "CC6", "Malicious software is prevented"), ("CC7.1", "CC7", "Configurations and vulnerabilities are watched"),
    ("CC7.2", "CC7", "Anomalies are detected"), ("CC7.3", "CC7", "Security events are evaluated"),
    ("CC7.4", "CC7", "Incidents are responded to"), ("CC8.1", "CC8", "Changes are authorised and tested"),
    ("CC9.1", "CC9", "Business disruption is planned for"), ("CC9.2", "CC9", "Vendor risk is managed"),
    ("A1.2", "A1", "Capacity and backups support availability"), ("A1.3", "A1", "Recovery is tested"),
]

# control id, name, owner, type, frequency, Annex A, 800-53, SOC 2
CONTROLS = [
    ("CTL-01", "Information security policy set", "Priya Raman", "Directive", "Annual",
     ["A.5.1", "A.5.37"], ["PL-1", "PM-1", "AC-1"], ["CC1.1", "CC2.2"]),
    ("CTL-02", "Security roles and segregation of duties", "Priya Raman", "Directive", "Annual",
     ["A.5.2", "A.5.3", "A.5.4"], ["PS-1", "AC-5"], ["CC1.2"]),
    ("CTL-03", "Asset inventory and ownership", "Tom Becker", "Detective", "Quarterly",
     ["A.5.9", "A.5.10", "A.5.11"], ["CM-8", "PM-5"], ["CC2.1"]),
    ("CTL-04", "Information classification and labelling", "Elena Rossi", "Preventive", "Annual",
     ["A.5.12", "A.5.13"], ["RA-2", "MP-3"], ["CC2.1"]),
    ("CTL-05", "Joiner-mover-leaver access", "Marcus Lindqvist", "Preventive", "Continuous",
     ["A.5.15", "A.5.16", "A.5.18"], ["AC-2", "IA-4", "PS-4", "PS-5"], ["CC6.1", "CC6.2"]),
    ("CTL-06", "Quarterly access review", "Marcus Lindqvist", "Detective", "Quarterly",
     ["A.5.18", "A.8.2"], ["AC-2(3)", "AC-6", "AC-6(1)"], ["CC6.3"]),
    ("CTL-07", "Multi-factor authentication", "Marcus Lindqvist", "Preventive", "Continuous",
     ["A.5.17", "A.8.5"], ["IA-2", "IA-2(1)", "IA-2(2)", "IA-5"], ["CC6.1"]),
    ("CTL-08", "Privileged access management", "Marcus Lindqvist", "Preventive", "Continuous",
     ["A.8.2", "A.8.18"], ["AC-6(2)", "AC-6(5)", "AC-17"], ["CC6.3"]),
    ("CTL-09", "Supplier security assessment", "Sofia Martins", "Preventive", "Annual",
     ["A.5.19", "A.5.20", "A.5.21", "A.5.22"], ["SA-9", "SR-3", "SR-6"], ["CC9.2"]),
    ("CTL-10", "Cloud service security baseline", "Daniel Okafor", "Preventive", "Quarterly",
     ["A.5.23", "A.8.9"], ["CM-2", "CM-6", "CM-7"], ["CC7.1"]),
    ("CTL-11", "Incident response plan and exercises", "Aoife Byrne", "Corrective", "Semi-annual",
     ["A.5.24", "A.5.25", "A.5.26", "A.5.27"], ["IR-1", "IR-4", "IR-8", "IR-3"], ["CC7.3", "CC7.4"]),
    ("CTL-12", "Evidence handling", "Aoife Byrne", "Corrective", "Ad hoc", ["A.5.28"], ["AU-9"], ["CC7.4"]),
    ("CTL-13", "Business continuity and DR tests", "Jan de Vries", "Corrective", "Semi-annual",
     ["A.5.29", "A.5.30", "A.8.14"], ["CP-2", "CP-4", "CP-10"], ["CC9.1", "A1.3"]),
    ("CTL-14", "Legal and contractual register", "Hannah Weber", "Directive", "Annual",
     ["A.5.31", "A.5.32", "A.5.33", "A.5.34"], ["PT-1", "SA-4"], ["CC2.2"]),
    ("CTL-15", "Independent security review", "Grace Chen", "Detective", "Annual",
     ["A.5.35", "A.5.36"], ["CA-2", "CA-7"], ["CC4.1", "CC4.2"]),
    ("CTL-16", "Background screening", "Hannah Weber", "Preventive", "Ad hoc", ["A.6.1", "A.6.2"], ["PS-3"], ["CC1.4"]),
    ("CTL-17", "Security awareness and phishing training", "Elena Rossi", "Preventive", "Quarterly",
     ["A.6.3"], ["AT-2", "AT-3"], ["CC1.4", "CC2.2"]),
    ("CTL-18", "Remote working and endpoint standard", "Tom Becker", "Preventive", "Continuous",
     ["A.6.7", "A.8.1"], ["AC-19", "CM-11"], ["CC6.8"]),
    ("CTL-19", "Datacentre physical access", "Luca Moretti", "Preventive", "Continuous",
     ["A.7.1", "A.7.2", "A.7.3", "A.7.4"], ["PE-2", "PE-3", "PE-6"], ["CC6.1"]),
    ("CTL-20", "Environmental protection and utilities", "Luca Moretti", "Preventive", "Monthly",
     ["A.7.5", "A.7.11", "A.7.8"], ["PE-13", "PE-14", "PE-11"], ["A1.2"]),
    ("CTL-21", "Media and equipment disposal", "Luca Moretti", "Preventive", "Ad hoc",
     ["A.7.10", "A.7.14"], ["MP-6", "MA-2"], ["CC6.1"]),
    ("CTL-22", "Vulnerability scanning and patching", "Daniel Okafor", "Corrective", "Monthly",
     ["A.8.8"], ["RA-5", "SI-2"], ["CC7.1"]),
    ("CTL-23", "Anti-malware on servers and endpoints", "Daniel Okafor", "Preventive", "Continuous",
     ["A.8.7"], ["SI-3"], ["CC6.8"]),
    ("CTL-24", "Backup and restore tests", "Jan de Vries", "Corrective", "Quarterly",
     ["A.8.13"], ["CP-9"], ["A1.2", "A1.3"]),
    ("CTL-25", "Central logging and retention", "Omar Haddad", "Detective", "Continuous",
     ["A.8.15", "A.8.17"], ["AU-2", "AU-11", "AU-12", "AU-8"], ["CC7.2"]),
    ("CTL-26", "Security monitoring (SOC)", "Omar Haddad", "Detective", "Continuous",
     ["A.8.16", "A.5.7"], ["SI-4", "AU-6"], ["CC7.2", "CC7.3"]),
    ("CTL-27", "Network segmentation and firewalls", "Daniel Okafor", "Preventive", "Quarterly",
     ["A.8.20", "A.8.21", "A.8.22"], ["SC-7", "AC-4"], ["CC6.6"]),
    ("CTL-28", "Encryption at rest and in transit", "Daniel Okafor", "Preventive", "Continuous",
     ["A.8.24"], ["SC-8", "SC-13", "SC-28", "SC-12"], ["CC6.7"]),
    ("CTL-29", "Secure development lifecycle", "Grace Chen", "Preventive", "Quarterly",
     ["A.8.25", "A.8.26", "A.8.27", "A.8.28"], ["SA-8", "SA-11", "SA-3"], ["CC8.1"]),
    ("CTL-30", "Change management", "Grace Chen", "Preventive", "Continuous",
     ["A.8.32", "A.8.31"], ["CM-3", "CM-4"], ["CC8.1", "CC3.4"]),
    ("CTL-31", "Security testing before release", "Grace Chen", "Detective", "Quarterly",
     ["A.8.29", "A.8.33"], ["SA-11(1)", "CA-8"], ["CC8.1"]),
    ("CTL-32", "Capacity management", "Jan de Vries", "Detective", "Monthly", ["A.8.6"], ["SC-5", "CP-2(2)"], ["A1.2"]),
    ("CTL-33", "Risk assessment cycle", "Priya Raman", "Directive", "Quarterly",
     ["A.5.8"], ["RA-3", "PM-9"], ["CC3.1", "CC3.2"]),
    ("CTL-34", "Data leakage prevention", "Elena Rossi", "Detective", "Continuous",
     ["A.8.12", "A.8.11", "A.8.10"], ["SC-7(10)", "SI-12"], ["CC6.7"]),
]
# how each control fares: 'solid' passes nearly always, 'shaky' has exceptions, 'weak' fails now and then
PROFILE = {"CTL-06": "shaky", "CTL-08": "weak", "CTL-09": "shaky", "CTL-13": "shaky", "CTL-21": "shaky",
           "CTL-22": "weak", "CTL-29": "shaky", "CTL-34": "weak"}
LATE = {"CTL-34": dt.date(2025, 6, 30)}  # planned until then (data leakage prevention rolled out in 2025)
EXCLUDED_ISO = {"A.8.30": "No outsourced development: all engineering is in-house",
                "A.7.9": "No equipment leaves the datacentres; laptops are covered by A.8.1"}
EXCLUDED_NIST = {"PE-17": "No alternate work sites that process customer data",
                 "AC-18": "No wireless in the datacentres; office wireless is outside the system boundary",
                 "AC-18(1)": "As AC-18", "PE-16": "Deliveries handled by the colocation provider (inherited)"}
REASONS = ["Risk assessment", "Risk assessment; contract", "Legal and regulatory", "Contract (customer DPA)",
           "Best practice", "Risk assessment; legal"]

# audits: id, type, framework, start, end, period start, period end, auditor, opinion, issued, expires
AUDITS = [
    ("ISO-2023-S2", "ISO stage 2", ISO, "2023-11-06", "2023-11-09", None, None, "Certa Assurance Ltd",
     "Recommended for certification", "2023-12-01", "2026-11-30"),
    ("SOC2-2024", "SOC 2 Type II", SOC, "2024-04-15", "2024-05-10", "2023-04-01", "2024-03-31", "Keel & Partners LLP",
     "Unqualified", None, None),
    ("INT-2024", "Internal audit", ISO, "2024-09-09", "2024-09-13", None, None, "Internal audit (G. Chen)",
     "Satisfactory", None, None),
    ("ISO-2024-SV1", "ISO surveillance", ISO, "2024-11-11", "2024-11-13", None, None, "Certa Assurance Ltd",
     "Certification maintained", None, None),
    ("SOC2-2025", "SOC 2 Type II", SOC, "2025-04-14", "2025-05-09", "2024-04-01", "2025-03-31", "Keel & Partners LLP",
     "Qualified (CC6.3)", None, None),
    ("INT-2025", "Internal audit", ISO, "2025-09-08", "2025-09-12", None, None, "Internal audit (G. Chen)",
     "Improvement needed", None, None),
    ("ISO-2025-SV2", "ISO surveillance", ISO, "2025-11-10", "2025-11-12", None, None, "Certa Assurance Ltd",
     "Certification maintained", None, None),
    ("SOC2-2026", "SOC 2 Type II", SOC, "2026-04-13", "2026-05-08", "2025-04-01", "2026-03-31", "Keel & Partners LLP",
     "Unqualified", None, None),
    ("INT-2026", "Internal audit", ISO, "2026-09-07", "2026-09-11", None, None, "Internal audit (G. Chen)",
     "Satisfactory with findings", None, None),
    ("SOC2-2027", "SOC 2 Type II", SOC, "2027-04-12", "2027-05-07", "2026-04-01", "2027-03-31", "Keel & Partners LLP",
     None, None, None),
    ("ISO-2026-RC", "ISO recertification", ISO, "2026-11-09", "2026-11-13", None, None, "Certa Assurance Ltd",
     None, None, None),
]
# findings: id, audit, grade, framework, ref, control, title, root cause, owner, days to due, days to close (None: open)
FINDINGS = [
    ("F-001", "ISO-2023-S2", "Minor nonconformity", ISO, "A.5.18", "CTL-06", "Leavers' access removed late in two cases",
     "HR leaver notice reached IT after the last day", "Marcus Lindqvist", 60, 75),
    ("F-002", "ISO-2023-S2", "Opportunity for improvement", ISO, "A.5.7", "CTL-26", "Threat intelligence not yet used in triage",
     None, "Omar Haddad", 180, 160),
    ("F-003", "SOC2-2024", "Observation", SOC, "CC9.2", "CTL-09", "Two vendor reviews completed after onboarding",
     "Procurement started contracts before the review", "Sofia Martins", 90, 120),
    ("F-004", "INT-2024", "Minor nonconformity", ISO, "A.8.8", "CTL-22", "Critical patches outside the 14-day window",
     "Maintenance windows too rare for legacy hosts", "Daniel Okafor", 60, 140),
    ("F-005", "ISO-2024-SV1", "Minor nonconformity", ISO, "A.5.30", "CTL-13", "DR test did not cover the billing service",
     "Test scope copied from the previous year", "Jan de Vries", 90, 85),
    ("F-006", "ISO-2024-SV1", "Observation", ISO, "A.8.29", "CTL-29", "Security test evidence scattered across tools",
     None, "Grace Chen", 120, 110),
    ("F-007", "SOC2-2025", "Major nonconformity", SOC, "CC6.3", "CTL-08", "Privileged accounts not reviewed for two quarters",
     "Review owner left; no deputy named", "Marcus Lindqvist", 45, 70),
    ("F-008", "SOC2-2025", "Observation", SOC, "CC7.1", "CTL-22", "Scanner coverage gap on new container hosts",
     "New cluster not enrolled in scanning", "Daniel Okafor", 60, 50),
    ("F-009", "INT-2025", "Minor nonconformity", ISO, "A.8.12", "CTL-34", "DLP rules in monitor mode only",
     "Rollout paused for false positives", "Elena Rossi", 90, 150),
    ("F-010", "INT-2025", "Opportunity for improvement", ISO, "A.5.36", "CTL-15", "Compliance checks not tracked to closure",
     None, "Grace Chen", 120, 100),
    ("F-011", "ISO-2025-SV2", "Minor nonconformity", ISO, "A.7.10", "CTL-21", "Disposal certificates missing for one batch",
     "Courier handed drives to a subcontractor", "Luca Moretti", 60, 90),
    ("F-012", "ISO-2025-SV2", "Observation", ISO, "A.5.23", "CTL-10", "Cloud baseline exceptions not time-limited",
     None, "Daniel Okafor", 120, None),
    ("F-013", "SOC2-2026", "Observation", SOC, "CC6.2", "CTL-05", "Contractor accounts without an end date",
     "Contractor onboarding form lacks an end date", "Marcus Lindqvist", 60, None),
    ("F-014", "SOC2-2026", "Minor nonconformity", SOC, "CC7.2", "CTL-25", "Log retention below 12 months for one region",
     "Storage policy not applied to the new region", "Omar Haddad", 75, 95),
    ("F-015", "INT-2026", "Minor nonconformity", ISO, "A.8.2", "CTL-08", "Break-glass account used without a ticket",
     "On-call runbook skips the ticket step", "Marcus Lindqvist", 30, None),
    ("F-016", "INT-2026", "Opportunity for improvement", ISO, "A.6.3", "CTL-17", "Training does not cover AI tools",
     None, "Elena Rossi", 120, None),
]
FINDING_RISK = {"F-007": "privileged", "F-015": "privileged", "F-004": "patch", "F-009": "leak"}


def _d(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def quarter_ends() -> list[dt.date]:
    return [month_end(add_months(FIRST, 3 * q)) for q in range(QUARTERS)]


def _risk_links(risks: list[dict]) -> dict[str, str]:
    """A finding's linked risk: the first risk of the register whose title speaks of the same thing."""
    words = {"privileged": ("privileg", "admin"), "patch": ("patch", "vulnerab"), "leak": ("leak", "exfiltrat")}
    out = {}
    for fid, topic in FINDING_RISK.items():
        hit = next((r["risk_id"] for r in risks if any(w in r["title"].lower() for w in words[topic])), None)
        if hit:
            out[fid] = hit
    return out


def compliance_books(risks_by_quarter: dict[dt.date, list[dict]]) -> list[tuple[str, dt.date, dict[str, list[dict]]]]:
    """(file name, as-of date, rows by kind) per quarter end; `risks_by_quarter` is the risk
    register of each quarter (findings link to its risks)."""
    rng = random.Random(SEED)
    quarters = quarter_ends()
    results = _results(rng, quarters)
    books = []
    for i, qe in enumerate(quarters):
        rows: dict[str, list[dict]] = {
            "controls": _controls(qe),
            "control_tests": _tests(results, quarters, i),
            "audits": _audits(qe),
            "findings": _findings(qe, _risk_links(risks_by_quarter.get(qe, []))),
        }
        if i == 0:
            rows["frameworks"] = [{"framework": SOC, "name": "SOC 2 Trust Services Criteria (sample test list)",
                                   "version": "sample", "licence": "user-imported"}]
            rows["requirements"] = [{"framework": SOC, "ref": r, "title": t, "parent": None, "family": f, "text": None}
                                    for r, f, t in SOC2]
        if qe.month == 12:  # the SoA is reviewed and approved each December
            rows["soa"] = _soa(qe, version=f"{qe.year - 2022}.0")
        books.append((f"compliance-{qe.isoformat()}.xlsx", qe, {k: v for k, v in rows.items() if v}))
    return books


def _controls(qe: dt.date) -> list[dict]:
    out = []
    for cid, name, owner, ctype, freq, iso, nist, soc in CONTROLS:
        status = "Planned" if cid in LATE and qe < LATE[cid] else "Implemented"
        if cid == "CTL-34" and LATE[cid] <= qe < dt.date(2026, 3, 31):
            status = "Partially implemented"
        reqs = [f"{ISO}:{r}" for r in iso] + [f"{NIST}:{r}" for r in nist] + [f"{SOC}:{r}" for r in soc]
        out.append({"control_id": cid, "name": name, "owner": owner, "control_type": ctype, "frequency": freq,
                    "status": status, "requirements": reqs, "description": None})
    return out


def _results(rng: random.Random, quarters: list[dt.date]) -> dict[tuple[str, dt.date], dict]:
    """Every control's test of every quarter: its due date, when it was tested and the result."""
    out = {}
    for cid, *_ in CONTROLS:
        profile = PROFILE.get(cid, "solid")
        for q in quarters:
            if cid in LATE and q < LATE[cid]:
                continue
            due = q + dt.timedelta(days=30)
            r = rng.random()
            fail, exc = {"solid": (0.01, 0.05), "shaky": (0.04, 0.22), "weak": (0.15, 0.25)}[profile]
            result = "Fail" if r < fail else "Exceptions" if r < fail + exc else "Pass"
            late = rng.random() < 0.12
            tested = due + dt.timedelta(days=rng.randrange(5, 40)) if late else q + dt.timedelta(days=rng.randrange(5, 29))
            out[(cid, q)] = {"control_id": cid, "period": q, "due_on": due, "tested_on": tested, "result": result,
                             "tester": rng.choice(["Internal audit: G. Chen", "GRC: A. Byrne", "GRC: D. Okafor"]),
                             "test_id": f"T-{cid[4:]}-{q:%Y%m}", "note": None}
    # the story of the last review: the privileged access review of Q2 2026 still not done
    out[("CTL-08", quarters[-2])]["tested_on"] = None
    return out


def _tests(results: dict, quarters: list[dt.date], i: int) -> list[dict]:
    """The quarter's batch: last quarter's tests with the results known by now, and this quarter's
    tests scheduled (tested after the quarter end, so not yet)."""
    qe = quarters[i]
    rows = []
    for (cid, period), t in sorted(results.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        if i > 0 and period == quarters[i - 1]:
            done = t["tested_on"] is not None and t["tested_on"] <= qe
            rows.append(t if done else {**t, "tested_on": None, "result": None, "tester": None})
        elif period == qe:
            rows.append({**t, "tested_on": None, "result": None, "tester": None})
    if i > 1:  # a test finished late, after its quarter's batch: reported with the next one
        for (cid, period), t in results.items():
            if period == quarters[i - 2] and t["tested_on"] and quarters[i - 1] < t["tested_on"] <= qe:
                rows.append(t)
    return rows


def _audits(qe: dt.date) -> list[dict]:
    out = []
    for aid, kind, fw, start, end, ps, pe, auditor, opinion, issued, expires in AUDITS:
        planned = _d(start) > qe
        if planned and _d(start) > qe + dt.timedelta(days=400):
            continue  # not yet on the plan
        out.append({"audit_id": aid, "audit_type": kind, "framework": fw, "starts_on": _d(start), "ends_on": _d(end),
                    "period_start": _d(ps), "period_end": _d(pe), "auditor": auditor,
                    "scope": "Northwind Cloud platform, datacentres and support" if fw == ISO else "Cloud hosting services",
                    "opinion": None if _d(end) > qe else opinion,
                    "certificate_issued_on": _d(issued) if issued and _d(issued) <= qe else None,
                    "certificate_expires_on": _d(expires) if issued and _d(issued) <= qe else None})
    return out


def _findings(qe: dt.date, risks: dict[str, str]) -> list[dict]:
    ends = {a[0]: _d(a[4]) for a in AUDITS}
    out = []
    for fid, aid, grade, fw, ref, cid, title, cause, owner, to_due, to_close in FINDINGS:
        raised = ends[aid]
        if raised > qe:
            continue
        closed = raised + dt.timedelta(days=to_close) if to_close is not None else None
        done = closed is not None and closed <= qe
        remediated = not done and closed is not None and closed - dt.timedelta(days=20) <= qe
        out.append({"finding_id": fid, "audit_id": aid, "title": title, "framework": fw, "ref": ref, "control_id": cid,
                    "grade": grade, "root_cause": cause, "owner": owner, "raised_on": raised,
                    "due_on": raised + dt.timedelta(days=to_due),
                    "status": "Closed" if done else "Remediated" if remediated else "Open",
                    "closed_on": closed if done else None, "risk_id": risks.get(fid), "exception_id": None})
    return out


def _soa(qe: dt.date, version: str) -> list[dict]:
    """The SoA of ISO/IEC 27001:2022 Annex A, the 800-53 Moderate baseline and the SOC 2 list,
    as approved that December; implementation status from the controls then."""
    from isms.catalogs import shipped

    controls = _controls(qe)
    status: dict[str, str] = {}
    for c in controls:
        for req in c["requirements"]:
            best = status.get(req)
            if best != "Implemented":
                status[req] = c["status"] if c["status"] != "Planned" else (best or "Planned")
    reqs = shipped.requirements()
    rng = random.Random(SEED + qe.year)
    approved = dt.date(qe.year, 12, 12)
    out = []

    def line(fw: str, ref: str, cited: str, excluded: dict[str, str]) -> dict:
        applicable = ref not in excluded
        st = status.get(f"{cited}:{ref}") if applicable else None
        return {"framework": fw, "ref": ref, "applicable": applicable,
                "reason": rng.choice(REASONS) if applicable else None,
                "justification": excluded.get(ref), "implementation_status": st or ("Not implemented" if applicable else None),
                "soa_version": version, "approved_on": approved, "approved_by": "Priya Raman (CISO)"}

    for ref in reqs[reqs.framework == ISO].ref:
        out.append(line(ISO, ref, ISO, EXCLUDED_ISO))
    for ref in reqs[reqs.framework == SCOPE_NIST].ref:
        out.append(line(SCOPE_NIST, ref, NIST, EXCLUDED_NIST))
    for ref, _, _ in SOC2:
        out.append(line(SOC, ref, SOC, {}))
    return out
