import hashlib
import os
import stat

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from isms.store import connect
from isms.store.migrations import MIGRATIONS, TABLES
from isms.store.batches import active_batches, commit_batch, undo_batch
from isms.store import queries
from tests.factories import D, assessment, load, risk, treatment, update

pytestmark = pytest.mark.both_stores  # con and db_target: the local store, then DuckLake-on-PostgreSQL


def table_dump(con) -> dict:
    """Every row of every table: what 'the database is unchanged' compares."""
    out = {}
    for t in ["import_batch", "batch_undo", "schema_migration", *TABLES.values()]:
        out[t] = con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall()
    return out


def test_migrations_are_recorded_once(db_target):
    path = db_target
    c = connect(path)
    rows = c.execute("SELECT version, name FROM schema_migration ORDER BY version").fetchall()
    assert [r[0] for r in rows] == [m[0] for m in MIGRATIONS]
    c.close()
    c = connect(path)  # a second open applies nothing new
    assert c.execute("SELECT count(*) FROM schema_migration").fetchone()[0] == len(MIGRATIONS)
    c.close()


def test_database_file_is_owner_only(tmp_path):
    path = tmp_path / "perm.duckdb"
    connect(path).close()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_failed_write_leaves_database_as_it_was(db_target, store_mode):
    path = db_target
    c = connect(path)
    load(c, "2024-03-31", risks=[risk("R1")], assessments=[assessment("R1", "2024-03-01")])
    c.execute("CHECKPOINT")
    before = table_dump(c)
    c.close()
    bytes_before = open(path, "rb").read() if store_mode == "local" else None

    c = connect(path)
    good = pd.DataFrame.from_records([risk("R2")])
    # The second frame fails inside the transaction (a NOT NULL column is null), after the
    # batch row and the first frame were already inserted.
    bad = pd.DataFrame.from_records([assessment("R2", "2024-06-01")]).assign(inherent_likelihood=None)
    with pytest.raises(Exception):
        commit_batch(c, source="test", file_name="bad.xlsx", sha256="x" * 64, as_of=D("2024-06-30"),
                     imported_by="t", frames={"risks": good, "assessments": bad})
    assert table_dump(c) == before
    c.close()
    if store_mode == "local":
        assert hashlib.sha256(open(path, "rb").read()).hexdigest() == hashlib.sha256(bytes_before).hexdigest()
    else:  # a new connection (another server) sees the same
        c = connect(path)
        assert table_dump(c) == before
        c.close()


def test_undo_hides_a_batch_but_keeps_its_rows(con):
    load(con, "2024-03-31", risks=[risk("R1")])
    b2 = load(con, "2024-06-30", risks=[risk("R1"), risk("R2")])
    assert len(queries.register(con, "risks", D("2024-06-30"))) == 2
    undo_batch(con, b2, "analyst")
    assert list(queries.register(con, "risks", D("2024-06-30"))["risk_id"]) == ["R1"]
    assert con.execute("SELECT count(*) FROM risk").fetchone()[0] == 3  # append-only
    assert [b.batch_id for b in active_batches(con)] == [b2 - 1]
    with pytest.raises(ValueError, match="already undone"):
        undo_batch(con, b2, "analyst")


def test_same_date_batches_latest_wins(con):
    load(con, "2024-03-31", risks=[risk("R1", owner="First")])
    load(con, "2024-03-31", risks=[risk("R1", owner="Second")])
    assert list(queries.register(con, "risks", D("2024-03-31"))["owner"]) == ["Second"]


ids = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-", min_size=1, max_size=8)


@hsettings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(ids, st.integers(1, 5), st.integers(1, 5), st.sampled_from(["Alice", "Bob", "O'Neil"])),
                min_size=1, max_size=15, unique_by=lambda t: t[0]))
def test_register_round_trip(rows):
    """What a batch wrote is what the as-of read returns."""
    c = connect(":memory:")
    load(c, "2024-03-31",
         risks=[risk(r, owner=o, annex_a_controls=["A.8.8", "A.8.9"], asset_ids=["A", "B"]) for r, _, _, o in rows],
         assessments=[assessment(r, "2024-03-01", residual=(li, im)) for r, li, im, _ in rows])
    reg = queries.register(c, "risks", D("2024-04-01"))
    assert sorted(zip(reg["risk_id"], reg["owner"])) == sorted((r, o) for r, _, _, o in rows)
    assert all(list(x) == ["A.8.8", "A.8.9"] for x in reg["annex_a_controls"])
    c.close()


