"""DuckLake with a PostgreSQL catalog against the local store: the cold Risk Review build on the large
ISMS just after an import.

Both stores get the same large ISMS (bench.large) and then the same import (a month of KRI results,
committed through the store as the CLI would); the cold Risk Review build right after it (three
distinct builds, median: the default view, one Annex A theme, the quarter before, as bench.cold) is
timed on each, through the store a page reads (`open_store(...).read()`).

`lake_build_ratio` = the first of them (the page's first read after the import) on DuckLake-on-PostgreSQL
/ the same on the local store, each read through a store opened and read before the import, as a
server that was up all day holds it: on DuckLake that first read brings the server's replica up to
date with the batch (isms.store.shared.LakeStore). `lake_build_median_ratio` is the median of the
three. A server started after the import copies the whole snapshot instead: its first read is
printed beside (`server_start_first_read_*`), not in the ratio. Target for `lake_build_ratio`: at most 2.0. The catalog is a
throwaway cluster of Debian's PostgreSQL on a loopback port, the data path a local folder; without
PostgreSQL the figure is reported as not measured.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from bench.large import build_large_db
from isms.dates import previous_quarter_end
from isms.config import load_settings
from isms.filters import RiskFilter
from isms.store import connect, pg_cluster
from isms.store.batches import commit_batch
from isms.store.shared import open_store
from isms.views import risk_review


def _import_a_month(target) -> float:
    """One more month of results for every KRI, committed as an import is; returns its seconds."""
    con = connect(target)
    try:
        kris = [k for (k,) in con.execute("SELECT DISTINCT metric_id FROM metric ORDER BY 1").fetchall()]
        (last,) = con.execute("SELECT max(period) FROM monitoring_result").fetchone()
        period = (pd.Timestamp(last) + pd.offsets.MonthBegin(1)).date()
        rng = np.random.default_rng(11)
        frames = {"monitoring_results": pd.DataFrame({"metric_id": kris, "period": period,
                                                      "value": rng.uniform(0, 100, len(kris)).round(1), "note": None})}
        start = time.perf_counter()
        commit_batch(con, source="bench", file_name="next-month.xlsx", sha256="e" * 64,
                     as_of=(pd.Timestamp(period) + pd.offsets.MonthEnd(0)).date(), imported_by="bench", frames=frames)
        return time.perf_counter() - start
    finally:
        con.close()


def _seconds(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def serving(target):
    """A store as a dashboard server holds it: opened and read once before the import, as a server
    that was up all day has (on DuckLake: its replica of the snapshot before the import)."""
    store = open_store(target)
    with store.read() as con:
        con.execute("SELECT count(*) FROM import_batch").fetchone()
    return store


def risk_review_cold(store) -> tuple[float, float, float]:
    """Three distinct cold builds as bench.cold.risk_review_cold, through the store a page uses, the
    first being a page's first read after the import: it pays for the store's first read of the new
    batch (on DuckLake, bringing the replica up to date). Returns (the first build with that read,
    the median of the three, the first read's seconds)."""
    settings = load_settings(db_path=str(store.url if hasattr(store, "url") else store.path))
    start = time.perf_counter()
    with store.read() as con:
        first_read = time.perf_counter() - start
        dates = risk_review.review_dates(con, include_interim=True)
        as_of = risk_review.default_review_date(dates)
        earlier = [d for d in dates if d < as_of and risk_review.is_quarter_end(d)] or [as_of]
        theme = risk_review.filter_options(con, as_of)["themes"][0]
        runs = [
            first_read + _seconds(lambda: risk_review.build(con, settings, as_of, previous_quarter_end(as_of))),
            _seconds(lambda: risk_review.build(con, settings, as_of, previous_quarter_end(as_of),
                                               RiskFilter(themes=(theme,)))),
            _seconds(lambda: risk_review.build(con, settings, earlier[0], previous_quarter_end(earlier[0]))),
        ]
    if hasattr(store, "close"):
        store.close()
    return runs[0], statistics.median(runs), first_read


def first_read(target) -> float:
    """A server started now: its first read (on DuckLake, copying the whole snapshot into memory)."""
    store = open_store(target)
    start = time.perf_counter()
    with store.read() as con:
        con.execute("SELECT count(*) FROM import_batch").fetchone()
    seconds = time.perf_counter() - start
    if hasattr(store, "close"):
        store.close()
    return seconds


def run() -> dict[str, object]:
    try:
        pg_cluster.server_bin()
    except pg_cluster.PostgresMissing as exc:
        return {"lake_build_ratio": f"not measured: {exc}"}
    with tempfile.TemporaryDirectory(prefix="bench-lake-") as tmp:
        tmp = Path(tmp)
        pg_folder = Path(tempfile.mkdtemp(prefix="bench-lake-postgres-"))  # one the server's own user can reach
        cluster = pg_cluster.start(pg_folder)
        old = os.environ.get("ISMS_DATA_PATH")
        os.environ["ISMS_DATA_PATH"] = str(tmp / "lake-data")
        try:
            t0 = time.perf_counter()
            local = build_large_db(tmp / "large.duckdb")
            local_build = time.perf_counter() - t0
            url = cluster.create_database("large")
            t0 = time.perf_counter()
            build_large_db(url)
            lake_build = time.perf_counter() - t0
            local_server, lake_server = serving(local), serving(url)
            local_import, lake_import = _import_a_month(local), _import_a_month(url)
            (local_first, local_cold, _), (lake_first, lake_cold, lake_copy) = (risk_review_cold(local_server),
                                                                                risk_review_cold(lake_server))
            local_start, lake_start = first_read(local), first_read(url)
        finally:
            if old is None:
                os.environ.pop("ISMS_DATA_PATH", None)
            else:
                os.environ["ISMS_DATA_PATH"] = old
            cluster.stop()
            shutil.rmtree(pg_folder, ignore_errors=True)
    return {
        "large_isms_written_local_s": round(local_build, 1),
        "large_isms_written_lake_s": round(lake_build, 1),
        "import_a_month_local_s": round(local_import, 2),
        "import_a_month_lake_s": round(lake_import, 2),
        "risk_review_first_after_import_local_s": round(local_first, 3),
        "risk_review_first_after_import_lake_s": round(lake_first, 3),
        "lake_replica_update_s": round(lake_copy, 3),
        "server_start_first_read_local_s": round(local_start, 3),
        "server_start_first_read_lake_s": round(lake_start, 3),
        "lake_build_ratio": round(lake_first / local_first, 2),
        "risk_review_cold_median_local_s": round(local_cold, 3),
        "risk_review_cold_median_lake_s": round(lake_cold, 3),
        "lake_build_median_ratio": round(lake_cold / local_cold, 2),
        "measured_on": dt.date.today().isoformat(),
    }
