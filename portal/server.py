"""The demo "ENT Hauts-de-France" portal: the page, the chat widget, a proxy to Rasa, feedback.

    python -m portal.server [--port 8080] [--rasa-url http://127.0.0.1:5005] [--dev]

The widget talks only to this server (same origin). `/api/chat` forwards a message
to Rasa's REST channel and returns the replies, each answer with a feedback ticket;
`/api/feedback` stores a vote through EntService. In development mode only (`--dev`),
`/api/dev/token` mints a signed identity token for a demo login.
"""

from __future__ import annotations

import argparse
import asyncio
import html
import logging
import os
import re
from pathlib import Path

import aiohttp
from aiohttp import web

from bot.ent.service import BackendUnavailable, EntService
from bot.identity import MAX_TOKEN_LENGTH, METADATA_KEY, load_secret, mint_token
from portal.feedback import AlreadyVoted, InvalidTicket, Tickets
from portal.people import DEMO_PEOPLE, LABELS
from portal.rasa import RasaClient, RasaUnavailable, latest_turn, replies_from_webhook

HOST = "127.0.0.1"
STATIC = Path(__file__).parent / "static"
MAX_MESSAGE = 10_000
DEV_TOKEN_TTL = 8 * 3600
SENDER = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
logger = logging.getLogger("portal")

RASA = web.AppKey("rasa", RasaClient)
SERVICE = web.AppKey("service", EntService)
TICKETS = web.AppKey("tickets", Tickets)
DEV = web.AppKey("dev", bool)


@web.middleware
async def security_headers(request: web.Request, handler):
    """No inline script, no framing, no sniffing, no referrer; API answers are never cached."""
    response = await handler(request)
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    if request.path.startswith("/api/") or request.path == "/":
        response.headers["Cache-Control"] = "no-store"
    return response


def error(status: int, code: str) -> web.Response:
    return web.json_response({"error": code}, status=status)


async def read_json(request: web.Request) -> dict | None:
    try:
        body = await request.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def blocking(function, *args):
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
    page = (STATIC / "index.html").read_text(encoding="utf-8")
    page = page.replace("<!--IDENTITY-->", identity_block(request.app[DEV]))
    return web.Response(text=page, content_type="text/html", charset="utf-8")


# --- the API ------------------------------------------------------------------
async def status(request: web.Request) -> web.Response:
    """Whether the assistant answers (the widget polls it to reconnect)."""
    if await request.app[RASA].alive():
        return web.json_response({"assistant": "ok"})
    return web.json_response({"assistant": "unreachable"}, status=503)


async def chat(request: web.Request) -> web.Response:
    """Forward one message to Rasa; return its replies, answers with a feedback ticket."""
    body = await read_json(request)
    if (
        body is None
        or not isinstance(body.get("message"), str)
        or not SENDER.match(str(body.get("sender", "")))
    ):
        return error(400, "bad_request")
    if len(body["message"]) > MAX_MESSAGE:
        return error(413, "too_long")
    token = (body.get("metadata") or {}).get(METADATA_KEY) if isinstance(body.get("metadata"), dict) else None
    metadata = {METADATA_KEY: token} if isinstance(token, str) and 0 < len(token) <= MAX_TOKEN_LENGTH else {}
    rasa = request.app[RASA]
    try:
        messages = await rasa.send(body["sender"], body["message"], metadata)
    except RasaUnavailable as problem:
        logger.warning("Rasa unreachable: %s", problem)
        return error(503, "unreachable")
    events = await rasa.events(body["sender"])
    question, replies = latest_turn(events) if events is not None else (None, replies_from_webhook(messages))
    tickets = request.app[TICKETS]
    out = [
        {
            "text": reply.text,
            "buttons": reply.buttons,
            "feedback": tickets.issue(reply.answer_key, question) if reply.answer_key else None,
        }
        for reply in replies
    ]
    return web.json_response({"messages": out})


async def feedback(request: web.Request) -> web.Response:
    """Store a 👍/👎 on an answer: its key and the question asked, nothing about the person."""
    body = await read_json(request)
    if body is None or body.get("vote") not in ("up", "down"):
        return error(400, "bad_request")
    tickets = request.app[TICKETS]
    try:
        key, question = tickets.redeem(body.get("ticket"))
    except InvalidTicket:
        return error(400, "invalid_ticket")
    except AlreadyVoted:
        return error(409, "already_voted")
    try:
        await blocking(request.app[SERVICE].record_feedback, key, question, body["vote"])
    except BackendUnavailable:
        tickets.forget(body["ticket"])
        return error(503, "backend_unavailable")
    return web.json_response({"stored": True}, status=201)


async def dev_token(request: web.Request) -> web.Response:
    """Development only: a signed token for a demo login (the role comes from the backend)."""
    body = await read_json(request)
    login = body.get("login") if body else None
    if login not in LABELS:
        return error(404, "unknown_login")
    try:
        role = await blocking(request.app[SERVICE].role_of, login)
    except BackendUnavailable:
        return error(503, "backend_unavailable")
    if role is None:
        return error(404, "unknown_login")
    token = mint_token(login, role, ttl_seconds=DEV_TOKEN_TTL, secret=load_secret())
    return web.json_response({"login": login, "label": LABELS[login], "role": role, "token": token})


# --- the application ------------------------------------------------------------
def create_app(
    rasa_url: str, api_token: str | None, dev: bool = False, service: EntService | None = None
) -> web.Application:
    """The portal application; `dev` adds the token minting endpoint."""
    app = web.Application(middlewares=[security_headers], client_max_size=64 * 1024)
    app[DEV] = dev
    app[SERVICE] = service or EntService()
    app[TICKETS] = Tickets()

    async def client_session(app: web.Application):
        # A fresh connection each time: Rasa may restart, and this is loopback.
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(force_close=True)) as session:
            app[RASA] = RasaClient(rasa_url, api_token, session)
            yield

    app.cleanup_ctx.append(client_session)
    app.router.add_get("/", index)
    app.router.add_get("/api/status", status)
    app.router.add_post("/api/chat", chat)
    app.router.add_post("/api/feedback", feedback)
    if dev:
        app.router.add_post("/api/dev/token", dev_token)
    app.router.add_static("/static/", STATIC)
    return app


def rasa_api_token() -> str | None:
    """$RASA_API_TOKEN, else the token `make run` generated for Rasa's HTTP API."""
    from bot.run import API_TOKEN_FILE

    value = os.environ.get("RASA_API_TOKEN", "").strip()
    if not value and API_TOKEN_FILE.exists():
        value = API_TOKEN_FILE.read_text().strip()
    return value or None


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m portal.server", description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORTAL_PORT", "8080")))
    parser.add_argument("--rasa-url", default=f"http://{HOST}:{os.environ.get('RASA_PORT', '5005')}")
    parser.add_argument(
        "--dev", action="store_true", help="development mode: demo identity switcher and tokens"
    )
    args = parser.parse_args(argv)
    if not (STATIC / "vendor" / "markdown-it.min.js").exists():
        raise SystemExit("portal/static/vendor est vide : lancez `make portal-deps` (npm ci).")
    logging.basicConfig(level=logging.INFO, format="portal: %(message)s")
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    app = create_app(args.rasa_url, rasa_api_token(), dev=args.dev)
    print(
        f"==> Portail de démonstration sur http://{HOST}:{args.port}"
        + (" (mode développement)" if args.dev else ""),
        flush=True,
    )
    web.run_app(app, host=HOST, port=args.port, print=None)


if __name__ == "__main__":
    main()
