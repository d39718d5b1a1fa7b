"""The dashboard beside a scheduled import: the warm Risk Review rerun on the large ISMS while another
process (`python -m isms import`) imports a 100,000-row workbook, against the same rerun alone.

`shared_read_ratio` = median rerun during the import / median rerun alone, from this one run
(target <= 1.3). Reruns that started after the import published its batch are left out: those
rebuild the page for the new data version, which is the point of publishing, not contention.
The machine has two cores, so the import's parsing competes with the page for CPU as well.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from bench.bench_import import RISKS, assessments_workbook
from bench.large import build_large_db
from isms.models import Risk
from isms.store.batches import commit_batch
from isms.store.db import data_version
from isms.store.shared import SharedStore
from ui.apptest import app_database, open_app, require_charts, warm_rerun_seconds

ROOT = Path(__file__).resolve().parent.parent
ALONE_RERUNS = 9
AS_OF = "2002-01-01"  # the benchmark workbook's assessments (2000-2001) are of the risks added below


def _add_workbook_risks(db: Path) -> None:
    """The workbook names risks R-0000..R-0999 (the large ISMS's are R-00000...): register them as of
    2000-01-01, long before the large ISMS's quarters, so its pages are unchanged."""
    risks = pd.DataFrame([{"risk_id": f"R-{i:04d}", "title": f"Risk {i}", "description": None,
                           "annex_a_theme": "A.8 Technological", "annex_a_controls": [], "nist_family": None,
                           "asset_ids": [], "owner": "Owner", "status": "Open", "identified_on": dt.date(2000, 1, 1),
                           "source": "Annual assessment"} for i in range(RISKS)], columns=list(Risk.model_fields))
    with SharedStore(db).write("the benchmark") as con:
        commit_batch(con, source="bench", file_name="risks", sha256=hashlib.sha256(b"risks").hexdigest(),
                     as_of=dt.date(2000, 1, 1), imported_by="bench", frames={"risks": risks})


def _version(store: SharedStore) -> str:
    with store.read() as cur:
        return data_version(cur)


def run() -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="bench-shared-") as tmp:
        db = build_large_db(Path(tmp) / "large.duckdb", risks=10_000, quarters=20)
        _add_workbook_risks(db)
        workbook = Path(tmp) / "assessments.xlsx"
        workbook.write_bytes(assessments_workbook())
        store = SharedStore(db)
        with app_database(db):
            # the Risk Review by its path: the root opens the Forum, which has no chart to time
            at = require_charts(open_app("pages/risk_review.py", timeout=600))
            alone = warm_rerun_seconds(at, ALONE_RERUNS)
            before = _version(store)
            start = time.perf_counter()
            proc = subprocess.Popen([sys.executable, "-m", "isms", "import", str(workbook), "--as-of", AS_OF, "--part"],
                                    cwd=ROOT, env={**os.environ, "ISMS_DB": str(db)}, text=True,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            during = []
            while proc.poll() is None:
                t0 = time.perf_counter()
                at.run()
                seconds = time.perf_counter() - t0
                if _version(store) != before:
                    break  # published: later reruns rebuild for the new batch
                during.append(seconds)
            out, err = proc.communicate(timeout=900)
            imported = time.perf_counter() - start
            if proc.returncode != 0:
                raise SystemExit(f"the benchmark import failed ({proc.returncode}): {out}{err}")
            if len(during) < 3:
                raise SystemExit(f"only {len(during)} reruns ran during the import")
    loaded = statistics.median(during)
    return {
        "shared_rerun_alone_s": round(alone, 3),
        "shared_rerun_during_import_s": round(loaded, 3),
        "shared_reruns_during_import": len(during),
        "shared_import_s": round(imported, 1),
        "shared_read_ratio": round(loaded / alone, 2),
    }
