"""The demo "ENT Hauts-de-France" portal: the page, the chat widget, a proxy to Rasa, feedback.

    python -m portal.server [--port 8080] [--rasa-url http://127.0.0.1:5005] [--dev]

The widget talks only to this server (same origin). `/api/chat` forwards a message
to Rasa's REST channel and returns the replies, each answer with a feedback ticket;
`/api/conversation` starts a new conversation; `/api/feedback` stores a vote through
EntService; `/health` reports each part. The conversation id is the portal's (an HttpOnly
cookie, see portal/guard.py). In development mode only (`--dev`, loopback, a local SQLite
database), `/api/dev/token` mints a signed identity token for a demo login.
"""

from __future__ import annotations

import argparse
import asyncio
import html
import logging
import os
import tempfile
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any, TypeVar

import aiohttp
from aiohttp import web
from aiohttp.typedefs import Handler
from sqlalchemy.engine import make_url

from bot.conversation_store import NoSQLStore, store_url
from bot.ent.db import database_url
from bot.ent.errors import AlreadyRecorded, BackendUnavailable
from bot.ent.service import EntService
from bot.identity import (
    MAX_TOKEN_LENGTH,
    MAX_TOKEN_TTL_SECONDS,
    METADATA_KEY,
    check_metadata,
    load_secret,
    mint_token,
)
from bot.paths import RASA_API_TOKEN_FILE, VAR
from portal import guard, health, staff
from portal.feedback import InvalidTicket, Tickets, portal_key
from portal.guard import NO_REPLY, Conversations, RateLimiter, Refused, error
from portal.people import DEMO_PEOPLE, LABELS
from portal.rasa import RasaClient, RasaUnavailable, Reply, latest_turn, replies_from_webhook
from portal.staff_data import StaffReads
from portal.staff_snapshot import default_path as snapshot_path

HOST = "127.0.0.1"
LOCAL_HOSTS = ("127.0.0.1", "localhost")
STATIC = Path(__file__).parent / "static"
MAX_MESSAGE = guard.MAX_MESSAGE
DEV_TOKEN_TTL = MAX_TOKEN_TTL_SECONDS  # 15 minutes; the page asks for a fresh one before the end
PER_CONVERSATION = (20, 10.0)  # messages per seconds
PER_ADDRESS = (60, 10.0)  # several people may share an address (a school, a family)
SERVER_NAME = "portail-ent"  # no version in the Server header
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
logger = logging.getLogger("portal")

RASA = web.AppKey("rasa", RasaClient)
SERVICE = web.AppKey("service", EntService)
TICKETS = web.AppKey("tickets", Tickets)
DEV = web.AppKey("dev", bool)
T = TypeVar("T")
CONVERSATIONS = web.AppKey("conversations", Conversations)
LIMITS = web.AppKey("limits", dict)
HEALTH = web.AppKey("health", dict)


@web.middleware
async def security_headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    """No inline script, no framing, no sniffing, no referrer; API answers are never cached."""
    response = await handler(request)
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    if request.path.startswith(("/api/", "/staff")) or request.path in ("/", "/health"):
        response.headers["Cache-Control"] = "no-store"
    return response


async def no_version(_request: web.Request, response: web.StreamResponse) -> None:
    """The Server header names no software version."""
    response.headers["Server"] = SERVER_NAME


def blocking(function: Callable[..., T], *args: Any) -> asyncio.Future[T]:
    """Run a blocking backend call (SQLAlchemy) off the event loop."""
    return asyncio.get_running_loop().run_in_executor(None, function, *args)


