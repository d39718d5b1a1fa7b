"""One database file shared by any number of processes: readers on published snapshots, one writer at a time.

DuckDB lets one process hold a database file read-write, and while it does no other process can
open the file at all, not even read-only. A dashboard that kept the file open therefore stopped
every scheduled import, pack and second server. So no process keeps the primary file open:

- A writer takes an exclusive `flock` on `<db>.lock` (a second writer waits, bounded, and is
  told who it waits for), opens the primary file, does its work in its own transactions, checkpoints,
  closes it, and publishes a copy: `<db>.snapshots/<name>.duckdb`, written under a temporary name,
  fsynced, renamed into place, then named in `<db>.snapshots/current` (also replaced by rename).
- A reader opens the snapshot that `current` names, read-only. Snapshot files are never written
  after they are published, so any number of processes read them at once; a reader sees whole
  batches only (the copy is taken after the writer's commit and checkpoint), and picks up a new
  snapshot the next time it asks (a page at its next rerun).
- A writer killed mid-import leaves its transaction uncommitted in the primary file (DuckDB rolls
  it back when the file is next opened) and publishes nothing, so readers keep the last whole
  snapshot; a temporary copy it left is ignored and removed by the next publish.

The primary file stays an ordinary DuckDB database at `ISMS_DB`: a process that writes it directly
(a test, an older version, a writer killed between its commit and its publish) is noticed by the
file's size and modification time no longer matching those the snapshot was copied from, and the
next reader publishes again. Copying is cheap beside the work it protects: the large benchmark
ISMS (10,000 risks over 20 quarters) is a 12 MB file, copied and fsynced in 20-40 ms.
"""

from __future__ import annotations

import errno
import fcntl
import json
import logging
import os
import shutil
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

import duckdb

from isms.store import lake
from isms.store.db import connect

DEFAULT_WAIT_SECONDS = float(os.environ.get("ISMS_WRITE_WAIT_SECONDS", "300"))
KEEP_SECONDS = 120.0  # an unused snapshot is removed only after this, so a reader that just read its name still opens it
# ... and never more than this many besides the current one, whatever their age: a burst of writes
# (sign-ins are audited writes) must not fill the disk with copies. A reader that has its snapshot
# open keeps reading it after it is removed (the open file stays); one that only read its name opens
# the newer current one (`reader` retries).
KEEP_COUNT = 3
_POLL = 0.05
_log = logging.getLogger(__name__)


class WriterBusy(TimeoutError):
    """Another writer held the database for longer than this writer was willing to wait."""


class HeldOutside(RuntimeError):
    """A process outside this scheme (an older version of the dashboard) holds the primary file
    read-write, and there is no snapshot to read instead."""


