"""Page-load time of /staff on a generated history: 100,000 conversations by default.

Generates the conversation store (tools/measure/staff_history.py) and a seeded ENT database with
votes and open requests in a temporary directory, starts the real portal process on a free port,
then times GET /staff for a director: the first load (the whole history is read) and the next
ones (only new rows are read). Writes results/staff-bench.json.

    python -m tools.measure.staff_bench [--conversations 100000] [--loads 10]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bot.paths import RESULTS, ROOT, portal_python
from tools.measure.common import free_port, now, write_json
from tools.measure.staff_history import add_votes, generate

SECRET = "staff-bench-secret-" + "b" * 32
START_TIMEOUT = 60.0
PARENTS = ("parent.papillons", "parent.sms.papillons", "parent.etablissement.papillons")
TEACHERS = ("enseignant.ce1.papillons", "enseignant.cm.papillons")


def get(url: str, token: str) -> tuple[float, int, int]:
    """Seconds, status and size of one GET with the director's token."""
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as response:
        body = response.read()
        return time.perf_counter() - started, response.status, len(body)


def wait_up(url: str, process: subprocess.Popen) -> None:
    """Wait until the portal answers (SystemExit if it stops or takes too long)."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log = process.stderr.read() if process.stderr else b""
            raise SystemExit("the portal stopped: " + (log or b"").decode(errors="replace"))
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("the portal did not start in time")


def main(argv: list[str] | None = None) -> int:
    """Generate the history, start the portal, time the page, write the JSON."""
    parser = argparse.ArgumentParser(
        prog="python -m tools.measure.staff_bench", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--votes", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=25)
    parser.add_argument("--loads", type=int, default=10)
    parser.add_argument("--out", type=Path, default=RESULTS / "staff-bench.json")
    args = parser.parse_args(argv)

    from bot.ent.service import EntService
    from bot.identity import Identity, mint_token

    with tempfile.TemporaryDirectory(prefix="staff-bench-") as tmp:
        store, ent = Path(tmp) / "conversations.db", Path(tmp) / "ent.db"
        env = dict(os.environ, ENT_DATABASE_URL=f"sqlite:///{ent}", ENT_JWT_SECRET=SECRET,
                   CONVERSATION_STORE_URL=f"sqlite:///{store}", PYTHONWARNINGS="ignore")  # fmt: skip
        started = time.perf_counter()
        events = generate(store, args.conversations)
        subprocess.run([sys.executable, "-m", "tools.cli", "db", "reset"], cwd=ROOT, env=env, check=True)
        add_votes(env["ENT_DATABASE_URL"], args.votes)
        service = EntService.from_url(env["ENT_DATABASE_URL"])
        senders = [Identity(login, "parent") for login in PARENTS] + [
            Identity(t, "enseignant") for t in TEACHERS
        ]
        for n in range(min(args.requests, 5 * len(senders))):  # 5 open requests per person at most
            sender = senders[n % len(senders)]
            service.submit_handoff(sender, f"bench-{n}", [f"question générée n° {n}"])
        print(
            f"history: {args.conversations} conversations, {events} events ({time.perf_counter() - started:.1f} s)"
        )

        port = free_port()
        portal = subprocess.Popen(
            [portal_python(), "-m", "portal.server", "--port", str(port), "--rasa-url", "http://127.0.0.1:9"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
        )  # fmt: skip
        try:
            base = f"http://127.0.0.1:{port}"
            wait_up(base + "/", portal)
            token = mint_token("directeur.papillons", "directeur", secret=SECRET)
            first, status, size = get(base + "/staff", token)
            assert status == 200, status
            loads = [get(base + "/staff", token)[0] for _ in range(args.loads)]
        finally:
            portal.terminate()
            try:
                portal.wait(timeout=15)
            except subprocess.TimeoutExpired:
                portal.kill()

    result = {
        "measured_at": now(),
        "command": "python -m tools.measure.staff_bench "
        + " ".join(argv if argv is not None else sys.argv[1:]),
        "conversations": args.conversations,
        "events": events,
        "votes": args.votes,
        "open_requests": args.requests,
        "first_load_s": round(first, 3),
        "next_loads_median_s": round(statistics.median(loads), 3),
        "next_loads_max_s": round(max(loads), 3),
        "page_bytes": size,
        "machine": f"{os.cpu_count()} cores (shared)",
        "note": "GET /staff for a director over real HTTP on loopback, the portal's own process and Python; "
        "the first load reads the whole history, the next ones only the rows added since.",
    }
    write_json(args.out, result)
    print(
        f"/staff on {args.conversations} conversations ({events} events): first load {first:.3f} s, "
        f"next loads median {statistics.median(loads):.3f} s (max {max(loads):.3f} s). Written: {args.out}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
