"""The portal server: page, dev tokens, chat proxy to Rasa, feedback (against a fake Rasa)."""

from __future__ import annotations

import time

import jwt
import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from bot.ent import models as m
from bot.ent.db import session_factory, session_scope
from bot.ent.service import EntService
from bot.identity import check_metadata
from portal.feedback import InvalidTicket, Tickets
from portal.rasa import latest_turn
from portal.server import create_app
from tests.helpers.fake_rasa import EVENTS, RASA_TOKEN

SENDER = "unit-test-sender-1"  # sent by the client, and ignored: the portal owns the id


async def _client(rasa_url: str, api_token: str | None = RASA_TOKEN, dev: bool = True) -> TestClient:
    client = TestClient(TestServer(create_app(rasa_url, api_token, dev=dev, service=EntService())))
    await client.start_server()
    return client


@pytest.fixture
async def portal(ent_env, fake_rasa):
    client = await _client(str(fake_rasa.make_url("")))
    yield client
    await client.close()


async def chat(client: TestClient, message: str, **extra) -> tuple[int, dict]:
    response = await client.post("/api/chat", json={"sender": SENDER, "message": message, **extra})
    return response.status, await response.json()


def last_user_event(fake_rasa) -> dict:
    """The last message Rasa received, whatever the conversation id the portal chose."""
    conversations = fake_rasa.app[EVENTS]
    assert SENDER not in conversations
    return [e for events in conversations.values() for e in events if e["event"] == "user"][-1]


def feedback_rows() -> list[m.Feedback]:
    with session_scope(session_factory()) as session:
        return list(session.execute(select(m.Feedback).order_by(m.Feedback.id)).scalars())


# --- reading the turn from the tracker -------------------------------------------------
def test_latest_turn_keys_answers_and_keeps_the_typed_question():
    events = [
        {"event": "user", "text": "j'ai perdu mon mot de passe"},
        {"event": "action", "name": "utter_faq"},
        {
            "event": "bot",
            "text": "Vous êtes ?",
            "data": {"buttons": [{"title": "Parent", "payload": "/inform_role"}]},
            "metadata": {"utter_action": "utter_faq/identifiants_oublies"},  # the role question
        },
        {"event": "user", "text": '/inform_role{"role":"parent"}'},
        {"event": "action", "name": "action_set_role"},
        {"event": "bot", "text": "C'est noté.", "metadata": {}},
        {"event": "bot", "text": "Réponse", "metadata": {"utter_action": "utter_faq/identifiants_parent"}},
        {"event": "action", "name": "action_live_class_pupils"},
        {"event": "bot", "text": "La classe de CP n'a aucun élève."},
        {"event": "action", "name": "action_live_stop"},
        {"event": "bot", "text": "D'accord, j'arrête."},
    ]
    assert latest_turn(events[:3])[1][0].answer_key is None  # asking back is not an answer
    question, replies = latest_turn(events)
    assert question == "j'ai perdu mon mot de passe"  # a button payload is not the question
    assert [r.answer_key for r in replies] == [
        None,
        "utter_faq/identifiants_parent",
        "action_live_class_pupils",
        None,
    ]
    assert latest_turn([])[1] == []


def test_latest_turn_keeps_only_title_and_payload_of_buttons():
    events = [
        {"event": "user", "text": "bonjour"},
        {
            "event": "bot",
            "text": "Bonjour",
            "data": {"buttons": [{"title": "A", "payload": "a", "extra": "<b>"}, {"x": 1}]},
        },
    ]
    assert latest_turn(events)[1][0].buttons == [{"title": "A", "payload": "a"}]


# --- the page and the development mode ---------------------------------------------------
async def test_page_in_development_mode_offers_the_identity_switcher(portal):
    response = await portal.get("/")
    page = await response.text()
    assert response.status == 200
    assert "Mode développement" in page and 'id="identity"' in page and "directeur.papillons" in page
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


async def test_production_mode_has_no_switcher_and_no_token_endpoint(ent_env, fake_rasa):
    client = await _client(str(fake_rasa.make_url("")), dev=False)
    try:
        page = await (await client.get("/")).text()
        assert "Mode production" in page and 'id="identity"' not in page
        response = await client.post("/api/dev/token", json={"login": "directeur.papillons"})
        assert response.status in (404, 405)
    finally:
        await client.close()


async def test_dev_token_is_signed_with_the_role_from_the_backend(portal):
    response = await portal.post("/api/dev/token", json={"login": "directeur.papillons"})
    body = await response.json()
    assert response.status == 200 and body["role"] == "directeur"
    check = check_metadata({"ent_token": body["token"]})
    assert check.identity is not None and check.identity.login == "directeur.papillons"
    assert check.identity.role == "directeur"


@pytest.mark.parametrize(
    "login", ["inconnu.papillons", "parent.lefebvre1.papillons", "", None, "' OR 1=1 --"]
)
async def test_dev_token_only_for_the_demo_people(portal, login):
    response = await portal.post("/api/dev/token", json={"login": login})
    assert response.status == 404


