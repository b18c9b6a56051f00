"""Faults on the real assistant (launchers, supervisor, REST channel): what a person gets.

One stack per module (Rasa loads the model once): the tests run in file order, the
clean conversation first (its log segment must hold no ERROR), the faults after it.
Every wait is bounded; everything listens on 127.0.0.1, on free ports.
"""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import uuid
from collections.abc import Iterator

import pytest

from bot.channels import BAD_REQUEST, STORE_DOWN
from bot.paths import MODEL
from tests.action_helper import said
from tests.faults.stack import Stack, director_metadata
from tests.helpers.ports import free_port

pytestmark = pytest.mark.model

POLITE_UNAVAILABLE = "Je n'arrive pas à consulter l'ENT"
LIVE_QUESTION = "où en est la bascule pour mon école ?"
FAQ_QUESTION = "comment activer mon compte educonnect ?"
FORM_QUESTION = "la classe de CP a-t-elle des élèves ?"  # answered through a form (its validation)
# What the action server would have said if it had answered (the director's school).
LIVE_ANSWER_WORD = "bascule de ONDE"


@pytest.fixture(scope="module")
def stack(ent_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: run `make train` (make test does it)")
    stack = Stack(tmp_path_factory.mktemp("faults"), ent_env)
    try:
        stack.start()
        yield stack
    finally:
        stack.stop()


def sender() -> str:
    return f"fault-{uuid.uuid4().hex[:12]}"


def test_a_conversation_through_every_flow_logs_no_error_and_no_personal_data(stack: Stack) -> None:
    start = len(stack.log())
    person, director = sender(), sender()
    metadata = director_metadata()

    greeting = stack.say(person, "bonjour")
    assert "Je suis l'assistant" in greeting.text
    asked = stack.say(person, "j'ai oublié mon mot de passe")
    assert "Vous êtes" in asked.text
    payloads = [b["payload"] for m in asked.messages for b in m.get("buttons") or []]
    assert '/inform_role{"role":"parent"}' in payloads  # the template's {{...}} came out right
    clicked = stack.say(person, '/inform_role{"role":"parent"}')
    assert "parent" in clicked.text and "Mot de passe oublié" in clicked.text
    faq = stack.say(person, FAQ_QUESTION)
    assert "EduConnect" in faq.text
    live = stack.say(director, LIVE_QUESTION, metadata)
    assert LIVE_ANSWER_WORD in live.text
    unsure = stack.say(person, "compte")
    assert unsure.text.startswith("Je ne suis pas sûr") and "Vouliez-vous dire" in unsure.text

    log = stack.log()[start:] + stack.log("actions")
    assert not re.search(r"\bERROR\b|\"level\": \"error\"|Traceback", log), log[-3000:]
    for secret in ("mot de passe", "bascule pour mon", FAQ_QUESTION, person, director):
        assert secret not in log, f"{secret!r} is in the log"
    token = metadata["ent_token"]
    for fragment in (token[:20], token.split(".")[1][:16], token.split(".")[2][:16]):
        assert fragment not in log


def test_fifty_malformed_requests_all_get_a_polite_message_and_no_traceback(stack: Stack) -> None:
    start = len(stack.log())
    bodies: list[bytes | str | dict] = [
        b"",
        b"not json",
        b'{"sender": "x", "message": ',
        b"[1, 2, 3]",
        b'"a string"',
        b"null",
        b"42",
        b"\xff\xfe\x00garbage",
        b"[" * 5000 + b"]" * 5000,
        {"sender": sender()},
        {"message": None, "sender": sender()},
        {"message": 42, "sender": sender()},
        {"message": ["bonjour"], "sender": sender()},
        {"message": {"text": "bonjour"}, "sender": sender()},
        {"message": True, "sender": sender()},
        {"message": "bonjour", "sender": 12345},
        {"message": "bonjour", "sender": ["a"]},
        {"message": "bonjour", "sender": "x" * 5000},
        {"message": "bonjour", "sender": "bad\nsender"},
        {"message": "bonjour", "sender": sender(), "metadata": "not an object"},
        {"message": "bonjour", "sender": sender(), "metadata": [1, 2]},
        {"message": "bonjour", "sender": sender(), "metadata": 7},
        {"message": "bonjour", "sender": sender(), "metadata": {"ent_token": 12}},
        {"message": "bonjour", "sender": sender(), "metadata": {"ent_token": "x" * 10000}},
        {"message": "bonjour", "sender": sender(), "metadata": {"ent_token": "a.b.c"}},
        {"message": "/faq", "sender": sender()},
        {"message": "/faq/activer_compte", "sender": sender()},
        {"message": "/unknown_intent", "sender": sender()},
        {"message": '/greet{"bad json', "sender": sender()},
        {"message": '/greet{"a": {"nested": 1}}', "sender": sender()},
        {"message": "/inform_role[1]", "sender": sender()},
        {"message": "/", "sender": sender()},
        {"message": "///", "sender": sender()},
        {"message": "", "sender": sender()},
        {"message": "   \n\t  ", "sender": sender()},
        {"message": "a" * 100_000, "sender": sender()},
        {"message": "compte " * 1000, "sender": sender()},
        {"message": "\x00\x01\x02\x1b[31mbonjour\x7f", "sender": sender()},
        {"message": "bon\u202ejour\u202c \u2066educonnect\u2069", "sender": sender()},
        {"message": "\u200f\u200e\u061c", "sender": sender()},
        {"message": "🙂🙂🙂", "sender": sender()},
        {"message": "{slot} {{x}} %s %(x)s", "sender": sender()},
        {"message": "<script>alert(1)</script>", "sender": sender()},
        {"message": "' OR 1=1 --", "sender": sender()},
        {"message": "\ud800", "sender": sender()},
        {"message": "bonjour", "sender": sender(), "input_channel": 5},
        {"message": "bonjour", "sender": sender(), "metadata": {"a": [[[[[[[]]]]]]]}},
        json.dumps({"message": "x" * 70_000, "sender": sender()}),
        {"message": "bonjour", "sender": ""},
        {"message": "mot de passe", "sender": sender(), "extra": {"deep": [1, {"x": None}]}},
    ]
    assert len(bodies) == 50
    empty = []
    for index, body in enumerate(bodies):
        reply = stack.post(body)
        texts = [m.get("text") for m in reply.messages] if isinstance(reply.messages, list) else []
        if not texts or not all(isinstance(t, str) and t.strip() for t in texts):
            empty.append((index, reply.status, reply.messages))
        assert reply.status in (200, 400, 413), (index, reply.status)
    assert empty == []
    log = stack.log()[start:]
    assert "Traceback" not in log and '"exception"' not in log, log[-3000:]
    assert stack.post({"message": 42, "sender": sender()}).messages[0]["text"] == BAD_REQUEST


def test_hung_action_server_gives_a_polite_live_answer_and_the_next_message_works(stack: Stack) -> None:
    pid = stack.pid("actions")
    director = sender()
    os.killpg(pid, signal.SIGSTOP)
    try:
        live = stack.say(director, FORM_QUESTION, director_metadata())
        assert POLITE_UNAVAILABLE in live.text
        assert live.text.count("pour le moment") == 1, f"one polite message, not a pile: {live.text}"
        assert live.seconds < 8, f"the person waited {live.seconds:.1f} s (bound: 5 s, with margin)"
        faq = stack.say(director, FAQ_QUESTION, director_metadata())
        assert "EduConnect" in faq.text
        assert "pour le moment" not in faq.text, "the failed question's form must not follow the guide answer"
        assert POLITE_UNAVAILABLE in stack.say(director, LIVE_QUESTION, director_metadata()).text
    finally:
        os.killpg(pid, signal.SIGCONT)
    # Once the server is back, live answers come back too (the breaker closes after 10 s),
    # and no reply meanwhile is a pile of repeated messages.
    replies: list[str] = []

    def live_again() -> bool:
        replies.append(stack.say(director, LIVE_QUESTION, director_metadata()).text)
        return LIVE_ANSWER_WORD in replies[-1]

    assert stack.poll_until(live_again, 40, 2)
    assert all(reply.count("reformuler") == 0 for reply in replies), replies


def test_killed_action_server_is_restarted_and_faq_answers_go_on_meanwhile(stack: Stack) -> None:
    child = stack.supervisor.children["actions"]
    starts, pid = child.starts, child.process.pid
    person = sender()
    os.killpg(pid, signal.SIGKILL)
    child.process.wait(timeout=10)
    # Meanwhile: guide answers as usual, live questions politely refused at once.
    faq = stack.say(person, FAQ_QUESTION)
    assert "EduConnect" in faq.text
    live = stack.say(person, LIVE_QUESTION, director_metadata())
    assert POLITE_UNAVAILABLE in live.text
    assert live.seconds < 4, f"connection refused should be immediate, took {live.seconds:.1f} s"
    # The supervisor restarts it and says so.
    assert stack.poll_until(lambda: child.starts > starts and child.ready, 90)
    assert any("s'est arrêté" in line for line in stack.said)
    assert stack.poll_until(
        lambda: LIVE_ANSWER_WORD in stack.say(person, LIVE_QUESTION, director_metadata()).text, 40, 2
    )


def test_ent_database_unavailable_gives_the_polite_message(stack: Stack) -> None:
    child = stack.supervisor.children["actions"]
    saved = child.env
    dead = f"postgresql+psycopg2://ent@127.0.0.1:{free_port()}/ent"
    child.env = dict(saved, ENT_DATABASE_URL=dead)
    try:
        starts = child.starts
        os.killpg(child.process.pid, signal.SIGTERM)
        assert stack.poll_until(lambda: child.starts > starts and child.ready, 90)
        reply = stack.say(sender(), LIVE_QUESTION, director_metadata())
        assert said("utter_live_unavailable") in reply.text
        assert "Traceback" not in stack.log("actions")
    finally:
        child.env = saved
        starts = child.starts
        os.killpg(child.process.pid, signal.SIGTERM)
        assert stack.poll_until(lambda: child.starts > starts and child.ready, 90)


def test_conversation_store_unavailable_is_told_and_logged(stack: Stack) -> None:
    start = len(stack.log())
    with sqlite3.connect(stack.conversations) as db:
        db.execute("ALTER TABLE events RENAME TO events_away")
    try:
        reply = stack.say(sender(), FAQ_QUESTION)
    finally:
        with sqlite3.connect(stack.conversations) as db:
            db.execute("ALTER TABLE events_away RENAME TO events")
    assert "EduConnect" in reply.text, "the person is still answered"
    assert STORE_DOWN in reply.text, "and told that the conversation is not kept"
    log = stack.log()[start:]
    assert "Conversation store" in log and "unavailable" in log
    assert FAQ_QUESTION not in log and "[parameters:" not in log
    # Once the store is back, nothing more is said about it.
    assert STORE_DOWN not in stack.say(sender(), FAQ_QUESTION).text


def test_the_rasa_server_hides_its_version_and_the_api_token_stays_off_the_command_line(stack: Stack) -> None:
    import urllib.error
    import urllib.request

    base = f"http://127.0.0.1:{stack.rasa_port}"
    with urllib.request.urlopen(f"{base}/", timeout=10) as reply:
        assert b"3.6" not in reply.read()
        assert "Server" not in reply.headers or "3." not in reply.headers["Server"]
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{base}/version", timeout=10)
    assert refused.value.code == 404
    with open(f"/proc/{stack.pid('rasa')}/cmdline", "rb") as cmdline:
        assert b"test-api-token" not in cmdline.read()
    # ... but the API still takes the token.
    with urllib.request.urlopen(f"{base}/status?token=test-api-token", timeout=10) as reply:
        assert reply.status == 200


def test_the_action_server_refuses_calls_without_the_shared_secret(stack: Stack) -> None:
    import urllib.error
    import urllib.request

    body = json.dumps({"next_action": "action_live_gar_group", "tracker": {}, "domain": {}}).encode()
    request = urllib.request.Request(stack.url_actions("/webhook"), data=body, method="POST")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 401
    with pytest.raises(urllib.error.HTTPError) as listed:
        urllib.request.urlopen(stack.url_actions("/actions"), timeout=10)
    assert listed.value.code == 401


def test_log_files_are_private(stack: Stack) -> None:
    for path in stack.log_dir.iterdir():
        assert path.stat().st_mode & 0o077 == 0, path
