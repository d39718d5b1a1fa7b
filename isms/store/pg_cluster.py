"""A throwaway PostgreSQL cluster on a loopback port, for the DuckLake catalog in a trial or a test.

A team runs the catalog on a PostgreSQL server it already has. To try the PostgreSQL mode on one
machine, or to test it, this starts Debian's `postgresql` (its `initdb` and `pg_ctl` from
/usr/lib/postgresql/<version>/bin) in a folder of the caller's choosing, listening on 127.0.0.1
only, with trust authentication for that address alone, and stops it again. PostgreSQL refuses
to run as root, so as root the server runs as the `postgres` user that Debian's package creates,
and the folder is handed to it.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

PACKAGE_HINT = "install Debian's `postgresql` package (apt-get install postgresql)"


class PostgresMissing(RuntimeError):
    """No PostgreSQL server binaries on this machine."""


def server_bin() -> Path:
    """The newest installed /usr/lib/postgresql/<version>/bin holding initdb and pg_ctl."""
    found = [Path(p).parent for p in glob.glob("/usr/lib/postgresql/*/bin/initdb") if Path(p).with_name("pg_ctl").exists()]
    if not found:
        raise PostgresMissing(f"no PostgreSQL server found under /usr/lib/postgresql; {PACKAGE_HINT}")
    return max(found, key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Cluster:
    folder: Path
    port: int
    user: str

    def url(self, dbname: str = "isms") -> str:
        """The ISMS_DB value for a catalog database in this cluster."""
        return f"ducklake:postgres:dbname={dbname} host=127.0.0.1 port={self.port} user={self.user}"

    def psql(self, sql: str, dbname: str = "postgres") -> str:
        out = subprocess.run(_as_server_user([str(server_bin() / "psql"), "-h", "127.0.0.1", "-p", str(self.port),
                                              "-U", self.user, "-d", dbname, "-v", "ON_ERROR_STOP=1", "-At", "-c", sql]),
                             capture_output=True, text=True, check=True, cwd="/")
        return out.stdout

    def create_database(self, dbname: str) -> str:
        self.psql(f'CREATE DATABASE "{dbname}"')
        return self.url(dbname)

    def stop(self) -> None:
        subprocess.run(_as_server_user([str(server_bin() / "pg_ctl"), "-D", str(self.folder / "pgdata"), "-m", "fast",
                                        "-w", "stop"]), capture_output=True, cwd="/")


def _as_root() -> bool:
    return os.geteuid() == 0


def _as_server_user(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if _as_root() else cmd


def start(folder: str | os.PathLike, port: int | None = None) -> Cluster:
    """Create (if new) and start a cluster in `folder`/pgdata on 127.0.0.1:`port` (a free one if None)."""
    bin_dir = server_bin()
    folder = Path(folder).absolute()
    folder.mkdir(parents=True, exist_ok=True)
    pgdata = folder / "pgdata"
    user = "postgres" if _as_root() else pwd.getpwuid(os.geteuid()).pw_name
    if _as_root():
        pw = pwd.getpwnam("postgres")
        os.chown(folder, pw.pw_uid, pw.pw_gid)
    if not (pgdata / "PG_VERSION").exists():
        made = subprocess.run(_as_server_user([str(bin_dir / "initdb"), "-D", str(pgdata), "-U", user, "-A", "trust",
                                               "--no-sync", "-E", "UTF8", "--locale=C"]),
                              capture_output=True, text=True, cwd="/")
        if made.returncode != 0:
            hint = " (as root the server runs as `postgres`, which must be able to reach the folder)" if _as_root() else ""
            raise RuntimeError(f"initdb failed in {folder}{hint}: {made.stderr.strip()}")
        with open(pgdata / "postgresql.conf", "a") as conf:
            # loopback only; the socket in the cluster's own folder (not /var/run/postgresql, which may be absent)
            conf.write(f"\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{folder}'\n"
                       "max_connections = 200\nfsync = on\n")
        (pgdata / "pg_hba.conf").write_text("host all all 127.0.0.1/32 trust\nlocal all all trust\n")
        if _as_root():
            shutil.chown(pgdata / "pg_hba.conf", "postgres", "postgres")
    port = port or free_port()
    log = folder / "postgres.log"
    result = subprocess.run(_as_server_user([str(bin_dir / "pg_ctl"), "-D", str(pgdata), "-l", str(log), "-w",
                                             "-t", "60", "-o", f"-p {port}", "start"]),
                            capture_output=True, text=True, cwd="/")
    if result.returncode != 0:
        tail = log.read_text()[-2000:] if log.exists() else ""
        raise RuntimeError(f"PostgreSQL did not start in {folder}: {result.stderr.strip()} {tail}")
    cluster = Cluster(folder, port, user)
    deadline = time.monotonic() + 30
    while True:
        try:
            cluster.psql("SELECT 1")
            return cluster
        except subprocess.CalledProcessError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def _port_of(folder: Path) -> int | None:
    try:
        return int((folder / "port").read_text())
    except (FileNotFoundError, ValueError):
        return None


def main(argv: list[str] | None = None) -> int:
    """`python -m isms.store.pg_cluster start FOLDER`: start (creating if new) a cluster there and
    print the environment for the PostgreSQL mode, to `source`; `stop FOLDER` stops it."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m isms.store.pg_cluster", description=main.__doc__)
    parser.add_argument("action", choices=["start", "stop"])
    parser.add_argument("folder")
    args = parser.parse_args(argv)
    folder = Path(args.folder).absolute()
    if args.action == "stop":
        port = _port_of(folder)
        Cluster(folder, port or 0, "postgres").stop()
        print(f"stopped the cluster in {folder}")
        return 0
    try:
        cluster = start(folder, _port_of(folder))
    except PostgresMissing as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    (folder / "port").write_text(str(cluster.port))
    if "isms" not in cluster.psql("SELECT datname FROM pg_database").split():
        cluster.create_database("isms")
    data = folder / "lake-data"
    data.mkdir(exist_ok=True)
    print(f"export ISMS_DB='{cluster.url('isms')}'")
    print(f"export ISMS_DATA_PATH='{data}'")
    return 0


if __name__ == "__main__":
    sys.exit(main())
