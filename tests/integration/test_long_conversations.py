"""A long conversation keeps its role and its answers when only its last turns are loaded."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.tracker_store import STORED, ScrubbingSQLTrackerStore
from tests.helpers.chat import Chat

pytestmark = pytest.mark.model

QUESTIONS = [
    "comment activer mon compte educonnect ?",
    "mes productions sont-elles conservées d'une année sur l'autre ?",
    "comment libérer de l'espace de stockage ?",
    "quand a lieu la bascule de l'ENT ?",
]


@pytest.fixture
def windowed_agent(agent, tmp_path) -> Iterator:
    """The trained model with the project's SQL store on a small window (40 events)."""
    store = ScrubbingSQLTrackerStore(
        agent.domain, dialect="sqlite", db=str(tmp_path / "conversations.db"), window_events=40
    )
    saved = agent.tracker_store, agent.processor.tracker_store
    agent.tracker_store = agent.processor.tracker_store = store
    try:
        yield agent
    finally:
        agent.tracker_store, agent.processor.tracker_store = saved


async def test_the_role_said_long_ago_still_chooses_the_answer(windowed_agent) -> None:
    chat = Chat(windowed_agent)
    said = await chat.text("je suis parent")
    assert "parent" in said
    for number in range(16):
        assert (await chat.text(QUESTIONS[number % len(QUESTIONS)])).strip()

    loaded = await windowed_agent.tracker_store.retrieve(chat.sender)
    full = await windowed_agent.tracker_store.retrieve_full_tracker(chat.sender)
    assert getattr(loaded, STORED) < 60 < len(full.events)  # the first turns were not loaded
    assert loaded.get_slot("role") == "parent"

    answer = await chat.say("j'ai oublié mon mot de passe")
    assert "Vous êtes" not in answer[0]["text"]
    assert "Mot de passe oublié" in "\n".join(m.get("text") or "" for m in answer)
    history = await windowed_agent.tracker_store.retrieve_full_tracker(chat.sender)
    texts = [e.text for e in history.events if e.type_name == "user"]
    assert texts[0] == "je suis parent" and texts[-1] == "j'ai oublié mon mot de passe" and len(texts) == 18
