"""The portal's guards: conversation cookie, Origin, rate limit, malformed requests, dev mode,
feedback replay, health, headers (against a fake Rasa; no process started)."""

from __future__ import annotations

import sqlite3

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from bot.ent import models as m
from bot.ent.db import session_factory, session_scope
from bot.ent.service import EntService
from bot.identity import mint_token
from portal import server
from portal.guard import COOKIE, NO_REPLY, RateLimiter
from portal.server import create_app, dev_database_allowed
from tests.helpers.fake_rasa import EVENTS, RASA_TOKEN
from tests.helpers.secret import TEST_SECRET


async def portal_for(rasa_url: str, **options) -> TestClient:
    options.setdefault("dev", True)
    client = TestClient(TestServer(create_app(rasa_url, RASA_TOKEN, service=EntService(), **options)))
    await client.start_server()
    return client


@pytest.fixture
async def portal(ent_env, fake_rasa):
    client = await portal_for(str(fake_rasa.make_url("")), conversation_store="")
    yield client
    await client.close()


def senders(fake_rasa) -> list[str]:
    """The conversation ids Rasa saw, in order of the messages."""
    seen = []
    for sender, events in fake_rasa.app[EVENTS].items():
        seen += [(id(e), sender) for e in events if e["event"] == "user"]
    return [sender for _, sender in seen]


async def say(client: TestClient, message: str, **extra) -> web.Response:
    return await client.post("/api/chat", json={"message": message, **extra})


