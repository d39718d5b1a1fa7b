from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from isms.config import load_settings
from isms.importing.pipeline import import_file
from isms.sample.forum import write_forum
from isms.store import connect

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sample"
ARTIFACTS = ROOT / "artifacts"


@pytest.fixture
def settings(tmp_path):
    return load_settings(ROOT / "isms.toml", db_path=str(tmp_path / "t.duckdb"))


@pytest.fixture
def con():
    c = connect(":memory:")
    yield c
    c.close()


@pytest.fixture(scope="session")
def sample_db_path(tmp_path_factory) -> Path:
    """A database built from the committed sample workbooks, once per test session."""
    path = tmp_path_factory.mktemp("sample") / "isms.duckdb"
    settings = load_settings(ROOT / "isms.toml", db_path=str(path))
    c = connect(path)
    for f in sorted(SAMPLE.glob("*.xlsx")):
        out = import_file(c, f, settings.matrix, imported_by="sample", source="sample")
        assert out.status == "committed", [str(p) for p in out.problems]
    write_forum(c)  # as isms.databases.build_sample does
    c.close()
    return path


@pytest.fixture
def sample_db_copy(sample_db_path, tmp_path) -> Path:
    dst = tmp_path / "isms.duckdb"
    shutil.copy(sample_db_path, dst)
    return dst


@pytest.fixture
def sample_con(sample_db_path):
    c = connect(sample_db_path, read_only=True)
    yield c
    c.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(autouse=True, scope="session")
def loopback_server_address():
    """AppTest has no server; give it the address `make run` uses, which local mode requires."""
    from streamlit import config

    old = config.get_option("server.address")
    config.set_option("server.address", "127.0.0.1")
    yield
    config.set_option("server.address", old)
