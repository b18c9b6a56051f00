"""Generated conversation history for the /staff page (deterministic).

Rasa's `events` table with N conversations spread over the last 30 days, plus 👍/👎 votes in
the ENT database.

    python -m tools.measure.staff_history OUT.db [--conversations 100000]
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import time
from pathlib import Path

SEED = 20251201
DAY = 86400.0
ANSWERED = [
    ("comment activer mon compte educonnect ?", "faq", "activer_educonnect"),
    ("mes productions sont-elles conservées ?", "faq", "donnees_conservees"),
    ("je ne vois pas ma classe", "faq", "classe_absente"),
    ("code sms non reçu", "faq", "code_sms"),
    ("bonjour", "greet", None),
    ("merci", "thank", None),
]
MISSED = [
    ("la cantine est fermée mercredi ?", "out_of_scope"),
    ("comment imprimer le bulletin de {name}", "nlu_fallback"),
    ("le truc bleu ne marche plus", "nlu_fallback"),
    ("ma fille {name} n'arrive pas à se connecter sur la tablette", "nlu_fallback"),
    ("où est le carnet de correspondance numérique", "nlu_fallback"),
    ("appelez-moi au 06 12 34 56 78", "nlu_fallback"),
    ("quand sont les vacances", "out_of_scope"),
    ("l'application plante sur mon iphone", "nlu_fallback"),
]
NAMES = ["Lucas", "Chloé", "Inès", "Hugo", "Léa", "Nathan"]
SCHEMA = (
    "CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255) NOT NULL, "
    "type_name VARCHAR(255) NOT NULL, timestamp FLOAT, intent_name VARCHAR(255), action_name VARCHAR(255), "
    "data TEXT)"
)  # Rasa 3.6's SQLTrackerStore table (rasa/core/tracker_store.py, SQLEvent)


def user_event(sender: str, at: float, text: str, intent: str, key: str | None) -> tuple:
    """A user message row, as Rasa's SQL tracker store writes it."""
    parse = {"intent": {"name": intent, "confidence": 0.9}, "entities": [], "text": text}
    if key:
        parse["response_selector"] = {
            "faq": {"response": {"intent_response_key": f"faq/{key}", "confidence": 0.8}}
        }
    data = {"event": "user", "timestamp": at, "text": text, "parse_data": parse}
    return (sender, "user", at, intent, None, json.dumps(data))


def action_event(sender: str, at: float, name: str) -> tuple:
    """An action row."""
    return (sender, "action", at, None, name, json.dumps({"event": "action", "timestamp": at, "name": name}))


def bot_event(sender: str, at: float, text: str) -> tuple:
    """A bot message row."""
    return (sender, "bot", at, None, None, json.dumps({"event": "bot", "timestamp": at, "text": text}))


def conversation(rng: random.Random, index: int, start: float) -> list[tuple]:
    """One conversation: 1 to 5 messages, one in six not understood."""
    sender = f"gen-{index:07d}"
    at = start
    rows = [action_event(sender, at, "action_session_start")]
    for _ in range(rng.randint(1, 5)):
        at += rng.uniform(5, 90)
        if rng.random() < 1 / 6:
            text, intent = rng.choice(MISSED)
            text = text.format(name=rng.choice(NAMES))
            rows += [
                user_event(sender, at, text, intent, None),
                action_event(sender, at, "action_did_you_mean"),
            ]
        else:
            text, intent, key = rng.choice(ANSWERED)
            rows += [user_event(sender, at, text, intent, key), action_event(sender, at, "utter_faq")]
        rows += [bot_event(sender, at, "…"), action_event(sender, at, "action_listen")]
    return rows


def generate(path: Path, conversations: int, now: float | None = None) -> int:
    """Write `conversations` conversations over the last 30 days into an SQLite events table; rows."""
    rng = random.Random(SEED)
    now = now or time.time()
    connection = sqlite3.connect(path)
    try:
        connection.execute(SCHEMA)
        connection.execute("CREATE INDEX IF NOT EXISTS ix_events_sender_id ON events (sender_id)")
        total = 0
        batch: list[tuple] = []
        for index in range(conversations):
            start = now - rng.uniform(600, 29 * DAY)  # inside the page's 30 calendar days
            batch += conversation(rng, index, start)
            if len(batch) > 50_000:
                connection.executemany(
                    "INSERT INTO events (sender_id, type_name, timestamp, intent_name, action_name, data) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    batch,
                )
                total += len(batch)
                batch = []
        connection.executemany(
            "INSERT INTO events (sender_id, type_name, timestamp, intent_name, action_name, data) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            batch,
        )
        connection.commit()
        return total + len(batch)
    finally:
        connection.close()


def add_votes(ent_url: str, count: int, now: float | None = None) -> None:
    """`count` 👍/👎 on the generated answers, over the last 30 days (through EntService's table)."""
    from datetime import datetime

    from sqlalchemy import insert

    from bot.ent import models as m
    from bot.ent.db import make_engine

    rng = random.Random(SEED + 1)
    now = now or time.time()
    rows = []
    for _ in range(count):
        text, _, key = rng.choice(ANSWERED[:4])
        rows.append(
            {
                "created_at": datetime.utcfromtimestamp(now - rng.uniform(600, 29 * DAY)),
                "answer_key": f"utter_faq/{key}",
                "question": text,
                "vote": "down" if rng.random() < 0.2 else "up",
            }
        )
    engine = make_engine(ent_url)
    with engine.begin() as connection:
        connection.execute(insert(m.Feedback), rows)
    engine.dispose()


def main(argv: list[str] | None = None) -> int:
    """Write a history file."""
    parser = argparse.ArgumentParser(prog="python -m tools.measure.staff_history", description=__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("--conversations", type=int, default=100_000)
    args = parser.parse_args(argv)
    rows = generate(args.out, args.conversations)
    print(f"{args.conversations} conversations, {rows} events: {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
