"""Page-load time of /staff on a generated history: 100,000 conversations by default.

Generates the conversation store (tools/measure/staff_history.py) and a seeded ENT database with
votes and open requests in a temporary directory, starts the real portal process on a free port,
then times GET /staff for a director: the first load right after the portal answers (it reads
the whole history in the background and the page waits for it 0.5 s at most, then says « mise à
jour en cours »), how long after the start the page has every figure, the next loads (only new
rows are read), and the first load after a restart (from the counts saved on disk). Writes
results/staff-bench.json.

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


PENDING = "Mise à jour en cours"  # the page's note while the history is first read


def get(url: str, token: str) -> tuple[float, int, str]:
    """Seconds, status and text of one GET with the director's token."""
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as response:
        body = response.read()
        return time.perf_counter() - started, response.status, body.decode("utf-8")


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


def run_portal(env: dict[str, str], token: str, loads: int) -> tuple[float, bool, float, list[float], int]:
    """Start the portal, time its first /staff, wait for every figure, time `loads` more, stop it.

    The first load's seconds and whether it had every figure, the seconds from the start until
    the page had every figure, the next loads' seconds, the page's size.
    """
    port = free_port()
    portal = subprocess.Popen(
        [portal_python(), "-m", "portal.server", "--port", str(port), "--rasa-url", "http://127.0.0.1:9"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        wait_up(base + "/", portal)
        up = time.perf_counter()
        first, status, page = get(base + "/staff", token)
        assert status == 200, status
        first_complete = PENDING not in page
        while PENDING in page and time.perf_counter() - up < START_TIMEOUT:
            time.sleep(0.1)
            page = get(base + "/staff", token)[2]
        assert PENDING not in page, "the history was not read in time"
        complete_after = time.perf_counter() - up
        times = [get(base + "/staff", token)[0] for _ in range(loads)]
        return first, first_complete, complete_after, times, len(page.encode("utf-8"))
    finally:
        portal.terminate()  # the portal saves its counts at shutdown
        try:
            portal.wait(timeout=30)
        except subprocess.TimeoutExpired:
            portal.kill()


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

        env["STAFF_SNAPSHOT"] = str(Path(tmp) / "staff-activity.json")  # the counts kept on disk
        token = mint_token("directeur.papillons", "directeur", secret=SECRET)
        first, first_complete, complete_after, loads, size = run_portal(env, token, args.loads)
        # Restarted: the counts saved by the first portal, then only the rows added since.
        again, again_complete, _, _, _ = run_portal(env, token, 0)

    result = {
        "measured_at": now(),
        "command": "python -m tools.measure.staff_bench "
        + " ".join(argv if argv is not None else sys.argv[1:]),
        "conversations": args.conversations,
        "events": events,
        "votes": args.votes,
        "open_requests": args.requests,
        "first_load_s": round(first, 3),
        "first_load_had_every_figure": first_complete,
        "every_figure_after_start_s": round(complete_after, 3),
        "restart_first_load_s": round(again, 3),
        "restart_first_load_had_every_figure": again_complete,
        "next_loads_median_s": round(statistics.median(loads), 3),
        "next_loads_max_s": round(max(loads), 3),
        "page_bytes": size,
        "machine": f"{os.cpu_count()} cores (shared)",
        "note": "GET /staff for a director over real HTTP on loopback, the portal's own process and Python. "
        "First load: right after the portal answers; it reads the whole history in the background and the "
        "page waits 0.5 s at most, then shows « mise à jour en cours » instead of the activity and questions "
        "(never partial figures). every_figure_after_start_s: when the page first has every figure. "
        "Next loads read only the rows added since. Restart: the same portal started again, from the "
        "counts it saved on disk (STAFF_SNAPSHOT) plus the rows added since.",
    }
    write_json(args.out, result)
    print(
        f"/staff on {args.conversations} conversations ({events} events): first load {first:.3f} s "
        f"({'every figure' if first_complete else 'update note'}), every figure {complete_after:.3f} s "
        f"after the start; after a restart: {again:.3f} s "
        f"({'every figure' if again_complete else 'update note'}); "
        f"next loads median {statistics.median(loads):.3f} s (max {max(loads):.3f} s). Written: {args.out}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
