"""Where a cold Risk Review build spends its time: each DuckDB query of `risk_review.build`, timed
on the large ISMS and on the sample (bench_risk_review's databases and cases), as the median of
its runs and the total per build.

`risk_review_cold_floor_ratio` compares the whole build with one assessment scan. This module
says which query to work on, and whether a query costs more on the large ISMS, which counts
against `risk_review_cold_ratio` too, or the same on both sides. Not part of `make bench`; run
it with `.venv/bin/python -m bench.cold_queries [rounds]`. Times are printed, not asserted.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
import traceback
from collections import defaultdict
from pathlib import Path

from bench.cold import _review_cases
from bench.large import build_large_db, build_sample_db
from isms.dates import previous_quarter_end
from isms.config import load_settings
from isms.store import connect
from isms.views import risk_review


class _Timed:
    """A connection whose `execute` calls are timed, by the function that made them."""

    def __init__(self, con, times: dict[str, list[float]]):
        self._con, self._times = con, times

    def __getattr__(self, name):
        return getattr(self._con, name)

    def execute(self, *args, **kwargs):
        caller = traceback.extract_stack(limit=2)[0]
        start = time.perf_counter()
        result = self._con.execute(*args, **kwargs)
        self._times[f"{caller.name} ({Path(caller.filename).name}:{caller.lineno})"].append(time.perf_counter() - start)
        return result

    def cursor(self):
        return _Timed(self._con.cursor(), self._times)


def query_times(db: Path, rounds: int) -> tuple[dict[str, list[float]], int]:
    """Each query's times over `rounds` x the three cases, after one untimed build; and the builds."""
    settings = load_settings(db_path=str(db))
    con = connect(db, read_only=True)
    try:
        cases = _review_cases(con)
        as_of, filters = cases[0]
        risk_review.build(con, settings, as_of, previous_quarter_end(as_of), filters)
        times: dict[str, list[float]] = defaultdict(list)
        timed = _Timed(con, times)
        for _ in range(rounds):
            for as_of, filters in cases:
                risk_review.build(timed, settings, as_of, previous_quarter_end(as_of), filters)
        return times, rounds * len(cases)
    finally:
        con.close()


def main(argv: list[str]) -> int:
    rounds = int(argv[0]) if argv else 3
    with tempfile.TemporaryDirectory(prefix="bench-cold-queries-") as tmp:
        dbs = {"large": build_large_db(Path(tmp) / "large.duckdb", risks=10_000, quarters=20),
               "sample": build_sample_db(Path(tmp) / "sample.duckdb")}
        measured = {name: query_times(db, rounds) for name, db in dbs.items()}
    (large, builds), (sample, _) = measured["large"], measured["sample"]
    print(f"{'query (caller)':58s} {'large ms':>9s} {'sample ms':>9s} {'large/build':>11s}")
    for key in sorted(large, key=lambda k: -sum(large[k])):
        print(f"{key:58s} {statistics.median(large[key]) * 1000:9.1f} "
              f"{statistics.median(sample.get(key, [0.0])) * 1000:9.1f} {sum(large[key]) / builds * 1000:11.1f}")
    for name, (times, n) in measured.items():
        print(f"{name}: {sum(map(sum, times.values())) / n * 1000:.1f} ms in DuckDB per build")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
