"""Several processes on one ISMS_DB: the dashboard, CLI imports and pack builds at once, writers
one at a time (the second waits and says so), and a writer killed mid-commit leaving nothing partial.

Each process here is a real one (a `python -m isms` subprocess, or a helper script), as a
scheduled job would run beside `make run`; expectations are counted from the database itself.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from isms.store import connect
from isms.store.shared import SharedStore, open_store
from tests.conftest import ROOT, SAMPLE

NEXT_QUARTER = "2026-12-31"  # after the sample's last date: a batch no page has seen
NEXT_QUARTER_SHOWN = "31 Dec 2026"  # as the page's date box says it
REGISTER = SAMPLE / "2026-09-30-register.xlsx"


def cli(db: Path, *args: str, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "isms", *args], cwd=ROOT, text=True,
                            env={**os.environ, "ISMS_DB": str(db), **(env or {})},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def finish(proc: subprocess.Popen, timeout: float = 300) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=timeout)
    return proc.returncode, out, err


def batches(db: Path) -> list[tuple]:
    """Read from the primary file itself, with nothing else running."""
    con = connect(db, read_only=True)
    try:
        return con.execute("SELECT batch_id, file_name, as_of FROM import_batch ORDER BY batch_id").fetchall()
    finally:
        con.close()


HOLDER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from isms.store.shared import SharedStore
    store = SharedStore(sys.argv[1])
    with store.write("the test's holder") as con:
        con.execute("SELECT count(*) FROM import_batch").fetchone()
        Path(sys.argv[2]).write_text("held")
        deadline = time.monotonic() + 120
        while not Path(sys.argv[2] + ".release").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
""")


def hold_writer(db: Path, tmp_path: Path) -> tuple[subprocess.Popen, Path]:
    """Another process that holds the writers' lock until the returned file exists."""
    flag = tmp_path / f"held-{time.time_ns()}"
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(db), str(flag)], cwd=ROOT)
    deadline = time.monotonic() + 60
    while not flag.exists():
        assert proc.poll() is None and time.monotonic() < deadline, "the holder did not start"
        time.sleep(0.05)
    return proc, Path(str(flag) + ".release")


def test_a_second_writer_waits_and_says_so(sample_db_copy, tmp_path):
    before = batches(sample_db_copy)
    holder, release = hold_writer(sample_db_copy, tmp_path)
    importing = cli(sample_db_copy, "import", str(REGISTER), "--as-of", NEXT_QUARTER, "--whole")
    said = importing.stderr.readline()  # blocks until the CLI says something: it is waiting
    assert "waiting for another writer to finish (the test's holder, process" in said
    assert importing.poll() is None  # and it is still waiting
    release.touch()
    holder.wait(timeout=60)
    code, out, err = finish(importing)
    assert code == 0, (out, said + err)
    after = batches(sample_db_copy)
    assert after[:-1] == before and after[-1][1:] == (REGISTER.name, dt.date(2026, 12, 31))


def test_a_writer_gives_up_after_its_bound_and_changes_nothing(sample_db_copy, tmp_path):
    before = batches(sample_db_copy)
    holder, release = hold_writer(sample_db_copy, tmp_path)
    try:
        code, out, err = finish(cli(sample_db_copy, "import", str(REGISTER), "--as-of", NEXT_QUARTER, "--whole",
                                    env={"ISMS_WRITE_WAIT_SECONDS": "1"}))
    finally:
        release.touch()
        holder.wait(timeout=60)
    assert code == 2, (out, err)
    assert "still being written by the test's holder" in err and "in use" not in err
    assert batches(sample_db_copy) == before


@pytest.mark.both_stores
def test_two_writers_racing_both_commit(sample_target):
    before = batches(sample_target)
    procs = [cli(sample_target, "import", str(REGISTER), "--as-of", d, "--whole") for d in ("2026-12-31", "2027-03-31")]
    results = [finish(p) for p in procs]
    assert [r[0] for r in results] == [0, 0], results
    after = batches(sample_target)
    assert after[:len(before)] == before
    assert sorted(str(b[2]) for b in after[len(before):]) == ["2026-12-31", "2027-03-31"]
    assert len({b[0] for b in after}) == len(after)  # ids never repeat
    with open_store(sample_target).read() as cur:  # readers see both
        assert cur.execute("SELECT count(*) FROM import_batch").fetchone()[0] == len(before) + 2