# --- the conversation id belongs to the portal ------------------------------------------
async def test_the_portal_issues_the_conversation_cookie_and_ignores_client_ids(portal, fake_rasa):
    first = await say(portal, "bonjour", sender="victim-conversation-id")
    assert first.status == 200
    cookie = first.cookies[COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Strict" and cookie["path"] == "/api/"
    await say(portal, "encore", sender="another-id-from-the-client")
    conversations = fake_rasa.app[EVENTS]
    assert "victim-conversation-id" not in conversations and "another-id-from-the-client" not in conversations
    assert len(conversations) == 1  # both messages in the cookie's conversation
    assert cookie.value not in conversations  # Rasa's id is derived, never the cookie itself


async def test_new_conversation_rotates_the_id(portal, fake_rasa):
    await say(portal, "bonjour")
    rotated = await portal.post("/api/conversation", json={})
    assert rotated.status == 200 and rotated.cookies[COOKIE]["httponly"]
    await say(portal, "bonjour")
    assert len(set(senders(fake_rasa))) == 2


async def test_the_conversation_is_bound_to_the_signed_login(portal, fake_rasa):
    parent = {"ent_token": mint_token("parent.papillons", "parent", secret=TEST_SECRET)}
    director = {"ent_token": mint_token("directeur.papillons", "directeur", secret=TEST_SECRET)}
    await say(portal, "live", metadata=parent)
    await say(portal, "live", metadata=parent)
    await say(portal, "live", metadata=director)  # same cookie, another identity
    await say(portal, "live")  # same cookie, anonymous
    ids = senders(fake_rasa)
    assert ids[0] == ids[1] and len({ids[1], ids[2], ids[3]}) == 3


async def test_a_forged_cookie_with_a_trailing_newline_is_replaced(portal, fake_rasa):
    portal.session.cookie_jar.update_cookies({COOKIE: "a" * 40 + "\n"})
    response = await say(portal, "bonjour")
    assert response.status == 200 and response.cookies[COOKIE].value != "a" * 40 + "\n"


# --- Origin and content type of state-changing requests ---------------------------------
@pytest.mark.parametrize("path", ["/api/chat", "/api/feedback", "/api/conversation", "/api/dev/token"])
async def test_cross_origin_posts_are_refused(portal, path):
    response = await portal.post(path, json={"message": "x"}, headers={"Origin": "https://evil.example"})
    assert response.status == 403 and "portail" in (await response.json())["message"]
    response = await portal.post(path, json={}, headers={"Sec-Fetch-Site": "cross-site"})
    assert response.status == 403


async def test_same_origin_post_is_accepted_and_non_json_refused(portal):
    own = f"http://{portal.server.host}:{portal.server.port}"
    assert (await say(portal, "bonjour", headers=None)).status == 200
    response = await portal.post("/api/chat", json={"message": "bonjour"}, headers={"Origin": own})
    assert response.status == 200
    response = await portal.post("/api/chat", data="message=bonjour", headers={"Content-Type": "text/plain"})
    assert response.status == 415 and "JSON" in (await response.json())["message"]


# --- rate limit ---------------------------------------------------------------------------
async def test_twenty_messages_in_ten_seconds_then_a_polite_429(portal):
    statuses = [(await say(portal, f"message {i}")).status for i in range(20)]
    assert statuses == [200] * 20
    refused = await say(portal, "un de trop")
    body = await refused.json()
    assert refused.status == 429 and body["error"] == "rate_limited"
    assert "Patientez quelques secondes" in body["message"] and int(refused.headers["Retry-After"]) >= 1
    await portal.post("/api/conversation", json={})  # a new conversation, same address: allowed
    assert (await say(portal, "bonjour")).status == 200


def test_rate_limiter_window_and_bounded_memory():
    now = [0.0]
    limiter = RateLimiter(3, 10.0, max_keys=100, clock=lambda: now[0])
    assert [limiter.allow("a") for _ in range(4)] == [True, True, True, False]
    now[0] = 10.5
    assert limiter.allow("a")
    for i in range(1000):
        limiter.allow(f"k{i}")
    assert len(limiter.hits) == 100


# --- malformed requests: a clear 4xx in French, never a 500 ---------------------------------
MALFORMED = [
    (b"{not json", 400),
    (b"[" * 50_000 + b"]" * 50_000, 413),  # too large for the portal's body limit
    (b"[" * 20_000 + b"]" * 20_000, 400),  # deeply nested: was a 500
    (b'{"message": {"nested": ' * 2000 + b"1" + b"}" * 4000, 400),
    (b'["a list"]', 400),
    (b'"a string"', 400),
    (b"\xff\xfe garbage", 400),
    (b'{"message": null}', 400),
    (b'{"message": ["x"]}', 400),
    (b'{"message": "bonjour", "metadata": [1]}', 400),
    (b'{"message": "bonjour\\u0000"}', 400),
    (b'{"message": "bonjour\\u001b[31m"}', 400),
    (b'{"message": "abc\\u202edcba"}', 400),  # bidi override
    (b'{"message": "\\ud800"}', 400),  # lone surrogate
    (b'{"message": ""}', 400),
]


@pytest.mark.parametrize("raw, status", MALFORMED, ids=[str(i) for i in range(len(MALFORMED))])
async def test_malformed_requests_get_a_french_4xx(portal, raw, status):
    response = await portal.post("/api/chat", data=raw, headers={"Content-Type": "application/json"})
    body = await response.json()
    assert response.status == status, body
    assert body["error"] and body["message"][0].isupper() and "Traceback" not in body["message"]


async def test_rasa_answering_nothing_gives_a_polite_message(portal):
    response = await say(portal, "silence")
    assert response.status == 200
    assert [m["text"] for m in (await response.json())["messages"]] == [NO_REPLY]


async def test_no_version_in_the_server_header(portal):
    for path in ("/", "/api/status", "/health", "/absent", "/static/widget.js"):
        header = (await portal.get(path)).headers.get("Server", "")
        assert (
            "aiohttp" not in header.lower()
            and "python" not in header.lower()
            and not any(c.isdigit() for c in header)
        )


# --- development mode ------------------------------------------------------------------------
async def test_dev_token_only_for_a_local_host_and_json(portal):
    port = portal.server.port
    body = {"login": "directeur.papillons"}
    for host in ("evil.example", f"evil.example:{port}", f"127.0.0.1.evil.example:{port}", "127.0.0.1:1"):
        response = await portal.post("/api/dev/token", json=body, headers={"Host": host})
        assert response.status == 403, host
        assert "127.0.0.1 ou localhost" in (await response.json())["message"]
    form = await portal.post("/api/dev/token", data={"login": "directeur.papillons"})
    assert form.status == 415
    for host in (f"127.0.0.1:{port}", f"localhost:{port}"):
        response = await portal.post("/api/dev/token", json=body, headers={"Host": host})
        assert response.status == 200 and (await response.json())["expires_in"] == 900


@pytest.mark.parametrize(
    "url, allowed",
    [
        (f"sqlite:///{server.VAR / 'ent.db'}", True),
        ("sqlite:///:memory:", True),
        ("sqlite:////srv/ent/production.db", False),
        ("postgresql://ent:secret@db.example/ent", False),
        ("mysql://ent@127.0.0.1/ent", False),
    ],
)
def test_dev_mode_only_on_a_local_sqlite_database(url, allowed):
    assert dev_database_allowed(url) is allowed


def test_the_portal_refuses_to_start_in_dev_mode_on_a_real_database(monkeypatch):
    monkeypatch.setenv("ENT_DATABASE_URL", "postgresql://ent:secret@127.0.0.1:9/ent")
    with pytest.raises(SystemExit) as stopped:
        server.main(["--dev", "--port", "1"])
    assert "Mode développement refusé" in str(stopped.value) and "secret" not in str(stopped.value)


# --- feedback --------------------------------------------------------------------------------
def stored_questions() -> list[str | None]:
    with session_scope(session_factory()) as session:
        return list(session.execute(select(m.Feedback.question).order_by(m.Feedback.id)).scalars())


async def test_the_ticket_question_is_the_current_request_not_the_conversation(portal):
    await say(portal, "qui suis-je ? Je suis Sophie Lambert, sophie@exemple.fr")
    response = await say(portal, '/inform_role{"role":"parent"}')  # a button: not a question
    [ticket] = [m["feedback"] for m in (await response.json())["messages"] if m["feedback"]]
    assert (await portal.post("/api/feedback", json={"ticket": ticket, "vote": "up"})).status == 201
    assert stored_questions()[-1] is None  # never the earlier typed text


async def test_a_stranger_never_gets_someone_elses_question(ent_env, fake_rasa):
    owner = await portal_for(str(fake_rasa.make_url("")), conversation_store="")
    stranger = await portal_for(str(fake_rasa.make_url("")), conversation_store="")
    try:
        await say(owner, "markdown : mon fils Hugo Lambert est malade")
        response = await say(stranger, "markdown", sender=next(iter(fake_rasa.app[EVENTS])))
        ticket = (await response.json())["messages"][0]["feedback"]
        assert (await stranger.post("/api/feedback", json={"ticket": ticket, "vote": "up"})).status == 201
        assert stored_questions()[-1] == "markdown"
    finally:
        await owner.close()
        await stranger.close()


async def test_a_used_ticket_is_refused_after_a_restart(ent_env, fake_rasa):
    first = await portal_for(str(fake_rasa.make_url("")), conversation_store="")
    try:
        ticket = (await (await say(first, "markdown")).json())["messages"][0]["feedback"]
        assert (await first.post("/api/feedback", json={"ticket": ticket, "vote": "up"})).status == 201
    finally:
        await first.close()
    restarted = await portal_for(str(fake_rasa.make_url("")), conversation_store="")
    try:
        again = await restarted.post("/api/feedback", json={"ticket": ticket, "vote": "down"})
        assert again.status == 409
    finally:
        await restarted.close()


# --- health ----------------------------------------------------------------------------------
@pytest.fixture
async def action_server_health():
    app = web.Application()
    app.router.add_get("/health", lambda _: web.json_response({"status": "ok"}))
    actions = TestServer(app)
    await actions.start_server()
    yield str(actions.make_url(""))
    await actions.close()


@pytest.fixture
def conversation_db(tmp_path) -> str:
    path = tmp_path / "conversations.db"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, timestamp REAL)")
    return f"sqlite:///{path}"


