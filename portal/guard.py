"""What the portal checks before a message reaches Rasa: origin, body, conversation, rate.

- The conversation id belongs to the portal: a random value in an HttpOnly, SameSite=Strict
  cookie; the id sent to Rasa is derived from it and from the signed identity's login
  (HMAC), so a cookie replayed under another identity reaches another conversation and
  the browser never learns the id Rasa sees. Any id sent by the client is ignored.
- State-changing requests must be JSON and come from the portal's own page (Origin).
- A small in-memory rate limit per conversation and per address (bounded memory).
Every refusal is a JSON error with a French message that the widget shows as is.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from urllib.parse import urlsplit

from aiohttp import web
from aiohttp.typedefs import Handler

COOKIE = "ent_conversation"
COOKIE_VALUE = re.compile(r"[A-Za-z0-9_-]{32,64}")
MAX_MESSAGE = 10_000
# C0/C1 control characters (tab and new lines allowed), bidi embeddings/overrides/isolates, surrogates.
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")

MESSAGES = {
    "bad_json": "Votre message n'a pas pu être lu. Réessayez ; si le problème continue, rechargez la page.",
    "bad_request": "Ce message n'a pas pu être envoyé : il n'est pas dans la forme attendue.",
    "empty": "Votre message est vide : écrivez votre question.",
    "too_long": f"Votre message est trop long : {MAX_MESSAGE:,} caractères au plus.".replace(",", " "),
    "too_large": "Cette demande est trop volumineuse pour être traitée.",
    "bad_characters": (
        "Votre message contient des caractères invisibles ou de contrôle qui ne sont pas acceptés. "
        "Retapez-le, puis envoyez-le à nouveau."
    ),
    "rate_limited": (
        "Vous envoyez beaucoup de messages en peu de temps. "
        "Patientez quelques secondes avant d'écrire à nouveau, s'il vous plaît."
    ),
    "bad_origin": "Cette demande ne vient pas de la page du portail : elle a été refusée.",
    "bad_content_type": "Cette demande n'est pas dans la forme attendue (JSON).",
    "unreachable": "L'assistant est injoignable pour le moment. Réessayez dans quelques instants.",
    "invalid_ticket": "Cet avis ne correspond à aucune réponse de l'assistant.",
    "already_voted": "Votre avis sur cette réponse est déjà enregistré. Merci !",
    "backend_unavailable": "Le service est momentanément indisponible. Réessayez dans quelques instants.",
    "unknown_login": "Cette personne de démonstration est inconnue.",
    "dev_local_only": (
        "La connexion de démonstration n'est possible que depuis cette machine "
        "(adresse 127.0.0.1 ou localhost)."
    ),
}
NO_REPLY = (
    "Je n'ai pas de réponse à vous proposer pour ce message. "
    "Pouvez-vous reformuler votre question en quelques mots ?"
)


def error(status: int, code: str, **headers: str) -> web.Response:
    """A refusal: a stable code for programs, a French message for people."""
    return web.json_response({"error": code, "message": MESSAGES[code]}, status=status, headers=headers)


class Refused(Exception):
    """A request refused with an HTTP status and an error code."""

    def __init__(self, status: int, code: str) -> None:
        super().__init__(code)
        self.status, self.code = status, code

    def response(self) -> web.Response:
        """The JSON error answer of this refusal."""
        return error(self.status, self.code)


async def read_json_object(request: web.Request) -> dict:
    """The request's JSON object, or Refused (too large, not UTF-8, not JSON, too deep, not an object)."""
    try:
        raw = await request.read()
    except web.HTTPRequestEntityTooLarge as too_large:
        raise Refused(413, "too_large") from too_large
    try:
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as bad:
        raise Refused(400, "bad_json") from bad
    if not isinstance(body, dict):
        raise Refused(400, "bad_json")
    return body


def check_message(body: dict) -> str:
    """The message to send: a non-empty string of reasonable length, without control characters."""
    message = body.get("message")
    if not isinstance(message, str):
        raise Refused(400, "bad_request")
    if not message.strip():
        raise Refused(400, "empty")
    if len(message) > MAX_MESSAGE:
        raise Refused(413, "too_long")
    if FORBIDDEN.search(message):
        raise Refused(400, "bad_characters")
    metadata = body.get("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        raise Refused(400, "bad_request")
    return message


# --- origin and content type of state-changing requests ---------------------------
@web.middleware
async def same_origin(request: web.Request, handler: Handler) -> web.StreamResponse:
    """POST must be JSON from the portal's own page: Origin (when sent) names this host."""
    if request.method == "POST":
        origin = request.headers.get("Origin")
        fetch_site = request.headers.get("Sec-Fetch-Site")
        if (origin is not None and urlsplit(origin).netloc != request.host) or fetch_site == "cross-site":
            return error(403, "bad_origin")
        if request.content_type != "application/json":
            return error(415, "bad_content_type")
    return await handler(request)


# --- the conversation id ----------------------------------------------------------------
class Conversations:
    """Conversation ids owned by the portal: cookie value -> the id Rasa sees."""

    def __init__(self, key: bytes) -> None:
        self.key = key

    @staticmethod
    def new_cookie() -> str:
        """A new random conversation cookie."""
        return secrets.token_urlsafe(32)  # 43 characters

    @staticmethod
    def cookie_of(request: web.Request) -> str | None:
        """The conversation cookie, if present and well formed (fullmatch: no trailing newline)."""
        value = request.cookies.get(COOKIE, "")
        return value if COOKIE_VALUE.fullmatch(value) else None

    def sender(self, cookie: str, subject: str | None) -> str:
        """The id Rasa sees: bound to the cookie and to the signed login (or anonymous)."""
        message = f"{cookie}\x00{subject or ''}".encode()
        return "c" + hmac.new(self.key, message, hashlib.sha256).hexdigest()[:40]

    @staticmethod
    def set_cookie(response: web.StreamResponse, request: web.Request, cookie: str) -> None:
        """Set the conversation cookie: HTTP only, same site, for the API only."""
        response.set_cookie(
            COOKIE, cookie, path="/api/", httponly=True, samesite="Strict", secure=request.secure
        )


# --- rate limit --------------------------------------------------------------------------
class RateLimiter:
    """At most `limit` hits per `window` seconds per key; remembers at most `max_keys` keys."""

    def __init__(
        self,
        limit: int,
        window: float,
        max_keys: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit, self.window, self.max_keys, self.clock = limit, window, max_keys, clock
        self.hits: OrderedDict[str, deque[float]] = OrderedDict()

    def allow(self, key: str) -> bool:
        """Count a hit for `key`; False when it is over the limit (the hit is then not counted)."""
        now = self.clock()
        hits = self.hits.pop(key, None) or deque(maxlen=self.limit)
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        self.hits[key] = hits  # most recently used last
        while len(self.hits) > self.max_keys:
            self.hits.popitem(last=False)
        if len(hits) >= self.limit:
            return False
        hits.append(now)
        return True

    def retry_after(self, key: str) -> int:
        """Seconds until `key` may send again (at least 1)."""
        hits = self.hits.get(key)
        if not hits:
            return 1
        return max(1, int(hits[0] + self.window - self.clock()) + 1)
