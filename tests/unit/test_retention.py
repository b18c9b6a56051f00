"""Retention: whole conversations inactive for N days are deleted, live ones are kept intact."""

from __future__ import annotations

import os
import stat
import time
import uuid
from pathlib import Path

import pytest

from bot.conversation_store import NoSQLStore, sqlite_path, store_url
from tools import retention

DAY = 86400
NOW = time.time()


def rasa_store(url: str):
    """Rasa's own SQL tracker store on `url` (it creates the events table)."""
    from rasa.core.tracker_store import SQLTrackerStore

    parsed_sqlite = sqlite_path(url)
    if parsed_sqlite is not None:
        return SQLTrackerStore(dialect="sqlite", db=str(parsed_sqlite))
    return SQLTrackerStore(dialect="postgresql", host=url)


async def save(store, sender: str, ages_in_days: list[float]) -> None:
    """A conversation whose events happened `ages_in_days` ago (a user and a bot event each)."""
    from rasa.shared.core.events import BotUttered, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    events = []
    for age in ages_in_days:
        stamp = NOW - age * DAY
        events += [UserUttered("bonjour", timestamp=stamp), BotUttered("Bonjour !", timestamp=stamp + 1)]
    await store.save(DialogueStateTracker.from_events(sender, events))


async def kept_events(store, sender: str) -> int:
    tracker = await store.retrieve(sender)
    return 0 if tracker is None else len([e for e in tracker.events if e.type_name in ("user", "bot")])


async def check_purge(url: str) -> None:
    store = rasa_store(url)
    tag = uuid.uuid4().hex[:8]
    old, live, recent = f"old-{tag}", f"live-{tag}", f"recent-{tag}"
    await save(store, old, [200, 120, 95])  # last activity 95 days ago
    await save(store, live, [300, 150, 2])  # began long ago, still in use: kept whole
    await save(store, recent, [1])
    assert retention.purge(url, 90, now=NOW, dry_run=True) >= 1
    assert await kept_events(store, old) == 6  # a dry run deletes nothing
    assert retention.purge(url, 90, now=NOW) >= 1
    assert await kept_events(store, old) == 0
    assert await kept_events(store, live) == 6  # even its 300-day-old first events
    assert await kept_events(store, recent) == 2
    assert (
        retention.purge(url, 1, now=NOW + 2 * DAY) >= 2
    )  # two days later, a one-day period takes the others
    assert await kept_events(store, live) == 0 and await kept_events(store, recent) == 0


async def test_purge_on_sqlite_deletes_old_conversations_whole_and_keeps_live_ones(tmp_path):
    db = tmp_path / "conversations.db"
    await check_purge(f"sqlite:///{db}")
    assert stat.S_IMODE(os.stat(db).st_mode) == 0o600  # kept private


@pytest.mark.skipif(not os.environ.get("ENT_TEST_POSTGRES_URL"), reason="ENT_TEST_POSTGRES_URL not set")
async def test_purge_on_postgresql():
    await check_purge(os.environ["ENT_TEST_POSTGRES_URL"])


def test_purge_of_a_store_without_events_table_deletes_nothing(tmp_path):
    assert retention.purge(f"sqlite:///{tmp_path / 'empty.db'}", 90) == 0


def test_the_store_is_read_from_endpoints_yml(tmp_path, monkeypatch):
    monkeypatch.delenv("CONVERSATION_STORE_URL", raising=False)
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text(
        'tracker_store:\n  type: bot.tracker_store.ScrubbingSQLTrackerStore\n  db: "var/c.db"\n'
    )
    assert store_url(endpoints).endswith("/var/c.db") and store_url(endpoints).startswith("sqlite:////")
    monkeypatch.setenv("PGHOST_TEST", "db.internal")
    endpoints.write_text(
        "tracker_store:\n  type: SQL\n  dialect: postgresql\n  url: ${PGHOST_TEST}\n  port: 5433\n"
        "  db: rasa\n  username: rasa\n  password: s3cret\n"
    )
    assert store_url(endpoints) == "postgresql://rasa:s3cret@db.internal:5433/rasa"
    endpoints.write_text("tracker_store:\n  type: redis\n")
    with pytest.raises(NoSQLStore):
        store_url(endpoints)
    monkeypatch.setenv("CONVERSATION_STORE_URL", "sqlite:////tmp/x.db")
    assert store_url(endpoints) == "sqlite:////tmp/x.db"


def test_cli_prints_one_line_with_the_count_and_no_id(tmp_path, monkeypatch, capsys):
    import asyncio

    db = tmp_path / "conversations.db"
    url = f"sqlite:///{db}"
    asyncio.run(save(rasa_store(url), "secret-sender-id-42", [100]))
    monkeypatch.setenv("CONVERSATION_STORE_URL", url)
    monkeypatch.setattr(retention, "forget_expired_tickets", lambda: 0)
    assert retention.main(["--dry-run"]) == 0
    assert retention.main(["--days", "90"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines == [
        "Rétention : 1 conversation(s) inactive(s) depuis plus de 90 jours à supprimer.",
        "Rétention : 1 conversation(s) inactive(s) depuis plus de 90 jours supprimée(s).",
    ]
    assert retention.main(["--days", "0"]) == 2
    monkeypatch.setenv("CONVERSATION_RETENTION_DAYS", "30")
    assert retention.retention_days() == 30


def test_default_retention_is_ninety_days(monkeypatch):
    monkeypatch.delenv("CONVERSATION_RETENTION_DAYS", raising=False)
    assert retention.retention_days() == 90


def test_the_project_store_is_the_sqlite_file_under_var(monkeypatch):
    monkeypatch.delenv("CONVERSATION_STORE_URL", raising=False)
    assert sqlite_path(store_url()) == Path(__file__).resolve().parents[2] / "var" / "conversations.db"


def test_purge_without_a_store_file_creates_nothing(tmp_path):
    assert retention.purge(f"sqlite:///{tmp_path / 'absent.db'}", 90) == 0
    assert not (tmp_path / "absent.db").exists()


def test_expired_feedback_tickets_are_forgotten_and_recent_ones_kept(ent_env):
    from datetime import datetime, timedelta

    from sqlalchemy import select

    from bot.ent import models as m
    from bot.ent.db import session_factory, session_scope

    with session_scope(session_factory()) as session:
        session.add(m.FeedbackTicket(ticket_id="old-ticket", used_at=datetime.utcnow() - timedelta(days=30)))
        session.add(m.FeedbackTicket(ticket_id="new-ticket", used_at=datetime.utcnow()))
    assert retention.forget_expired_tickets() >= 1
    with session_scope(session_factory()) as session:
        kept = set(session.execute(select(m.FeedbackTicket.ticket_id)).scalars())
    assert "new-ticket" in kept and "old-ticket" not in kept


def test_no_ent_database_no_ticket_purge_and_no_file_created(tmp_path, monkeypatch):
    monkeypatch.setenv("ENT_DATABASE_URL", f"sqlite:///{tmp_path / 'ent.db'}")
    assert retention.forget_expired_tickets() is None
    assert not (tmp_path / "ent.db").exists()
