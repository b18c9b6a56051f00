"""`make test-cluster`: the cluster (2 replicas, haproxy, Redis, PostgreSQL) under faults.

One cluster in a temporary directory on free loopback ports, supervised as `make cluster`
supervises it. Each check records its figures; the module writes results/cluster.json.
Skipped unless ENT_TEST_CLUSTER=1 (set by `make test-cluster`): it takes 5 to 10 minutes.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis

from bot.identity import mint_token
from bot.lock_store import AtomicRedisLockStore
from bot.paths import MODEL, RESULTS
from tests.helpers.ports import free_port
from tests.helpers.secret import TEST_SECRET
from tools import run
from tools.cluster import haproxy
from tools.cluster.client import LIVE_QUESTION, Traffic, get_json, say, stored_events, stored_seqs
from tools.cluster.config import HOST, LOCK_KEY_PREFIX, LOCK_LIFETIME_SECONDS, Layout, Ports, endpoints
from tools.cluster.launcher import Cluster, missing_packages
from tools.cluster.rollout import rollout
from tools.measure.common import now, write_json

pytestmark = [
    pytest.mark.skipif(not os.environ.get("ENT_TEST_CLUSTER"), reason="run by `make test-cluster`"),
    pytest.mark.skipif(not MODEL.exists(), reason="needs the trained model"),
    pytest.mark.skipif(bool(missing_packages()), reason="needs redis-server, haproxy and postgresql"),
]

FIGURES: dict[str, Any] = {}
DIRECTOR = {"ent_token": mint_token("directeur.papillons", "directeur", secret=TEST_SECRET)}
OUTAGE_S = 8


def record(check: str, ok: bool, **figures: Any) -> None:
    """Keep a check's figures for results/cluster.json."""
    FIGURES[check] = {"ok": ok, **figures}


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    """Two replicas on free ports; a thread restarts what dies, as `make cluster` does."""
    root = Path(tempfile.mkdtemp(prefix="ent-cluster-test-"))
    layout = Layout(root, Ports.allocate(free_port(), 2, None))
    cluster = Cluster(layout, extra_env={"ENT_JWT_SECRET": TEST_SECRET})
    done = threading.Event()

    def supervise() -> None:
        while not done.wait(0.3):
            cluster.supervise()

    begin = time.monotonic()
    started = False
    try:
        cluster.start()
        started = True
        FIGURES["start_seconds"] = round(time.monotonic() - begin, 1)
        watcher = threading.Thread(target=supervise, daemon=True)
        watcher.start()
        yield cluster
    finally:
        done.set()
        cluster.stop()
        result = {"generated_at": now(), "replicas": len(layout.names), "cpus": os.cpu_count(), **FIGURES}
        RESULTS.mkdir(exist_ok=True)
        write_json(RESULTS / "cluster.json", result)
        if started:
            shutil.rmtree(root, ignore_errors=True)
        else:
            print(f"Cluster logs kept in {layout.logs}")


def token() -> str:
    return run.api_token()


def user_texts(events: list[dict]) -> list[str]:
    return [e.get("text") for e in events if e["type"] == "user"]


def test_one_conversation_stays_on_one_replica(cluster: Cluster) -> None:
    url = cluster.layout.public_url
    served: dict[str, set[str]] = {}
    for index in range(8):
        sender = f"affinity-{index}-{uuid.uuid4().hex[:6]}"
        for text in ("bonjour", "comment activer mon compte educonnect ?"):
            turn = say(url, sender, text)
            assert turn.polite, f"no answer for {text!r}"
            served.setdefault(sender, set()).add(turn.replica)
    sticky = all(len(replicas) == 1 for replicas in served.values())
    used = set().union(*served.values())
    record("affinity", sticky and len(used) == 2, conversations=len(served), replicas_used=sorted(used))
    assert sticky and used == set(cluster.layout.names)