def _stat(path: Path) -> list[int] | None:
    try:
        s = path.stat()
    except FileNotFoundError:
        return None
    return [s.st_ino, s.st_size, s.st_mtime_ns]


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class SharedStore:
    """The database at `path` for one process: `read()` cursors on the newest snapshot, `write()`
    the primary file under the writers' lock. Safe to share between threads."""

    def __init__(self, path: str | os.PathLike, *, wait_seconds: float = DEFAULT_WAIT_SECONDS,
                 on_wait: Callable[[str], None] | None = None):
        self.path = Path(path).absolute()
        self.folder = self.path.with_name(self.path.name + ".snapshots")
        self.lock_path = self.path.with_name(self.path.name + ".lock")
        self.pointer = self.folder / "current"
        self.wait_seconds = wait_seconds
        self.on_wait = on_wait
        self._mutex = threading.Lock()
        self._reader: tuple[str, duckdb.DuckDBPyConnection] | None = None
        self._held = threading.local()
        self._held_outside = False

    # -- the source signature: what the published snapshot was copied from --------------------------------------
    def _source(self) -> list:
        return [_stat(self.path), _stat(self.path.with_name(self.path.name + ".wal"))]

    def _current(self) -> dict | None:
        try:
            return json.loads(self.pointer.read_text())
        except (FileNotFoundError, ValueError):
            return None

    # -- writing ---------------------------------------------------------------------------------------------------
    @contextmanager
    def _lock(self, what: str, wait_seconds: float) -> Iterator[bool]:
        """Yields True once this thread holds the writers' lock, False if it could not within `wait_seconds`."""
        if getattr(self._held, "depth", 0):
            self._held.depth += 1
            try:
                yield True
            finally:
                self._held.depth -= 1
            return
        self.lock_path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            deadline, told = time.monotonic() + wait_seconds, False
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except OSError as exc:
                    if exc.errno not in (errno.EAGAIN, errno.EACCES):
                        raise
                if time.monotonic() >= deadline:
                    yield False
                    return
                if not told and self.on_wait is not None and wait_seconds > 0:
                    told = True
                    self.on_wait(f"waiting for another writer to finish ({self.holder()}); "
                                 f"giving up after {wait_seconds:g} s")
                time.sleep(_POLL)
            os.ftruncate(fd, 0)
            os.pwrite(fd, json.dumps({"pid": os.getpid(), "what": what, "since": time.time()}).encode(), 0)
            self._held.depth = 1
            try:
                yield True
            finally:
                self._held.depth = 0
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    def holder(self) -> str:
        """Who holds the writers' lock, as its holder wrote it down (best effort, for the waiting message)."""
        try:
            h = json.loads(self.lock_path.read_text() or "{}")
            return f"{h.get('what', 'a writer')}, process {h.get('pid', '?')}"
        except (OSError, ValueError):
            return "another process"

    def _open_primary(self, deadline: float) -> duckdb.DuckDBPyConnection:
        """The primary file, read-write. Only a process outside this scheme (an older dashboard) can
        hold it while we hold the writers' lock; wait for it too, within the same bound."""
        while True:
            try:
                return connect(self.path)
            except duckdb.IOException as exc:
                if "lock" not in str(exc).lower() or time.monotonic() >= deadline:
                    raise
                time.sleep(0.2)

    @contextmanager
    def write(self, what: str = "a writer", wait_seconds: float | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
        """The primary file under the writers' lock; published for readers when the block ends
        (also after an exception: whatever committed before it is then visible, as it would be
        to a reader of the primary). Nested calls on one thread share the connection."""
        wait = self.wait_seconds if wait_seconds is None else wait_seconds
        if getattr(self._held, "con", None) is not None:
            with self._lock(what, wait):
                yield self._held.con
            return
        deadline = time.monotonic() + wait
        with self._lock(what, wait) as got:
            if not got:
                raise WriterBusy(f"the database {self.path} was still being written by {self.holder()} "
                                 f"after {wait:g} s; try again later")
            con = self._open_primary(deadline)
            self._held.con = con
            try:
                yield con
            finally:
                self._held.con = None
                try:
                    con.execute("CHECKPOINT")
                finally:
                    con.close()
                try:
                    self._publish()
                except OSError as exc:
                    # committed in the primary file, but no copy for readers (a full disk, say): they keep
                    # the last whole snapshot, and the next reader or writer publishes it
                    _log.warning("the write to %s committed but its snapshot for readers could not be made: %s",
                                 self.path, exc)

    def _publish(self) -> None:
        """Copy the (checkpointed, closed) primary file into a new snapshot and name it current.
        Called with the writers' lock held."""
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)  # copies of the data: owner-only, as the file is
        source = self._source()
        name = f"{time.time_ns()}-{os.getpid()}-{threading.get_ident()}.duckdb"
        tmp = self.folder / f".{name}.copying"
        try:
            shutil.copyfile(self.path, tmp)
            os.chmod(tmp, 0o600)
            with open(tmp, "rb") as f:
                os.fsync(f.fileno())
            tmp.rename(self.folder / name)
        except BaseException:
            tmp.unlink(missing_ok=True)  # a half copy frees its space at once (a full disk)
            raise
        ptmp = self.folder / f".current.{os.getpid()}.{threading.get_ident()}"
        ptmp.write_text(json.dumps({"file": name, "source": source}))
        with open(ptmp, "rb") as f:
            os.fsync(f.fileno())
        ptmp.rename(self.pointer)
        _fsync_dir(self.folder)
        self._prune(name)

    def _prune(self, keep: str) -> None:
        now = time.time()
        # snapshot names begin with the time they were made (ns): newest first
        snapshots = sorted((p for p in self.folder.iterdir() if p.suffix == ".duckdb" and p.name != keep),
                           key=lambda p: int(p.name.split("-", 1)[0]) if p.name.split("-", 1)[0].isdigit() else 0,
                           reverse=True)
        surplus = {p.name for p in snapshots[KEEP_COUNT:]}
        for p in self.folder.iterdir():
            if p.name in (keep, "current"):
                continue
            try:
                old = now - p.stat().st_mtime > (KEEP_SECONDS if p.suffix == ".duckdb" else 3600)
                if old or p.name in surplus:
                    p.unlink()
            except FileNotFoundError:
                pass

    def publish(self, wait_seconds: float | None = None) -> bool:
        """Publish the primary file as it is now (after a direct write); False if the writers' lock
        or the file itself stayed busy, when the current snapshot stays (whoever holds them publishes)."""
        wait = self.wait_seconds if wait_seconds is None else wait_seconds
        with self._lock("publishing", wait) as got:
            if not got:
                return False
            current = self._current()
            if current is not None and current["source"] == self._source():
                return True  # someone published while we waited
            if not self.path.exists():
                return False
            try:
                con = connect(self.path)  # once, without waiting: brings in a WAL, applies new migrations
            except duckdb.Error:
                published = self._publish_held()
                self._held_outside = not published
                return published
            self._held_outside = False
            try:
                con.execute("CHECKPOINT")
            finally:
                con.close()
            self._publish()
            return True

    def _publish_held(self) -> bool:
        """The primary file is held by a process outside this scheme (a test, an older version). If
        it holds it read-only, we can too, and then nobody can write it while we copy it; unless a
        WAL holds commits that only a read-write open would bring into the file."""
        try:
            con = duckdb.connect(str(self.path), read_only=True)
        except duckdb.Error:
            return False
        try:
            wal = self.path.with_name(self.path.name + ".wal")
            if wal.exists() and wal.stat().st_size > 0:
                return False
            self._publish()
        finally:
            con.close()
        return True

    # -- reading ---------------------------------------------------------------------------------------------------
    def reader(self) -> duckdb.DuckDBPyConnection:
        """The read-only root connection of the newest snapshot (publishing one first when the
        primary file changed behind the snapshots' back); take `.cursor()` from it per thread."""
        current = self._current()
        if current is None or current["source"] != self._source():
            # nothing published yet, or written directly: publish unless a writer is at work (it will)
            try:
                self.publish(wait_seconds=self.wait_seconds if current is None else 0)
            except OSError as exc:
                if current is None:
                    raise
                # no room for a new copy (a full disk): the last whole snapshot is still there to read
                _log.warning("could not publish %s for readers, reading the last snapshot: %s", self.path, exc)
            current = self._current()
            if current is None:
                held = self._direct()
                if held is not None:
                    return held
                if self.path.exists() and self._held_outside:
                    raise HeldOutside(f"the database {self.path} is held by a process outside the shared store "
                                      "(an older version of the dashboard?) and has no snapshot for readers yet")
                if self.path.exists():
                    raise WriterBusy(f"the database {self.path} has no snapshot for readers yet and was still being "
                                     f"written by {self.holder()} after {self.wait_seconds:g} s; try again later")
                raise FileNotFoundError(f"no database at {self.path}")
        with self._mutex:
            if self._reader is not None and self._reader[0] == current["file"]:
                return self._reader[1]
        for attempt in range(20):
            try:
                con = duckdb.connect(str(self.folder / current["file"]), read_only=True)
                break
            except duckdb.IOException:  # pruned between reading its name and opening it: a newer one is current
                if attempt == 19:
                    raise
                time.sleep(_POLL)
                current = self._current() or current
        with self._mutex:
            # an older root connection is dropped, not closed: cursors other threads hold keep it alive
            self._reader = (current["file"], con)
        return con

    def _direct(self) -> duckdb.DuckDBPyConnection | None:
        """The last resort of a reader with no snapshot to open: the primary file read-only, as
        DuckDB allows beside other read-only holders (never beside a writer)."""
        try:
            return duckdb.connect(str(self.path), read_only=True) if self.path.exists() else None
        except duckdb.Error:
            return None

    @contextmanager
    def read(self) -> Iterator[duckdb.DuckDBPyConnection]:
        cur = self.reader().cursor()
        try:
            yield cur
        finally:
            cur.close()