async def health_of(rasa_url: str, **options) -> tuple[int, dict]:
    client = await portal_for(rasa_url, **options)
    try:
        response = await client.get("/health")
        assert response.headers["Cache-Control"] == "no-store"
        return response.status, await response.json()
    finally:
        await client.close()


async def test_health_all_parts_ok(ent_env, fake_rasa, action_server_health, conversation_db):
    status, body = await health_of(
        str(fake_rasa.make_url("")), actions_url=action_server_health, conversation_store=conversation_db
    )
    assert status == 200
    assert body == {
        "status": "ok",
        "parts": {"rasa": "ok", "actions": "ok", "ent_database": "ok", "conversation_store": "ok"},
    }


async def test_health_degraded_when_the_action_server_and_the_store_are_down(ent_env, fake_rasa, tmp_path):
    status, body = await health_of(
        str(fake_rasa.make_url("")),
        actions_url="http://127.0.0.1:9",
        conversation_store=f"sqlite:///{tmp_path / 'absent.db'}",
    )
    assert status == 200 and body["status"] == "degraded"
    assert body["parts"] == {
        "rasa": "ok",
        "actions": "down",
        "ent_database": "ok",
        "conversation_store": "down",
    }
    assert not (tmp_path / "absent.db").exists()  # the check never creates the store


async def test_health_down_when_rasa_is_down(ent_env, action_server_health, conversation_db, tmp_path):
    broken = EntService.from_url(f"sqlite:///{tmp_path / 'no-tables.db'}")
    client = TestClient(
        TestServer(
            create_app(
                "http://127.0.0.1:9",
                RASA_TOKEN,
                service=broken,
                actions_url=action_server_health,
                conversation_store=conversation_db,
            )
        )
    )
    await client.start_server()
    try:
        response = await client.get("/health")
        body = await response.json()
        assert response.status == 503 and body["status"] == "down"
        assert body["parts"]["rasa"] == "down" and body["parts"]["ent_database"] == "down"
        assert body["parts"]["actions"] == "ok"
    finally:
        await client.close()
