"""Risk Review: cold bundle builds and a warm page rerun, on a large ISMS against the sample.

A cold build (`isms.views.risk_review.build` for a new date or filter: what every new question in
a meeting costs) reads the read model, so it should cost about the same whatever the size of the
register: `risk_review_cold_ratio` (target <= 2.0) and, against one DuckDB scan that aggregates
the assessment table by risk, `risk_review_cold_floor_ratio` (target <= 20). The page caches its
bundle by data version, so a warm rerun should cost about the same too: `risk_review_ratio`
(target <= 1.5). Times are medians of a few runs on a shared machine, from one run of this module.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from bench.cold import risk_review_cold
from bench.large import build_large_db, build_sample_db
from ui.apptest import app_database, open_app, require_charts, warm_rerun_seconds

RERUNS = 5


def _page_times(db: Path) -> tuple[float, float]:
    """(cold first run, median warm rerun) of the Risk Review page on one database."""
    with app_database(db):
        start = time.perf_counter()
        at = require_charts(open_app("pages/risk_review.py", timeout=600))
        cold = time.perf_counter() - start
        return cold, warm_rerun_seconds(at, RERUNS)


def run() -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="bench-risk-review-") as tmp:
        start = time.perf_counter()
        large = build_large_db(Path(tmp) / "large.duckdb", risks=10_000, quarters=20)
        built = time.perf_counter() - start
        sample = build_sample_db(Path(tmp) / "sample.duckdb")
        build_large, build_sample, scan = risk_review_cold(large, sample)
        large_cold, large_warm = _page_times(large)
        sample_cold, sample_warm = _page_times(sample)
    return {
        "large_isms_build_s": round(built, 2),
        "risk_review_large_cold_build_s": round(build_large, 3),
        "risk_review_sample_cold_build_s": round(build_sample, 3),
        "risk_review_cold_ratio": round(build_large / build_sample, 2),
        "risk_review_large_assessment_scan_s": round(scan, 4),
        "risk_review_cold_floor_ratio": round(build_large / scan, 1),
        "risk_review_large_cold_s": round(large_cold, 2),
        "risk_review_sample_cold_s": round(sample_cold, 2),
        "risk_review_large_s": round(large_warm, 3),
        "risk_review_sample_s": round(sample_warm, 3),
        "risk_review_ratio": round(large_warm / sample_warm, 2),
    }
