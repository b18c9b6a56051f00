"""The REST channel without a model: checks, and a polite message whatever the turn did."""

from __future__ import annotations

import asyncio
import json
from types import SimpleNamespace
from typing import Any

import pytest

from bot import resilience
from bot.channels import BAD_REQUEST, EMPTY, FAILED, STORE_DOWN, TOO_LONG, SafeRestInput

DOMAIN = SimpleNamespace(intents=["greet", "inform_role", "faq"], retrieval_intents=["faq"])


def request(body: Any) -> SimpleNamespace:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    agent = SimpleNamespace(domain=DOMAIN, processor=None)
    return SimpleNamespace(body=raw, app=SimpleNamespace(ctx=SimpleNamespace(agent=agent)))


def post(body: Any, on_new_message) -> tuple[int, list[dict], list]:
    """Call the channel's handler; the status, the reply and the messages Rasa received."""
    received: list = []

    async def handler(message) -> None:
        received.append(message)
        await on_new_message(message)

    reply = asyncio.run(SafeRestInput().handle(request(body), handler))
    return reply.status, json.loads(reply.body), received


async def says_hello(message) -> None:
    await message.output_channel.send_text_message(message.sender_id, "Bonjour !")


async def says_nothing(message) -> None:
    return None


async def crashes(message) -> None:
    raise KeyError("response_selector")


async def store_fails(message) -> None:
    resilience.current_turn().store_failed = True
    await says_hello(message)


def test_a_normal_message_goes_through_unchanged() -> None:
    status, reply, received = post({"sender": "s1", "message": "bonjour", "metadata": {"k": "v"}}, says_hello)
    assert status == 200 and reply == [{"recipient_id": "s1", "text": "Bonjour !"}]
    assert received[0].text == "bonjour" and received[0].metadata == {"k": "v"}
    assert received[0].input_channel == "rest"


@pytest.mark.parametrize(
    ("body", "status", "text"),
    [
        (b"not json", 400, BAD_REQUEST),
        (b"[1]", 400, BAD_REQUEST),
        ({"sender": "s", "message": 3}, 400, BAD_REQUEST),
        ({"sender": 3, "message": "bonjour"}, 400, BAD_REQUEST),
        ({"sender": "s", "message": "  \x00 "}, 200, EMPTY),
        ({"sender": "s", "message": "x" * 3000}, 200, TOO_LONG),
        (b'{"message": "' + b"x" * 70000 + b'"}', 413, TOO_LONG),
    ],
)
def test_malformed_requests_get_a_polite_message_without_a_turn(body: Any, status: int, text: str) -> None:
    got_status, reply, received = post(body, says_hello)
    assert (got_status, [m["text"] for m in reply]) == (status, [text])
    assert received == []


def test_metadata_that_is_not_an_object_is_ignored() -> None:
    status, reply, received = post({"sender": "s", "message": "bonjour", "metadata": "x"}, says_hello)
    assert status == 200 and reply[0]["text"] == "Bonjour !" and received[0].metadata is None


@pytest.mark.parametrize(
    ("message", "seen"),
    [
        ('/inform_role{"role":"parent"}', '/inform_role{"role":"parent"}'),
        ("/faq", "faq"),
        ("/unknown_intent", "unknown_intent"),
        ('/greet{"bad json', 'greet{"bad json'),
        ("bon\u202ejour", "bonjour"),
    ],
)
def test_payloads_rasa_cannot_handle_are_read_as_words(message: str, seen: str) -> None:
    _, _, received = post({"sender": "s", "message": message}, says_hello)
    assert received[0].text == seen


@pytest.mark.parametrize("turn", [says_nothing, crashes])
def test_a_turn_that_fails_or_says_nothing_still_answers(turn) -> None:
    status, reply, _ = post({"sender": "s", "message": "bonjour"}, turn)
    assert status == 200 and [m["text"] for m in reply] == [FAILED]


def test_the_person_is_told_when_the_conversation_store_failed() -> None:
    _, reply, _ = post({"sender": "s", "message": "bonjour"}, store_fails)
    assert [m["text"] for m in reply] == ["Bonjour !", STORE_DOWN]