KILLED = textwrap.dedent("""
    import shutil, sys, time
    from pathlib import Path
    import pandas as pd
    from isms.store.shared import open_store
    from tests.factories import load, risk, assessment
    db, flag, where = sys.argv[1], Path(sys.argv[2]), sys.argv[3]

    class Stalls(pd.DataFrame):
        # the second kind's rows are about to be written; the batch row and the risks already are
        def assign(self, **kw):
            flag.write_text("mid-commit")
            time.sleep(600)

    if where == "publish":
        def half_copy(src, dst, **kw):
            with open(src, "rb") as s, open(dst, "wb") as d:
                d.write(s.read(4096))
            flag.write_text("mid-publish")
            time.sleep(600)
        shutil.copyfile = half_copy

    import isms.store.batches as batches
    real = batches.commit_batch

    def commit_batch(con, **kw):
        if where == "commit":
            kw["frames"] = {k: (Stalls(v) if k == "assessments" else v) for k, v in kw["frames"].items()}
        return real(con, **kw)

    import tests.factories
    tests.factories.commit_batch = commit_batch
    with open_store(db).write("the writer to be killed") as con:
        load(con, "2027-06-30", risks=[risk(f"K-{i}") for i in range(50)],
             assessments=[assessment(f"K-{i}", "2027-06-30") for i in range(50)])
""")


# DuckLake publishes nothing (its commit is the snapshot), so it has no "killed while publishing"
@pytest.mark.parametrize("store_mode, where", [("local", "commit"), ("local", "publish"), ("lake", "commit")],
                         indirect=["store_mode"])