# --- the page -----------------------------------------------------------------
def identity_block(dev: bool) -> str:
    """The demo identity switcher (development), or the production notice."""
    if not dev:
        return (
            '<p class="mode mode-prod">Mode production : aucune connexion de démonstration. '
            "L'assistant reçoit l'identité signée par l'ENT.</p>"
        )
    options = ['<option value="">Visiteur non connecté (anonyme)</option>']
    options += [
        f'<option value="{html.escape(login)}">{html.escape(label)}</option>' for login, label in DEMO_PEOPLE
    ]
    return (
        '<div class="mode mode-dev" role="note"><p><strong>Mode développement.</strong> '
        "Ce sélecteur fabrique sur ce serveur un jeton d'identité signé pour une personne de démonstration. "
        "Il n'existe pas en production, où l'identité vient de la connexion à l'ENT.</p>"
        '<form id="identity-form" class="identity-form">'
        '<label for="identity">Se connecter en tant que (démonstration)</label>'
        f'<select id="identity">{"".join(options)}</select>'
        '<button type="submit">Changer d\'identité</button></form>'
        '<p id="identity-state" role="status"></p></div>'
    )


async def index(request: web.Request) -> web.Response:
    """The portal's page (with the demo identity switcher in development mode)."""
    page = (STATIC / "index.html").read_text(encoding="utf-8")
    page = page.replace("<!--IDENTITY-->", identity_block(request.app[DEV]))
    return web.Response(text=page, content_type="text/html", charset="utf-8")


# --- the API ------------------------------------------------------------------
async def status(request: web.Request) -> web.Response:
    """Whether the assistant answers (the widget polls it to reconnect)."""
    if await request.app[RASA].alive():
        return web.json_response({"assistant": "ok"})
    return web.json_response({"assistant": "unreachable"}, status=503)


async def health_check(request: web.Request) -> web.Response:
    """Each part's state for the supervisor and a load balancer (200, or 503 when Rasa is down)."""
    config = request.app[HEALTH]
    body = await health.report(
        request.app[RASA].session,
        request.app[RASA].base_url,
        config["actions_url"],
        request.app[SERVICE].ping,
        config["store_url"],
    )
    return web.json_response(body, status=503 if body["status"] == health.DOWN else 200)


def subject_of(metadata: dict) -> str | None:
    """The login of a valid signed token, if any (binds the conversation to that person)."""
    check = check_metadata(metadata) if metadata else None
    return check.identity.login if check and check.identity else None


def rate_limited(request: web.Request, cookie: str) -> web.Response | None:
    """A 429 when this conversation or this address sends too much."""
    limits = request.app[LIMITS]
    address = request.remote or "?"
    for limiter, key in ((limits["conversation"], cookie), (limits["address"], address)):
        if not limiter.allow(key):
            return error(429, "rate_limited", **{"Retry-After": str(limiter.retry_after(key))})
    return None


async def chat(request: web.Request) -> web.Response:
    """Forward one message to Rasa; return its replies, answers with a feedback ticket."""
    try:
        body = await guard.read_json_object(request)
        message = guard.check_message(body)
    except Refused as refused:
        return refused.response()
    conversations = request.app[CONVERSATIONS]
    cookie = conversations.cookie_of(request)
    fresh = cookie is None
    cookie = cookie or conversations.new_cookie()
    limited = rate_limited(request, cookie)
    if limited is not None:
        return limited
    token = (body.get("metadata") or {}).get(METADATA_KEY)
    metadata = {METADATA_KEY: token} if isinstance(token, str) and 0 < len(token) <= MAX_TOKEN_LENGTH else {}
    sender = conversations.sender(cookie, subject_of(metadata))  # any client-sent id is ignored
    rasa = request.app[RASA]
    try:
        messages = await rasa.send(sender, message, metadata)
    except RasaUnavailable as problem:
        logger.warning("Rasa unreachable: %s", problem)
        return error(503, "unreachable")
    events = await rasa.events(sender)
    replies = latest_turn(events)[1] if events is not None else replies_from_webhook(messages)
    if not replies and messages:
        replies = replies_from_webhook(messages)  # the tracker lagged: the webhook's own answer
    if not replies:
        replies = [Reply(NO_REPLY)]  # never an empty bubble, never silence
    # The question voted on is this request's text (a button's payload is not a question).
    question = None if message.lstrip().startswith("/") else message
    tickets = request.app[TICKETS]
    out = [
        {
            "text": reply.text,
            "buttons": reply.buttons,
            "feedback": tickets.issue(reply.answer_key, question) if reply.answer_key else None,
        }
        for reply in replies
    ]
    response = web.json_response({"messages": out})
    if fresh:
        conversations.set_cookie(response, request, cookie)
    return response


