"""Running the whole app under Streamlit's AppTest against a chosen database.

Tests and benchmarks both need it: the app reads its database path once per process (a cached
resource), so switching databases means setting ISMS_DB and clearing Streamlit's caches, then
putting both back.
"""

from __future__ import annotations

import os
import statistics
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import streamlit as st
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent


@contextmanager
def app_database(path: str | os.PathLike) -> Iterator[Path]:
    """The app as `make run` serves it (on the loopback address, which local mode requires; AppTest
    has no server of its own) on the database at `path`."""
    from streamlit import config

    old, old_address = os.environ.get("ISMS_DB"), config.get_option("server.address")
    os.environ["ISMS_DB"] = str(path)
    config.set_option("server.address", "127.0.0.1")
    st.cache_resource.clear()
    st.cache_data.clear()
    try:
        yield Path(path)
    finally:
        st.cache_resource.clear()
        st.cache_data.clear()
        config.set_option("server.address", old_address)
        if old is None:
            os.environ.pop("ISMS_DB", None)
        else:
            os.environ["ISMS_DB"] = old


def open_app(page: str | None = None, query: dict | None = None, timeout: float = 120) -> AppTest:
    """The app after its first run, switched to `page` (a path such as "pages/security_health.py")."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    if page is not None:
        at.switch_page(page).run()
        # the first run showed the Forum, whose presentation toggle took the shared `present` key;
        # the switched-to page's toggle starts from its own state, so it is switched on as a user
        # would (a browser opening `?present=1` runs only that page and reads the URL)
        if (query or {}).get("present") == "1" and not at.toggle(key="present").value:
            at.toggle(key="present").set_value(True).run()
    if at.exception:
        raise RuntimeError([e.message for e in at.exception])
    return at


def require_charts(at: AppTest) -> AppTest:
    """A benchmark must time the page itself, not a refusal or an empty state."""
    if not at.get("plotly_chart"):
        raise RuntimeError("the page drew no chart: " + "; ".join(e.value for e in at.error))
    return at


def warm_rerun_seconds(at: AppTest, reruns: int = 5) -> float:
    """Median time of `reruns` reruns of an app whose caches are already filled."""
    times = []
    for _ in range(reruns):
        start = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)
