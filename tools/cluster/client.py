"""A small REST client for the cluster's checks: one turn, background traffic, stored events."""

from __future__ import annotations

import itertools
import json
import threading
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from typing import Any

from tools.cluster import postgres
from tools.cluster.config import RASA_DB, Layout

FAQ_QUESTIONS = (
    "comment activer mon compte educonnect ?",
    "j'ai oublié mon mot de passe educonnect",
    "comment ajouter un enfant à mon compte ?",
)
LIVE_QUESTION = "la classe de CP a-t-elle des élèves ?"


@dataclass
class Turn:
    """One message sent and what came back."""

    sender: str
    text: str
    seq: int
    sent_at: float
    seconds: float = 0.0
    status: int = 0  # 0: no HTTP answer at all
    replies: list[dict[str, Any]] = field(default_factory=list)
    replica: str = ""

    @property
    def reply_text(self) -> str:
        """The texts of all the replies, joined."""
        return " ".join(r.get("text") or "" for r in self.replies).strip()

    @property
    def polite(self) -> bool:
        """Answered 200 with a non-empty text."""
        return self.status == 200 and bool(self.reply_text)


def say(
    base_url: str, sender: str, text: str, metadata: dict | None = None, seq: int = 0, timeout: float = 60
) -> Turn:
    """POST one message to /webhooks/rest/webhook; never raises."""
    body = {"sender": sender, "message": text, "metadata": {**(metadata or {}), "seq": seq}}
    request = urllib.request.Request(
        f"{base_url}/webhooks/rest/webhook",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    turn = Turn(sender=sender, text=text, seq=seq, sent_at=time.monotonic())
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            turn.status = response.status
            turn.replica = response.headers.get("X-Assistant-Replica", "")
            turn.replies = json.loads(response.read() or b"[]")
    except urllib.error.HTTPError as error:
        turn.status = error.code
    except (OSError, ValueError):
        turn.status = 0
    turn.seconds = time.monotonic() - turn.sent_at
    return turn


class Traffic:
    """`clients` conversations in threads, one turn after another, until stopped (bounded)."""

    def __init__(
        self, base_url: str, clients: int, token: str | None = None, pause: float = 0.2, max_turns: int = 2000
    ) -> None:
        self.base_url = base_url
        self.token = token
        self.pause = pause
        self.turns: list[Turn] = []
        self.senders = [f"cluster-{uuid.uuid4().hex[:10]}" for _ in range(clients)]
        self._stop = threading.Event()
        self._budget = itertools.count()
        self._max = max_turns
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._client, args=(s,), daemon=True) for s in self.senders]

    def _client(self, sender: str) -> None:
        for seq in itertools.count():
            if self._stop.is_set() or next(self._budget) >= self._max:
                return
            live = self.token is not None and seq % 3 == 2
            text = LIVE_QUESTION if live else FAQ_QUESTIONS[seq % len(FAQ_QUESTIONS)]
            metadata = {"ent_token": self.token} if live else None
            turn = say(self.base_url, sender, text, metadata, seq=seq)
            with self._lock:
                self.turns.append(turn)
            self._stop.wait(self.pause)

    def __enter__(self) -> Traffic:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=90)


def stored_events(layout: Layout, sender: str) -> list[dict[str, Any]]:
    """The conversation's events as PostgreSQL holds them, in insertion order."""
    connection = postgres.connect(layout, RASA_DB)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT type_name, data FROM events WHERE sender_id = %s ORDER BY id", (sender,))
            return [{"type": kind, **json.loads(data)} for kind, data in cursor.fetchall()]
    finally:
        connection.close()


def stored_seqs(layout: Layout, sender: str) -> list[int]:
    """The `seq` of every user message stored for the conversation, in order."""
    return [
        (event.get("metadata") or {}).get("seq", -1)
        for event in stored_events(layout, sender)
        if event["type"] == "user"
    ]


def get_json(url: str, timeout: float = 30) -> Any:
    """GET a JSON document."""
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return json.loads(response.read())
