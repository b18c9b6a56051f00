"""The cluster's own PostgreSQL (Debian's binaries): a data directory under the cluster's dir.

PostgreSQL refuses to run as root: when we are root, the server runs as the `postgres` system
user (as scripts/ci-postgres.sh does through pg_ctlcluster), on its own port, loopback only.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

from tools.cluster.config import ENT_DB, HOST, PG_MAX_CONNECTIONS, PG_USER, RASA_DB, Layout

SYSTEM_USER = "postgres"


def bindir() -> Path:
    """The newest installed PostgreSQL's bin directory (/usr/lib/postgresql/<version>/bin)."""
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/postgres"), key=lambda p: int(p.parts[-3]))
    if not versions:
        raise RuntimeError("PostgreSQL is not installed: run `make cluster-packages`.")
    return versions[-1].parent


def as_server_user() -> list[str]:
    """Command prefix that drops root to the postgres user (nothing when we are not root)."""
    if os.geteuid() != 0:
        return []
    return ["setpriv", f"--reuid={SYSTEM_USER}", f"--regid={SYSTEM_USER}", "--init-groups", "--"]


def datadir(layout: Layout) -> Path:
    """The PostgreSQL data directory of the cluster."""
    return layout.root / "postgres"


def initdb(layout: Layout) -> None:
    """Create the data directory once (password auth, UTF-8)."""
    data = datadir(layout)
    if (data / "PG_VERSION").exists():
        return
    data.mkdir(mode=0o700, exist_ok=True)
    pwfile = layout.root / "pg-password"
    pwfile.write_text(layout.secrets["postgres"] + "\n")
    if os.geteuid() == 0:
        user = pwd.getpwnam(SYSTEM_USER)
        for path in (data, pwfile):
            shutil.chown(path, user.pw_uid, user.pw_gid)
    try:
        subprocess.run(
            [
                *as_server_user(),
                str(bindir() / "initdb"),
                "-D",
                str(data),
                "-U",
                PG_USER,
                f"--pwfile={pwfile}",
                "--auth=scram-sha-256",
                "-E",
                "UTF8",
                "--no-locale",
            ],
            check=True,
            capture_output=True,
        )
    finally:
        pwfile.unlink()


def command(layout: Layout) -> list[str]:
    """The server in the foreground on the cluster's port, TCP on loopback only."""
    return [
        *as_server_user(),
        str(bindir() / "postgres"),
        "-D",
        str(datadir(layout)),
        "-p",
        str(layout.ports.postgres),
        "-c",
        f"listen_addresses={HOST}",
        "-c",
        "unix_socket_directories=",
        "-c",
        f"max_connections={PG_MAX_CONNECTIONS}",
    ]


def connect(layout: Layout, database: str = "postgres") -> Any:
    """A psycopg2 connection to the cluster's server."""
    import psycopg2

    return psycopg2.connect(
        host=HOST,
        port=layout.ports.postgres,
        user=PG_USER,
        password=layout.secrets["postgres"],
        dbname=database,
        connect_timeout=2,
    )


def wait_ready(layout: Layout, timeout: float = 60) -> bool:
    """True once the server accepts a connection."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            connect(layout).close()
            return True
        except Exception:  # noqa: BLE001 - not up yet
            time.sleep(0.5)
    return False


def create_databases(layout: Layout) -> None:
    """The conversations' and the mock ENT's databases, if missing."""
    connection = connect(layout)
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            for name in (RASA_DB, ENT_DB):
                cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
                if cursor.fetchone() is None:
                    cursor.execute(f'CREATE DATABASE "{name}" OWNER "{PG_USER}"')
    finally:
        connection.close()
