"""A warm rerun of the Forum page under AppTest: a large ISMS's forum against the sample's.

The large forum has 10 years of the four series' meetings (about 230) and 20,000 actions with
their histories (bench.large.add_large_forum), written in place of the sample's own forum into a
copy of the sample, so the two differ only in the forum; the sample is built as `make db` builds it
(66 meetings, 151 actions). Both pages show the forum as of
2026-11-30. The page runs once cold on each (filling st.cache_data), then the median of a few warm
reruns is taken: `forum_ratio`, target at most 1.5.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

from bench.large import add_large_forum, build_sample_db
from isms.store import connect
from ui.apptest import app_database, open_app, warm_rerun_seconds

PAGE = "pages/forum.py"
WARM_RUNS = 5
ON = "2026-11-30"


def _warm_rerun(db: Path) -> float:
    with app_database(db):
        at = open_app(PAGE, query={"on": ON}, timeout=300)
        if not at.expander:
            raise RuntimeError("the Forum page showed no meeting: " + "; ".join(e.value for e in at.error))
        return warm_rerun_seconds(at, WARM_RUNS)


def run() -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        sample = build_sample_db(Path(tmp) / "sample.duckdb")
        large = Path(tmp) / "large.duckdb"
        shutil.copy(sample, large)
        con = connect(large)
        con.execute("DELETE FROM action_change; DELETE FROM forum_decision; DELETE FROM minutes_approval; "
                    "DELETE FROM forum_meeting")
        con.close()
        start = time.perf_counter()
        add_large_forum(large)
        built = time.perf_counter() - start
        large_s = _warm_rerun(large)
        sample_s = _warm_rerun(sample)
    return {
        "forum_large_build_s": round(built, 1),
        "forum_large_s": round(large_s, 3),
        "forum_sample_s": round(sample_s, 3),
        "forum_ratio": round(large_s / sample_s, 2),
    }