async def new_conversation(request: web.Request) -> web.Response:
    """« Nouvelle conversation »: a new conversation cookie (the old conversation is left)."""
    response = web.json_response({"conversation": "new"})
    request.app[CONVERSATIONS].set_cookie(response, request, Conversations.new_cookie())
    return response


async def feedback(request: web.Request) -> web.Response:
    """Store a 👍/👎 on an answer: its key and the masked question, nothing about the person."""
    try:
        body = await guard.read_json_object(request)
    except Refused as refused:
        return refused.response()
    if body.get("vote") not in ("up", "down"):
        return error(400, "bad_request")
    try:
        ticket = request.app[TICKETS].read(body.get("ticket"))
    except InvalidTicket:
        return error(400, "invalid_ticket")
    service = request.app[SERVICE]
    try:
        await blocking(
            service.record_feedback, ticket.answer_key, ticket.question, body["vote"], ticket.ticket_id
        )
    except AlreadyRecorded:
        return error(409, "already_voted")
    except BackendUnavailable:
        return error(503, "backend_unavailable")
    return web.json_response({"stored": True}, status=201)


def local_host(request: web.Request) -> bool:
    """Host is 127.0.0.1 or localhost with the port this server listens on (no DNS rebinding)."""
    sockname = request.transport.get_extra_info("sockname") if request.transport else None
    port = sockname[1] if isinstance(sockname, tuple) and len(sockname) >= 2 else None
    return request.host in {f"{name}:{port}" for name in LOCAL_HOSTS}


async def dev_token(request: web.Request) -> web.Response:
    """Development only: a signed token for a demo login (the role comes from the backend)."""
    if not local_host(request):
        return error(403, "dev_local_only")
    try:
        body = await guard.read_json_object(request)
    except Refused as refused:
        return refused.response()
    login = body.get("login")
    if not isinstance(login, str) or login not in LABELS:
        return error(404, "unknown_login")
    try:
        role = await blocking(request.app[SERVICE].role_of, login)
    except BackendUnavailable:
        return error(503, "backend_unavailable")
    if role is None:
        return error(404, "unknown_login")
    token = mint_token(login, role, ttl_seconds=DEV_TOKEN_TTL, secret=load_secret())
    response = web.json_response(
        {"login": login, "label": LABELS[login], "role": role, "token": token, "expires_in": DEV_TOKEN_TTL}
    )
    staff.set_identity_cookie(response, request, token, DEV_TOKEN_TTL)  # for /staff
    return response


async def dev_sign_out(request: web.Request) -> web.Response:
    """Development only: back to anonymous (forget the /staff identity cookie)."""
    if not local_host(request):
        return error(403, "dev_local_only")
    response = web.json_response({"login": ""})
    staff.set_identity_cookie(response, request, None, 0)
    return response


