"""A warm rerun of the Security Health page under AppTest: the large ISMS against the sample.

The large ISMS has 500 KRIs with 60 monthly results (and 2,000 risks, enough for the risk
scorecard to matter without a long build). Both databases are built into a temporary folder; the
page runs once cold on each (filling st.cache_data), then the median of a few warm reruns is
taken. The ratio says whether the page's cost grows with the size of the ISMS; the target is 1.5.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import streamlit as st
from streamlit.testing.v1 import AppTest

from bench.large import build_large_db

ROOT = Path(__file__).resolve().parent.parent
PAGE = "pages/security_health.py"
WARM_RUNS = 5


def _sample_db(path: Path) -> Path:
    subprocess.run([sys.executable, "-m", "isms", "init-db"], cwd=ROOT, env={**os.environ, "ISMS_DB": str(path)},
                   check=True, capture_output=True)
    return path


def _warm_rerun(db: Path) -> float:
    os.environ["ISMS_DB"] = str(db)
    st.cache_resource.clear()
    st.cache_data.clear()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.run()
    at.switch_page(PAGE).run()
    if at.exception:
        raise RuntimeError([e.message for e in at.exception])
    times = []
    for _ in range(WARM_RUNS):
        start = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def run() -> dict[str, object]:
    old = os.environ.get("ISMS_DB")
    try:
        with tempfile.TemporaryDirectory() as tmp:
            start = time.perf_counter()
            large = build_large_db(Path(tmp) / "large.duckdb", risks=2_000, kris=500, months=60)
            built = time.perf_counter() - start
            sample = _sample_db(Path(tmp) / "sample.duckdb")
            large_s = _warm_rerun(large)
            sample_s = _warm_rerun(sample)
    finally:
        st.cache_resource.clear()
        st.cache_data.clear()
        if old is None:
            os.environ.pop("ISMS_DB", None)
        else:
            os.environ["ISMS_DB"] = old
    return {
        "security_health_large_build_s": round(built, 1),
        "security_health_large_s": round(large_s, 3),
        "security_health_sample_s": round(sample_s, 3),
        "security_health_ratio": round(large_s / sample_s, 2),
    }