def test_a_writer_killed_mid_write_leaves_nothing_partial(sample_target, store_mode, tmp_path, where):
    """Killed inside its transaction: the batch is gone. Killed while copying the new snapshot: the
    batch is whole in the primary file, and readers get it whole once the next reader publishes."""
    sample_db_copy = sample_target
    store = open_store(sample_target)
    with store.read() as cur:
        before = cur.execute("SELECT count(*) FROM import_batch").fetchone()[0]
    flag = tmp_path / "flag"
    proc = subprocess.Popen([sys.executable, "-c", KILLED, str(sample_db_copy), str(flag), where], cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    deadline = time.monotonic() + 120
    while not flag.exists():
        assert proc.poll() is None and time.monotonic() < deadline, "the writer never got there"
        time.sleep(0.05)
    with store.read() as cur:  # while it hangs there, a reader in another process reads the last whole snapshot
        assert cur.execute("SELECT count(*) FROM import_batch").fetchone()[0] == before
    proc.send_signal(signal.SIGKILL)
    proc.wait()

    committed = where == "publish"
    with open_store(sample_db_copy).read() as cur:  # a fresh reader: the store opens, and nothing is half there
        n = cur.execute("SELECT count(*) FROM import_batch").fetchone()[0]
        kept = cur.execute("SELECT count(*) FROM risk WHERE risk_id LIKE 'K-%'").fetchone()[0]
        assessed = cur.execute("SELECT count(*) FROM assessment WHERE risk_id LIKE 'K-%'").fetchone()[0]
    assert (n, kept, assessed) == ((before + 1, 50, 50) if committed else (before, 0, 0))
    # the lock died with the writer: the next writer goes straight ahead
    code, out, err = finish(cli(sample_db_copy, "import", str(REGISTER), "--as-of", NEXT_QUARTER, "--whole",
                                env={"ISMS_WRITE_WAIT_SECONDS": "5"}))
    assert code == 0 and "waiting" not in err, (out, err)
    if store_mode == "lake":
        return
    # the half copy the killed writer left is removed by a later writer once it is an hour old (made
    # so here: it could be a copy still being written by another process until then)
    sample_db_copy = Path(sample_db_copy)
    snaps = sample_db_copy.parent / (sample_db_copy.name + ".snapshots")
    halves = [p for p in snaps.iterdir() if p.name.endswith(".copying")]
    assert len(halves) == (1 if committed else 0)
    for p in halves:
        os.utime(p, (time.time() - 7200, time.time() - 7200))
    code, out, err = finish(cli(sample_db_copy, "import", str(REGISTER), "--as-of", NEXT_QUARTER, "--part"))
    assert code == 0, (out, err)
    assert not [p for p in snaps.iterdir() if p.name.endswith(".copying")]


@pytest.mark.both_stores
def test_the_page_shows_a_batch_the_cli_committed_while_a_pack_builds(sample_target, tmp_path):
    """The dashboard (AppTest, in this process) stays open on Risk Review while one process imports
    and another builds a pack; both exit 0, and the page's next rerun offers the new quarter."""
    from ui.apptest import app_database, open_app

    sample_db_copy = sample_target
    with app_database(sample_db_copy):
        at = open_app("pages/risk_review.py")
        as_of = at.selectbox(key="as_of")
        assert NEXT_QUARTER_SHOWN not in as_of.options and "30 Sep 2026" in as_of.options
        importing = cli(sample_db_copy, "import", str(REGISTER), "--as-of", NEXT_QUARTER, "--whole")
        packing = cli(sample_db_copy, "pack", "--meeting", "risk-review", "--out", str(tmp_path / "pack.pptx"))
        scoring = cli(sample_db_copy, "scorecard", "--as-of", "2026-09-30", "--json")
        at.run()  # a rerun while they run: the page keeps serving
        assert not at.exception
        for proc in (importing, packing, scoring):
            code, out, err = finish(proc)
            assert code == 0, (proc.args, out, err)
        assert (tmp_path / "pack.pptx").stat().st_size > 0
        at.run()
        assert not at.exception
        assert NEXT_QUARTER_SHOWN in at.selectbox(key="as_of").options
    assert batches(sample_db_copy)[-1][1:] == (REGISTER.name, dt.date(2026, 12, 31))


def test_direct_writes_to_the_primary_file_are_published(tmp_path):
    """A process outside the scheme (a test, an older version) writes the file directly: the next
    reader notices and publishes, instead of serving the old snapshot for ever."""
    from tests.factories import load, risk

    db = tmp_path / "d.duckdb"
    store = SharedStore(db)
    connect(db).close()
    with store.read() as cur:
        assert cur.execute("SELECT count(*) FROM risk").fetchone()[0] == 0
    con = connect(db)
    load(con, "2026-03-31", risks=[risk("R-1"), risk("R-2")])
    con.close()
    with store.read() as cur:
        assert cur.execute("SELECT count(*) FROM risk").fetchone()[0] == 2


def test_nested_writes_on_one_thread_share_the_lock(tmp_path):
    store = SharedStore(tmp_path / "n.duckdb", wait_seconds=1)
    with store.write("outer") as outer, store.write("inner") as inner:
        assert inner is outer
    with store.write("again", wait_seconds=0):
        pass  # released


def test_snapshots_are_pruned(tmp_path, monkeypatch):
    import isms.store.shared as shared

    monkeypatch.setattr(shared, "KEEP_SECONDS", 0)
    store = SharedStore(tmp_path / "p.duckdb")
    for _ in range(4):
        with store.write("a write"):
            pass
    files = [p for p in store.folder.iterdir() if p.suffix == ".duckdb"]
    assert [p.name for p in files] == [json.loads(store.pointer.read_text())["file"]]
    # copies of the data are as private as the database file
    assert stat.S_IMODE(store.folder.stat().st_mode) == 0o700 and stat.S_IMODE(files[0].stat().st_mode) == 0o600


def test_a_burst_of_writes_keeps_a_bounded_number_of_snapshots(tmp_path):
    """Every write publishes a copy, and an unused copy is kept two minutes for readers that just read
    its name; a burst of writes (a flood of refused sign-ins is a flood of audited writes) keeps the
    current copy and at most KEEP_COUNT others, however young."""
    from isms.store.shared import KEEP_COUNT

    store = SharedStore(tmp_path / "b.duckdb")
    for _ in range(KEEP_COUNT + 6):
        with store.write("a write") as con:
            con.execute("CREATE TABLE IF NOT EXISTS t (x INTEGER)")
            con.execute("INSERT INTO t VALUES (1)")
    assert len([p for p in store.folder.iterdir() if p.suffix == ".duckdb"]) == KEEP_COUNT + 1
    with store.read() as cur:
        assert cur.execute("SELECT count(*) FROM t").fetchone()[0] == KEEP_COUNT + 6


def test_with_no_room_for_a_snapshot_the_write_stands_and_readers_read_the_last_one(tmp_path, monkeypatch):
    """A full disk while publishing: the write has committed in the primary file, so it does not
    fail; no half copy is left; readers keep the last whole snapshot instead of failing, and the
    first reader after room is made publishes the write."""
    import errno

    import isms.store.shared as shared

    store = SharedStore(tmp_path / "f.duckdb")
    with store.write("first") as con:
        con.execute("CREATE TABLE t (x INTEGER)")
        con.execute("INSERT INTO t VALUES (1)")

    def full(src, dst, **kw):
        with open(dst, "wb") as d:
            d.write(b"x" * 4096)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(shared.shutil, "copyfile", full)
    with store.write("second") as con:
        con.execute("INSERT INTO t VALUES (2)")
    assert not [p for p in store.folder.iterdir() if p.name.endswith(".copying")]
    other = SharedStore(tmp_path / "f.duckdb")  # another process's store: it finds the primary changed
    with other.read() as cur:
        assert cur.execute("SELECT count(*) FROM t").fetchone()[0] == 1
    monkeypatch.undo()
    with SharedStore(tmp_path / "f.duckdb").read() as cur:
        assert cur.execute("SELECT count(*) FROM t").fetchone()[0] == 2


def _every_row(cur) -> dict[str, list]:
    tables = [t for (t,) in cur.execute("SELECT table_name FROM information_schema.tables WHERE table_catalog = "
                                        "current_database() AND table_schema = current_schema() ORDER BY 1").fetchall()]
    assert "assessment" in tables and "active_batch" in tables
    return {t: sorted(map(repr, cur.execute(f'FROM "{t}"').fetchall())) for t in tables}


@pytest.mark.parametrize("store_mode", ["lake"], indirect=True)
def test_a_lake_replica_brought_up_to_date_equals_a_fresh_copy(sample_target, monkeypatch):
    """A running server's replica, after another process imports and this one undoes a batch, holds
    exactly what a server started afterwards copies whole from the lake; and it was brought up to
    date from what changed (rows added, a counter's row replaced), not copied whole again: a table
    no commit touched is the earlier replica's own."""
    from isms.store import lake
    from isms.store.batches import undo_batch

    seen = []
    real = lake.changed_tables
    monkeypatch.setattr(lake, "changed_tables", lambda *a: seen.append(real(*a)) or seen[-1])
    running = open_store(sample_target)
    with running.read() as cur:
        before = _every_row(cur)
    code, out, err = finish(cli(sample_target, "import", str(REGISTER), "--as-of", NEXT_QUARTER, "--whole"))
    assert code == 0, (out, err)
    with running.read() as cur:
        after_import = _every_row(cur)
    [changed] = seen
    assert changed is not None and {"import_batch", "assessment"} <= changed.inserted, changed
    assert "store_counter" in changed.deleted  # the batch id's counter: an update is a delete and an insert
    assert len(after_import["import_batch"]) == len(before["import_batch"]) + 1
    (_, _, first), (_, _, second) = running._replicas[-2:]
    assert second["control"] == first["control"] and second["assessment"] != first["assessment"]
    with running.write("the test") as con:
        (batch,) = con.execute("SELECT max(batch_id) FROM import_batch").fetchone()
        undo_batch(con, batch, "tester")
    with running.read() as cur:
        after_undo = _every_row(cur)
    assert len(after_undo["batch_undo"]) == len(after_import["batch_undo"]) + 1
    fresh = open_store(sample_target)
    with fresh.read() as cur:
        assert _every_row(cur) == after_undo
    fresh.close()
    running.close()


@pytest.mark.parametrize("store_mode", ["lake"], indirect=True)
def test_an_audit_event_that_loses_a_race_with_another_server_is_written_again(db_target, monkeypatch):
    """Two servers append to the audit trail at the same moment: both bump the audit counter, so
    DuckLake refuses the second commit. The loser runs its transaction again and both events are
    kept, with different ids (before, the loser's sign-in or save failed with the conflict)."""
    from isms.store import audit_log, ids

    mine, rival = connect(db_target), connect(db_target)
    real = ids.next_id
    raced = []

    def next_id_while_the_rival_commits(con, name):
        value = real(con, name)
        if con is mine and not raced:  # the first attempt: the rival server commits its event in between
            raced.append(audit_log.append(rival, "rival", "sign-in", "{}"))
        return value

    monkeypatch.setattr(audit_log, "next_id", next_id_while_the_rival_commits)
    try:
        event = audit_log.append(mine, "me", "sign-in", "{}")
        rows = mine.execute("SELECT event_id, who FROM audit_event ORDER BY event_id").fetchall()
    finally:
        mine.close()
        rival.close()
    assert raced and event != raced[0]
    assert sorted(rows) == sorted([(raced[0], "rival"), (event, "me")])


def test_a_cli_job_yields_the_cpu_to_the_dashboard():
    """The nightly import runs below the dashboard's priority (the increment ISMS_JOB_NICE sets,
    10 by default, 0 to keep it); a quick read such as `scorecard` does not."""
    probe = ("import os, sys; from isms.cli import yield_to_the_dashboard; "
             "before = os.nice(0); yield_to_the_dashboard(sys.argv[1]); print(os.nice(0) - before)")

    def raised_by(command: str, **env) -> int:
        out = subprocess.run([sys.executable, "-c", probe, command], cwd=ROOT, capture_output=True, text=True,
                             env={**{k: v for k, v in os.environ.items() if k != "ISMS_JOB_NICE"}, **env}, check=True)
        return int(out.stdout)

    # The kernel caps niceness at 19, so the raise expected is what is left below the cap from where
    # this runner starts (cli.main called in-process, as tests do, leaves the runner's niceness alone:
    # only `python -m isms` yields, see test_a_cli_called_in_process_leaves_the_caller_at_its_priority).
    start = os.nice(0)
    if start > 19 - 5:
        pytest.skip(f"the tests already run at niceness {start}: a raise of 5 or 10 cannot be seen below the cap of 19")

    def expected(step: int) -> int:
        return min(19, start + step) - start

    assert raised_by("import") == expected(10)
    assert raised_by("pack", ISMS_JOB_NICE="5") == 5
    assert raised_by("import", ISMS_JOB_NICE="0") == 0
    assert raised_by("scorecard") == 0


def test_a_cli_called_in_process_leaves_the_caller_at_its_priority(tmp_path, monkeypatch):
    """`python -m isms import` yields; `cli.main([...])` inside another program (the test runner, a
    scheduler written in Python) does not renice that program: run as a job, it had niced the whole
    test run to 19, and the check above could not be seen."""
    from isms import cli

    monkeypatch.setenv("ISMS_DB", str(tmp_path / "x.duckdb"))
    monkeypatch.delenv("ISMS_JOB_NICE", raising=False)
    start = os.nice(0)
    assert cli.main(["init-db", "--empty"]) == 0
    assert os.nice(0) == start
    probe = "import os, sys; from isms.cli import main; before = os.nice(0); main(); print(os.nice(0) - before)"
    out = subprocess.run([sys.executable, "-c", probe, "init-db", "--empty"], cwd=ROOT, capture_output=True, text=True,
                         env={**os.environ, "ISMS_DB": str(tmp_path / "y.duckdb")}, check=True)
    assert int(out.stdout.strip().splitlines()[-1]) == min(19, start + 10) - start


@pytest.mark.parametrize("store_mode", ["lake"], indirect=True)
def test_two_servers_recording_a_meeting_at_once_never_share_its_id(db_target, monkeypatch):
    """A forum id is one more than the last: two servers taking one at the same moment would both
    take M-0001. They bump the same counter row, so DuckLake refuses the second commit, and the
    loser takes its id again: M-0002."""
    from isms.store import forum

    mine, rival = connect(db_target), connect(db_target)
    real = forum.atomically
    raced = []

    def rival_in_between(con, work):
        def work_then_rival():
            taken = work()
            if con is mine and not raced:  # the first attempt: the rival server takes an id before this commits
                raced.append(forum.next_id(rival, "forum_meeting", "meeting_id", "M-"))
            return taken
        return real(con, work_then_rival)

    monkeypatch.setattr(forum, "atomically", rival_in_between)
    try:
        taken = forum.next_id(mine, "forum_meeting", "meeting_id", "M-")
    finally:
        mine.close()
        rival.close()
    assert (raced, taken) == (["M-0001"], "M-0002")


@pytest.mark.parametrize("store_mode", ["lake"], indirect=True)
def test_a_decision_recorded_while_another_server_writes_is_retried_not_failed(db_target, monkeypatch, settings):
    """A decision takes its id, maybe a batch, and an audit event in one transaction; another server
    signing someone in at that moment bumps the audit counter too, so DuckLake refuses the first
    commit. The decision is tried again whole: recorded once, with the rival's event kept."""
    from isms import actions, audit
    from isms.auth import Role, User

    ana = User("ana", Role.analyst)
    mine, rival = connect(db_target), connect(db_target)
    try:
        meeting = actions.record_meeting(mine, ana, settings, "risk", dt.date(2026, 4, 14), attendees=["ana"])
        real = actions.atomically
        raced, attempts = [], []

        def rival_in_between(con, work):
            def work_then_rival():
                attempts.append(con is mine)
                done = work()
                if con is mine and not raced:  # first attempt: the rival commits an audit event before this commits
                    audit.record(rival, "vic", audit.SIGN_IN, {})
                    raced.append(True)
                return done
            return real(con, work_then_rival)

        monkeypatch.setattr(actions, "atomically", rival_in_between)
        decision = actions.record_decision(mine, ana, meeting, "free", "Noted the posture")
        assert raced == [True] and attempts == [True, True]  # refused once for the conflict, then recorded
        assert mine.execute("SELECT decision_id, text FROM forum_decision").fetchall() == [(decision, "Noted the posture")]
        recorded = [a for (a,) in mine.execute("SELECT action FROM audit_event ORDER BY event_id").fetchall()]
        assert recorded.count(audit.DECISION_RECORDED) == 1 and recorded.count(audit.SIGN_IN) == 1
        (events, distinct) = mine.execute("SELECT count(*), count(DISTINCT event_id) FROM audit_event").fetchone()
        assert events == distinct
    finally:
        mine.close()
        rival.close()


@pytest.mark.parametrize("store_mode", ["lake"], indirect=True)
def test_a_page_reading_its_replica_is_not_cut_off_by_commits_landing_meanwhile(db_target):
    """On DuckLake every commit is a snapshot (a sign-in's audit event is one), and a newer reader
    brings up a newer replica. A page that took its cursor before three of them landed finishes its
    queries on its own replica: superseded replicas are dropped only after a grace period."""
    from isms import audit

    store = open_store(db_target)
    try:
        with store.read() as cur:
            events = cur.execute("SELECT count(*) FROM audit_event").fetchone()[0]
            for _ in range(3):
                with store.write("a sign-in") as con:
                    audit.record(con, "vic", audit.SIGN_IN, {})
                with store.read() as other:  # another session's rerun: a replica of the new snapshot
                    other.execute("SELECT count(*) FROM audit_event").fetchone()
            assert cur.execute("SELECT count(*) FROM audit_event").fetchone()[0] == events  # its own snapshot
        with store.read() as cur:
            assert cur.execute("SELECT count(*) FROM audit_event").fetchone()[0] == events + 3
        assert len(store._replicas) == 4
    finally:
        store.close()
