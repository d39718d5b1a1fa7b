"""A warm rerun of the Compliance Review page under AppTest: a large compliance programme against
the sample's.

The large ISMS (issue 15): 3,000 controls, 5 frameworks in scope with an SoA each (the full NIST
SP 800-53 Rev 5 catalog with every enhancement, ISO/IEC 27001:2022 Annex A, NIST CSF 2.0, and two
user-imported catalogs of 300 requirements), five years of quarterly tests (60,000) and 1,000
findings. It is written straight through the store (commit_batch), as the import would. The page
runs once cold on each database (filling st.cache_data), then the median of a few warm reruns is
taken: `compliance_ratio`, target at most 1.5.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import tempfile
import time
from pathlib import Path

import pandas as pd

from bench.large import build_sample_db
from isms.catalogs import shipped
from isms.dates import add_months, month_end
from isms.models import KINDS
from isms.store import connect
from isms.store.batches import commit_batch
from ui.apptest import app_database, open_app, require_charts, warm_rerun_seconds

PAGE = "pages/compliance.py"
WARM_RUNS = 5
SHIPPED = ("NIST-800-53r5", "ISO27001-2022", "NIST-CSF-2.0")
USER = ("PCI-TEST", "SOC2-TEST")


def _frame(kind: str, rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame.from_records(rows, columns=list(KINDS[kind][1].model_fields))


def build_large_compliance_db(path: Path, controls: int = 3_000, quarters: int = 20, findings: int = 1_000) -> Path:
    rng = random.Random(15)
    con = connect(path)
    reqs = shipped.requirements()
    catalog = {f: reqs[reqs.framework == f].ref.tolist() for f in SHIPPED}
    for f in USER:
        catalog[f] = [f"R{i // 10}.{i % 10}" for i in range(300)]
    first = dt.date(2021, 12, 31)
    qs = [month_end(add_months(first, 3 * q)) for q in range(quarters)]
    ctl = [{"control_id": f"C-{i:05d}", "name": f"Control {i}", "owner": f"Owner {i % 40}", "control_type": "Preventive",
            "frequency": "Quarterly", "status": "Implemented" if i % 10 else "Partially implemented",
            "requirements": [f"{fw}:{rng.choice(catalog[fw])}" for fw in rng.sample(list(catalog), 2)],
            "description": None} for i in range(controls)]
    soa = [{"framework": fw, "ref": r, "applicable": rng.random() > 0.05, "reason": "Risk assessment",
            "justification": "Out of scope", "implementation_status": "Implemented", "soa_version": "1.0",
            "approved_on": first, "approved_by": "CISO"} for fw, refs in catalog.items() for r in refs]
    audits = [{"audit_id": f"A-{y}-{k}", "audit_type": "ISO surveillance", "framework": "ISO27001-2022",
               "starts_on": dt.date(y, 5 + k, 1), "ends_on": dt.date(y, 5 + k, 5), "period_start": None, "period_end": None,
               "auditor": "Cert body", "scope": None, "opinion": None, "certificate_issued_on": None,
               "certificate_expires_on": None} for y in range(2022, 2028) for k in range(3)]
    for i, q in enumerate(qs):
        frames = {"control_tests": _frame("control_tests", [
            {"control_id": c["control_id"], "period": q, "due_on": q + dt.timedelta(days=30),
             "tested_on": q + dt.timedelta(days=rng.randrange(5, 40)) if i < quarters - 1 else None,
             "result": rng.choice(["Pass"] * 8 + ["Exceptions", "Fail"]) if i < quarters - 1 else None,
             "tester": "Tester", "test_id": None, "note": None} for c in ctl])}
        if i == 0:
            frames["controls"] = _frame("controls", ctl)
            frames["soa"] = _frame("soa", soa)
            frames["frameworks"] = _frame("frameworks", [{"framework": f, "name": f, "version": "1",
                                                          "licence": "user-imported"} for f in USER])
            frames["requirements"] = _frame("requirements", [{"framework": f, "ref": r, "title": f"Requirement {r}",
                                                              "parent": None, "family": r.split(".")[0], "text": None}
                                                             for f in USER for r in catalog[f]])
        frames["audits"] = _frame("audits", audits)
        frames["findings"] = _frame("findings", [
            {"finding_id": f"F-{n:05d}", "audit_id": None, "title": f"Finding {n}", "framework": rng.choice(list(catalog)),
             "ref": None, "control_id": None, "grade": rng.choice(["Minor nonconformity", "Observation"]),
             "root_cause": None, "owner": "Owner", "raised_on": q - dt.timedelta(days=rng.randrange(0, 80)),
             "due_on": q + dt.timedelta(days=60), "status": "Open" if n % 3 else "Closed",
             "closed_on": q if n % 3 == 0 else None, "risk_id": None, "exception_id": None}
            for n in range(findings * (i + 1) // quarters)])
        commit_batch(con, source="bench", file_name=f"compliance-{q}.xlsx",
                     sha256=hashlib.sha256(str(q).encode()).hexdigest(), as_of=q, imported_by="bench", frames=frames)
    con.execute("CHECKPOINT")
    con.close()
    return path


def _warm_rerun(db: Path) -> float:
    with app_database(db):
        return warm_rerun_seconds(require_charts(open_app(PAGE, timeout=600)), WARM_RUNS)


def run() -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        large = build_large_compliance_db(Path(tmp) / "large.duckdb")
        built = time.perf_counter() - start
        sample = build_sample_db(Path(tmp) / "sample.duckdb")
        large_s = _warm_rerun(large)
        sample_s = _warm_rerun(sample)
    return {
        "compliance_large_build_s": round(built, 1),
        "compliance_large_s": round(large_s, 3),
        "compliance_sample_s": round(sample_s, 3),
        "compliance_ratio": round(large_s / sample_s, 2),
    }
