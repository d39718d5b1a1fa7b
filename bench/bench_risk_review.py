"""Risk Review page: a warm rerun under AppTest on a large ISMS against the same on the sample.

The page aggregates in DuckDB and caches its bundle by data version, so a warm rerun should cost
about the same whatever the size of the register: the ratio is the figure to watch (target
<= 1.5). Times are medians of a few reruns on a shared machine, from one run of this module.
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
RERUNS = 5


def _sample_db(path: Path) -> Path:
    """The sample ISMS built exactly as `make db` builds it."""
    subprocess.run([sys.executable, "-m", "isms", "init-db", "--sample", str(ROOT / "data" / "sample")],
                   cwd=ROOT, env={**os.environ, "ISMS_DB": str(path)}, check=True, capture_output=True, timeout=600)
    return path


def _page_times(db: Path) -> tuple[float, float]:
    """(cold first run, median warm rerun) of the Risk Review page on one database."""
    os.environ["ISMS_DB"] = str(db)
    st.cache_resource.clear()
    st.cache_data.clear()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    start = time.perf_counter()
    at.run()
    cold = time.perf_counter() - start
    if at.exception:
        raise RuntimeError([e.message for e in at.exception])
    warm = []
    for _ in range(RERUNS):
        start = time.perf_counter()
        at.run()
        warm.append(time.perf_counter() - start)
    return cold, statistics.median(warm)


def run() -> dict[str, object]:
    old = os.environ.get("ISMS_DB")
    with tempfile.TemporaryDirectory(prefix="bench-risk-review-") as tmp:
        start = time.perf_counter()
        large = build_large_db(Path(tmp) / "large.duckdb", risks=10_000, quarters=20)
        built = time.perf_counter() - start
        sample = _sample_db(Path(tmp) / "sample.duckdb")
        try:
            large_cold, large_warm = _page_times(large)
            sample_cold, sample_warm = _page_times(sample)
        finally:
            st.cache_resource.clear()
            st.cache_data.clear()
            if old is None:
                os.environ.pop("ISMS_DB", None)
            else:
                os.environ["ISMS_DB"] = old
    return {
        "large_isms_build_s": round(built, 2),
        "risk_review_large_cold_s": round(large_cold, 2),
        "risk_review_sample_cold_s": round(sample_cold, 2),
        "risk_review_large_s": round(large_warm, 3),
        "risk_review_sample_s": round(sample_warm, 3),
        "risk_review_ratio": round(large_warm / sample_warm, 2),
    }