def test_two_messages_of_one_conversation_at_once_on_both_replicas(cluster: Cluster) -> None:
    """Bypassing haproxy: the Redis lock must serialise the two turns."""
    layout = cluster.layout
    texts = ("comment activer mon compte educonnect ?", "j'ai oublié mon mot de passe educonnect")
    trials, good, answered = 6, 0, 0
    problems = []
    for trial in range(trials):
        sender = f"race-{trial}-{uuid.uuid4().hex[:6]}"
        barrier = threading.Barrier(2)
        turns: list[Any] = [None, None]

        def send(
            i: int, sender: str = sender, barrier: threading.Barrier = barrier, turns: list = turns
        ) -> None:
            barrier.wait(timeout=10)
            turns[i] = say(layout.replica_url(i), sender, texts[i], seq=i)

        threads = [threading.Thread(target=send, args=(i,)) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=90)
        answered += sum(1 for t in turns if t is not None and t.polite)
        events = stored_events(layout, sender)
        kinds = [e["type"] for e in events]
        users = [i for i, kind in enumerate(kinds) if kind == "user"]
        stored = sorted(user_texts(events))
        # in order: the second user message comes after the first turn's closing action_listen
        ordered = (
            len(users) == 2 and "action" in kinds[users[0] : users[1]] and kinds[users[1] - 1] == "action"
        )
        closed = events and events[-1].get("name") == "action_listen"
        if stored == sorted(texts) and ordered and closed:
            good += 1
        else:
            problems.append({"user_messages_stored": len(stored), "ordered": ordered})
    record(
        "same_conversation_both_replicas",
        good == trials and answered == 2 * trials,
        trials=trials,
        turns_answered=answered,
        trials_stored_once_in_order=good,
        problems=problems,
    )
    assert answered == 2 * trials
    assert good == trials, problems


def test_replica_killed_mid_conversation(cluster: Cluster) -> None:
    layout = cluster.layout
    url = layout.public_url
    sender = f"kill-{uuid.uuid4().hex[:8]}"
    asked = say(url, sender, "/live_class_pupils", DIRECTOR, seq=0)
    buttons = [b for r in asked.replies for b in r.get("buttons") or []]
    ce1 = next(b["payload"] for b in buttons if b["title"] == "CE1")
    victim = asked.replica
    service = cluster.services[f"rasa-{victim}"]
    restarts = service.restarts
    down: dict[str, float | None] = {}
    watcher = threading.Thread(target=lambda: down.update(s=haproxy.wait_status(layout, victim, "DOWN", 15)))
    with Traffic(url, clients=3, token=DIRECTOR["ent_token"]) as traffic:
        time.sleep(2)
        watcher.start()
        killed_at = time.monotonic()
        os.kill(service.pid, signal.SIGKILL)
        answer = say(url, sender, ce1, DIRECTOR, seq=1)
        watcher.join(timeout=20)
        time.sleep(2)
    tracker = get_json(f"{url}/conversations/{sender}/tracker?token={token()}")
    seqs = stored_seqs(layout, sender)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and not (
        service.restarts > restarts and haproxy.status(layout, victim) == "UP"
    ):
        time.sleep(0.5)
    back = service.restarts > restarts and haproxy.status(layout, victim) == "UP"
    continued = "La classe « CE1 »" in answer.reply_text and "Nadia Benali" in answer.reply_text
    record(
        "replica_kill",
        continued and seqs == [0, 1] and down.get("s") is not None and down["s"] <= 3 and back,
        answered_by=answer.replica,
        killed=victim,
        form_continued_on_other_replica=continued,
        role_slot=tracker["slots"].get("role"),
        acknowledged_turns_stored=f"{len(seqs)}/2",
        marked_down_seconds=None if down.get("s") is None else round(down["s"], 2),
        back_up_seconds=round(time.monotonic() - killed_at, 1) if back else None,
        request_failed=not answer.polite,
        other_conversations_meanwhile=summary(traffic.turns),
    )
    assert answer.replica and answer.replica != victim
    assert continued, answer.reply_text
    assert tracker["slots"].get("role") == "directeur"
    assert seqs == [0, 1]
    assert down.get("s") is not None and down["s"] <= 3
    assert back, "the supervisor did not bring the replica back"
    failed = [(t.text, t.status, round(t.seconds, 1)) for t in traffic.turns if not t.polite]
    assert not failed, f"requests failed while the replica died: {failed}"


