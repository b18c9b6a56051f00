"""haproxy's runtime API (its admin socket): server states, drain and maintenance."""

from __future__ import annotations

import csv
import socket
import time
from pathlib import Path

from tools.cluster.config import Layout

BACKENDS = ("rest", "socketio")


def command(layout: Layout, line: str) -> str:
    """Send one command to the admin socket, return its answer."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(3)
        sock.connect(str(layout.root / "haproxy.sock"))
        sock.sendall(line.encode() + b"\n")
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks).decode()


def states(layout: Layout, backend: str = "rest") -> dict[str, dict[str, str]]:
    """Each server of a backend: its `show stat` row (status UP/DOWN/MAINT/DRAIN, scur, ...)."""
    text = command(layout, "show stat").lstrip("# ")
    rows = csv.DictReader(text.splitlines())
    return {
        row["svname"]: row
        for row in rows
        if row.get("pxname") == backend and row.get("svname") not in ("FRONTEND", "BACKEND")
    }


def status(layout: Layout, server: str) -> str:
    """UP, DOWN, MAINT, DRAIN, ... of one replica in the REST backend ('' if unknown)."""
    try:
        return states(layout).get(server, {}).get("status", "")
    except OSError:
        return ""


def set_state(layout: Layout, server: str, state: str) -> None:
    """ready, drain or maint, in every backend."""
    for backend in BACKENDS:
        command(layout, f"set server {backend}/{server} state {state}")


def wait_status(layout: Layout, server: str, prefix: str, timeout: float) -> float | None:
    """Seconds until the server's status starts with `prefix` (e.g. "DOWN", "UP"), or None."""
    begin = time.monotonic()
    while time.monotonic() - begin < timeout:
        if status(layout, server).startswith(prefix):
            return time.monotonic() - begin
        time.sleep(0.1)
    return None


def socket_path(layout: Layout) -> Path:
    """The admin socket of haproxy."""
    return layout.root / "haproxy.sock"


def main() -> int:
    """`python -m tools.cluster.haproxy`: each replica's state in a running `make cluster`."""
    import json

    from tools.cluster.config import CLUSTER_DIR, Ports

    layout = Layout(CLUSTER_DIR, Ports(**json.loads((CLUSTER_DIR / "ports.json").read_text())))
    for name, row in states(layout).items():
        print(
            f"{name}: {row.get('status')}, {row.get('scur')} requête(s) en cours, {row.get('stot')} au total"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
