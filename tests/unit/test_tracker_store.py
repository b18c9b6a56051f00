"""The conversation history never keeps the portal's signed token."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    BotUttered,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot.tracker_store import STORED, ScrubbingSQLTrackerStore, scrub, surviving_state

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


DOMAIN = Domain.from_dict(
    {
        "intents": ["faq", "live_class_pupils"],
        "slots": {
            "role": {"type": "text", "influence_conversation": False, "mappings": [{"type": "custom"}]},
            "live_class": {"type": "text", "influence_conversation": False, "mappings": [{"type": "custom"}]},
        },
        "forms": {"live_class_form": {"required_slots": ["live_class"]}},
    }
)


def turn(number: int) -> list:
    """One question answered: the events Rasa stores for it."""
    return [
        UserUttered(f"question {number}", intent={"name": "faq", "confidence": 0.9}),
        SlotSet("role", "parent"),
        ActionExecuted("utter_faq"),
        BotUttered(f"réponse {number}", metadata={"utter_action": "utter_faq/quota"}),
        ActionExecuted("action_listen"),
    ]


def long_conversation(turns: int) -> DialogueStateTracker:
    tracker = DialogueStateTracker("parent-2", DOMAIN.slots)
    tracker.update(ActionExecuted("action_session_start"))
    tracker.update(SessionStarted())
    tracker.update(ActionExecuted("action_listen"))
    for number in range(turns):
        for event in turn(number):
            tracker.update(event)
    # A form left open, then a slot set and reverted by a fallback.
    tracker.update(UserUttered("la classe a-t-elle des élèves ?", intent={"name": "live_class_pupils"}))
    tracker.update(ActionExecuted("live_class_form"))
    tracker.update(ActiveLoop("live_class_form"))
    tracker.update(ActionExecuted("action_listen"))
    tracker.update(UserUttered("n'importe quoi"))
    tracker.update(SlotSet("live_class", "mauvaise valeur"))
    tracker.update(ActionExecuted("action_default_fallback"))
    tracker.update(UserUtteranceReverted())
    for number in range(turns, turns + 30):
        for event in turn(number):
            tracker.update(event)
    return tracker


def store_at(tmp_path, window: int = 60) -> ScrubbingSQLTrackerStore:
    return ScrubbingSQLTrackerStore(DOMAIN, dialect="sqlite", db=str(tmp_path / "c.db"), window_events=window)


async def test_a_long_session_is_loaded_as_its_state_and_last_turns(tmp_path) -> None:
    store = store_at(tmp_path)
    full = long_conversation(40)
    await store.save(full)

    loaded = await store.retrieve("parent-2")
    assert loaded is not None
    assert len(loaded.events) < 80 < len(full.events)
    assert loaded.current_slot_values() == full.current_slot_values()
    assert loaded.get_slot("live_class") is None  # set, then reverted: not carried over
    assert loaded.active_loop_name == "live_class_form"
    assert loaded.latest_message.text == full.latest_message.text
    assert [e.as_dict() for e in list(loaded.events)[-50:]] == [e.as_dict() for e in list(full.events)[-50:]]
    # The first kept event after the carried state is a user message (a whole turn).
    first_kept = next(e for e in loaded.events if isinstance(e, UserUttered))
    assert first_kept.text.startswith("question")


async def test_a_partly_loaded_session_appends_only_its_new_events(tmp_path) -> None:
    store = store_at(tmp_path)
    full = long_conversation(40)
    await store.save(full)

    loaded = await store.retrieve("parent-2")
    new_turn = turn(999)
    for event in new_turn:
        loaded.update(event)
    await store.save(loaded)
    await store.save(loaded)  # saving twice adds nothing

    history = await store.retrieve_full_tracker("parent-2")
    expected = [e.as_dict() for e in full.events] + [e.as_dict() for e in new_turn]
    assert [e.as_dict() for e in history.events] == expected


async def test_a_sqlite_file_keeps_its_connection_between_turns(tmp_path) -> None:
    store = store_at(tmp_path)
    opened: list[object] = []
    sa.event.listen(store.engine, "connect", lambda connection, _record: opened.append(connection))
    for number in range(5):
        tracker = await store.retrieve("pooled") or DialogueStateTracker("pooled", DOMAIN.slots)
        for event in turn(number):
            tracker.update(event)
        await store.save(tracker)
    loaded = await store.retrieve("pooled")
    assert loaded is not None and loaded.latest_message.text == "question 4"
    assert not opened  # the connection opened at start serves every session (not one per session)
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL


async def test_a_short_session_is_loaded_whole_as_rasa_does(tmp_path) -> None:
    store = store_at(tmp_path, window=500)
    full = long_conversation(10)
    await store.save(full)
    loaded = await store.retrieve("parent-2")
    # Rasa loads the session from its `session_started` event on.
    assert [e.as_dict() for e in loaded.events] == [e.as_dict() for e in list(full.events)[1:]]
    assert getattr(loaded, STORED) == len(loaded.events)


def test_state_survives_rewinds_undos_and_restarts() -> None:
    slot = lambda value: ("slot", f'{{"event": "slot", "name": "role", "value": "{value}"}}')  # noqa: E731
    rows = [
        ("session_started", '{"event": "session_started"}'),
        ("user", None),
        slot("parent"),
        ("action", None),
        ("user", None),
        slot("directeur"),
        ("action", None),
        ("rewind", None),
        ("user", None),
        ("action", None),
        slot("enseignant"),
        ("undo", None),
    ]
    kept = surviving_state(rows)
    assert [json.loads(d).get("value") for d in kept] == [None, "parent"]
    assert surviving_state([*rows, ("restart", None), slot("autre")])[-1:] == [slot("autre")[1]]


def test_events_are_read_as_rasa_reads_them() -> None:
    from rasa.shared.core.events import deserialise_events

    from bot.tracker_store import deserialise

    stored = [e.as_dict() for e in long_conversation(2).events]
    mine = deserialise(json.dumps(d) for d in stored)
    assert [e.as_dict() for e in mine] == [e.as_dict() for e in deserialise_events(stored)]
    assert len(mine) == len(stored)
    with pytest.raises(ValueError):
        deserialise([json.dumps({"event": "no_such_event", "timestamp": 1.0})])