def test_a_dead_replicas_lock_holds_its_conversation_at_most_the_lock_lifetime(cluster: Cluster) -> None:
    """A replica killed mid-turn leaves its ticket in Redis: the next turn waits for it, briefly."""
    layout = cluster.layout
    url = layout.public_url
    client = redis.Redis(host=HOST, port=layout.ports.redis, password=layout.secrets["redis"])
    sender = f"held-{uuid.uuid4().hex[:8]}"
    replica = say(url, sender, "bonjour", seq=0).replica
    actions = cluster.services[f"actions-{replica}"]
    key = f"{LOCK_KEY_PREFIX}:lock:{sender}"
    raw = None
    os.kill(actions.pid, signal.SIGSTOP)  # the live question's turn now lasts the action budget
    try:
        slow = threading.Thread(target=say, args=(url, sender, LIVE_QUESTION, DIRECTOR), kwargs={"seq": 1})
        slow.start()
        deadline = time.monotonic() + 3
        while raw is None and time.monotonic() < deadline:
            raw = client.get(key)
            time.sleep(0.05)
        issued_at = time.time()
        slow.join(timeout=30)
    finally:
        os.kill(actions.pid, signal.SIGCONT)
    assert raw is not None, "the replica took no lock in Redis"
    expiry = max(json.loads(ticket)["expires"] for ticket in json.loads(raw)["tickets"])
    replica_lifetime = expiry - issued_at

    stale = f"dead-{uuid.uuid4().hex[:8]}"
    settings = {k: v for k, v in endpoints(layout, 0)["lock_store"].items() if k not in ("type", "url")}
    store = AtomicRedisLockStore(host=HOST, **settings)  # the replicas' own settings (db, prefix)
    store.issue_ticket(stale, LOCK_LIFETIME_SECONDS)  # the turn of a replica that died: never released
    turn = say(url, stale, "comment activer mon compte educonnect ?", seq=0)
    record(
        "lock_of_a_dead_replica",
        turn.polite and replica_lifetime <= LOCK_LIFETIME_SECONDS + 1,
        lock_lifetime_seconds=LOCK_LIFETIME_SECONDS,
        replica_ticket_lifetime_seconds=round(replica_lifetime, 1),
        next_turn_waited_seconds=round(turn.seconds, 1),
    )
    assert LOCK_LIFETIME_SECONDS - 2 <= replica_lifetime <= LOCK_LIFETIME_SECONDS + 1
    assert turn.polite and "FranceConnect" in turn.reply_text
    assert LOCK_LIFETIME_SECONDS - 2 <= turn.seconds <= LOCK_LIFETIME_SECONDS + 10
    assert not client.exists(f"{LOCK_KEY_PREFIX}:lock:{stale}"), "the served lock was left in Redis"


def phases(turns: list, start: float, end: float) -> dict[str, list]:
    """Split turns into before / during / after an outage by when they were sent."""
    out: dict[str, list] = {"before": [], "during": [], "after": []}
    for turn in turns:
        key = "before" if turn.sent_at < start else "during" if turn.sent_at < end else "after"
        out[key].append(turn)
    return out


def summary(turns: list) -> dict[str, Any]:
    """Counts, and the first answer a person got to a guide question and to a live one."""
    seen = {}
    for turn in turns:
        kind = "live" if turn.text == LIVE_QUESTION else "faq"
        seen.setdefault(kind, turn.reply_text[:200] if turn.status == 200 else f"HTTP {turn.status}")
    return {
        "sent": len(turns),
        "polite": sum(t.polite for t in turns),
        "empty_200": sum(t.status == 200 and not t.reply_text for t in turns),
        "http_errors": sum(t.status != 200 for t in turns),
        "first_answers": seen,
    }