class LakeStore(SharedStore):
    """The DuckLake store (`ISMS_DB="ducklake:postgres:..."`, isms.store.lake) behind the same
    `read()` / `write()`: there are no files to publish, DuckLake's snapshots do that.

    Writes go to the lake. Reads go to a **replica**: the lake's tables as of one DuckLake snapshot,
    in memory (a schema of views on in-memory tables that replicas share while their rows are the
    same; see `_fill`). Every table a query names costs DuckLake round trips to
    PostgreSQL before it reads a row (measured here: tens of ms each, and a Risk Review trend query
    names its tables dozens of times), so a page run on the lake itself took several times as long
    as on a local file; on the replica it runs at local speed. A reader asks the catalog for its
    newest snapshot id (one round trip) and brings a new replica up to date only when it changed, so a page shows a
    batch at its next rerun and never half of one. Writers on this machine take turns under the
    writers' lock (a second waits, bounded, and says so); writers on other servers are kept apart
    by DuckLake, which refuses the second of two conflicting commits (retried whole)."""

    # An older replica is dropped once it has been superseded for REPLICA_GRACE_SECONDS (a page's
    # cursor given out on it just before two commits landed is still reading it), the newest
    # KEEP_REPLICAS never, and never more than MAX_REPLICAS kept (a burst of commits: sign-ins).
    KEEP_REPLICAS = 2
    REPLICA_GRACE_SECONDS = 60.0
    MAX_REPLICAS = 12
    COPY_THREADS = 8
    REPLICAS = "isms_replica"  # the in-memory database that holds every replica's tables

    def __init__(self, url: str, *, wait_seconds: float = DEFAULT_WAIT_SECONDS,
                 on_wait: Callable[[str], None] | None = None):
        self.url = url
        self.path = Path(url)  # only for messages; a URL names no file
        self.lock_path = lake.lock_path(url)
        self.wait_seconds = wait_seconds
        self.on_wait = on_wait
        self._mutex = threading.Lock()
        self._con: duckdb.DuckDBPyConnection | None = None
        self._held = threading.local()
        # (snapshot id, the replica's schema, its tables' physical names), newest last
        self._replicas: list[tuple[int, str, dict[str, str]]] = []
        self._superseded: dict[str, float] = {}  # replica schema -> when a newer one replaced it
        self._copies = 0

    def _root(self) -> duckdb.DuckDBPyConnection:
        with self._mutex:
            if self._con is None:
                self._con = connect(self.url)
                self._con.execute(f"ATTACH ':memory:' AS {self.REPLICAS}")
            return self._con

    def _replica(self) -> str:
        """The schema of an in-memory replica of the lake at its newest snapshot (made now if needed):
        a view per table on the table's rows as of that snapshot, so replicas share the rows of every
        table no commit changed between them."""
        root = self._root()
        cur = lake.cursor(root)
        try:
            (newest,) = cur.execute(f"SELECT id FROM {lake.CATALOG}.current_snapshot()").fetchone()
            with self._mutex:
                if self._replicas and self._replicas[-1][0] == newest:
                    return self._replicas[-1][1]
                previous = self._replicas[-1] if self._replicas else None
                self._copies += 1
                n = self._copies
            schema = f"{self.REPLICAS}.v{n}"
            (snapshot,) = cur.execute(f"SELECT id FROM {lake.CATALOG}.current_snapshot()").fetchone()
            tables = [t for (t,) in cur.execute(
                "SELECT table_name FROM duckdb_tables() WHERE database_name = ? ORDER BY 1", [lake.CATALOG]).fetchall()]
            views = cur.execute("SELECT sql FROM duckdb_views() WHERE database_name = ? AND NOT internal",
                                [lake.CATALOG]).fetchall()
            changed = lake.changed_tables(cur, previous[0], snapshot) if previous else None
            physical = self._fill(root, n, snapshot, tables, previous[2] if previous else None, changed)
            cur.execute(f"CREATE SCHEMA {schema}")
            for table, name in physical.items():
                cur.execute(f'CREATE VIEW {schema}."{table}" AS FROM {self.REPLICAS}.main."{name}"')
            cur.execute(f"USE {schema}")
            for (sql,) in views:
                cur.execute(sql)
            with self._mutex:
                now = time.monotonic()
                for _, older, _ in self._replicas:
                    self._superseded.setdefault(older, now)
                self._replicas.append((snapshot, schema, physical))
                self._replicas.sort()
                candidates = self._replicas[:-self.KEEP_REPLICAS]
                surplus = len(self._replicas) - self.MAX_REPLICAS
                old = [r for i, r in enumerate(candidates)
                       if i < surplus or now - self._superseded.get(r[1], now) > self.REPLICA_GRACE_SECONDS]
                self._replicas = [r for r in self._replicas if r not in old]
                for _, gone, _ in old:
                    self._superseded.pop(gone, None)
                kept = {name for _, _, tables_of in self._replicas for name in tables_of.values()}
            cur.execute(f"USE {lake.CATALOG}")
            for _, gone, tables_of in old:
                cur.execute(f"DROP SCHEMA IF EXISTS {gone} CASCADE")
                for name in set(tables_of.values()) - kept:
                    cur.execute(f'DROP TABLE IF EXISTS {self.REPLICAS}.main."{name}"')
            return schema
        finally:
            cur.close()

    def _fill(self, root, n: int, snapshot: int, tables: list[str], previous: dict[str, str] | None,
              changed: lake.Changes | None) -> dict[str, str]:
        """The physical table that holds each table's rows as of `snapshot`, made on several cursors at
        once where a table needs one.

        From the lake itself when there is no earlier replica, or the change since it is more than
        rows added and removed (a table created or altered). Otherwise a table no commit touched is
        the earlier replica's own (nothing is copied), and one that only gained rows (an import:
        history is append-only) is a copy of it plus the rows DuckLake says were inserted since; only
        a table rows left (the read model's spans a batch derives again) is read from the lake whole.
        The first read after an import then pays for the batch, not for the whole ISMS (the lake's
        Parquet files through PostgreSQL round trips, or copying every table in memory)."""
        physical = {}
        todo = []
        for table in tables:
            if previous is not None and changed is not None and table in previous \
                    and table not in changed.inserted and table not in changed.deleted:
                physical[table] = previous[table]
            else:
                physical[table] = f"{table}@{n}"
                todo.append(table)

        def copy(table: str) -> None:
            c = lake.cursor(root)
            try:
                target = f'{self.REPLICAS}.main."{physical[table]}"'
                if previous is None or changed is None or table in changed.deleted or table not in previous:
                    # each table's copy waits mostly on PostgreSQL round trips, so they overlap well (2.5x on the sample)
                    c.execute(f'CREATE TABLE {target} AS FROM {lake.CATALOG}.main."{table}" AT (VERSION => {int(snapshot)})')
                    return
                c.execute(f'CREATE TABLE {target} AS FROM {self.REPLICAS}.main."{previous[table]}"')
                c.execute(f"INSERT INTO {target} FROM ducklake_table_insertions(?, 'main', ?, ?, ?)",
                          [lake.CATALOG, table, changed.since + 1, int(snapshot)])
            finally:
                c.close()

        with ThreadPoolExecutor(self.COPY_THREADS) as pool:
            list(pool.map(copy, todo))
        return physical

    def reader(self) -> duckdb.DuckDBPyConnection:
        return lake.Root(self._root(), self._replica())  # type: ignore[return-value]

    @contextmanager
    def read(self) -> Iterator[duckdb.DuckDBPyConnection]:
        cur = lake.cursor(self._root(), self._replica())
        try:
            yield cur
        finally:
            cur.close()

    @contextmanager
    def write(self, what: str = "a writer", wait_seconds: float | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
        wait = self.wait_seconds if wait_seconds is None else wait_seconds
        if getattr(self._held, "con", None) is not None:
            with self._lock(what, wait):
                yield self._held.con
            return
        self.lock_path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock(what, wait) as got:
            if not got:
                raise WriterBusy(f"the DuckLake store was still being written on this machine by {self.holder()} "
                                 f"after {wait:g} s; try again later")
            cur = lake.cursor(self._root())
            self._held.con = cur
            try:
                yield cur
            finally:
                self._held.con = None
                cur.close()

    def publish(self, wait_seconds: float | None = None) -> bool:
        return True  # every commit is a DuckLake snapshot already

    def close(self) -> None:
        with self._mutex:
            if self._con is not None:
                self._con.close()
                self._con = None
                self._replicas = []
                self._superseded = {}


def open_store(path: str | os.PathLike, **kwargs) -> SharedStore:
    """The store `ISMS_DB` names: a DuckLake for a `ducklake:` URL, else the shared local file."""
    return LakeStore(str(path), **kwargs) if lake.is_lake(path) else SharedStore(path, **kwargs)