def dev_database_allowed(url: str) -> bool:
    """Development mode only on a throw-away database: SQLite under var/ (or the temp directory)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return False
    database = parsed.database or ""
    if database in ("", ":memory:"):
        return True
    path = Path(database).resolve()
    return any(path.is_relative_to(Path(root).resolve()) for root in (VAR, tempfile.gettempdir()))


def conversation_store_url() -> str | None:
    """The conversation store of endpoints.yml, for the health check (None if not SQL)."""
    try:
        return store_url()
    except (NoSQLStore, OSError, ValueError):
        return None


# --- the application ------------------------------------------------------------
def create_app(
    rasa_url: str,
    api_token: str | None,
    dev: bool = False,
    service: EntService | None = None,
    actions_url: str | None = None,
    conversation_store: str | None = None,
    staff_snapshot: Path | None = None,
) -> web.Application:
    """The portal application; `dev` adds the token minting endpoint."""
    app = web.Application(middlewares=[security_headers, guard.same_origin], client_max_size=64 * 1024)
    app.on_response_prepare.append(no_version)
    app[DEV] = dev
    app[SERVICE] = service or EntService()
    app[TICKETS] = Tickets()
    app[CONVERSATIONS] = Conversations(portal_key(b"conversation"))
    app[LIMITS] = {"conversation": RateLimiter(*PER_CONVERSATION), "address": RateLimiter(*PER_ADDRESS)}
    app[HEALTH] = {
        "actions_url": actions_url or f"http://{HOST}:{os.environ.get('ACTIONS_PORT', '5055')}",
        "store_url": conversation_store if conversation_store is not None else conversation_store_url(),
    }

    async def client_session(app: web.Application) -> AsyncIterator[None]:
        # A fresh connection each time: Rasa may restart, and this is loopback.
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(force_close=True)) as session:
            app[RASA] = RasaClient(rasa_url, api_token, session)
            yield

    app.cleanup_ctx.append(client_session)
    app.router.add_get("/", index)
    app.router.add_get("/health", health_check)
    app.router.add_get("/api/status", status)
    app.router.add_post("/api/chat", chat)
    app.router.add_post("/api/conversation", new_conversation)
    app.router.add_post("/api/feedback", feedback)
    staff.add_routes(app, StaffReads(app[SERVICE], app[HEALTH]["store_url"], staff_snapshot))
    if dev:
        app.router.add_post("/api/dev/token", dev_token)
        app.router.add_post("/api/dev/signout", dev_sign_out)
    app.router.add_static("/static/", STATIC)
    return app


def rasa_api_token() -> str | None:
    """$RASA_API_TOKEN, else the token `make run` generated for Rasa's HTTP API."""
    value = os.environ.get("RASA_API_TOKEN", "").strip()
    if not value and RASA_API_TOKEN_FILE.exists():
        value = RASA_API_TOKEN_FILE.read_text().strip()
    return value or None


def main(argv: list[str] | None = None) -> None:
    """Serve the portal."""
    parser = argparse.ArgumentParser(prog="python -m portal.server", description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORTAL_PORT", "8080")))
    parser.add_argument("--rasa-url", default=f"http://{HOST}:{os.environ.get('RASA_PORT', '5005')}")
    parser.add_argument(
        "--dev", action="store_true", help="development mode: demo identity switcher and tokens"
    )
    parser.add_argument(
        "--actions-url", default=f"http://{HOST}:{os.environ.get('ACTIONS_PORT', '5055')}", help="for /health"
    )
    args = parser.parse_args(argv)
    if args.dev and not dev_database_allowed(database_url()):
        raise SystemExit(
            "Mode développement refusé : ENT_DATABASE_URL désigne une vraie base de données. Le mode "
            "développement (jetons de démonstration) n'est permis qu'avec une base SQLite locale sous var/."
        )
    if not (STATIC / "vendor" / "markdown-it.min.js").exists():
        raise SystemExit("portal/static/vendor est vide : lancez `make portal-deps` (npm ci).")
    logging.basicConfig(level=logging.INFO, format="portal: %(message)s")
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    app = create_app(
        args.rasa_url,
        rasa_api_token(),
        dev=args.dev,
        actions_url=args.actions_url,
        staff_snapshot=snapshot_path(),  # the /staff counts kept on disk across restarts
    )
    print(
        f"==> Portail de démonstration sur http://{HOST}:{args.port}"
        + (" (mode développement)" if args.dev else ""),
        flush=True,
    )
    web.run_app(app, host=HOST, port=args.port, print=None)


if __name__ == "__main__":
    main()