def test_a_sample_from_an_earlier_version_is_brought_up_to_date_when_opened(tmp_path):
    """The sample beside a database is reused as built; reading it needs the tables later
    migrations add, so opening it applies them (here: the read model's month-end copies, as if
    built before migration 17), and what was there reads as before."""
    from isms.config import ROOT, load_settings
    from isms.databases import open_sample

    path = tmp_path / "isms.sample.duckdb"
    con = connect(path)
    load(con, "2024-03-31", risks=[risk("R1"), risk("R2")],
         assessments=[assessment("R1", "2024-03-20", residual=(2, 3)), assessment("R2", "2024-03-25", residual=(4, 4))])
    con.execute("DROP TABLE risk_month_end; DROP TABLE treatment_month_end; DROP TABLE read_model_extent;"
                "DELETE FROM schema_migration WHERE version IN (17, 24)")  # the copies, and their measures
    con.close()

    sample = open_sample(path)
    try:
        matrix = load_settings(ROOT / "isms.toml").matrix
        got = queries.posture(sample, matrix, [D("2024-03-31"), D("2024-04-30")])
        assert sorted(zip(got["as_of"].dt.date, got["risk_id"], got["residual_score"])) == [
            (D("2024-03-31"), "R1", 6), (D("2024-03-31"), "R2", 16), (D("2024-04-30"), "R1", 6), (D("2024-04-30"), "R2", 16)]
        assert sample.execute("SELECT count(*) FROM risk_month_end").fetchone()[0] == 2
    finally:
        sample.close()


def test_a_database_from_before_the_treatment_measures_reads_the_same_trend_once_opened(tmp_path):
    """Migration 24 adds each treatment's settled measures to the month-end copy of a database that
    already holds one; the trend read from them is what the treatments' dates say. T1 runs the 91
    days from 1 January to 1 April 2024 and reported 10 % on 10 January: on 31 January it is 30 days
    in (33.0 % planned) and more than 10 points behind, so late; on 29 February 59 days (64.8 %)."""
    path = tmp_path / "before-24.duckdb"
    con = connect(path)
    load(con, "2024-01-31", risks=[risk("R1")], assessments=[assessment("R1", "2024-01-20")],
         treatments=[treatment("T1", "R1", "2024-01-01", "2024-04-01")], treatment_updates=[update("T1", "2024-01-10", 10.0)])
    con.execute("ALTER TABLE treatment_month_end DROP COLUMN percent_complete; ALTER TABLE treatment_month_end DROP COLUMN planned_percent;"
                "ALTER TABLE treatment_month_end DROP COLUMN weight_days; ALTER TABLE treatment_month_end DROP COLUMN settled_state;"
                "ALTER TABLE treatment_month_end DROP COLUMN days_overdue; DELETE FROM schema_migration WHERE version = 24")
    con.close()

    con = connect(path)
    try:
        assert con.execute("SELECT max(version) FROM schema_migration").fetchone()[0] >= 24
        trend = queries.treatment_figures(con, [D("2024-01-31"), D("2024-02-29")], 10.0).set_index("as_of")
        assert trend.loc["2024-01-31", "weighted_percent_planned"] == pytest.approx(100 * 30 / 91)
        assert trend.loc["2024-02-29", "weighted_percent_planned"] == pytest.approx(100 * 59 / 91)
        assert list(trend["weighted_percent_complete"]) == [10.0, 10.0]
        assert list(trend["late"]) == [1, 1] and list(trend["overdue"]) == [0, 0]
        stored = con.execute("SELECT month_end, planned_percent, settled_state FROM treatment_month_end ORDER BY 1").fetchall()
        # the copy reaches the last month end anything happened in; February is that row's, measured on its own date
        assert [(d, round(p, 6), s) for d, p, s in stored] == [(D("2024-01-31"), round(100 * 30 / 91, 6), None)]
    finally:
        con.close()
