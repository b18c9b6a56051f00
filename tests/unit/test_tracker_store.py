"""The conversation history never keeps the portal's signed token."""

from __future__ import annotations

import json

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.tracker_store import ScrubbingSQLTrackerStore, scrub

TOKEN = "eyJhbGciOiJIUzI1NiJ9.secret.signature"


def test_scrub_removes_the_token_at_any_depth() -> None:
    data = {"metadata": {"ent_token": TOKEN, "lang": "fr"}, "value": [{"ent_token": TOKEN}]}
    assert scrub(data) == {"metadata": {"lang": "fr"}, "value": [{}]}


async def test_sql_history_holds_the_message_but_not_the_token(tmp_path) -> None:
    db = tmp_path / "conversations.db"
    store = ScrubbingSQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(db))
    tracker = DialogueStateTracker("parent-1", [])
    tracker.update(SessionStarted(metadata={"ent_token": TOKEN}))
    tracker.update(SlotSet("session_started_metadata", {"ent_token": TOKEN}))
    tracker.update(UserUttered("mon fils est-il rattaché ?", metadata={"ent_token": TOKEN, "page": "/"}))
    await store.save(tracker)

    with store.session_scope() as session:
        rows = [json.loads(e.data) for e in session.query(SQLTrackerStore.SQLEvent).all()]
    assert len(rows) == 3
    stored = json.dumps(rows, ensure_ascii=False)
    assert TOKEN not in stored
    assert "mon fils est-il rattaché ?" in stored and '"page": "/"' in stored
    assert isinstance(store, SQLTrackerStore)
