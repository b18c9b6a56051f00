"""The hand-off in whole conversations: trained model, real action server, tokens."""

from __future__ import annotations

import pytest

from actions import handoff_texts as texts
from bot.ent.service import EntService
from bot.identity import Identity, mint_token
from tests.helpers.chat import Chat
from tests.helpers.secret import TEST_SECRET

pytestmark = [pytest.mark.model, pytest.mark.asyncio]

MISUNDERSTOOD = ["compte", "code"]  # the pair of tests/integration/test_conversations.py


def token(login: str, role: str) -> dict:
    return {"ent_token": mint_token(login, role, secret=TEST_SECRET)}


def buttons(messages: list[dict]) -> list[dict]:
    return [b for m in messages for b in m.get("buttons") or []]


def texts_of(messages: list[dict]) -> str:
    return "\n".join(m.get("text") or "" for m in messages)


async def test_a_parent_sends_the_question_in_two_clicks_and_the_director_closes_it(agent, ent_env) -> None:
    parent = Chat(agent, token("parent.papillons", "parent"))
    await parent.say(MISUNDERSTOOD[0])
    offered = await parent.say(MISUNDERSTOOD[1])  # the second misunderstanding in a row
    start = next(b for b in buttons(offered) if b["title"] == texts.TO_DIRECTOR_BUTTON)
    asked = await parent.say(start["payload"])  # click 1
    assert texts.ASK_NOTE["default"] in texts_of(asked)
    send = next(b for b in buttons(asked) if b["title"] == texts.SEND_BUTTON)
    done = texts_of(await parent.say(send["payload"]))  # click 2
    assert "C'est transmis (demande n° " in done and "en dehors de l'assistant" in done
    number = done.split("demande n° ")[1].split(")")[0]
    assert texts.ALREADY_SENT.format(id=number) in await parent.text(send["payload"])  # a double click

    director = Chat(agent, token("directeur.papillons", "directeur"))
    listed = await director.say("quelles demandes ai-je reçues ?")
    assert f"Demande n° {number}**" in texts_of(listed) and MISUNDERSTOOD[0] in texts_of(listed)
    closed = await director.text("la demande " + number + " est traitée")
    assert closed == texts.CLOSED.format(id=number)
    open_ids = {r.id for r in EntService().received_handoffs(Identity("directeur.papillons", "directeur"))}
    assert int(number) not in open_ids


async def test_the_person_may_add_a_sentence(agent, ent_env) -> None:
    teacher = Chat(agent, token("enseignant.ce1.papillons", "enseignant"))
    offered = await teacher.say("je veux parler à quelqu'un")
    assert texts.TO_DIRECTOR_BUTTON in [b["title"] for b in buttons(offered)]
    await teacher.say("/handoff_start")
    assert texts.NOTE_ADDED in await teacher.text("c'est urgent pour la rentrée de lundi")
    done = await teacher.text("/handoff_confirm")
    assert "C'est transmis" in done
    [request] = [
        r
        for r in EntService().received_handoffs(Identity("directeur.papillons", "directeur"))
        if r.requester_name == "Nadia Benali"
    ]
    assert request.note == "c'est urgent pour la rentrée de lundi"


async def test_a_director_is_offered_the_erun_and_an_anonymous_visitor_the_school(agent, ent_env) -> None:
    director = await Chat(agent, token("directeur.tilleuls", "directeur")).say("ça ne m'aide pas")
    assert next(b["title"] for b in buttons(director)) == texts.TO_ERUN_BUTTON
    anonymous = await Chat(agent).say("je veux parler à quelqu'un")
    assert "adressez-vous directement à l'école" in texts_of(anonymous) and not buttons(anonymous)


@pytest.mark.parametrize(
    "text,intent",
    [
        ("je voudrais parler à une vraie personne", "handoff_request"),
        ("cette réponse ne m'aide pas", "complaint"),  # frustration: an apology, then the offer
        ("quelles demandes ai-je reçues ?", "staff_requests"),
        ("la demande 3 est traitée", "staff_close_request"),
        ("j'ai traité la demande 14", "staff_close_request"),
    ],
)
async def test_the_new_intents_are_understood(agent, text, intent) -> None:
    parsed = await agent.parse_message(text)
    assert parsed["intent"]["name"] == intent, parsed["intent"]
