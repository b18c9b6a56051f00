"""The hand-off in whole conversations: trained model, real action server, tokens."""

from __future__ import annotations

import pytest

from bot.ent.service import EntService
from bot.identity import Identity, mint_token
from tests.action_helper import said
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
    to_school = "Transmettre ma question à la direction de l'école"
    start = next(b for b in buttons(offered) if b["title"] == to_school)
    asked = await parent.say(start["payload"])  # click 1
    assert said("utter_handoff_ask_note") in texts_of(asked)
    send = next(b for b in buttons(asked) if b["title"] == "Envoyer ma demande")
    done = texts_of(await parent.say(send["payload"]))  # click 2
    assert "C'est transmis (demande n° " in done and "en dehors de l'assistant" in done
    number = done.split("demande n° ")[1].split(")")[0]
    again = await parent.text(send["payload"])  # a double click
    assert said("utter_handoff_already_sent", id=number) in again

    director = Chat(agent, token("directeur.papillons", "directeur"))
    listed = await director.say("quelles demandes ai-je reçues ?")
    assert f"Demande n° {number}**" in texts_of(listed) and MISUNDERSTOOD[0] in texts_of(listed)
    closed = await director.text("la demande " + number + " est traitée")
    assert closed == said("utter_staff_closed", id=number)
    open_ids = {r.id for r in EntService().received_handoffs(Identity("directeur.papillons", "directeur"))}
    assert int(number) not in open_ids


async def test_the_person_may_add_a_sentence(agent, ent_env) -> None:
    teacher = Chat(agent, token("enseignant.ce1.papillons", "enseignant"))
    offered = await teacher.say("je veux parler à quelqu'un")
    assert "Transmettre ma question à la direction de l'école" in [b["title"] for b in buttons(offered)]
    await teacher.say("/handoff_start")
    assert said("utter_handoff_note_added") in await teacher.text("c'est urgent pour la rentrée de lundi")
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
    assert next(b["title"] for b in buttons(director)) == "Transmettre à l'ERUN de la circonscription"
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