def test_postgres_restarted_under_load(cluster: Cluster) -> None:
    layout = cluster.layout
    pg = cluster.services["postgres"]
    with Traffic(layout.public_url, clients=4, token=DIRECTOR["ent_token"]) as traffic:
        time.sleep(5)
        start = time.monotonic()
        pg.stop(signal.SIGINT)  # fast shutdown: clients are disconnected
        time.sleep(OUTAGE_S)
        pg.start()
        end = time.monotonic()
        time.sleep(20)
    split = phases(traffic.turns, start, end)
    stored = {sender: set(stored_seqs(layout, sender)) for sender in traffic.senders}
    lost = {k: sum(t.polite and t.seq not in stored[t.sender] for t in v) for k, v in split.items()}
    after = sorted(split["after"], key=lambda t: t.sent_at)
    unstored_after = [t for t in after if t.seq not in stored[t.sender]]
    recovered = after[-len(traffic.senders) :]
    recovery = max((t.sent_at for t in unstored_after), default=end) - end
    record(
        "postgres_restart",
        all(t.polite for t in split["after"]) and all(t.seq in stored[t.sender] for t in recovered),
        outage_seconds=OUTAGE_S,
        **{phase: summary(turns) for phase, turns in split.items()},
        answered_turns_missing_from_postgres=lost,
        seconds_after_restart_until_turns_are_stored_again=round(recovery, 1),
        rasa_restarted=False,
    )
    assert split["during"], "no traffic during the outage"
    assert all(t.polite for t in split["before"] + split["after"])
    assert all(t.seq in stored[t.sender] for t in recovered), "turns still not stored after recovery"


def test_postgres_outage_answers_are_polite() -> None:
    figures = FIGURES.get("postgres_restart") or pytest.skip("the PostgreSQL check did not run")
    if figures["during"]["polite"] != figures["during"]["sent"]:
        pytest.xfail("empty answers during the PostgreSQL outage (see results/cluster.json)")


def test_redis_stopped_then_started(cluster: Cluster) -> None:
    layout = cluster.layout
    service = cluster.services["redis"]
    with Traffic(layout.public_url, clients=3) as traffic:
        time.sleep(4)
        start = time.monotonic()
        service.stop()
        time.sleep(OUTAGE_S)
        service.start()
        end = time.monotonic()
        time.sleep(12)
    split = phases(traffic.turns, start, end)
    after = sorted(split["after"], key=lambda t: t.sent_at)
    failed_after = [t for t in after if not t.polite]
    recovery = max((t.sent_at for t in failed_after), default=end) - end
    client = redis.Redis(host="127.0.0.1", port=layout.ports.redis, password=layout.secrets["redis"])
    leftover = [key for s in traffic.senders if client.exists(key := f"{LOCK_KEY_PREFIX}:lock:{s}")]
    fresh = [say(layout.public_url, s, "bonjour", seq=9999) for s in traffic.senders]
    record(
        "redis_restart",
        not leftover and all(t.polite for t in fresh) and all(t.polite for t in after[-3:]),
        outage_seconds=OUTAGE_S,
        **{phase: summary(turns) for phase, turns in split.items()},
        seconds_after_restart_until_answers_are_normal=round(recovery, 1),
        locks_left_in_redis=len(leftover),
        next_turn_seconds_max=round(max(t.seconds for t in fresh), 2),
    )
    assert split["during"], "no traffic during the outage"
    assert all(t.polite for t in split["before"])
    assert all(t.polite for t in after[-3:]), "no automatic recovery"
    assert not leftover, "a lock was left in Redis"
    assert all(t.polite and t.seconds < 30 for t in fresh)


def test_redis_outage_answers_are_polite() -> None:
    figures = FIGURES.get("redis_restart") or pytest.skip("the Redis check did not run")
    if figures["during"]["polite"] != figures["during"]["sent"]:
        pytest.xfail("empty answers during the Redis outage (see results/cluster.json)")


def test_model_rolled_out_replica_by_replica(cluster: Cluster) -> None:
    layout = cluster.layout
    new_model = layout.root / "assistant-next.tar.gz"
    shutil.copy(MODEL, new_model)
    with Traffic(layout.public_url, clients=3, token=DIRECTOR["ent_token"]) as traffic:
        time.sleep(2)
        steps = rollout(layout, new_model, token())
        time.sleep(3)
    served = [get_json(f"{layout.replica_url(i)}/status?token={token()}")["model_file"] for i in range(2)]
    failed = [t for t in traffic.turns if not t.polite]
    record(
        "model_rollout",
        not failed and all(Path(s).name == new_model.name for s in served),
        requests=len(traffic.turns),
        failed_requests=len(failed),
        steps=steps,
        new_model_served_by=[Path(s).name for s in served],
        note="the 'new' model is a copy of models/assistant.tar.gz under another name",
    )
    assert all(Path(s).name == new_model.name for s in served)
    assert not failed, [(t.status, t.reply_text[:60]) for t in failed]
