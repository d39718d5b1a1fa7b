"""The process-wide resources of the app: settings and the one DuckDB connection.

DuckDB allows one read-write connection per process; every rerun (each on its own thread)
takes a cursor from it. Cached results are keyed by the data version, which changes with every
committed or undone import, so a new import shows at once and nothing else recomputes.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

import duckdb
import streamlit as st

from isms.config import Settings, load_settings
from isms.store import connect
from isms.store.db import data_version


@st.cache_resource(show_spinner=False)
def settings() -> Settings:
    return load_settings()


@st.cache_resource(show_spinner=False)
def _database(path: str) -> duckdb.DuckDBPyConnection:
    return connect(path)


def connection() -> duckdb.DuckDBPyConnection:
    """The process's root connection, for work that runs off the script thread (deferred
    downloads): take `.cursor()` from it there."""
    return _database(settings().db_path)


@contextmanager
def cursor() -> Iterator[duckdb.DuckDBPyConnection]:
    cur = _database(settings().db_path).cursor()
    try:
        yield cur
    finally:
        cur.close()


def version() -> str:
    with cursor() as cur:
        return data_version(cur)


def require_data(dates: list, title: str, nothing_yet: str) -> None:
    """A meeting page with nothing imported yet: its title and one sentence, then stop."""
    if not dates:
        st.title(title)
        st.info(nothing_yet)
        st.stop()
