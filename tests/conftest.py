from __future__ import annotations

import itertools
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

# No per-example deadline: these machines are shared and noisy, and a property test must fail on a
# wrong answer, not on a slow one (test_matrix took 370 ms against the default 200 ms at load 10).
hypothesis_settings.register_profile("shared-machine", deadline=None)
hypothesis_settings.load_profile("shared-machine")

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


# -- the two stores -----------------------------------------------------------------------------------------------
# A test module marked `pytestmark = pytest.mark.both_stores` runs each of its tests that uses `con`,
# `db_target` or `store_mode` twice: on the local DuckDB store and on DuckLake with a PostgreSQL
# catalog (a throwaway cluster, started once per session). Everything else runs on the local store.
STORES = ("local", "lake")


def pytest_generate_tests(metafunc):
    if metafunc.definition.get_closest_marker("both_stores") and "store_mode" in metafunc.fixturenames:
        metafunc.parametrize("store_mode", STORES, indirect=True)


@pytest.fixture
def store_mode(request) -> str:
    return getattr(request, "param", "local")


@pytest.fixture(scope="session")
def postgres():
    """A throwaway PostgreSQL cluster on a free loopback port, in a temporary folder; stopped at the end."""
    from isms.store import pg_cluster

    try:
        pg_cluster.server_bin()
    except pg_cluster.PostgresMissing as exc:
        if os.environ.get("ISMS_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"ISMS_REQUIRE_POSTGRES=1 but {exc}")
        pytest.skip(f"DuckLake-on-PostgreSQL tests need PostgreSQL: {exc}")
    folder = Path(tempfile.mkdtemp(prefix="isms-postgres-"))
    cluster = pg_cluster.start(folder)
    yield cluster
    cluster.stop()
    shutil.rmtree(folder, ignore_errors=True)


_catalogs = itertools.count(1)


@pytest.fixture
def db_target(store_mode, tmp_path, request, monkeypatch) -> str:
    """Where a test's database is: a file path (local) or a `ducklake:postgres:` URL with its own new
    catalog database and ISMS_DATA_PATH (lake), which subprocesses inherit."""
    if store_mode == "local":
        return str(tmp_path / "t.duckdb")
    cluster = request.getfixturevalue("postgres")
    monkeypatch.setenv("ISMS_DATA_PATH", str(tmp_path / "lake-data"))
    return cluster.create_database(f"t{os.getpid()}_{next(_catalogs)}")


@pytest.fixture
def con(store_mode, request):
    c = connect(":memory:" if store_mode == "local" else request.getfixturevalue("db_target"))
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


@pytest.fixture(scope="session")
def sample_lake_read(sample_lake, postgres, tmp_path_factory) -> tuple[str, Path]:
    """A clone of the sample lake that tests only read (the template itself must stay unopened to be cloned)."""
    template, data = sample_lake
    postgres.psql(f'CREATE DATABASE "sample_read" TEMPLATE "{template}"')
    copy = tmp_path_factory.mktemp("sample-lake-read") / "lake-data"
    shutil.copytree(data, copy)
    return postgres.url("sample_read"), copy


@pytest.fixture
def sample_con(store_mode, request):
    if store_mode == "local":
        c = connect(request.getfixturevalue("sample_db_path"), read_only=True)
    else:
        from isms.store import lake

        url, data = request.getfixturevalue("sample_lake_read")
        c = lake.connect(url, read_only=True, data=str(data))
    yield c
    c.close()


@pytest.fixture(scope="session")
def sample_lake(postgres, tmp_path_factory) -> tuple[str, Path]:
    """The sample imported once into a DuckLake: a template catalog database and its data folder."""
    from isms.databases import import_sample

    data = tmp_path_factory.mktemp("sample-lake") / "lake-data"
    postgres.create_database("sample_template")
    old = os.environ.get("ISMS_DATA_PATH")
    os.environ["ISMS_DATA_PATH"] = str(data)
    try:
        c = connect(postgres.url("sample_template"))
        import_sample(c, load_settings(ROOT / "isms.toml").matrix, SAMPLE)
        c.close()
    finally:
        if old is None:
            os.environ.pop("ISMS_DATA_PATH", None)
        else:
            os.environ["ISMS_DATA_PATH"] = old
    return "sample_template", data


@pytest.fixture
def sample_target(store_mode, request, tmp_path, monkeypatch) -> str:
    """A test's own copy of the sample: a file (local), or a catalog cloned from the sample lake's
    template with a copy of its data folder (lake)."""
    if store_mode == "local":
        return str(request.getfixturevalue("sample_db_copy"))
    template, data = request.getfixturevalue("sample_lake")
    cluster = request.getfixturevalue("postgres")
    name = f"s{os.getpid()}_{next(_catalogs)}"
    cluster.psql(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    shutil.copytree(data, tmp_path / "lake-data")
    monkeypatch.setenv("ISMS_DATA_PATH", str(tmp_path / "lake-data"))
    return cluster.url(name)


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
