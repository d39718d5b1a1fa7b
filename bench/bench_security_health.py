"""A warm rerun of the Security Health page under AppTest: the large ISMS against the sample.

The large ISMS has 500 KRIs with 60 monthly results (and 2,000 risks, enough for the risk
scorecard to matter without a long build). Both databases are built into a temporary folder; the
page runs once cold on each (filling st.cache_data), then the median of a few warm reruns is
taken. The ratio says whether the page's cost grows with the size of the ISMS; the target is 1.5.
A cold month change (`isms.views.security_health.build` for a month not asked for before) is
compared the same way: `security_health_cold_ratio`, target 2.0.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from bench.cold import security_health_cold
from bench.large import build_large_db, build_sample_db
from ui.apptest import app_database, open_app, require_charts, warm_rerun_seconds

PAGE = "pages/security_health.py"
WARM_RUNS = 5


def _warm_rerun(db: Path) -> float:
    with app_database(db):
        return warm_rerun_seconds(require_charts(open_app(PAGE, timeout=300)), WARM_RUNS)


def run() -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        large = build_large_db(Path(tmp) / "large.duckdb", risks=2_000, kris=500, months=60)
        built = time.perf_counter() - start
        sample = build_sample_db(Path(tmp) / "sample.duckdb")
        cold_large, cold_sample = security_health_cold(large, sample)
        large_s = _warm_rerun(large)
        sample_s = _warm_rerun(sample)
    return {
        "security_health_large_build_s": round(built, 1),
        "security_health_large_cold_build_s": round(cold_large, 3),
        "security_health_sample_cold_build_s": round(cold_sample, 3),
        "security_health_cold_ratio": round(cold_large / cold_sample, 2),
        "security_health_large_s": round(large_s, 3),
        "security_health_sample_s": round(sample_s, 3),
        "security_health_ratio": round(large_s / sample_s, 2),
    }
