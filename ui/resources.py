"""The process-wide resources of the app: settings and the shared store.

The app never holds the database file: reads take a cursor on the newest published snapshot
(isms.store.shared), so any number of dashboards, CLI imports and pack builds run beside it;
writes (`writing()`) take the writers' lock for their few moments and publish when done. Each
rerun asks for the snapshot again, so an import committed elsewhere shows at the next rerun.
Cached results are keyed by the data version, which changes with every committed or undone
import, so a new import shows at once and nothing else recomputes.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Iterator

import duckdb
import streamlit as st

from isms.config import DEFAULT_CONFIG, Settings, load_settings
from isms.databases import open_sample, sample_path
from isms import organisation as organisation_names
from isms.organisation import SAMPLE_ORGANISATION
from isms.store.db import data_version
from isms.store.shared import SharedStore, open_store
from isms.views import welcome

# This browser session looks at the sample (built beside the database) instead of the ISMS's own
# data: only the meeting pages read it (data_cursor); sign-in, the audit trail, imports and
# settings stay on the ISMS's own database, so looking around never mixes the two.
_VIEWING_SAMPLE = "_isms_viewing_sample"


def _config_signature() -> str:
    """The settings file as it is now (path, size, time written): every dashboard process on the
    machine sees an admin's change at its next rerun, not only the one where it was saved."""
    path = Path(os.environ.get("ISMS_CONFIG") or DEFAULT_CONFIG)
    try:
        st_ = path.stat()
    except FileNotFoundError:
        return f"{path}:none"
    return f"{path}:{st_.st_size}:{st_.st_mtime_ns}"


@st.cache_resource(show_spinner=False, max_entries=4)
def _settings(signature: str) -> Settings:
    return load_settings()


def settings() -> Settings:
    """The settings; while this session looks at the sample, with the sample's organisation's name,
    so its pages and packs never show the sample's figures under the adopter's name."""
    cfg = _settings(_config_signature())
    if st.session_state.get(_VIEWING_SAMPLE) and sample_path(cfg.db_path).exists():
        return replace(cfg, organisation=SAMPLE_ORGANISATION)
    return cfg



def organisation() -> str:
    """The organisation's name as the pages show it (isms.organisation): the settings' name, except
    the sample's on data that is not the sample's, which reads UNNAMED until the adopter names theirs."""
    cfg = settings()
    if viewing_sample() or cfg.organisation.strip() != organisation_names.SAMPLE_ORGANISATION:
        return cfg.organisation
    return organisation_names.shown(cfg.organisation, _holds_sample(cfg.db_path, version()))


@st.cache_data(show_spinner=False, max_entries=8)
def _holds_sample(path: str, data_version: str) -> bool:
    """Whether the database at `path` holds the sample's data alone, at this version of its data."""
    with cursor() as cur:
        return organisation_names.holds_sample(cur)


@st.cache_resource(show_spinner=False)
def _store(path: str) -> SharedStore:
    return open_store(path)


def store() -> SharedStore:
    """The ISMS's own database, for work that runs off the script thread (deferred downloads):
    call its `read()` / `write()` there."""
    return _store(settings().db_path)


def connection() -> duckdb.DuckDBPyConnection:
    """The root connection of the newest snapshot (read-only): take `.cursor()` from it."""
    return store().reader()


@contextmanager
def cursor() -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only cursor on the newest snapshot of the ISMS's own database."""
    with store().read() as cur:
        yield cur


@contextmanager
def writing(what: str = "the dashboard") -> Iterator[duckdb.DuckDBPyConnection]:
    """The database for a write (sign-in, import, undo, settings, audit): waits for another
    writer, bounded, then publishes so the next rerun of every page reads the change."""
    with store().write(what) as con:
        yield con


def version() -> str:
    with cursor() as cur:
        return data_version(cur)


@st.cache_resource(show_spinner=False)
def _sample_database(path: str) -> duckdb.DuckDBPyConnection:
    return open_sample(path)


def viewing_sample() -> bool:
    return bool(st.session_state.get(_VIEWING_SAMPLE)) and sample_path(settings().db_path).exists()


def view_sample(on: bool) -> None:
    """Switch this browser session's meeting pages to the sample (True) or back to the ISMS's own data."""
    st.session_state[_VIEWING_SAMPLE] = on


def data_connection() -> duckdb.DuckDBPyConnection:
    """The root connection of the data the meeting pages show (see `connection`)."""
    if viewing_sample():
        return _sample_database(str(sample_path(settings().db_path)))
    return connection()


@contextmanager
def data_cursor() -> Iterator[duckdb.DuckDBPyConnection]:
    """A cursor on the data the meeting pages show: the sample while this session looks at it."""
    cur = data_connection().cursor()
    try:
        yield cur
    finally:
        cur.close()


def data_version_key() -> str:
    """The cache key of the data the meeting pages show; it names the database too, so the sample's
    cached figures are never served for the ISMS's own (both may have, say, 12 batches), and the
    settings file, so figures computed on another matrix or appetite are never served either."""
    with data_cursor() as cur:
        return ("sample:" if viewing_sample() else "") + data_version(cur) + "|" + _config_signature()


def require_data(dates: list, title: str, nothing_yet: str, *, imported: bool = True) -> None:
    """A meeting page with nothing to show yet: its title, one sentence and the way on, then stop.
    The way on is the first steps while nothing at all is imported; once something is (a risk
    register, say, where this page needs controls), the Import page, where the missing file goes
    (`imported=False`: no file brings what the page waits for, a year that has not closed)."""
    if not dates:
        st.title(title)
        st.info(nothing_yet)
        with data_cursor() as cur:
            empty = welcome.is_empty(cur)
        if empty:
            st.page_link("pages/welcome.py", label="First steps: import your register", icon=":material/flag:")
        elif imported:
            st.page_link("pages/import_data.py", label="Import the spreadsheet that holds them",
                         icon=":material/upload_file:")
        st.stop()