# --- the chat proxy ------------------------------------------------------------------------
async def test_answers_come_whole_with_a_feedback_ticket(portal):
    status, body = await chat(portal, "markdown")
    assert status == 200
    [answer] = body["messages"]
    assert "1. ouvrez **EduConnect**" in answer["text"] and "\n\n- premier point" in answer["text"]
    assert answer["feedback"]


async def test_conversation_messages_have_no_ticket_and_keep_their_buttons(portal):
    _, body = await chat(portal, "qui suis-je")
    [question] = body["messages"]
    assert question["feedback"] is None
    assert [b["title"] for b in question["buttons"]] == ["Parent", "Directeur"]


async def test_only_the_token_is_forwarded_in_the_metadata(portal, fake_rasa):
    _, body = await chat(portal, "live", metadata={"ent_token": "abc.def.ghi", "role": "directeur"})
    assert "jeton : oui" in body["messages"][0]["text"]
    assert last_user_event(fake_rasa)["metadata"] == {"ent_token": "abc.def.ghi"}
    _, body = await chat(portal, "live")
    assert "jeton : non" in body["messages"][0]["text"]


@pytest.mark.parametrize(
    "body, status",
    [
        ({"sender": SENDER, "message": 42}, 400),
        ({"sender": SENDER, "message": "   "}, 400),
        ({"message": "bonjour", "metadata": "not an object"}, 400),
        ({"sender": SENDER, "message": "x" * 10_001}, 413),
    ],
)
async def test_bad_messages_are_refused(portal, body, status):
    response = await portal.post("/api/chat", json=body)
    assert response.status == status
    assert (await response.json())["message"]  # a French sentence the widget shows


async def test_unreadable_tracker_falls_back_to_the_webhook_without_tickets(ent_env, fake_rasa):
    client = await _client(str(fake_rasa.make_url("")), api_token="wrong-token")
    try:
        status, body = await chat(client, "markdown")
        assert status == 200
        assert len(body["messages"]) == 3  # split at blank lines, as Rasa's channels do
        assert all(message["feedback"] is None for message in body["messages"])
    finally:
        await client.close()


async def test_rasa_down_gives_503_and_status_says_so(ent_env):
    client = await _client("http://127.0.0.1:9")  # nothing listens there
    try:
        status, body = await chat(client, "bonjour")
        assert status == 503 and body["error"] == "unreachable" and "injoignable" in body["message"]
        assert (await client.get("/api/status")).status == 503
    finally:
        await client.close()


async def test_status_ok_when_rasa_answers(portal):
    response = await portal.get("/api/status")
    assert response.status == 200 and (await response.json()) == {"assistant": "ok"}


# --- feedback -----------------------------------------------------------------------------------
async def test_a_vote_is_stored_once_with_the_answer_key_and_the_question(portal):
    await chat(portal, "qui suis-je")
    _, body = await chat(portal, "markdown, écrivez-moi à jean@exemple.fr")
    ticket = body["messages"][0]["feedback"]
    before = len(feedback_rows())
    response = await portal.post("/api/feedback", json={"ticket": ticket, "vote": "up"})
    assert response.status == 201
    rows = feedback_rows()
    assert len(rows) == before + 1
    assert (rows[-1].answer_key, rows[-1].vote) == ("utter_faq/activer_compte", "up")
    assert rows[-1].question == "markdown, écrivez-moi à [e-mail]"
    again = await portal.post("/api/feedback", json={"ticket": ticket, "vote": "down"})
    assert again.status == 409 and len(feedback_rows()) == before + 1
    assert "déjà enregistré" in (await again.json())["message"]


@pytest.mark.parametrize(
    "body",
    [
        {"ticket": "forged.ticket.value", "vote": "up"},
        {
            "ticket": jwt.encode(
                {"k": "utter_faq/x", "jti": "1", "exp": 2**40}, "another-key-of-32-bytes-at-least!"
            ),
            "vote": "up",
        },
        {"ticket": None, "vote": "down"},
        {"vote": "up"},
        {"ticket": "x", "vote": "bof"},
    ],
)
async def test_forged_or_malformed_votes_are_refused(portal, body):
    before = len(feedback_rows())
    response = await portal.post("/api/feedback", json=body)
    assert response.status == 400
    assert len(feedback_rows()) == before


def test_expired_or_foreign_tickets_are_invalid():
    tickets = Tickets(b"k" * 32)
    expired = jwt.encode({"k": "utter_faq/x", "jti": "a", "exp": int(time.time()) - 10}, b"k" * 32)
    with pytest.raises(InvalidTicket):
        tickets.read(expired)
    with pytest.raises(InvalidTicket):
        Tickets(b"o" * 32).read(tickets.issue("utter_faq/x", "question ?"))
    ticket = tickets.read(tickets.issue("utter_faq/x", "question ?"))
    assert (ticket.answer_key, ticket.question) == ("utter_faq/x", "question ?") and ticket.ticket_id
